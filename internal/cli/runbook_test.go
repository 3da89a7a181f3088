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
