package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/runbook"
)

// runbookParams is a parameter set that moves verdicts on the fixtures: a
// larger overlap_cache_factor fails ROT020 where the overlap only just
// exceeds the caches, and shorter max_ttl fail ROT001 for 45d ttls.
var runbookParams = map[string]any{
	"overlap_cache_factor": 3,
	"max_ttl":              map[string]any{"high": "30d", "critical": "7d"},
}

// TestRunbookVerdictsEqualCheck holds the runbook to `check`: over every
// fixture (real plans and states), with the default parameters, with a
// non-default params file, with --now (params.now for check) and with the
// parameters of every case of expected.json, the verdicts the runbook shows
// per resource (the rule ids of its ✗, ⚠ and "?" lines, notes and lists,
// deny or warn) are check's findings per resource (each rule once, at its
// highest severity), each verdict appears in its resource's section of the
// Markdown, and the numbers of the overlap arithmetic agree with the
// verdicts.
func TestRunbookVerdictsEqualCheck(t *testing.T) {
	fixtures, expected := fixtureCases(t)
	type run struct {
		name   string
		params map[string]any
		now    string
		inputs []string
	}
	var plain []string
	for _, c := range fixtures {
		if c.params == nil {
			plain = append(plain, c.input)
		}
	}
	if len(plain) < 20 {
		t.Fatalf("%d fixtures", len(plain))
	}
	runs := []run{
		{name: "default params", inputs: plain},
		{name: "non-default params", params: runbookParams, inputs: plain},
		{name: "--now", now: "2026-03-01T00:00:00Z", inputs: plain},
	}
	names := make([]string, 0, len(expected))
	for n := range expected {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if c := expected[n]; c.Params != nil {
			runs = append(runs, run{name: "expected.json " + n, params: c.Params, inputs: []string{filepath.Join(repoRoot, filepath.FromSlash(c.Input))}})
		}
	}

	dir := t.TempDir()
	ctx := context.Background()
	moved := 0 // fixtures whose verdicts the non-default params change
	defaults := map[string]string{}
	for i, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			cfg := runbookConfig{horizon: runbook.DefaultHorizon}
			args := []string{"check", "--format", "json"}
			params := r.params
			if r.now != "" {
				// check gets --now as params.now.
				params = map[string]any{"now": r.now}
				cfg.now = mustParse(t, r.now)
			}
			if params != nil {
				b, err := json.Marshal(params)
				if err != nil {
					t.Fatal(err)
				}
				file := writeFile(t, dir, fmt.Sprintf("params-%d.json", i), b)
				args = append(args, "--params", file)
				if r.now == "" {
					cfg.params = file
				}
			}
			want := checkFindings(t, append(args, r.inputs...)...)
			engine, err := cfg.newEngine(ctx, hclog.NewNullLogger())
			if err != nil {
				t.Fatal(err)
			}
			for _, input := range r.inputs {
				cfg.file = input
				rep, in, err := buildRunbookWith(ctx, engine, cfg, hclog.NewNullLogger())
				if err != nil {
					t.Fatalf("%s: %v", input, err)
				}
				got := map[string]string{}
				for _, v := range rep.Verdicts() {
					got[v.Address+" "+v.Rule] = string(v.Severity)
				}
				if g, w := sortedVerdicts(got), sortedVerdicts(want[in.File]); g != w {
					t.Errorf("%s: the runbook shows\n  %s\ncheck reports\n  %s", input, g, w)
				}
				assertShown(t, input, rep)
				key := sortedVerdicts(got)
				switch r.name {
				case "default params":
					defaults[input] = key
				case "non-default params":
					if defaults[input] != key {
						moved++
					}
				}
			}
		})
	}
	if moved < 3 {
		t.Errorf("the non-default params change the verdicts of %d fixtures; want a parameter set that moves some", moved)
	}
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// checkFindings runs check and returns, per file, "resource rule" -> the
// highest severity.
func checkFindings(t *testing.T, args ...string) map[string]map[string]string {
	t.Helper()
	code, stdout, stderr := run(t, args...)
	if code == ExitUsage {
		t.Fatalf("%v: %s", args, stderr)
	}
	var rep struct {
		Results []struct{ File, Rule, Severity, Resource string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, r := range rep.Results {
		m := out[r.File]
		if m == nil {
			m = map[string]string{}
			out[r.File] = m
		}
		k := r.Resource + " " + r.Rule
		if m[k] != "deny" {
			m[k] = r.Severity
		}
	}
	return out
}

func sortedVerdicts(m map[string]string) string {
	var l []string
	for k, v := range m {
		l = append(l, k+" "+v)
	}
	sort.Strings(l)
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, "\n  ")
}

// assertShown checks that every verdict appears in its resource's section
// of the Markdown, and that the overlap arithmetic's numbers agree with its
// verdicts.
func assertShown(t *testing.T, input string, rep *runbook.Report) {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	sections := map[string]string{}
	for _, f := range rep.Families {
		sections[f.Address] = section(md, "## Family `"+f.Title()+"`", "\n## ", "\n### `")
		for _, c := range f.Credentials {
			sections[c.Address] = section(md, "### `"+c.Address+"` — ", "\n## ", "\n### ")
		}
	}
	for _, c := range rep.Orphans {
		sections[c.Address] = section(md, "### `"+c.Address+"` — ", "\n## ", "\n### ")
	}
	for _, x := range rep.Removed {
		if _, ok := sections[x.Address]; !ok {
			sections[x.Address] = section(md, "## Removed by this plan", "\n## ")
		}
	}
	other := section(md, "## Other policy findings", "\n## ")
	for _, v := range rep.Verdicts() {
		s, ok := sections[v.Address]
		if !ok {
			s = other
		}
		if !strings.Contains(s, v.Rule) {
			t.Errorf("%s: %s %s (%s) is not shown in the resource's section:\n%s", input, v.Address, v.Rule, v.Severity, s)
		}
	}
	all := append([]*runbook.Credential(nil), rep.Orphans...)
	for _, f := range rep.Families {
		all = append(all, f.Credentials...)
	}
	for _, c := range all {
		for _, k := range c.Checks {
			if !k.Computed {
				continue
			}
			failing := k.Verdict == runbook.VerdictFail || k.Verdict == runbook.VerdictWarn || k.Verdict == runbook.VerdictWaived
			if k.Short != failing {
				t.Errorf("%s: %s %s: the numbers (%s vs %s, %s) disagree with the verdict %s", input, c.Address, k.ID, k.Need.Plain(), k.Have.Plain(), k.Margin, k.Verdict)
			}
			row := "| " + k.Symbol() + " " + k.Verdict + " |"
			if !strings.Contains(sections[c.Address], row) {
				t.Errorf("%s: %s %s: no row with %q", input, c.Address, k.ID, row)
			}
		}
	}
}

// section is the text of md from the line starting with header to the
// first of stops after it ("" when there is no such line).
func section(md, header string, stops ...string) string {
	i := strings.Index(md, "\n"+header)
	if i < 0 {
		return ""
	}
	rest := md[i+1:]
	end := len(rest)
	for _, stop := range stops {
		if j := strings.Index(rest[1:], stop); j >= 0 && j+1 < end {
			end = j + 1
		}
	}
	return rest[:end]
}
