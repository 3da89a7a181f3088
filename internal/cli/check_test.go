package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

// run runs the binary's subcommand in-process.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code, handled := Run(args, &out, &errb)
	if !handled {
		t.Fatalf("Run(%q) not handled", args)
	}
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func shortOverlap() policytest.Family {
	f := policytest.Clean("jwt")
	f.Overlap = "30m"
	return f
}

func noWindow() policytest.Family {
	f := policytest.Clean("nowin")
	f.NoChangeWindow = true
	return f
}

// inputs writes the hand-made plans used by these tests and the parity test.
func inputs(t *testing.T, dir string) (clean, rot020, warnOnly string) {
	clean = writeFile(t, dir, "clean.json", policytest.Plan(policytest.Clean("a"), policytest.Clean("b")))
	rot020 = writeFile(t, dir, "rot020.json", policytest.Plan(policytest.Clean("a"), shortOverlap()))
	warnOnly = writeFile(t, dir, "warn.json", policytest.Plan(noWindow()))
	return
}

func TestRunNotHandled(t *testing.T) {
	for _, args := range [][]string{nil, {}, {"version"}, {"runbooks"}, {"-debug"}, {"checks"}} {
		var out, errb bytes.Buffer
		if _, handled := Run(args, &out, &errb); handled || out.Len()+errb.Len() > 0 {
			t.Errorf("Run(%q): handled=%v, wrote %q %q", args, handled, out.String(), errb.String())
		}
	}
}

var oneLine = regexp.MustCompile(`^terraform-provider-rotation (check|policies): [^\n]+\n$`)

func TestCheckBadInput(t *testing.T) {
	dir := t.TempDir()
	valid := policytest.Plan(policytest.Clean("a"))
	clean, _, _ := inputs(t, dir)
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(policy.DefaultMaxInputBytes + 1); err != nil { // sparse: fast
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	unreadable := writeFile(t, dir, "unreadable.json", valid)
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	canChmod := os.Geteuid() != 0

	cases := []struct {
		name  string
		files []string
		want  string
		skip  bool
	}{
		{name: "missing", files: []string{filepath.Join(dir, "missing.json")}, want: "missing.json: cannot read: no such file or directory"},
		{name: "directory", files: []string{dir}, want: ": not a file (a directory)"},
		{name: "unreadable", files: []string{unreadable}, want: "unreadable.json: cannot read: permission denied", skip: !canChmod},
		{name: "empty", files: []string{writeFile(t, dir, "empty.json", nil)}, want: "empty.json: empty file"},
		{name: "not json", files: []string{writeFile(t, dir, "main.tf", []byte("terraform {}\n"))}, want: "main.tf: not JSON: the file starts with 't', not a JSON object"},
		{name: "truncated", files: []string{writeFile(t, dir, "trunc.json", valid[:len(valid)*2/3])}, want: "trunc.json: truncated JSON"},
		{name: "not a plan", files: []string{writeFile(t, dir, "other.json", []byte(`{"name": "package.json", "version": "1.0.0"}`))}, want: "other.json: not a Terraform plan or state document: no format_version"},
		{name: "array", files: []string{writeFile(t, dir, "arr.json", []byte(`[]`))}, want: "arr.json: not a Terraform plan or state document: the JSON is an array"},
		{name: "unsupported format_version", files: []string{writeFile(t, dir, "v2.json", []byte(`{"format_version":"2.0","planned_values":{}}`))}, want: `v2.json: unsupported format_version "2.0"`},
		{name: "huge", files: []string{huge}, want: "huge.json: too large: 1 073 741 825 bytes, more than the 1 GiB (1 073 741 824 bytes) limit"},
		{name: "binary plan", files: []string{writeFile(t, dir, "tfplan", []byte("PK\x03\x04\x14\x00"))}, want: "tfplan: a binary plan file (zip), not JSON"},
		{name: "bad file after a good one", files: []string{clean, filepath.Join(dir, "nope.json")}, want: "nope.json: cannot read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("running as root: permissions are not enforced")
			}
			code, stdout, stderr := run(t, append([]string{"check"}, tc.files...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !oneLine.MatchString(stderr) || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q: want one line containing %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q: want nothing", stdout)
			}
		})
	}
}

