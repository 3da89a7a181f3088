package ops

import (
	"fmt"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/runbook"
)

// DueSchemaVersion is the version of the JSON document `due --format json`
// writes (docs/due.md). It changes only when a field changes meaning or
// goes away; new fields may appear without a new version.
const DueSchemaVersion = 1

// MaxWithin is the longest --within accepted: ten years, as the runbook's
// horizon.
const MaxWithin = runbook.MaxHorizon

// maxApplies bounds the applies simulated per resource over --within: a
// period far shorter than the window would otherwise run for long.
const maxApplies = 10_000

// Reason codes: why something is not due, or waits.
const (
	// ReasonWindow: a scheduled step is due by its durations, but the
	// change window is closed at --at; Until is the next opening.
	ReasonWindow = "window"
	// ReasonAhead: the record holds a timestamp after --at (applies made
	// with a rehearsal clock, or a wrong clock); scheduled steps wait until
	// it, Until.
	ReasonAhead = "ahead"
	// ReasonHeld: hold_revocation keeps a previous version accepted past
	// its overlap.
	ReasonHeld = "held"
	// ReasonPinned: pin_active_version stops the schedule from activating
	// and issuing while a step would be due.
	ReasonPinned = "pinned"
	// ReasonSlot: (rotation_schedule) the next version is due but its slot
	// is still held by the version two before; Until is when that one's
	// overlap ends, when the schedule frees it.
	ReasonSlot = "slot"
	// ReasonGated: a step due by the calendar is gated by evidence
	// (revocation_gate, emission_gate). With static evidence the
	// document holds, it waits as the provider's plan would (it is not
	// due; Until is the earliest instant it can happen, when known); a
	// gate fed by Prometheus is decided by the plan, which queries it, so
	// the step stays due.
	ReasonGated = "gated"
)

// DueReport is the document `due --format json` writes: schema version 1
// (docs/due.md describes every field).
type DueReport struct {
	SchemaVersion int    `json:"schema_version"`
	Generator     string `json:"generator"`
	// At is the instant evaluated (--at); Within the window after it
	// (canonical duration, "0s" without --within) and Until = At + Within.
	At     string `json:"at"`
	Within string `json:"within"`
	Until  string `json:"until"`
	// Due is true when any resource of any document has a transition due
	// in [At, Until]; the exit code is then 1.
	Due bool `json:"due"`
	// Problems counts the resources that could not be evaluated (exit 2).
	Problems  int           `json:"problems"`
	Documents []DueDocument `json:"documents"`
}

// DueDocument is one input document.
type DueDocument struct {
	File      string        `json:"file"`
	Workspace string        `json:"workspace"`
	Kind      string        `json:"kind"`
	Due       bool          `json:"due"`
	Resources []DueResource `json:"resources"`
}

// DueResource is one rotation_secret or rotation_schedule.
type DueResource struct {
	Address       string  `json:"address"`
	Type          string  `json:"type"`
	Name          string  `json:"name"`
	Family        string  `json:"family"`
	FamilyAddress *string `json:"family_address"`
	Workspace     string  `json:"workspace"`
	File          string  `json:"file"`
	// Due is true when Transitions is not empty.
	Due bool `json:"due"`
	// DueSince is when the earliest transition due at --at became due
	// (its scheduled time, after the change window opened), and
	// OverdueSeconds how long before --at that was; null and 0 when
	// nothing is due at --at.
	DueSince       *string `json:"due_since"`
	OverdueSeconds int64   `json:"overdue_seconds"`
	// Transitions are the transitions due at --at (At = --at) and, with
	// --within, those an apply at each scheduled time would make up to
	// Until, in order.
	Transitions []DueTransition `json:"transitions"`
	// Next is the first scheduled transition after them (null when
	// nothing is scheduled: pinned, held, or waiting for an explicit
	// action).
	Next *DueTransition `json:"next"`
	// Reasons say why something waits (codes: window, ahead, held,
	// pinned, slot).
	Reasons []DueReason `json:"reasons"`
	// Warnings are the engine's warnings of a plan at --at.
	Warnings []string `json:"warnings"`
	// Problem says why the resource could not be evaluated (null when it
	// was): unknown or invalid schedule values, a damaged record.
	Problem *string `json:"problem"`
}

// DueTransition is one transition: issue (accept), activate (emit),
// supersede, revoke, prune, pin or emergency-revoke of a version.
type DueTransition struct {
	Action  string `json:"action"`
	Version int64  `json:"version"`
	// Slot is "a" or "b" for a rotation_schedule, "" for a secret.
	Slot string `json:"slot"`
	At   string `json:"at"`
	// Reason is the engine's reason, for the transitions due at --at.
	Reason string `json:"reason,omitempty"`
}

// DueReason is why something waits.
type DueReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Until is when the wait ends, when known.
	Until *string `json:"until,omitempty"`
}

// DueOptions set what Due evaluates.
type DueOptions struct {
	// At is the instant evaluated.
	At time.Time
	// Within extends the question to [At, At+Within].
	Within time.Duration
	// Generator names the program in the report.
	Generator string
}

