package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestCIExamples runs every terraform-provider-rotation command line of the
// workflows under examples/ci against a real plan fixture, so the documented
// pull-request setup keeps working when flags change.
func TestCIExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/ci/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows under examples/ci: %v", err)
	}
	plan, err := filepath.Abs("../../policies/testdata/fixtures/good/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	config, err := filepath.Abs("../../policies/testdata/configs/good")
	if err != nil {
		t.Fatal(err)
	}
	ran, annotated, ranDue, ranMetrics := 0, 0, 0, 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Run string `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(raw, &wf); err != nil {
			t.Fatalf("%s is not valid YAML: %v", f, err)
		}
		for _, job := range wf.Jobs {
			for _, step := range job.Steps {
				for _, line := range strings.Split(step.Run, "\n") {
					fields := strings.Fields(line)
					if len(fields) < 2 || fields[0] != "terraform-provider-rotation" {
						continue
					}
					args := rewriteArgs(t, fields[1:], plan, config)
					if fields[1] == "due" {
						// The scheduled workflow: 0 when nothing is due, 1
						// when something is (at two instants of the state).
						dueLineAtTwoInstants(t, filepath.Base(f), line, args)
						ran++
						ranDue++
						continue
					}
					var stdout, stderr bytes.Buffer
					code, handled := Run(args, &stdout, &stderr)
					if !handled {
						t.Errorf("%s: %q is not a subcommand", filepath.Base(f), line)
						continue
					}
					if code != 0 {
						t.Errorf("%s: %q exited %d on a clean plan: %s", filepath.Base(f), line, code, stderr.String())
					}
					ran++
					if fields[1] == "metrics" {
						ranMetrics++
					}
					if fields[1] == "check" && contains(args, "github") {
						t.Run("annotations", func(t *testing.T) { annotationsOnTheTFLine(t, filepath.Base(f), fields[1:]) })
						annotated++
					}
				}
			}
		}
	}
	if annotated == 0 {
		t.Error("no workflow runs check --format github")
	}
	if ran < 4 {
		t.Fatalf("only %d command lines found in examples/ci; the workflows should run check, runbook and policies", ran)
	}
	if ranDue == 0 || ranMetrics == 0 {
		t.Errorf("no workflow runs due (%d) and metrics (%d): the scheduled workflow is missing", ranDue, ranMetrics)
	}
}

// annotationsOnTheTFLine runs a workflow's `check --format github` line on
// a fixture with a finding, from the directory of the configuration the
// plan was made from (as a job with a working-directory below the
// repository root does; t is a subtest, so the directory is restored when
// it ends), and checks that the annotation lands on the .tf line, named
// from the repository root as GitHub wants it.
func annotationsOnTheTFLine(t *testing.T, workflow string, line []string) {
	plan, err := filepath.Abs("../../policies/testdata/fixtures/rot020-overlap-equals-cache/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../../policies/testdata/configs/rot020-overlap-equals-cache")
	args := rewriteArgs(t, line, plan, ".")
	var stdout, stderr bytes.Buffer
	code, _ := Run(args, &stdout, &stderr)
	want := "::error file=policies/testdata/configs/rot020-overlap-equals-cache/main.tf,line=39,col=5,title=ROT020::"
	if code != 1 || !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("%s: %q on a ROT020 plan: exit %d, annotations\n%s\nwant the prefix %s", workflow, strings.Join(line, " "), code, stdout.String(), want)
	}
}

// dueLineAtTwoInstants runs a workflow's `due` line on the state fixture
// before its revocation is due (exit 0; with --within, 1 is right too) and
// after (exit 1).
func dueLineAtTwoInstants(t *testing.T, workflow, line string, args []string) {
	t.Helper()
	old := dueClock
	defer func() { dueClock = old }()
	for _, c := range []struct {
		at   string
		want int
	}{{"2026-02-04T12:00:00Z", ExitOK}, {"2026-02-09T10:00:00Z", ExitFindings}} {
		now, _ := time.Parse(time.RFC3339, c.at)
		dueClock = func() time.Time { return now }
		var stdout, stderr bytes.Buffer
		code, handled := Run(args, &stdout, &stderr)
		if c.want == ExitOK && contains(args, "--within") && code == ExitFindings {
			continue // the revocation falls within the window
		}
		if !handled || code != c.want {
			t.Errorf("%s: %q at %s exited %d, want %d: %s", workflow, line, c.at, code, c.want, stderr.String())
		}
	}
}

// stateArg matches a state file argument of the workflows, with its
// optional WORKSPACE= prefix: state.json, prod=state-prod.json,
// "$TF_WORKSPACE=state.json".
var stateArg = regexp.MustCompile(`^(?:([^=]+)=)?state[-a-z]*\.json$`)

// rewriteArgs points plan.json at the fixture, state files at the state
// fixture (one workspace each), --config at the fixture's configuration
// and output paths at a temp dir, and drops shell redirections and what
// follows ||, && or a pipe.
func rewriteArgs(t *testing.T, in []string, plan, config string) []string {
	dir := t.TempDir()
	var out []string
	for i := 0; i < len(in); i++ {
		a := strings.Trim(in[i], `"`)
		if m := stateArg.FindStringSubmatch(a); m != nil {
			ws := m[1]
			if ws == "" || strings.Contains(ws, "$") {
				ws = fmt.Sprintf("ws%d", i)
			}
			state, err := filepath.Abs("../../policies/testdata/fixtures/good-state/state.json")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ws+"="+state)
			continue
		}
		switch {
		case strings.HasPrefix(a, ">"), a == "||", a == "&&", a == "|":
			return out
		case a == "plan.json":
			out = append(out, plan)
		case a == "--config" && i+1 < len(in):
			out = append(out, a, config)
			i++
		case (a == "--output" || a == "--export") && i+1 < len(in):
			out = append(out, a, filepath.Join(dir, filepath.Base(in[i+1])))
			i++
		default:
			out = append(out, a)
		}
	}
	return out
}