// The stream path (a pipe, /dev/stdin) has the same cap; lowered here.
func TestCheckSizeCapOverride(t *testing.T) {
	dir := t.TempDir()
	clean, _, _ := inputs(t, dir)
	old := maxInputBytes
	maxInputBytes = 1000
	defer func() { maxInputBytes = old }()
	code, _, stderr := run(t, "check", clean)
	if code != 2 || !strings.Contains(stderr, "clean.json: too large") || !strings.Contains(stderr, "1000 bytes limit") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestCheckBadUsage(t *testing.T) {
	dir := t.TempDir()
	clean, _, _ := inputs(t, dir)
	badParams := writeFile(t, dir, "bad.yaml", []byte("max_ttl:\n  high: 3 months\n"))
	listParams := writeFile(t, dir, "list.yaml", []byte("- 1\n"))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check"}, "no input files"},
		{[]string{"check", "--format", "xml", clean}, `unknown --format "xml"`},
		{[]string{"check", "--fail-on", "info", clean}, `unknown --fail-on "info"`},
		{[]string{"check", "--log-level", "loud", clean}, `unknown --log-level "loud"`},
		{[]string{"check", "--bogus", clean}, "flag provided but not defined: -bogus"},
		{[]string{"check", clean, "--format"}, "flag needs an argument: -format"},
		{[]string{"check", "--params", filepath.Join(dir, "none.yaml"), clean}, "--params " + filepath.Join(dir, "none.yaml") + ": cannot read: no such file"},
		{[]string{"check", "--params", badParams, clean}, `params.max_ttl.high "3 months" is not a duration`},
		{[]string{"check", "--params", listParams, clean}, "expected a mapping of parameters"},
		{[]string{"check", "--policy", filepath.Join(dir, "nodir"), clean}, "--policy " + filepath.Join(dir, "nodir") + ": no such file or directory"},
		{[]string{"check", "--output", filepath.Join(dir, "no", "such", "dir", "out.txt"), clean}, "--output"},
		{[]string{"policies", "extra"}, `unexpected argument "extra"`},
		{[]string{"policies", "--export", clean}, "not a directory"},
	}
	for _, tc := range cases {
		code, stdout, stderr := run(t, tc.args...)
		if code != 2 || !oneLine.MatchString(stderr) || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line containing %q", tc.args, code, stderr, tc.want)
		}
		if stdout != "" {
			t.Errorf("%q: stdout %q", tc.args, stdout)
		}
	}
}

