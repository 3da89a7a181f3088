package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

const (
	goodPlan  = "../../policies/testdata/fixtures/good/plan.json"
	goodState = "../../policies/testdata/fixtures/good-state/state.json"
	twoSlot   = "../runbook/testdata/two-slot-state.json"
)

var runbookLine = regexp.MustCompile(`^terraform-provider-rotation runbook: [^\n]+\n$`)

func TestRunbookFormats(t *testing.T) {
	code, md, stderr := run(t, "runbook", "--now", "2026-01-05T09:00:00Z", goodPlan)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"# Credential lifecycle plan", "## Family `session-signing`", "```mermaid\ngantt", "Wed 2026-02-04 09:00 UTC", "`pin_active_version = 1`"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// Flags after the file name, and the html format.
	code, page, stderr := run(t, "runbook", goodPlan, "--format", "html", "--now", "2026-01-05T09:00:00Z", "--horizon", "26w")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "<svg xmlns=\"http://www.w3.org/2000/svg\"") || !strings.Contains(page, "Horizon: 182d") {
		t.Errorf("html: %.200s", page)
	}
}

func TestRunbookOutputFileAndStdin(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "runbook.html")
	code, stdout, stderr := run(t, "runbook", "--format", "html", "--output", out, "--now", "2026-01-10T12:00:00Z", twoSlot)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte("payments-db")) {
		t.Fatalf("output file: %v %.100s", err, b)
	}

	// "-" reads standard input.
	f, err := os.Open(goodState)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	code, stdout, stderr = run(t, "runbook", "-")
	if code != 0 || !strings.Contains(stdout, "Source: `(stdin)` (state)") || !strings.Contains(stdout, "(newest timestamp in the state)") {
		t.Errorf("exit %d: %s %.300s", code, stderr, stdout)
	}
}

func TestRunbookBadInput(t *testing.T) {
	dir := t.TempDir()
	valid := string(policytest.Plan(policytest.Clean("a")))
	cases := map[string]struct {
		content string
		want    string
	}{
		"empty.json":     {"", "empty file"},
		"text.json":      {"hello", "not JSON"},
		"truncated.json": {valid[:len(valid)/2], "truncated JSON"},
		"array.json":     {"[1,2]", "not a Terraform plan or state document"},
		"nofv.json":      {`{"values": {}}`, "no format_version"},
		"fv2.json":       {`{"format_version": "2.0", "values": {}}`, `unsupported format_version "2.0"`},
		"badts.json":     {`{"format_version": "1.2", "timestamp": "yesterday", "planned_values": {}}`, "is not an RFC 3339 time"},
	}
	for name, c := range cases {
		p := writeFile(t, dir, name, []byte(c.content))
		code, stdout, stderr := run(t, "runbook", p)
		if code != ExitUsage || stdout != "" || !runbookLine.MatchString(stderr) || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", name, code, stdout, stderr, c.want)
		}
	}
	for _, p := range []string{filepath.Join(dir, "missing.json"), dir} {
		code, _, stderr := run(t, "runbook", p)
		if code != ExitUsage || !runbookLine.MatchString(stderr) {
			t.Errorf("%s: exit %d, stderr %q", p, code, stderr)
		}
	}
}

func TestRunbookBadUsage(t *testing.T) {
	p := goodPlan
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no input file"},
		{[]string{p, p}, "one input file expected, got 2"},
		{[]string{"--format", "pdf", p}, `unknown --format "pdf"`},
		{[]string{"--horizon", "6 months", p}, "--horizon"},
		{[]string{"--horizon", "0s", p}, "out of range"},
		{[]string{"--horizon", "20000d", p}, "out of range"},
		{[]string{"--now", "tomorrow", p}, `--now "tomorrow" is not an RFC 3339 time`},
		{[]string{"--log-level", "loud", p}, `unknown --log-level "loud"`},
		{[]string{"--bogus", p}, "flag provided but not defined: -bogus"},
		{[]string{"--output", "/nonexistent-dir/x.md", p}, "--output /nonexistent-dir/x.md"},
	} {
		code, stdout, stderr := run(t, append([]string{"runbook"}, c.args...)...)
		if code != ExitUsage || stdout != "" || !runbookLine.MatchString(stderr) || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q (want %q)", c.args, code, stdout, stderr, c.want)
		}
	}
}

func TestRunbookHelp(t *testing.T) {
	code, stdout, _ := run(t, "runbook", "--help")
	if code != 0 || !strings.Contains(stdout, "--horizon DURATION") || !strings.Contains(stdout, "docs/runbook.md") {
		t.Errorf("exit %d: %s", code, stdout)
	}
	if !strings.Contains(Usage, " runbook ") {
		t.Error("Usage does not list runbook")
	}
}

