package lifecycle

import (
	"fmt"
	"time"
)

// Event is one transition of a projection.
type Event struct {
	At      time.Time
	Action  Action
	Version int64
	// Slot is "a" or "b" in ModeTwoSlot, "" otherwise.
	Slot string
}

// Span is a stretch of time a version spends in one accepted status
// (pending, active or previous) during a projection.
type Span struct {
	Version int64
	Slot    string
	Status  Status
	// From is when the status began, or the projection's start for a
	// status the version already had then. To is when it ended; zero if
	// the span is still open at the end of the horizon.
	From, To time.Time
}

// maxProjectSteps bounds a projection: a schedule whose period is tiny
// compared with the horizon would otherwise produce millions of events.
const maxProjectSteps = 100_000

// Project simulates the lifecycle from the state start: an apply at from,
// then an apply at every scheduled transition time (see NextTransition) up
// to from + horizon, each applied at the time it was planned. The controls
// are spec.Controls without a rotate request and without emergency
// revocations; pin and hold stay as given. Evidence gates are left out
// (spec.Gates is ignored): evidence cannot be projected, so the projection
// shows the earliest time the calendar allows each step, and a gated step
// may happen later. It returns the final state, the
// transitions as events and the accepted statuses of every version as
// spans, in time order. Spans of statuses held at from start at from.
func Project(spec Spec, start State, from time.Time, horizon time.Duration) (State, []Event, []Span, error) {
	if horizon < 0 {
		return start, nil, nil, fmt.Errorf("projection horizon %s is negative", formatDuration(horizon))
	}
	spec.Controls.RotateRequested = false
	spec.Controls.RevokeVersions = nil
	spec.Controls.RevokeReason = ""
	spec.Gates = Gates{}
	end := from.Add(horizon)

	var (
		events []Event
		spans  []Span
		open   = map[int64]int{} // version -> index of its open span
	)
	state := start.Clone()
	at := from
	for n := 0; ; n++ {
		if n == maxProjectSteps {
			return state, events, spans, fmt.Errorf("projection stopped after %d applies at %s: period %s is too short for a horizon of %s",
				n, ts(at), formatDuration(spec.Schedule.Period), formatDuration(horizon))
		}
		d, err := Decide(spec, state, at)
		if err != nil {
			return state, events, spans, err
		}
		if n > 0 && len(d.Transitions) == 0 {
			// NextTransition promised a transition at this time.
			return state, events, spans, fmt.Errorf("projection stalled at %s: %s of v%d was scheduled but nothing happened", ts(at), d.NextAction, d.NextVersion)
		}
		state = d.Next // applied at the planned time: provisional timestamps are final
		for _, tr := range d.Transitions {
			events = append(events, Event{At: at, Action: tr.Action, Version: tr.Version, Slot: SlotOf(spec.Mode, tr.Version)})
		}
		seen := map[int64]bool{}
		for _, v := range state.Versions {
			if !v.Status.Accepted() {
				continue
			}
			seen[v.Version] = true
			if i, ok := open[v.Version]; ok {
				if spans[i].Status == v.Status {
					continue
				}
				spans[i].To = at
			}
			open[v.Version] = len(spans)
			spans = append(spans, Span{Version: v.Version, Slot: v.Slot, Status: v.Status, From: at})
		}
		for v, i := range open {
			if !seen[v] {
				spans[i].To = at
				delete(open, v)
			}
		}
		if d.NextAt.IsZero() || d.NextAt.After(end) {
			return state, events, spans, nil
		}
		at = d.NextAt
	}
}