// Due evaluates every resource of docs at opts.At.
func Due(docs []*Document, opts DueOptions) *DueReport {
	at := opts.At.UTC()
	rep := &DueReport{
		SchemaVersion: DueSchemaVersion,
		Generator:     opts.Generator,
		At:            ts(at),
		Within:        duration.Format(opts.Within),
		Until:         ts(at.Add(opts.Within)),
		Documents:     []DueDocument{},
	}
	for _, d := range docs {
		dd := DueDocument{File: d.File, Workspace: d.Workspace, Kind: d.Kind, Resources: []DueResource{}}
		for _, c := range d.Credentials {
			r := dueOf(d, c, at, opts.Within)
			dd.Due = dd.Due || r.Due
			if r.Problem != nil {
				rep.Problems++
			}
			dd.Resources = append(dd.Resources, r)
		}
		rep.Due = rep.Due || dd.Due
		rep.Documents = append(rep.Documents, dd)
	}
	return rep
}

// dueOf evaluates one credential: the decisions of an apply at at and at
// every scheduled transition up to at+within (what lifecycle.Project
// simulates, with the engine's reasons kept).
func dueOf(d *Document, c *runbook.Credential, at time.Time, within time.Duration) DueResource {
	r := DueResource{
		Address: c.Address, Type: c.Type, Name: c.Name.Content, Family: FamilyName(c),
		Workspace: d.Workspace, File: d.File,
		Transitions: []DueTransition{}, Reasons: []DueReason{}, Warnings: []string{},
	}
	if c.Family != nil {
		a := c.Family.Address
		r.FamilyAddress = &a
	}
	if c.Problem != "" {
		p := c.Problem
		r.Problem = &p
		return r
	}
	spec, state := c.Spec, c.State
	end := at.Add(within)
	t, cur := at, state
	for n := 0; ; n++ {
		if n == maxApplies {
			p := fmt.Sprintf("stopped after %d applies at %s: period %s is too short for --within %s", n, ts(t), duration.Format(spec.Schedule.Period), duration.Format(within))
			r.Problem = &p
			break
		}
		dec, err := lifecycle.Decide(spec, cur, t)
		if err != nil {
			p := err.Error()
			r.Problem = &p
			break
		}
		if n == 0 {
			r.Warnings = append(r.Warnings, dec.Warnings...)
		}
		for _, tr := range dec.Transitions {
			x := DueTransition{Action: string(tr.Action), Version: tr.Version, Slot: lifecycle.SlotOf(spec.Mode, tr.Version), At: ts(t)}
			x.Reason = tr.Reason
			r.Transitions = append(r.Transitions, x)
		}
		if n > 0 && len(dec.Transitions) == 0 {
			// NextTransition promised a transition at t: an engine bug.
			p := fmt.Sprintf("the engine scheduled %s of v%d at %s but decided nothing then", dec.NextAction, dec.NextVersion, ts(t))
			r.Problem = &p
			break
		}
		cur = dec.Next // applied at the decided time: its timestamps are final
		if dec.NextAction == "" || dec.NextAt.After(end) {
			if dec.NextAction != "" {
				r.Next = &DueTransition{Action: string(dec.NextAction), Version: dec.NextVersion, Slot: lifecycle.SlotOf(spec.Mode, dec.NextVersion), At: ts(dec.NextAt)}
			}
			break
		}
		t = dec.NextAt
	}
	r.Transitions, r.Reasons = gated(c, at, r.Transitions, r.Reasons)
	r.Due = len(r.Transitions) > 0
	if r.Due && r.Transitions[0].At == ts(at) {
		since := DueSince(spec, state, at)
		s := ts(since)
		r.DueSince, r.OverdueSeconds = &s, int64(at.Sub(since)/time.Second)
	}
	r.Reasons = append(r.Reasons, reasons(c, spec, state, at)...)
	return r
}

// gated applies the evidence gates to the transitions due at at: a gated
// step that waits on static evidence is not due (the provider's plan would
// not take it), and says why; a step gated by Prometheus stays due, since
// only the plan can query it. Later transitions of the --within window
// keep the calendar's times.
func gated(c *runbook.Credential, at time.Time, trs []DueTransition, reasons []DueReason) ([]DueTransition, []DueReason) {
	waits, err := GateWaits(c, at)
	if err != nil || len(waits) == 0 {
		return trs, reasons
	}
	now := ts(at)
	for _, w := range waits {
		gate, missing := "revocation_gate", ""
		if w.Wait.Action == lifecycle.ActionActivate {
			gate = "emission_gate"
			if g := c.Gates.Emission; g != nil {
				missing = g.Missing
			}
		} else if g := c.Gates.Revocation; g != nil {
			missing = g.Missing
		}
		if missing == runbook.PrometheusEvidence {
			reasons = append(reasons, DueReason{Code: ReasonGated,
				Message: fmt.Sprintf("%s of v%d is due by the calendar since %s; its %s decides on Prometheus evidence when the plan runs", w.Wait.Action, w.Wait.Version, ts(w.DueAt), gate)})
			continue
		}
		kept := trs[:0:0]
		for _, tr := range trs {
			if tr.At == now && tr.Action == string(w.Wait.Action) && tr.Version == w.Wait.Version {
				continue
			}
			kept = append(kept, tr)
		}
		trs = kept
		r := DueReason{Code: ReasonGated,
			Message: fmt.Sprintf("%s of v%d is due by the calendar since %s but its %s waits: %s", w.Wait.Action, w.Wait.Version, ts(w.DueAt), gate, w.Wait.For)}
		if !w.Wait.Until.IsZero() {
			r.Until = ptr(ts(w.Wait.Until))
		}
		reasons = append(reasons, r)
	}
	return trs, reasons
}

