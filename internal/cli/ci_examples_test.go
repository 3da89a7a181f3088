package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	ran, annotated := 0, 0
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

// rewriteArgs points plan.json at the fixture, --config at the fixture's
// configuration and output paths at a temp dir, and drops shell
// redirections.
func rewriteArgs(t *testing.T, in []string, plan, config string) []string {
	dir := t.TempDir()
	var out []string
	for i := 0; i < len(in); i++ {
		a := in[i]
		switch {
		case strings.HasPrefix(a, ">"):
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
