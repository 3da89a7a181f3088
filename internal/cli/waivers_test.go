package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The waiver tests run check on the real fixture plan of
// rot020-overlap-equals-cache (ROT020 deny on rotation_secret.session, plan
// timestamp 2026-01-05T09:00:00Z) and rot023-pileup (ROT023 warn), in the
// configuration directory so that findings point at main.tf. Both keep
// their material in state, so ROT050 warns beside what is waived.

const waiverJustification = `params.waivers[0]: "INC-1234", approved by team-platform-security, expires 2027-03-01 (end of day, UTC)`

func waiverFixture(t *testing.T, fixture, rule, expires string) (plan, params string) {
	t.Helper()
	plan, err := filepath.Abs(filepath.Join(repoRoot, "policies", "testdata", "fixtures", fixture, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	params = writeFile(t, t.TempDir(), "params.yaml", []byte(`waivers:
  - rule: `+rule+`
    resource: "rotation_secret.*"
    reason: "INC-1234"
    expires: "`+expires+`"
    approver: "team-platform-security"
`))
	t.Chdir(filepath.Join(repoRoot, "policies", "testdata", "configs", fixture))
	return plan, params
}

func TestCheckWaivedText(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	code, stdout, stderr := run(t, "check", "--params", params, plan)
	if code != 0 {
		t.Fatalf("exit %d (a waived deny never fails)\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		plan + ": 0 deny, 1 warn, 1 waived\n",
		"  rotation_secret.session\n    main.tf:39: waived  ROT020  overlap 1h must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)\n",
		"      waived deny by " + waiverJustification + "\n",
		"1 file checked: 0 deny, 1 warn, 1 waived\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCheckWaivedJSON(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	code, stdout, _ := run(t, "check", "--format", "json", "--params", params, plan)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Results []any `json:"results"`
		Waived  []struct {
			Rule, Severity, Resource, Message string
			Source                            *struct{ File string }
			Waiver                            struct {
				Index                     int
				Reason, Approver, Expires string
			}
		} `json:"waived"`
		Summary map[string]int `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || len(rep.Waived) != 1 || rep.Summary["deny"] != 0 || rep.Summary["warn"] != 1 || rep.Summary["waived"] != 1 {
		t.Fatalf("report %s", stdout)
	}
	w := rep.Waived[0]
	if w.Rule != "ROT020" || w.Severity != "deny" || w.Resource != "rotation_secret.session" || w.Source == nil || w.Source.File != "main.tf" ||
		w.Waiver.Index != 0 || w.Waiver.Reason != "INC-1234" || w.Waiver.Approver != "team-platform-security" || w.Waiver.Expires != "2027-03-01" {
		t.Errorf("waived %+v", w)
	}
}

func TestCheckWaivedSARIF(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	code, stdout, _ := run(t, "check", "--format", "sarif", "--params", params, plan)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Level        string `json:"level"`
				Suppressions []struct {
					Kind, Status, Justification string
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Results
	if len(rs) != 2 || rs[0].RuleID != "ROT050" || len(rs[0].Suppressions) != 0 || rs[1].RuleID != "ROT020" || rs[1].Level != "error" || len(rs[1].Suppressions) != 1 {
		t.Fatalf("results %+v", rs)
	}
	s := rs[1].Suppressions[0]
	if s.Kind != "external" || s.Status != "accepted" || s.Justification != waiverJustification {
		t.Errorf("suppression %+v", s)
	}
}

func TestCheckWaivedJUnit(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	code, stdout, _ := run(t, "check", "--format", "junit", "--params", params, plan)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct{}
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(stdout), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Failures != 0 || suites.Skipped != 1 {
		t.Fatalf("failures %d skipped %d\n%s", suites.Failures, suites.Skipped, stdout)
	}
	found := false
	for _, c := range suites.Suites[0].Cases {
		if c.Name == "ROT020 rotation_secret.session" {
			found = true
			if c.Skipped == nil || c.Skipped.Message != "waived by "+waiverJustification || c.Failure != nil {
				t.Errorf("case %+v", c)
			}
		} else if c.Skipped != nil {
			t.Errorf("%s skipped", c.Name)
		}
	}
	if !found {
		t.Errorf("no test case for the waived finding:\n%s", stdout)
	}
}

func TestCheckWaivedGitHub(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	code, stdout, _ := run(t, "check", "--format", "github", "--params", params, plan)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "::notice file=policies/testdata/configs/rot020-overlap-equals-cache/main.tf,line=39,col=5,title=ROT020 (waived)::ROT020 rotation_secret.session: overlap 1h must exceed 1h (longest consumer cache 1h + artifact lifetime 0s) — waived deny by " + waiverJustification + "\n"
	if !strings.Contains(stdout, want) || strings.Count(stdout, "::") != 2*2 || !strings.Contains(stdout, "title=ROT050::") {
		t.Errorf("github output\n got %q\nwant %q and the ROT050 warning", stdout, want)
	}
}

func TestCheckWaivedWarningNeverFails(t *testing.T) {
	plan, _ := waiverFixture(t, "rot023-pileup", "ROT023", "2027-03-01")
	// ROT050 (state mode) is waived too, so that nothing else warns.
	params := writeFile(t, t.TempDir(), "params.yaml", []byte(`waivers:
  - {rule: ROT023, resource: "rotation_secret.*", reason: "INC-1234", expires: "2027-03-01", approver: "team-platform-security"}
  - {rule: ROT050, resource: "rotation_secret.*", reason: "INC-1235", expires: "2027-03-01", approver: "team-platform-security"}
`))
	code, stdout, _ := run(t, "check", "--fail-on", "warn", "--params", params, plan)
	if code != 0 || !strings.Contains(stdout, "waived  ROT023") || !strings.Contains(stdout, "waived warn by "+waiverJustification) {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
}

func TestCheckExpiredWaiverIsROT090(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2026-01-04")
	code, stdout, stderr := run(t, "check", "--params", params, plan)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`deny  ROT090  params.waivers[0] (ROT020 on "rotation_secret.*"): expires "2026-01-04" has passed: the waiver held through 2026-01-04T23:59:59Z and the evaluation time is 2026-01-05T09:00:00Z (plan timestamp); it waives nothing now.`,
		"main.tf:39: deny  ROT020  overlap 1h must exceed 1h",
		"1 file checked: 2 deny, 1 warn (failing on deny)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "waived") && !strings.Contains(stdout, "waives nothing") {
		t.Errorf("an expired waiver waived something:\n%s", stdout)
	}
}

func TestCheckIncompleteWaiverSaysWhereAndHow(t *testing.T) {
	plan, _ := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	params := writeFile(t, t.TempDir(), "params.json", []byte(`{"waivers": [{"rule": "ROT020", "resource": "rotation_secret.session", "expires": "2027-3-1"}]}`))
	code, stdout, _ := run(t, "check", "--params", params, plan)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	for _, want := range []string{
		`ROT090  params.waivers[0] (ROT020 on "rotation_secret.session"): reason is missing; set it to why the finding is accepted, e.g. a ticket`,
		`ROT090  params.waivers[0] (ROT020 on "rotation_secret.session"): approver is missing; set it to who accepted the risk, e.g. a team`,
		`ROT090  params.waivers[0] (ROT020 on "rotation_secret.session"): expires "2027-3-1" is not a UTC date; write YYYY-MM-DD, e.g. 2027-03-01`,
		"deny  ROT020",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(params); err != nil {
		t.Fatal(err)
	}
}

func TestRunbookShowsWaivedAsWaived(t *testing.T) {
	plan, params := waiverFixture(t, "rot020-overlap-equals-cache", "ROT020", "2027-03-01")
	code, stdout, stderr := run(t, "runbook", "--params", params, plan)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"## Waived findings\n",
		"- ROT020 (deny, waived) `rotation_secret.session`: overlap 1h must exceed 1h (longest consumer cache 1h + artifact lifetime 0s) — params.waivers\\[0\\]: \"INC-1234\", approved by team-platform-security, expires 2027-03-01 (end of day, UTC)\n",
		"| ROT020 overlap vs caches |",
		"| ⊘ waived | equal: must be longer |",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("runbook lacks %q", want)
		}
	}
	if strings.Contains(stdout, "✗") {
		t.Errorf("a waived finding is shown as a failure:\n%s", stdout)
	}
}
