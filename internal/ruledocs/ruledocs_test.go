package ruledocs

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

const root = "../.."

var (
	once     sync.Once
	genPages map[string][]byte
	genErr   error
)

// generated runs Generate once for the tests of this package.
func generated(t *testing.T) map[string][]byte {
	t.Helper()
	once.Do(func() { genPages, genErr = Generate(context.Background(), root) })
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genPages
}

// TestPagesUpToDate regenerates every page and compares it with
// docs/rules/: the unit-test twin of `tools/docs.sh check`.
func TestPagesUpToDate(t *testing.T) {
	pages := generated(t)
	dir := filepath.Join(root, "docs", "rules")
	committed, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range committed {
		names = append(names, filepath.Base(f))
		if _, ok := pages[filepath.Base(f)]; !ok {
			t.Errorf("docs/rules/%s is not generated any more; run make docs", filepath.Base(f))
		}
	}
	sort.Strings(names)
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("docs/rules/%s: %v; run make docs", name, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("docs/rules/%s is out of date; run make docs", name)
		}
	}
	if len(pages) < 17 {
		t.Errorf("only %d pages: %v", len(pages), names)
	}
}

// TestPagesContent: every page has the sections the issue asks for, a
// failing example whose check output points at a .tf line, and a passing
// example without a finding of the rule.
func TestPagesContent(t *testing.T) {
	pages := generated(t)
	located := regexp.MustCompile(`\n    [a-z/_.-]+\.tf:[0-9]+: (deny|warn)  ROT[0-9]{3}  `)
	for name, page := range pages {
		text := string(page)
		if !strings.HasPrefix(text, Header) {
			t.Errorf("%s: no generated header", name)
		}
		if name == "README.md" {
			for id := range pages {
				if id != "README.md" && !strings.Contains(text, "["+strings.TrimSuffix(id, ".md")+"]("+id+")") {
					t.Errorf("README.md does not link %s", id)
				}
			}
			continue
		}
		id := strings.TrimSuffix(name, ".md")
		for _, section := range []string{"\n# " + id + ": ", "\n## What it checks\n\n", "\n## Why\n\n", "\n## How to fix\n\n", "\n## Parameters\n\n", "\n## Failing example\n\n", "\n## Passing example\n\n"} {
			if !strings.Contains(text, section) {
				t.Errorf("%s: no %q", name, strings.TrimSpace(section))
			}
		}
		if strings.Contains(text, "No custom.why") || strings.Contains(text, "No policy fixture") || strings.Contains(text, "No passing policy fixture") {
			t.Errorf("%s: a section is missing its content", name)
		}
		fail := text[strings.Index(text, "\n## Failing example"):strings.Index(text, "\n## Passing example")]
		pass := text[strings.Index(text, "\n## Passing example"):]
		// A rule about the parameters themselves (ROT090, the waivers) has
		// findings about no resource: its failing example shows the
		// parameters and the finding, not a .tf line.
		aboutParams := strings.Contains(fail, "\nWith these parameters (`params.yaml`):\n") &&
			regexp.MustCompile(`\n  \(no resource\)\n    (deny|warn)  `+id+`  params\.`).MatchString(fail)
		if aboutParams {
			if !strings.Contains(pass, "\nWith these parameters (`params.yaml`):\n") {
				t.Errorf("%s: the passing example of a parameter rule shows no parameters:\n%s", name, pass)
			}
		} else if !strings.Contains(fail, "```hcl\n") || !located.MatchString(fail) || !strings.Contains(fail, "  "+id+"  ") {
			t.Errorf("%s: the failing example lacks HCL or a located %s finding:\n%s", name, id, fail)
		}
		if strings.Contains(pass, "  "+id+"  ") {
			t.Errorf("%s: the passing example has a %s finding:\n%s", name, id, pass)
		}
		if strings.Contains(text, "(redacted)") || strings.Contains(text, "BEGIN") {
			t.Errorf("%s: secret material in a page", name)
		}
	}
}
