package lifecycle_test

import (
	"fmt"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// A secret rotated every 30 days, with a day of propagation and a week of
// overlap. Each apply happens a little after its plan; the timestamps of the
// apply's own transitions carry the apply time.
func Example() {
	spec := lifecycle.Spec{
		Key: "auth-session-signing/prod",
		Schedule: lifecycle.Schedule{
			Period:      30 * 24 * time.Hour,
			Overlap:     7 * 24 * time.Hour,
			Propagation: 24 * time.Hour,
			TTL:         45 * 24 * time.Hour,
		},
		Controls: lifecycle.Controls{HistoryLimit: 10},
	}
	var state lifecycle.State
	plan := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for range 5 {
		d, err := lifecycle.Decide(spec, state, plan)
		if err != nil {
			panic(err)
		}
		apply := plan.Add(10 * time.Minute)
		state = lifecycle.Stamp(d.Planned(), apply)
		for _, tr := range d.Transitions {
			fmt.Printf("%s %-9s v%d\n", apply.Format("2006-01-02 15:04"), tr.Action, tr.Version)
		}
		// Recompute the next transition from the applied state.
		a, v, at := lifecycle.NextTransition(spec, state, apply)
		fmt.Printf("  next: %s v%d at %s\n", a, v, at.Format("2006-01-02 15:04"))
		plan = at
	}
	for _, v := range state.Versions {
		fmt.Printf("v%d %s\n", v.Version, v.Status)
	}
	// Output:
	// 2025-01-06 09:10 issue     v1
	// 2025-01-06 09:10 activate  v1
	//   next: issue v2 at 2025-02-05 09:10
	// 2025-02-05 09:20 issue     v2
	//   next: activate v2 at 2025-02-06 09:20
	// 2025-02-06 09:30 activate  v2
	// 2025-02-06 09:30 supersede v1
	//   next: revoke v1 at 2025-02-13 09:30
	// 2025-02-13 09:40 revoke    v1
	//   next: issue v3 at 2025-03-07 09:20
	// 2025-03-07 09:30 issue     v3
	//   next: activate v3 at 2025-03-08 09:30
	// v1 revoked
	// v2 active
	// v3 pending
}
