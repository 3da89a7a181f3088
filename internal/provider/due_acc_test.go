package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// TestAccDue_matchesPlans: `due` against the real Terraform or OpenTofu
// CLI. Each step plans and applies at one instant (the provider's `now`);
// before the apply, `due` evaluates the state the previous step left
// (`terraform show -json`, as the CLI writes it) at that instant, and must
// say "due" exactly when the CLI's plan updates the secret. The instants
// probe every transition from both sides, and one comes late (overdue).
// TestDueMatchesProviderPlans does the same through the protocol harness
// at many more instants.
func TestAccDue_matchesPlans(t *testing.T) {
	engine, err := policy.New(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const schedule = `
    period      = "2d"
    propagation = "1h"
    overlap     = "6h"
    ttl         = "10d"
`
	t0 := mustTime("2026-01-05T09:00:00Z")
	offsets := []time.Duration{
		time.Hour,
		48*time.Hour - time.Second, 48 * time.Hour, // issue v2
		49*time.Hour - time.Second, 49 * time.Hour, // activate v2
		55*time.Hour - time.Second, 55 * time.Hour, // revoke v1
		100 * time.Hour, // issue v3, 3h late
		101 * time.Hour, // activate v3
		106 * time.Hour, // nothing: v2's overlap ends at 107h
		108 * time.Hour, // revoke v2, 1h late
	}
	var state []byte // the state the last step left, as `terraform show -json`
	capture := captureState{into: &state}
	steps := []resource.TestStep{{
		Config:            secretConfigSchedule(t0.Format(time.RFC3339), "hmac", schedule, ""),
		ConfigStateChecks: []statecheck.StateCheck{capture},
	}}
	due := 0
	for _, off := range offsets {
		at := t0.Add(off)
		steps = append(steps, resource.TestStep{
			Config: secretConfigSchedule(at.Format(time.RFC3339), "hmac", schedule, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				dueAgrees{t: t, engine: engine, at: at, state: &state, due: &due},
			}},
			ConfigStateChecks: []statecheck.StateCheck{capture},
		})
	}
	accTest(t, resource.TestCase{Steps: steps})
	if !t.Skipped() && due != 6 {
		t.Errorf("%d plans with transitions, want 6 (the scenario changed?)", due)
	}
}

// captureState keeps the state after a step as JSON.
type captureState struct{ into *[]byte }

func (c captureState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	*c.into = b
}

// dueAgrees compares due on the captured state with the step's plan.
type dueAgrees struct {
	t      *testing.T
	engine *policy.Engine
	at     time.Time
	state  *[]byte
	due    *int
}

func (d dueAgrees) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	updates := false
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == secretAddr && rc.Change != nil && rc.Change.Actions.Update() {
			updates = true
		}
	}
	res, report := dueEvaluate(d.t, d.engine, *d.state, d.at)
	if res.Problem != nil {
		resp.Error = fmt.Errorf("at %s: due could not evaluate the state: %s", d.at.Format(time.RFC3339), *res.Problem)
		return
	}
	if res.Due != updates {
		resp.Error = fmt.Errorf("at %s: due says due=%v, the CLI's plan updates %s=%v\n%s", d.at.Format(time.RFC3339), res.Due, secretAddr, updates, report)
		return
	}
	if updates {
		*d.due++
	}
}
