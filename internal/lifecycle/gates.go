package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Evidence gates (docs/design.md, Statuses and steps: revocation and
// emission gates). The calendar says when a step may happen at the
// earliest; a gate makes the step wait until evidence shows it is safe:
//
//   - a revocation gate lets the schedule revoke a previous version only
//     once evidence collected at least QuietPeriod after the version stopped
//     being active shows no use of it in the QuietPeriod before the
//     evidence was collected, and (RequireSuccessorUse) shows its successor,
//     the active version, in use since it became active;
//   - an emission gate lets the schedule activate the pending version only
//     once every source reports it in evidence collected after it was
//     issued.
//
// The engine stays pure: the evidence is an input (the provider queries
// Prometheus or reads the static form), collected at one instant. A gated
// step that waits is never an error: the decision reports it in
// Decision.Waits and in a warning that says what it waits for. Explicit
// actions ignore the gates: emergency revocation, pins, the first version
// and an emergency replacement.

// Gates are a resource's evidence gates; nil means no gate.
type Gates struct {
	Revocation *RevocationGate
	Emission   *EmissionGate
}

// RevocationGate is the revocation_gate block with the evidence at hand.
type RevocationGate struct {
	// QuietPeriod is how long a version must not have been seen in use,
	// before the evidence was collected, for the schedule to revoke it.
	QuietPeriod time.Duration
	// MaxWait is how long past the overlap the gate waits before it warns
	// that it waited too long (it keeps waiting).
	MaxWait time.Duration
	// RequireSuccessorUse: the active version must have been seen in use
	// since it became active.
	RequireSuccessorUse bool
	// Use is the evidence at hand; nil when there is none.
	Use *UseEvidence
	// Missing says why Use is nil, for people ("prometheus: HTTP 503 ...",
	// "observed_at is unknown until apply").
	Missing string
}

// UseEvidence is what was observed of the use of each version, collected at
// one instant.
type UseEvidence struct {
	// Source names where it came from ("prometheus", "last_used"), for the
	// record of a transition decided on it.
	Source string
	// ObservedAt is when it was collected.
	ObservedAt time.Time
	// LastUsed is the last observed use of each version; a version absent
	// from it was not seen in use.
	LastUsed map[int64]time.Time
}

// EmissionGate is the emission_gate block with the evidence at hand.
type EmissionGate struct {
	// Sources are the sources (validators) that must report the pending
	// version before it becomes active.
	Sources []string
	// Accepted is the evidence at hand; nil when there is none.
	Accepted *AcceptEvidence
	// Missing says why Accepted is nil, for people.
	Missing string
}

// AcceptEvidence is which versions each source reports loaded, collected
// at one instant.
type AcceptEvidence struct {
	// Source names where it came from ("prometheus", "accepted").
	Source string
	// ObservedAt is when it was collected.
	ObservedAt time.Time
	// Loaded lists, per source, the versions it reports loaded.
	Loaded map[string][]int64
}

// Wait is a gated step that is due by the calendar but waits for evidence.
type Wait struct {
	// Action is ActionRevoke or ActionActivate.
	Action  Action
	Version int64
	// For says what it waits for, e.g. "last used 09:12, quiet until
	// 11:12" or "no evidence: prometheus: HTTP 503".
	For string
	// Until is the earliest instant the step can happen: the end of the
	// quiet period after the last observed use, or the first instant
	// evidence may be collected from (superseded + quiet period); zero when
	// no such bound is known. Later evidence may move it.
	Until time.Time
	// NoEvidence is true when it waits because no evidence was at hand:
	// the provider fetches evidence and decides again.
	NoEvidence bool
	// PastMaxWait is true when a revocation waited longer than MaxWait past
	// the overlap.
	PastMaxWait bool
}

// Text is the wait as next_transition shows it: "revoke v3: last used
// 09:12, quiet until 11:12".
func (w Wait) Text() string { return fmt.Sprintf("%s v%d: %s", w.Action, w.Version, w.For) }

// LateUse is a revoked version that the evidence shows in use after its
// revocation: a consumer presents it and fails right now.
type LateUse struct {
	Version   int64
	LastUsed  time.Time
	RevokedAt time.Time
}

// clock formats t for a short message: "09:12" on the day of ref (UTC),
// else "2006-01-02T09:12Z".
func clock(t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if t.Format(time.DateOnly) == ref.Format(time.DateOnly) {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02T15:04Z")
}

// revocationWait decides whether the revocation of the previous version v,
// due by the calendar, may happen now. It returns the evidence text to
// record on v when it may, or the wait when it may not.
func (e *engine) revocationWait(v *Version) (string, *Wait) {
	g := e.spec.Gates.Revocation
	if g == nil {
		return "", nil
	}
	w := &Wait{Action: ActionRevoke, Version: v.Version}
	if g.Use == nil {
		why := g.Missing
		if strings.TrimSpace(why) == "" {
			why = "none collected"
		}
		w.For, w.NoEvidence = "no evidence of use ("+why+")", true
		return "", w
	}
	ev := g.Use
	obs := ev.ObservedAt
	if obs.After(e.at) {
		w.For = fmt.Sprintf("evidence observed at %s, after the evaluation time %s", ts(obs), ts(e.at))
		return "", w
	}
	var why []string
	if from := v.SupersededAt.Add(g.QuietPeriod); obs.Before(from) {
		why = append(why, fmt.Sprintf("evidence from %s, needs evidence from %s on (superseded %s + quiet %s)",
			clock(obs, e.at), clock(from, e.at), clock(v.SupersededAt, e.at), formatDuration(g.QuietPeriod)))
		w.Until = later(w.Until, from)
	}
	last, used := ev.LastUsed[v.Version]
	if used && obs.Before(last.Add(g.QuietPeriod)) {
		until := last.Add(g.QuietPeriod)
		why = append(why, fmt.Sprintf("last used %s, quiet until %s", clock(last, e.at), clock(until, e.at)))
		w.Until = later(w.Until, until)
	}
	successor := ""
	if g.RequireSuccessorUse {
		s := e.state.Active()
		if s == nil || s.Version == v.Version {
			why = append(why, "no active successor to be seen in use")
		} else if su, seen := ev.LastUsed[s.Version]; !seen || su.Before(s.ActivatedAt) {
			why = append(why, fmt.Sprintf("successor v%d not seen in use since it became active %s", s.Version, clock(s.ActivatedAt, e.at)))
		} else {
			successor = fmt.Sprintf("; successor v%d last used %s", s.Version, ts(su))
		}
	}
	if len(why) > 0 {
		w.For = strings.Join(why, "; ")
		return "", w
	}
	use := fmt.Sprintf("v%d not seen in use", v.Version)
	if used {
		use = fmt.Sprintf("v%d last used %s, quiet %s since", v.Version, ts(last), formatDuration(g.QuietPeriod))
	}
	return fmt.Sprintf("%s observed %s: %s%s", ev.Source, ts(obs), use, successor), nil
}

// emergencyEvidence is the evidence text recorded on v, revoked in an
// emergency under a revocation gate: whether the evidence shows it still
// in use ("still in use" is what policy ROT030 looks for).
func (e *engine) emergencyEvidence(v *Version) string {
	g := e.spec.Gates.Revocation
	if g == nil || g.Use == nil {
		return ""
	}
	ev := g.Use
	last, used := ev.LastUsed[v.Version]
	switch {
	case !used:
		return fmt.Sprintf("%s observed %s: v%d not seen in use", ev.Source, ts(ev.ObservedAt), v.Version)
	case ev.ObservedAt.Before(last.Add(g.QuietPeriod)):
		return fmt.Sprintf("%s observed %s: v%d still in use, last used %s (within quiet_period %s)", ev.Source, ts(ev.ObservedAt), v.Version, ts(last), formatDuration(g.QuietPeriod))
	}
	return fmt.Sprintf("%s observed %s: v%d last used %s", ev.Source, ts(ev.ObservedAt), v.Version, ts(last))
}

// emissionWait decides whether the pending version p, due by the calendar,
// may become active now. It returns the evidence text to record on p when
// it may, or the wait when it may not.
func (e *engine) emissionWait(p *Version) (string, *Wait) {
	g := e.spec.Gates.Emission
	if g == nil {
		return "", nil
	}
	w := &Wait{Action: ActionActivate, Version: p.Version}
	if g.Accepted == nil {
		why := g.Missing
		if strings.TrimSpace(why) == "" {
			why = "none collected"
		}
		w.For, w.NoEvidence = "no evidence of acceptance ("+why+")", true
		return "", w
	}
	ev := g.Accepted
	switch {
	case ev.ObservedAt.After(e.at):
		w.For = fmt.Sprintf("evidence observed at %s, after the evaluation time %s", ts(ev.ObservedAt), ts(e.at))
		return "", w
	case !ev.ObservedAt.After(p.IssuedAt):
		w.For = fmt.Sprintf("evidence from %s, not after v%d was issued %s", clock(ev.ObservedAt, e.at), p.Version, clock(p.IssuedAt, e.at))
		return "", w
	case len(g.Sources) == 0:
		w.For = "no source listed or reporting"
		return "", w
	}
	var missing []string
	for _, s := range g.Sources {
		if !slices.Contains(ev.Loaded[s], p.Version) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		w.For = fmt.Sprintf("waiting for %s to report v%d", strings.Join(missing, ", "), p.Version)
		return "", w
	}
	verb := "report"
	if len(g.Sources) == 1 {
		verb = "reports"
	}
	return fmt.Sprintf("%s observed %s: %s %s v%d", ev.Source, ts(ev.ObservedAt), strings.Join(g.Sources, ", "), verb, p.Version), nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// gateWarnings warns about every gated step that waits, and about revoked
// versions the evidence shows in use after their revocation.
func (e *engine) gateWarnings(prior State) {
	for _, w := range e.decision.Waits {
		switch w.Action {
		case ActionRevoke:
			g := e.spec.Gates.Revocation
			v := e.state.Find(w.Version)
			due := v.SupersededAt.Add(e.schedule.Overlap)
			msg := fmt.Sprintf("revocation of v%d waits for evidence: %s. Its overlap ended at %s; the revocation_gate (quiet_period %s) lets it be revoked only once the evidence shows it unused, and waiting is the safe side",
				w.Version, w.For, ts(due), formatDuration(g.QuietPeriod))
			if g.RequireSuccessorUse {
				msg = strings.Replace(msg, "shows it unused", "shows it unused and its successor in use", 1)
			}
			if !w.Until.IsZero() {
				msg += fmt.Sprintf("; it cannot be revoked before %s", ts(w.Until))
			}
			if w.PastMaxWait {
				msg += fmt.Sprintf(". It has waited past max_wait %s (overlap end %s + max_wait = %s): find the consumer still using v%d, "+
					"or decide: revoke it with revoke_versions and revoke_reason (an emergency), or set hold_revocation with hold_reason (policy ROT033)",
					formatDuration(g.MaxWait), ts(due), ts(due.Add(g.MaxWait)), w.Version)
			}
			e.warn("%s", msg)
		case ActionActivate:
			e.warn("activation of v%d waits for evidence: %s. Its propagation ended at %s; the emission_gate lets it become active only once every source (%s) reports it in evidence collected after it was issued, and waiting is the safe side",
				w.Version, w.For, ts(e.state.Find(w.Version).IssuedAt.Add(e.schedule.Propagation)), sourceList(e.spec.Gates.Emission.Sources))
		}
	}
	g := e.spec.Gates.Revocation
	if g == nil || g.Use == nil {
		return
	}
	for _, p := range prior.Versions {
		if p.Status != StatusRevoked || p.RevokedAt.IsZero() {
			continue
		}
		last, ok := g.Use.LastUsed[p.Version]
		if !ok || !last.After(p.RevokedAt) {
			continue
		}
		e.decision.UsedAfterRevocation = append(e.decision.UsedAfterRevocation, LateUse{Version: p.Version, LastUsed: last, RevokedAt: p.RevokedAt})
		e.warn("v%d was used at %s, after its revocation at %s (%s observed %s): a consumer still presents it and is failing right now; find it and move it to the active version (policy ROT036)",
			p.Version, ts(last), ts(p.RevokedAt), g.Use.Source, ts(g.Use.ObservedAt))
	}
}

func sourceList(sources []string) string {
	if len(sources) == 0 {
		return "none listed"
	}
	return strings.Join(sources, ", ")
}

// waitingFor returns the wait of the gated step (a, v), if it waits.
func (d Decision) waitingFor(a Action, v int64) *Wait {
	for i := range d.Waits {
		if d.Waits[i].Action == a && d.Waits[i].Version == v {
			return &d.Waits[i]
		}
	}
	return nil
}

// NeedsEvidence reports which evidence would change the decision: use
// evidence when a revocation waits for lack of it or an emergency revoked a
// version under a revocation gate without it (its record then says whether
// it was still in use), acceptance evidence when an activation waits for
// lack of it. The provider fetches it and decides again.
func (d Decision) NeedsEvidence(spec Spec) (use, accept bool) {
	for _, w := range d.Waits {
		if w.NoEvidence {
			switch w.Action {
			case ActionRevoke:
				use = true
			case ActionActivate:
				accept = true
			}
		}
	}
	if g := spec.Gates.Revocation; g != nil && g.Use == nil {
		for _, tr := range d.Transitions {
			if tr.Action == ActionEmergencyRevoke {
				use = true
			}
		}
	}
	return use, accept
}
