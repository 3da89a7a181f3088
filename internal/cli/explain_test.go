package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckExplain(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(repoRoot, "docs", "rules", "ROT020.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ROT020", "rot020"} {
		code, stdout, stderr := run(t, "check", "--explain", id)
		if code != 0 || stderr != "" || stdout != string(want) {
			t.Errorf("--explain %s: exit %d, stderr %q, page equal: %v", id, code, stderr, stdout == string(want))
		}
	}
	code, stdout, stderr := run(t, "check", "--explain", "ROT999")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `no rule "ROT999"; the rules are ROT001, ROT002, ROT003, ROT010,`) || !strings.Contains(stderr, "ROT041") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("unknown id: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "check", "--explain", "ROT020", "plan.json"); code != 2 || !strings.Contains(stderr, "no input files") {
		t.Errorf("--explain with a file: exit %d, %q", code, stderr)
	}
	// Every bundled rule has a page.
	_, list, _ := run(t, "policies")
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "ROT") {
			if code, _, stderr := run(t, "check", "--explain", f[0]); code != 0 {
				t.Errorf("%s has no page: %s", f[0], stderr)
			}
		}
	}
}

func TestCheckSARIFHelpURI(t *testing.T) {
	dir := t.TempDir()
	clean, _, _ := inputs(t, dir)
	_, stdout, _ := run(t, "check", "--format", "sarif", clean)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID      string `json:"id"`
						HelpURI string `json:"helpUri"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	rules := log.Runs[0].Tool.Driver.Rules
	if len(rules) < 16 {
		t.Fatalf("%d rules", len(rules))
	}
	for _, r := range rules {
		want := "https://github.com/rotationkit/terraform-provider-rotation/blob/main/docs/rules/" + r.ID + ".md"
		if r.HelpURI != want {
			t.Errorf("%s: helpUri %q, want %q", r.ID, r.HelpURI, want)
		}
		if _, err := os.Stat(filepath.Join(repoRoot, "docs", "rules", r.ID+".md")); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
	}
}