// Logs name files and counts, never a secret value; the default level
// writes nothing for a clean run.
func TestRunbookLogging(t *testing.T) {
	dir := t.TempDir()
	secret := "super-secret-material-123"
	raw, err := os.ReadFile(twoSlot)
	if err != nil {
		t.Fatal(err)
	}
	planted := strings.ReplaceAll(string(raw), "TOPSECRET-material-do-not-print", secret)
	p := writeFile(t, dir, "state.json", []byte(planted))
	for _, format := range []string{"markdown", "html"} {
		code, stdout, stderr := run(t, "runbook", "--format", format, "--log-level", "trace", "--log-json", "--now", "2026-01-10T12:00:00Z", p)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if strings.Contains(stdout, secret) || strings.Contains(stderr, secret) {
			t.Fatalf("%s: the secret value is in the output or the logs", format)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) < 3 {
			t.Fatalf("trace log: %q", stderr)
		}
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Errorf("not a JSON log line: %q", l)
			}
		}
		if !strings.Contains(stderr, `"@message":"runbook written"`) || !strings.Contains(stderr, `"@message":"projected"`) {
			t.Errorf("log lines: %s", stderr)
		}
	}
	if _, _, stderr := run(t, "runbook", "--now", "2026-01-10T12:00:00Z", p); stderr != "" {
		t.Errorf("default log level wrote %q", stderr)
	}
}

// --params and --policy work as for check: the verdicts of the overlap
// arithmetic follow the parameters (the runbook used to apply the default
// max_ttl and ignore overlap_cache_factor), and the findings of extra
// policies are shown.
func TestRunbookParamsAndPolicy(t *testing.T) {
	dir := t.TempDir()
	rows := func(md string) (rot020, rot001 string) {
		for _, l := range strings.Split(md, "\n") {
			switch {
			case strings.HasPrefix(l, "| ROT020 "):
				rot020 = l
			case strings.HasPrefix(l, "| ROT001 "):
				rot001 = l
			}
		}
		return rot020, rot001
	}
	code, md, stderr := run(t, "runbook", goodPlan)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rot020, rot001 := rows(md)
	if !strings.Contains(rot020, "= 1h15m | overlap 2h | ✓ ok |") || !strings.Contains(rot001, "(default limits) | at most 90d for high | ttl 45d | ✓ ok |") {
		t.Errorf("default params:\n%s\n%s", rot020, rot001)
	}

	params := writeFile(t, dir, "params.yaml", []byte("overlap_cache_factor: 3\nmax_ttl:\n  high: 30d\n"))
	code, md, stderr = run(t, "runbook", "--params", params, goodPlan)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rot020, rot001 = rows(md)
	if !strings.Contains(rot020, "`overlap_cache_factor`") || !strings.Contains(rot020, "3 × (longest cache 1h (api) + artifact lifetime 15m) = 3h45m | overlap 2h | ✗ fail | 1h45m short |") {
		t.Errorf("ROT020 with overlap_cache_factor 3: %s", rot020)
	}
	if !strings.Contains(rot001, "(`params.max_ttl`) | at most 30d for high | ttl 45d | ✗ fail | 15d too long |") {
		t.Errorf("ROT001 with max_ttl.high 30d: %s", rot001)
	}
	if !strings.Contains(md, "| ✗ 2 failing |") {
		t.Error("the overview does not count the failing rules")
	}

	policyDir := writeFile(t, dir, "extra/acme.rego", []byte(`package acme

deny contains msg if {
	some r in input.resource_changes
	r.type == "rotation_secret"
	msg := sprintf("ACME7 %s: every secret needs a ticket", [r.address])
}
`))
	code, md, stderr = run(t, "runbook", "--policy", filepath.Dir(policyDir), goodPlan)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(md, "- ACME7 (deny): every secret needs a ticket") || !strings.Contains(md, "| ✗ 1 failing |") {
		t.Errorf("the extra policy's finding is not shown:\n%s", md)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--params", filepath.Join(dir, "missing.yaml")}, "--params " + filepath.Join(dir, "missing.yaml") + ": cannot read"},
		{[]string{"--params", writeFile(t, dir, "bad.yaml", []byte("max_ttl:\n  high: soon\n"))}, "params.max_ttl.high"},
		{[]string{"--policy", filepath.Join(dir, "nowhere")}, "--policy"},
	} {
		code, stdout, stderr := run(t, append(append([]string{"runbook"}, c.args...), goodPlan)...)
		if code != ExitUsage || stdout != "" || !runbookLine.MatchString(stderr) || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q (want %q)", c.args, code, stderr, c.want)
		}
	}
}

// --now is also the policies' params.now: a state is judged at the
// runbook's instant, not at the current time.
func TestRunbookNowIsParamsNow(t *testing.T) {
	code, md, stderr := run(t, "runbook", "--now", "2026-02-04T11:00:00Z", goodState)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(md, "Policy verdicts as of") || strings.Contains(md, "ROT003") || strings.Contains(md, "OVERDUE") {
		t.Errorf("judged at another instant than --now:\n%.600s", md)
	}
	// Without --now the state's newest timestamp is the runbook's instant,
	// and the policies judge at the current time, as check does; the
	// header says so.
	code, md, _ = run(t, "runbook", goodState)
	if code != 0 || !strings.Contains(md, "(newest timestamp in the state)") || !strings.Contains(md, "Policy verdicts as of: ") {
		t.Errorf("exit %d:\n%.600s", code, md)
	}
	params := writeFile(t, t.TempDir(), "now.json", []byte(`{"now": "2026-03-01T00:00:00Z"}`))
	code, md, _ = run(t, "runbook", "--params", params, goodState)
	if code != 0 || !strings.Contains(md, "As of: Sun 2026-03-01 00:00 UTC (params.now)") || strings.Contains(md, "Policy verdicts as of") {
		t.Errorf("params.now: exit %d:\n%.600s", code, md)
	}
}
