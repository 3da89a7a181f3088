package runbook

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// Issue 10, item 7: values the configuration marks sensitive (a real plan:
// purpose, owner and backup_owner through sensitive() and a sensitive
// variable, revoke_reason through sensitive(), and the provider's own mark
// on versions[*].revoke_reason) never appear in the runbook; "(sensitive)"
// stands for them.
func TestSensitiveValuesAreNotShown(t *testing.T) {
	path := fixtures + "/sensitive-values/plan.json"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"Nightjar", "Mallory", "team-incident-response", "team-nightjar-oncall"}
	for _, s := range secrets {
		if !strings.Contains(string(raw), s) {
			t.Fatalf("the fixture lacks %q: the test would prove nothing", s)
		}
	}
	e, err := policy.New(context.Background(), policy.Options{Data: map[string]any{"rotation": map[string]any{"params": map[string]any{"allowed_owners": []any{"team-identity"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policy.ReadInputFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Evaluate(context.Background(), e, doc, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	md, page := render(t, rep, "markdown"), render(t, rep, "html")
	for format, out := range map[string]string{"markdown": md, "html": page} {
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(out), strings.ToLower(s)) {
				t.Errorf("%s shows %q", format, s)
			}
		}
		if n := strings.Count(out, SensitiveText); n < 5 {
			t.Errorf("%s shows %q %d times, want it for the purpose, both owners and the reasons", format, SensitiveText, n)
		}
	}
	for _, want := range []string{
		"> (sensitive)",
		"| **Owner** | (sensitive) |",
		"| **Backup owner** | (sensitive) |",
		"Emergency revocation configured (`revoke_versions`): v1; reason: (sensitive).",
		"ROT030 (warn): version 1 (previous) is revoked by revoke\\_versions on this apply, before its overlap 2h elapsed (revoke\\_reason (sensitive))",
		"ROT011 (deny): owner (sensitive) is not in allowed\\_owners",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	parseXML(t, "the page", page)
	// The jitter key still uses the values (the projection matches the
	// provider's); the versions table shows the recorded reason as sensitive.
	c := rep.Families[0].Credentials[0]
	if c.Spec.Key != "session-signing/prod" {
		t.Errorf("spec key %q", c.Spec.Key)
	}
	for _, v := range c.Versions {
		if v.RevokeReason != "" && v.RevokeReason != SensitiveText {
			t.Errorf("v%d revoke_reason %q", v.Version, v.RevokeReason)
		}
	}
}

// A hand-made document marking durations, names and tags: the arithmetic
// shows "(sensitive)" for the values and for what is computed from them.
func TestSensitiveDurationsAreNotShown(t *testing.T) {
	doc := `{"format_version":"1.2","timestamp":"2026-01-05T09:00:00Z","planned_values":{"root_module":{"resources":[
	{"type":"rotation_secret_family","mode":"managed","address":"rotation_secret_family.f","name":"f","values":{"name":"fam","owner":"a","backup_owner":"b","artifact_lifetime":"7m","tags":{"project":"Nightjar"},
	 "consumer":[{"name":"Zebra","role":"validator","cache_ttl":"17m","reload":"hot","owner":"Yak","third_party":true}]},
	 "sensitive_values":{"tags":{"project":true},"consumer":[{"name":true,"cache_ttl":true,"owner":true}]}},
	{"type":"rotation_secret","mode":"managed","address":"rotation_secret.s","name":"s","values":{"family":"fam","name":"prod","type":"hmac",
	 "schedule":{"period":"30d","overlap":"13m","propagation":"19m","ttl":"45d","jitter":"0s"},
	 "versions":[{"version":1,"status":"active","issued_at":"2026-01-01T09:00:00Z","activated_at":"2026-01-01T09:00:00Z"}]},
	 "sensitive_values":{"schedule":{"overlap":true}}}]}}}`
	in := readString(t, "marked.json", doc, time.Time{})
	rep, err := Build(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"markdown", "html"} {
		out := render(t, rep, format)
		for _, s := range []string{"Nightjar", "Zebra", "Yak", "17m", "13m", "24m", "30m", "4m"} {
			if regexp.MustCompile(`\b` + s + `\b`).MatchString(out) {
				t.Errorf("%s shows %q", format, s)
			}
		}
		if !strings.Contains(out, "19m") {
			t.Errorf("%s hides the propagation, which is not sensitive", format)
		}
	}
	if got := rep.Families[0].Consumers[0]; !got.Validates() || got.Name != SensitiveText {
		t.Errorf("consumer %+v", got)
	}
}

// Issue 10, item 4: a plan at the real time of a record that applies with a
// rehearsal clock in 2030 left ahead: the runbook is dated by the plan, the
// credential has a ROT042 note naming the version, field and instant, and
// nothing is scheduled before 2030.
func TestRecordAheadOfTheClock(t *testing.T) {
	rep := build(t, fixtures+"/rot042-record-ahead/plan.json", "", Options{})
	if !rep.Now.Equal(mustTime(t, "2026-01-05T09:00:00Z")) || rep.NowSource != "plan timestamp" {
		t.Errorf("now %s (%s)", rep.Now, rep.NowSource)
	}
	c := rep.Families[0].Credentials[0]
	md := render(t, rep, "markdown")
	want := "ROT042: the record is ahead of the clock: 5 recorded timestamps are after Mon 2026-01-05 09:00 UTC, the latest v1 `superseded_at` Wed 2030-02-06 11:00 UTC. No scheduled step (accept, emit, revoke) happens before that instant"
	if !strings.Contains(md, want) {
		t.Errorf("no ROT042 note: %q", mdSection(md, "#### Notes"))
	}
	for _, e := range c.Events {
		if e.At.Before(mustTime(t, "2030-02-06T11:00:00Z")) {
			t.Errorf("projected %s of v%d at %s, before the record's newest timestamp", e.Action, e.Version, e.At)
		}
	}
	// The fixture keeps its material in state: ROT050 warns too.
	if v := rep.Verdicts(); len(v) != 2 || v[0].Rule != "ROT042" || v[0].Severity != policy.Warn || v[1].Rule != "ROT050" || v[1].Severity != policy.Warn {
		t.Errorf("verdicts %v", v)
	}
}

// Issue 10, item 4: a state whose record is ahead of the clock (2030) does
// not date the report 2030: the current time, saying why.
func TestStateAheadIsNotTheReportsDate(t *testing.T) {
	raw, err := os.ReadFile(fixtures + "/rot042-record-ahead/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	// The prior state of the plan is the state the 2030 applies left.
	state := `{"format_version":"1.0","terraform_version":"1.5.7","values":` + priorValues(t, raw) + `}`
	clock := mustTime(t, "2026-12-02T10:00:00Z")
	in := readString(t, "state.json", state, clock)
	rep, err := Build(in, Options{clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Now.Equal(clock) || rep.NowSource != "current time; the state's newest timestamp 2030-02-06T11:00:00Z is in the future" {
		t.Errorf("now %s (%s)", rep.Now, rep.NowSource)
	}
	md := render(t, rep, "markdown")
	if !strings.Contains(md, "As of: Wed 2026-12-02 10:00 UTC (current time; the state's newest timestamp 2030-02-06T11:00:00Z is in the future)") || !strings.Contains(md, "ROT042: the record is ahead of the clock") {
		t.Errorf("markdown:\n%.1500s", md)
	}
}

// Issue 10, item 2: a rule that refuses an unknown input shows it failing,
// with the value that is unknown, in the arithmetic.
func TestRefusedUnknownInputs(t *testing.T) {
	rep := build(t, fixtures+"/unknown-values/plan.json", "2026-01-05T09:00:00Z", Options{})
	c := rep.Families[0].Credentials[0]
	found := false
	for _, k := range c.Checks {
		if k.ID == "ROT001" || k.ID == "ROT002" {
			found = true
			if k.Verdict != VerdictFail || k.Need.Plain() != "schedule.ttl is unknown until apply: refused (fail closed)" {
				t.Errorf("%s: %s %q", k.ID, k.Verdict, k.Need.Plain())
			}
		}
	}
	if !found {
		t.Error("no ROT001/ROT002 lines")
	}
}

// priorValues is the prior_state.values of a plan document, as JSON.
func priorValues(t *testing.T, plan []byte) string {
	t.Helper()
	var doc struct {
		PriorState struct {
			Values json.RawMessage `json:"values"`
		} `json:"prior_state"`
	}
	if err := json.Unmarshal(plan, &doc); err != nil || len(doc.PriorState.Values) == 0 {
		t.Fatalf("prior_state.values: %v", err)
	}
	return string(doc.PriorState.Values)
}

// Issue 10, item 1: what a plan deletes, replaces or forgets is listed with
// the versions that stop being accepted, and ROT024 is shown beside it (for
// a replacement, in the new resource's notes).
func TestRemovedByThePlan(t *testing.T) {
	rep := build(t, fixtures+"/rot024-replace-renamed/plan.json", "", Options{})
	md, page := render(t, rep, "markdown"), render(t, rep, "html")
	for _, want := range []string{
		"## Removed by this plan",
		"| `rotation_secret.api` | replaced: the new resource starts over with a new version 1 | v1 (active) |",
		"| `rotation_secret.regional[\"eu\"]` | destroyed | v1 (active) |",
		"- `rotation_secret.regional[\"eu\"]`: ROT024 (deny): this plan destroys it",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if !strings.Contains(mdSection(md, "### `rotation_secret.api`"), "ROT024 (deny): this plan replaces it") {
		t.Errorf("the replaced secret has no ROT024 note")
	}
	if !strings.Contains(page, "<h4>Removed by this plan</h4>") {
		t.Errorf("the page has no removed section")
	}
	parseXML(t, "the page", page)
	rep = build(t, fixtures+"/rot024-removed/plan.json", "", Options{})
	if len(rep.Removed) != 1 || rep.Removed[0].Change() != "forgotten (a removed block): its record leaves the state" || len(rep.Removed[0].Findings) != 1 {
		t.Errorf("removed %+v", rep.Removed)
	}
}