func TestCheckHelp(t *testing.T) {
	for _, args := range [][]string{{"check", "--help"}, {"check", "-h"}, {"policies", "--help"}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || !strings.HasPrefix(stdout, "Usage: terraform-provider-rotation "+args[0]) || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

func TestCheckVerdicts(t *testing.T) {
	dir := t.TempDir()
	clean, rot020, warnOnly := inputs(t, dir)
	maxTTL := writeFile(t, dir, "params.yaml", []byte("max_ttl:\n  high: 30d\n"))
	conftestShape := writeFile(t, dir, "data.json", []byte(`{"rotation": {"params": {"max_ttl": {"high": "30d"}}}}`))
	custom := writeFile(t, dir, "custom/naming.rego", []byte(`package acme.naming

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "rotation_secret_family"
	not startswith(rc.change.after.name, "team-")
	msg := sprintf("ACME001 %s: family name %q must start with team-", [rc.address, rc.change.after.name])
}
`))
	writeFile(t, dir, "custom/naming_test.rego", []byte("package acme.naming_test\n\nnot rego at all\n"))
	customDir := filepath.Dir(custom)

	cases := []struct {
		name string
		args []string
		code int
		want []string // lines of the text report that must appear
	}{
		{"clean", []string{clean}, 0, []string{"clean.json: no findings"}},
		{"rot020", []string{rot020}, 1, []string{"rot020.json: 1 deny, 0 warn", "  rotation_secret.jwt", "    deny  ROT020  overlap 30m must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)"}},
		{"several files", []string{clean, rot020}, 1, []string{"clean.json: no findings", "rot020.json: 1 deny, 0 warn", "2 files checked: 1 deny, 0 warn (failing on deny)"}},
		{"flags after files", []string{rot020, "--fail-on", "deny"}, 1, []string{"deny  ROT020"}},
		{"warn passes by default", []string{warnOnly}, 0, []string{"warn  ROT041  no schedule.change_window"}},
		{"fail on warn", []string{"--fail-on", "warn", warnOnly}, 1, []string{"warn  ROT041", "(failing on warn)"}},
		{"fail on warn, clean", []string{"--fail-on", "warn", clean}, 0, []string{"no findings"}},
		{"params max_ttl", []string{"--params", maxTTL, clean}, 1, []string{"deny  ROT001  ttl 45d exceeds 30d, the max_ttl for classification high"}},
		{"params conftest shape", []string{"--params", conftestShape, clean}, 1, []string{"deny  ROT001  ttl 45d exceeds 30d"}},
		{"custom policy", []string{"--policy", customDir, clean}, 1, []string{`deny  ACME001  family name "fam-a" must start with team-`}},
		{"custom policy file", []string{"--policy", custom, clean}, 1, []string{"ACME001"}},
		{"stdin", []string{"-"}, 1, []string{"(stdin): 1 deny, 0 warn"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "stdin" {
				f, err := os.Open(rot020)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = f.Close() }()
				old := os.Stdin
				os.Stdin = f
				defer func() { os.Stdin = old }()
			}
			code, stdout, stderr := run(t, append([]string{"check"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w+"\n") && !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if stderr != "" {
				t.Errorf("stderr %q", stderr)
			}
			if strings.Contains(stdout, "\x1b[") {
				t.Errorf("colour in a non-terminal: %q", stdout)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	dir := t.TempDir()
	clean, rot020, warnOnly := inputs(t, dir)
	code, stdout, _ := run(t, "check", "--format", "json", warnOnly, rot020, clean)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Version int `json:"version"`
		Results []struct {
			File, Rule, Severity, Resource, Message string
		} `json:"results"`
		Waived  []any          `json:"waived"`
		Summary map[string]int `json:"summary"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if got.Version != 1 || len(got.Results) != 2 || got.Summary["deny"] != 1 || got.Summary["warn"] != 1 || got.Summary["waived"] != 0 || len(got.Summary) != 3 || got.Waived == nil || len(got.Waived) != 0 {
		t.Fatalf("report %+v", got)
	}
	r0, r1 := got.Results[0], got.Results[1]
	if r0.File != warnOnly || r0.Rule != "ROT041" || r0.Severity != "warn" || r0.Resource != "rotation_secret.nowin" {
		t.Errorf("results[0] = %+v", r0)
	}
	if r1.File != rot020 || r1.Rule != "ROT020" || r1.Severity != "deny" || r1.Resource != "rotation_secret.jwt" ||
		r1.Message != "ROT020 rotation_secret.jwt: overlap 30m must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)" {
		t.Errorf("results[1] = %+v", r1)
	}
	// Deterministic: the same run gives the same bytes.
	_, again, _ := run(t, "check", "--format", "json", warnOnly, rot020, clean)
	if again != stdout {
		t.Error("two runs differ")
	}
	// A clean run has an empty list, not null.
	_, out, _ := run(t, "check", "--format", "json", clean)
	if !strings.Contains(out, `"results": []`) {
		t.Errorf("clean: %s", out)
	}
}

func TestCheckOutputFile(t *testing.T) {
	dir := t.TempDir()
	_, rot020, _ := inputs(t, dir)
	out := filepath.Join(dir, "report.json")
	code, stdout, stderr := run(t, "check", "--format", "json", "--output", out, rot020)
	if code != 1 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || !json.Valid(b) || !strings.Contains(string(b), "ROT020") {
		t.Fatalf("report %s: %v", b, err)
	}
}

// SARIF 2.1.0: the required properties at every level.
func TestCheckSARIF(t *testing.T) {
	dir := t.TempDir()
	clean, rot020, warnOnly := inputs(t, dir)
	code, stdout, _ := run(t, "check", "--format", "sarif", clean, rot020, warnOnly)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var log map[string]any
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	if log["version"] != "2.1.0" || !strings.Contains(str(log["$schema"]), "sarif-schema-2.1.0.json") && !strings.Contains(str(log["$schema"]), "sarif-2.1.0") {
		t.Fatalf("version/$schema: %v %v", log["version"], log["$schema"])
	}
	runs := list(t, log["runs"])
	if len(runs) != 1 {
		t.Fatalf("runs: %d", len(runs))
	}
	run0 := obj(t, runs[0])
	driver := obj(t, obj(t, run0["tool"])["driver"])
	if str(driver["name"]) == "" {
		t.Error("tool.driver.name is empty")
	}
	rules := list(t, driver["rules"])
	ids := map[string]int{}
	for i, r := range rules {
		rule := obj(t, r)
		id := str(rule["id"])
		if id == "" {
			t.Errorf("rules[%d] has no id", i)
		}
		if _, dup := ids[id]; dup {
			t.Errorf("rule %s twice", id)
		}
		ids[id] = i
		if strings.HasPrefix(id, "ROT") {
			if str(obj(t, rule["shortDescription"])["text"]) == "" || str(obj(t, rule["fullDescription"])["text"]) == "" || str(obj(t, rule["help"])["text"]) == "" {
				t.Errorf("rule %s lacks title/description/remediation: %v", id, rule)
			}
			if lvl := str(obj(t, rule["defaultConfiguration"])["level"]); lvl != "error" && lvl != "warning" {
				t.Errorf("rule %s level %q", id, lvl)
			}
		}
	}
	for _, id := range []string{"ROT001", "ROT020", "ROT041"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("rule %s missing", id)
		}
	}
	if lvl := str(obj(t, obj(t, rules[ids["ROT020"]])["defaultConfiguration"])["level"]); lvl != "error" {
		t.Errorf("ROT020 default level %q", lvl)
	}
	results := list(t, run0["results"])
	if len(results) != 2 {
		t.Fatalf("results: %d", len(results))
	}
	levels := map[string]string{}
	for _, r := range results {
		res := obj(t, r)
		id := str(res["ruleId"])
		levels[id] = str(res["level"])
		if idx, ok := res["ruleIndex"].(float64); !ok || int(idx) != ids[id] {
			t.Errorf("%s: ruleIndex %v, want %d", id, res["ruleIndex"], ids[id])
		}
		if str(obj(t, res["message"])["text"]) == "" {
			t.Errorf("%s: no message.text", id)
		}
		locs := list(t, res["locations"])
		if len(locs) != 1 {
			t.Fatalf("%s: %d locations", id, len(locs))
		}
		loc := obj(t, locs[0])
		uri := str(obj(t, obj(t, loc["physicalLocation"])["artifactLocation"])["uri"])
		if uri == "" || strings.HasPrefix(uri, "/") {
			t.Errorf("%s: artifact uri %q", id, uri)
		}
		logical := list(t, loc["logicalLocations"])
		if len(logical) != 1 || !strings.HasPrefix(str(obj(t, logical[0])["fullyQualifiedName"]), "rotation_secret.") {
			t.Errorf("%s: logical locations %v", id, logical)
		}
	}
	if levels["ROT020"] != "error" || levels["ROT041"] != "warning" {
		t.Errorf("levels %v", levels)
	}
}

func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not an object: %v", v)
	}
	return m
}

func list(t *testing.T, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("not an array: %v", v)
	}
	return l
}

func str(v any) string { s, _ := v.(string); return s }

func TestCheckJUnit(t *testing.T) {
	dir := t.TempDir()
	clean, rot020, warnOnly := inputs(t, dir)
	for _, tc := range []struct {
		failOn   string
		failures int
	}{{"deny", 1}, {"warn", 2}} {
		_, stdout, _ := run(t, "check", "--format", "junit", "--fail-on", tc.failOn, clean, rot020, warnOnly)
		var suites struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Suites   []struct {
				Name  string `xml:"name,attr"`
				Cases []struct {
					Name    string `xml:"name,attr"`
					Failure *struct {
						Type string `xml:"type,attr"`
					} `xml:"failure"`
					SystemOut string `xml:"system-out"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal([]byte(stdout), &suites); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if len(suites.Suites) != 3 || suites.Failures != tc.failures {
			t.Fatalf("fail-on %s: %d suites, %d failures\n%s", tc.failOn, len(suites.Suites), suites.Failures, stdout)
		}
		var names []string
		for _, c := range suites.Suites[1].Cases {
			if c.Failure != nil {
				names = append(names, c.Name+"="+c.Failure.Type)
			}
		}
		if strings.Join(names, ",") != "ROT020 rotation_secret.jwt=deny" {
			t.Errorf("failures of %s: %v", suites.Suites[1].Name, names)
		}
		for _, c := range suites.Suites[2].Cases {
			if c.Name == "ROT041 rotation_secret.nowin" {
				if (c.Failure != nil) != (tc.failOn == "warn") || (tc.failOn == "deny" && !strings.Contains(c.SystemOut, "ROT041")) {
					t.Errorf("fail-on %s: ROT041 case %+v", tc.failOn, c)
				}
			}
		}
	}
}

func TestCheckGitHub(t *testing.T) {
	dir := t.TempDir()
	clean, rot020, warnOnly := inputs(t, dir)
	code, stdout, _ := run(t, "check", "--format", "github", clean, rot020, warnOnly)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := "::error file=" + filepath.ToSlash(rot020) + ",title=ROT020::ROT020 rotation_secret.jwt: overlap 30m must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)\n" +
		"::warning file=" + filepath.ToSlash(warnOnly) + ",title=ROT041::ROT041 rotation_secret.nowin: no schedule.change_window"
	if !strings.HasPrefix(stdout, want) || strings.Count(stdout, "\n") != 2 {
		t.Errorf("got\n%s\nwant prefix\n%s", stdout, want)
	}
	if got := ghProperty("a,b:c%\n"); got != "a%2Cb%3Ac%25%0A" {
		t.Errorf("ghProperty: %q", got)
	}
}

func TestCheckLogging(t *testing.T) {
	dir := t.TempDir()
	// A state document with a secret value: logs must never show it.
	secret := "super-secret-material-123"
	f := policytest.Clean("a")
	f.StateMaterial = true
	plan := strings.Replace(string(policytest.Plan(f)), `"(redacted)"`, `"`+secret+`"`, 1)
	if !strings.Contains(plan, secret) {
		t.Fatal("nothing planted")
	}
	p := writeFile(t, dir, "plan.json", []byte(plan))
	code, stdout, stderr := run(t, "check", "--log-level", "trace", "--log-json", p)
	if code != 0 || !strings.Contains(stdout, "ROT050") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, secret) || strings.Contains(stdout, secret) {
		t.Fatalf("secret in the output")
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) < 2 {
		t.Fatalf("trace log: %q", stderr)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("not a JSON log line: %q", l)
		}
	}
	// Default level warn: nothing on stderr for a clean run.
	if _, _, stderr := run(t, "check", p); stderr != "" {
		t.Errorf("default log level wrote %q", stderr)
	}
}

// TestCheckNeverPrintsMaterial: whatever the material mode, the format,
// the parameters (ROT050 warning or denying) and the log level, no output
// of check shows a secret value the document carries: versions[*].secret,
// active_secret and accepted_secrets of state-mode versions (a state audit,
// a plan during the migration to derived material, a plan with the prior
// state in it) are planted with a sentinel in place of "(redacted)".
func TestCheckNeverPrintsMaterial(t *testing.T) {
	dir := t.TempDir()
	const secret = "PLANTED-secret-material-9f8e7d"
	stateMode := policytest.Clean("a")
	stateMode.StateMaterial = true
	handMade := policytest.Plan(stateMode, policytest.Clean("b"))
	var inputs []string
	for name, raw := range map[string][]byte{
		"hand-made.json": handMade,
		"state.json":     readFile(t, "../../policies/testdata/fixtures/rot030-emergency-revocation-state/state.json"),
		"migration.json": readFile(t, "../../policies/testdata/fixtures/rot050-state-versions-migrating/plan.json"),
		"sensitive.json": readFile(t, "../../policies/testdata/fixtures/sensitive-values/plan.json"),
	} {
		planted := strings.ReplaceAll(string(raw), `"(redacted)"`, `"`+secret+`"`)
		if !strings.Contains(planted, secret) {
			t.Fatalf("%s: nothing planted", name)
		}
		inputs = append(inputs, writeFile(t, dir, name, []byte(planted)))
	}
	require := writeFile(t, dir, "require.yaml", []byte("require_derived_material:\n  critical: true\n  high: true\n  medium: true\n  low: true\n"))
	for _, params := range [][]string{nil, {"--params", require}} {
		for _, format := range []string{"text", "json", "sarif", "junit", "github"} {
			args := append([]string{"check", "--format", format, "--log-level", "trace"}, params...)
			code, stdout, stderr := run(t, append(args, inputs...)...)
			if code != 0 && code != 1 {
				t.Fatalf("%v: exit %d: %s", args, code, stderr)
			}
			if !strings.Contains(stdout, "ROT050") {
				t.Errorf("%v: no ROT050 finding:\n%s", args, stdout)
			}
			if strings.Contains(stdout, secret) || strings.Contains(stderr, secret) {
				t.Errorf("%v: a secret value in the output", args)
			}
			if params != nil && code != 1 {
				t.Errorf("%v: exit %d, want 1 (ROT050 denies)", args, code)
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRunRecoversPanics(t *testing.T) {
	var errb bytes.Buffer
	// A nil stdout makes the listing panic; Run turns it into exit 2.
	code, handled := Run([]string{"policies"}, nil, &errb)
	if !handled || code != 2 || !oneLine.MatchString(errb.String()) || !strings.Contains(errb.String(), "internal error") {
		t.Errorf("exit %d, handled %v, stderr %q", code, handled, errb.String())
	}
}
