package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/ops"
)

var dueLine = regexp.MustCompile(`^terraform-provider-rotation (due|metrics): [^\n]+\n$`)

// TestDueExitCodes: 0 nothing due, 1 something due, 2 bad usage or input,
// each with the output the docs describe.
func TestDueExitCodes(t *testing.T) {
	code, out, stderr := run(t, "due", "--at", "2026-02-04T12:00:00Z", goodState)
	if code != ExitOK || stderr != "" || !strings.Contains(out, "rotation_secret.session: not due") || !strings.Contains(out, "next: revoke v1 at 2026-02-04T13:00:00Z") {
		t.Errorf("before the revocation: exit %d %s\n%s", code, stderr, out)
	}
	code, out, stderr = run(t, "due", goodState, "--at", "2026-02-09T10:00:00Z")
	if code != ExitFindings || stderr != "" || !strings.Contains(out, "DUE, overdue 4d21h (since 2026-02-04T13:00:00Z)") || !strings.Contains(out, "revoke v1: overlap ended") {
		t.Errorf("overdue revocation: exit %d %s\n%s", code, stderr, out)
	}
	code, out, _ = run(t, "due", "--at", "2026-02-04T12:00:00Z", "--within", "1h", goodState)
	if code != ExitFindings || !strings.Contains(out, "2026-02-04T13:00:00Z revoke v1") {
		t.Errorf("within 1h: exit %d\n%s", code, out)
	}

	dir := t.TempDir()
	for name, args := range map[string][]string{
		"no input":          {"due"},
		"bad --at":          {"due", "--at", "tomorrow", goodState},
		"bad --within":      {"due", "--within", "1 day", goodState},
		"negative --within": {"due", "--within", "-1h", goodState},
		"long --within":     {"due", "--within", "3661d", goodState},
		"bad --format":      {"due", "--format", "sarif", goodState},
		"missing file":      {"due", filepath.Join(dir, "nope.json")},
		"same workspace":    {"due", goodState, twoSlot},
		"not a state":       {"due", writeFile(t, dir, "x.json", []byte(`{"a":1}`))},
		"empty workspace":   {"due", "prod="},
		"unknown flag":      {"due", "--horizon", "1d", goodState},
	} {
		code, out, stderr := run(t, args...)
		if code != ExitUsage || out != "" || !dueLine.MatchString(stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, stderr)
		}
	}
	// Two workspaces are fine, also of one file; an argument repeated
	// counts once.
	if code, _, stderr := run(t, "due", "--at", "2026-02-04T12:00:00Z", "prod="+goodState, "payments="+twoSlot); code == ExitUsage {
		t.Errorf("two workspaces: %s", stderr)
	}
	code, out, stderr = run(t, "due", "--format", "json", "--at", "2026-02-04T12:00:00Z", "prod="+goodState, "staging="+goodState, "prod="+goodState)
	if code != ExitOK || strings.Count(out, `"workspace": "prod"`) != 2 || strings.Count(out, `"workspace": "staging"`) != 2 {
		t.Errorf("one state for two workspaces: exit %d %s\n%s", code, stderr, out)
	}
}

// A record the engine refuses exits 2 with the resource named, after the
// report is written.
func TestDueDamagedRecordExits2(t *testing.T) {
	raw, err := os.ReadFile(goodState)
	if err != nil {
		t.Fatal(err)
	}
	damaged := writeFile(t, t.TempDir(), "state.json", []byte(strings.Replace(string(raw), `"status": "previous"`, `"status": "active"`, 1)))
	code, out, stderr := run(t, "due", "--at", "2026-02-04T12:00:00Z", damaged)
	if code != ExitUsage || !strings.Contains(out, "NOT EVALUATED") || !dueLine.MatchString(stderr) || !strings.Contains(stderr, "rotation_secret.session") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestDueJSON: the documented schema, with a workspace per document, so a
// workflow can build its matrix with jq.
func TestDueJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "due.json")
	code, stdout, stderr := run(t, "due", "--format", "json", "--output", out, "--at", "2026-02-04T13:00:00Z", "prod="+goodState, "payments="+twoSlot)
	if code != ExitFindings || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep ops.DueReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != 1 || rep.At != "2026-02-04T13:00:00Z" || rep.Within != "0s" || !rep.Due || len(rep.Documents) != 2 {
		t.Fatalf("report %+v", rep)
	}
	var dueWorkspaces []string
	for _, d := range rep.Documents {
		if d.Due {
			dueWorkspaces = append(dueWorkspaces, d.Workspace)
		}
		for _, r := range d.Resources {
			if r.Workspace != d.Workspace || r.File != d.File {
				t.Errorf("%s: workspace/file %q %q, document %q %q", r.Address, r.Workspace, r.File, d.Workspace, d.File)
			}
		}
	}
	if len(dueWorkspaces) == 0 || dueWorkspaces[0] != "prod" {
		t.Errorf("due workspaces %v", dueWorkspaces)
	}
	// Every key is present, also when empty (null or []): a workflow can
	// index without guards.
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	res := generic["documents"].([]any)[0].(map[string]any)["resources"].([]any)[0].(map[string]any)
	for _, k := range []string{"address", "type", "name", "family", "family_address", "workspace", "file", "due", "due_since", "overdue_seconds", "transitions", "next", "reasons", "warnings", "problem"} {
		if _, ok := res[k]; !ok {
			t.Errorf("resource lacks %q", k)
		}
	}
}

// TestDueDocumented: docs/due.md documents every field of the JSON schema,
// and nothing else.
func TestDueDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/due.md")
	if err != nil {
		t.Fatal(err)
	}
	_, schema, ok := strings.Cut(string(raw), "## JSON schema")
	if !ok {
		t.Fatal("docs/due.md has no JSON schema section")
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_.\\[\\]]+)` \\|").FindAllStringSubmatch(schema, -1) {
		documented[m[1]] = true
	}
	code, out, _ := run(t, "due", "--format", "json", "--at", "2026-02-07T13:00:00Z", "--within", "40d", goodState)
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				p := prefix + k
				seen[p] = true
				walk(p+".", x)
			}
		case []any:
			for _, x := range v {
				walk(strings.TrimSuffix(prefix, ".")+"[].", x)
			}
		}
	}
	walk("", doc)
	for k := range seen {
		if !documented[k] {
			t.Errorf("docs/due.md does not document `%s`", k)
		}
	}
	for k := range documented {
		if !seen[k] && !strings.HasPrefix(k, "documents[].resources[].reasons[].") && !strings.HasPrefix(k, "documents[].resources[].warnings") {
			t.Errorf("docs/due.md documents `%s`, which the output does not have", k)
		}
	}
}

func TestDueDefaultsToNow(t *testing.T) {
	old := dueClock
	dueClock = func() time.Time { return time.Date(2026, 2, 4, 12, 30, 0, 999, time.UTC) }
	defer func() { dueClock = old }()
	code, out, _ := run(t, "due", "--format", "json", goodState)
	if code != ExitOK || !strings.Contains(out, `"at": "2026-02-04T12:30:00Z"`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestDueHelp(t *testing.T) {
	for _, cmd := range []string{"due", "metrics"} {
		code, out, stderr := run(t, cmd, "--help")
		if code != ExitOK || stderr != "" || !strings.HasPrefix(out, "Usage: terraform-provider-rotation "+cmd) {
			t.Errorf("%s --help: exit %d %q", cmd, code, stderr)
		}
	}
	if !strings.Contains(Usage, " due ") || !strings.Contains(Usage, " metrics ") {
		t.Error("the binary's usage does not list due and metrics")
	}
}
