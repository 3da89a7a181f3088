package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

// malformedPlan edits the resource_changes of a clean plan.
func malformedPlan(t *testing.T, edit func(rcs []any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(policytest.Plan(policytest.Clean("a"), policytest.Clean("b")), &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["resource_changes"].([]any))
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue 10, item 8: a plan whose resource_changes entries are not objects,
// or whose actions or type have the wrong type, passed `check` (exit 0) and
// gave an empty runbook. Both exit 2 now, naming the JSON path.
func TestMalformedPlanExits2(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		edit func(rcs []any)
		want string
	}{
		{"entry not an object", func(rcs []any) { rcs[3] = 42 }, "resource_changes[3]: expected an object, found a number"},
		{"actions a number", func(rcs []any) { rcs[1].(map[string]any)["change"].(map[string]any)["actions"] = 7 },
			"resource_changes[1].change.actions: expected an array of strings, found a number"},
		{"type a number", func(rcs []any) { rcs[0].(map[string]any)["type"] = 1 }, "resource_changes[0].type: expected a string, found a number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "-")+".json", malformedPlan(t, tc.edit))
			for _, cmd := range [][]string{{"check", plan}, {"runbook", plan}} {
				code, stdout, stderr := run(t, cmd...)
				want := plan + ": " + tc.want
				if code != ExitUsage || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
					t.Errorf("%s: exit %d, stderr %q, stdout %d bytes; want exit 2 and one line with %q", cmd[0], code, stderr, len(stdout), want)
				}
			}
		})
	}
}

// --max-memory: a document that would need more is refused with exit 2;
// a bad value is a usage error.
func TestCheckMaxMemory(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "plan.json", policytest.Plan(policytest.Clean("a"), policytest.Clean("b")))
	code, _, stderr := run(t, "check", "--max-memory", "64KiB", plan)
	if code != ExitUsage || !strings.Contains(stderr, plan+": too large to check within the memory budget") || !strings.Contains(stderr, "raise it with --max-memory") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--max-memory", "lots", plan); code != ExitUsage || !strings.Contains(stderr, `--max-memory "lots" is not a size`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--max-memory", "512MiB", plan); code != ExitOK {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// Extra --policy modules may read any part of the document: with them the
// whole document is kept, without them only what the bundle reads.
func TestCheckKeepsAllForExtraPolicies(t *testing.T) {
	dir := t.TempDir()
	var doc map[string]any
	if err := json.Unmarshal(policytest.Plan(policytest.Clean("a")), &doc); err != nil {
		t.Fatal(err)
	}
	doc["variables"] = map[string]any{"env": map[string]any{"value": "prod"}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	plan := writeFile(t, dir, "plan.json", b)
	pol := writeFile(t, dir, "extra/vars.rego", []byte(`package acme.vars

deny contains "ACME100 production plan" if input.variables.env.value == "prod"
`))
	code, stdout, stderr := run(t, "check", "--policy", filepath.Dir(pol), "--format", "json", plan)
	if code != ExitFindings || !strings.Contains(stdout, "ACME100 production plan") {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
}