// DueSince is when what is due at at became due: the time of the earliest
// scheduled step of state (after the change window opened and the record
// caught up with the clock), or at itself for an explicit action (the
// first version, an emergency revocation, a pin).
func DueSince(spec lifecycle.Spec, state lifecycle.State, at time.Time) time.Time {
	action, _, since := lifecycle.NextTransition(spec, state, time.Time{})
	if action == "" || since.After(at) {
		return at
	}
	return since
}

// reasons says why scheduled steps wait at at.
func reasons(c *runbook.Credential, spec lifecycle.Spec, state lifecycle.State, at time.Time) []DueReason {
	var out []DueReason
	ahead, count := state.AheadOf(at)
	if count > 0 {
		out = append(out, DueReason{Code: ReasonAhead, Until: ptr(ts(ahead.At)),
			Message: fmt.Sprintf("the record is ahead of the clock: v%d %s %s is later than %s; scheduled steps wait until then", ahead.Version, ahead.Field, ts(ahead.At), ts(at))})
		return out
	}
	sched := spec.Schedule
	if w := sched.Window; w != nil && !w.Contains(at) {
		open := spec
		open.Schedule.Window = nil
		if a, v, due := lifecycle.NextTransition(open, state, time.Time{}); a != "" && !due.After(at) {
			out = append(out, DueReason{Code: ReasonWindow, Until: ptr(ts(w.NextOpen(at))),
				Message: fmt.Sprintf("%s of v%d is due since %s but waits for the change window (%s), which opens at %s", a, v, ts(due), w, ts(w.NextOpen(at)))})
		}
	}
	if spec.Controls.HoldRevocation {
		for _, v := range state.Versions {
			if v.Status != lifecycle.StatusPrevious || v.Version == spec.Controls.Pin {
				continue
			}
			if end := v.SupersededAt.Add(sched.Overlap); !end.After(at) {
				why := c.HoldReason.Content
				if why == "" {
					why = "no hold_reason given"
				}
				out = append(out, DueReason{Code: ReasonHeld,
					Message: fmt.Sprintf("hold_revocation keeps v%d accepted past its overlap, which ended at %s (%s)", v.Version, ts(end), why)})
			}
		}
	}
	if pin := spec.Controls.Pin; pin != 0 {
		free := spec
		free.Controls.Pin = 0
		free.Schedule.Window = nil
		if a, v, due := lifecycle.NextTransition(free, state, time.Time{}); (a == lifecycle.ActionIssue || a == lifecycle.ActionActivate) && !due.After(at) {
			out = append(out, DueReason{Code: ReasonPinned,
				Message: fmt.Sprintf("pin_active_version = %d: %s of v%d is due since %s, but the schedule activates and issues nothing while pinned", pin, a, v, ts(due))})
		}
	}
	if spec.Mode == lifecycle.ModeTwoSlot && spec.Controls.Pin == 0 && state.Pending() == nil {
		if r, ok := slotReason(spec, state, at); ok {
			out = append(out, r)
		}
	}
	return out
}

// slotReason explains a rotation_schedule whose next version is due by
// its period but whose slot the version two before still holds.
func slotReason(spec lifecycle.Spec, state lifecycle.State, at time.Time) (DueReason, bool) {
	var last time.Time
	for i := len(state.Versions) - 1; i >= 0; i-- {
		if state.Versions[i].Status.Accepted() {
			last = state.Versions[i].IssuedAt
			break
		}
	}
	if last.IsZero() {
		return DueReason{}, false
	}
	k := state.Generation + 1
	issueAt := last.Add(spec.Schedule.Period + lifecycle.JitterOffset(spec.Key, spec.Schedule.Jitter))
	occ := state.Find(k - 2)
	if issueAt.After(at) || occ == nil || !occ.Status.Accepted() {
		return DueReason{}, false
	}
	slot := lifecycle.SlotOf(spec.Mode, k)
	r := DueReason{Code: ReasonSlot,
		Message: fmt.Sprintf("v%d is due since %s and goes into slot %q, which v%d (%s) still holds", k, ts(issueAt), slot, occ.Version, occ.Status)}
	if occ.Status == lifecycle.StatusPrevious && !spec.Controls.HoldRevocation {
		free := occ.SupersededAt.Add(spec.Schedule.Overlap)
		r.Until = ptr(ts(free))
		r.Message += fmt.Sprintf(" until its overlap ends at %s", ts(free))
	}
	return r, true
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func ptr[T any](v T) *T { return &v }
