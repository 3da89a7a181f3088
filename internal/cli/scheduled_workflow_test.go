package cli

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestScheduledWorkflowShape: the scheduled rotation workflow runs on a
// cron, decides with `due`, and applies only in a job that needs that
// decision, behind a per-workspace environment (required reviewers), in
// the order plan → check → apply. Its command lines run in TestCIExamples.
func TestScheduledWorkflowShape(t *testing.T) {
	raw, err := os.ReadFile("../../examples/ci/github-actions-rotate.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			Schedule []struct {
				Cron string `yaml:"cron"`
			} `yaml:"schedule"`
		} `yaml:"on"`
		Concurrency any `yaml:"concurrency"`
		Jobs        map[string]struct {
			Needs       any    `yaml:"needs"`
			If          string `yaml:"if"`
			Environment any    `yaml:"environment"`
			Strategy    struct {
				Matrix map[string]any `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.On.Schedule) == 0 || len(strings.Fields(wf.On.Schedule[0].Cron)) != 5 {
		t.Errorf("no cron schedule: %+v", wf.On.Schedule)
	}
	if wf.Concurrency == nil {
		t.Error("no concurrency group: two runs could apply to one state at once")
	}
	due, ok := wf.Jobs["due"]
	if !ok || !strings.Contains(joinRuns(due.Steps), "terraform-provider-rotation due --format json") {
		t.Fatalf("no due job running `due --format json`")
	}
	rotate, ok := wf.Jobs["rotate"]
	if !ok {
		t.Fatal("no rotate job")
	}
	env, _ := rotate.Environment.(string)
	if rotate.Needs != "due" || !strings.Contains(rotate.If, "needs.due.outputs.workspaces") || !strings.HasPrefix(env, "rotation-${{ matrix.workspace }}") ||
		!strings.Contains(stringOf(rotate.Strategy.Matrix["workspace"]), "fromJSON(needs.due.outputs.workspaces)") {
		t.Errorf("rotate job: needs %v, if %q, environment %v, matrix %v", rotate.Needs, rotate.If, rotate.Environment, rotate.Strategy.Matrix)
	}
	runs := joinRuns(rotate.Steps)
	plan, check, apply := strings.Index(runs, "terraform plan"), strings.Index(runs, "terraform-provider-rotation check"), strings.Index(runs, "terraform apply")
	if plan < 0 || check < plan || apply < check {
		t.Errorf("rotate job is not plan → check → apply:\n%s", runs)
	}
	if !strings.Contains(runs, "terraform apply -input=false tfplan") {
		t.Error("the apply does not apply the checked plan file")
	}
}

func joinRuns(steps []struct {
	Name string `yaml:"name"`
	Run  string `yaml:"run"`
}) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.Run)
		b.WriteString("\n")
	}
	return b.String()
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
