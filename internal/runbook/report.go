package runbook

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// DefaultHorizon is the default length of the timeline.
const DefaultHorizon = 180 * 24 * time.Hour

// MaxHorizon is the longest horizon accepted: ten years.
const MaxHorizon = 3660 * 24 * time.Hour

// maxLanes caps the versions drawn per credential on a timeline; a period
// far shorter than the horizon would otherwise draw thousands of lanes.
const maxLanes = 24

// maxSteps caps the rollout steps listed per credential.
const maxSteps = 8

// maxEvents caps the rows of the upcoming transitions table.
const maxEvents = 12

// Options control Build.
type Options struct {
	// Now is the instant the runbook is written for. Zero means: the plan's
	// timestamp, else the newest timestamp in the state, else the current
	// time (see NowSource in the report).
	Now time.Time
	// Horizon is the length of the timeline; 0 means DefaultHorizon.
	Horizon time.Duration
	// Source names the input in the output (a file name).
	Source string
	// Generator names the program in the output, e.g.
	// "terraform-provider-rotation v1.2.3".
	Generator string
	// Logger receives debug and warning lines (names and counts only);
	// nil means none.
	Logger hclog.Logger
	// clock is the wall clock (tests replace it).
	clock func() time.Time
}

// Report is the credential lifecycle plan of one document.
type Report struct {
	Source    string
	Generator string
	Kind      string // plan or state
	// Now is the instant of the runbook; NowSource says where it came
	// from: "--now", "plan timestamp", "newest timestamp in the state" or
	// "current time".
	Now       time.Time
	NowSource string
	Horizon   time.Duration
	// Start and End bound the timelines: End = Now + Horizon; Start is
	// before Now when recorded history is shown (at most Horizon/4).
	Start, End time.Time
	Families   []*Family
	// Orphans are secrets and schedules whose family was not found.
	Orphans []*Credential
}

// Build computes the report: family matching, projections, checks, steps.
func Build(in *Input, opts Options) (*Report, error) {
	if opts.Horizon == 0 {
		opts.Horizon = DefaultHorizon
	}
	if opts.Horizon < 0 || opts.Horizon > MaxHorizon {
		return nil, fmt.Errorf("horizon %s is out of range: use more than 0s and at most %s", duration.Format(opts.Horizon), duration.Format(MaxHorizon))
	}
	log := opts.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	clock := opts.clock
	if clock == nil {
		clock = time.Now
	}
	rep := &Report{Source: opts.Source, Generator: opts.Generator, Kind: in.Kind, Horizon: opts.Horizon}
	if rep.Source == "" {
		rep.Source = in.File
	}

	families := map[string]*Resource{}
	byAddr := map[string]*Family{}
	var creds []*Credential
	for _, r := range in.Resources {
		switch r.Type {
		case typeFamily:
			families[r.Address] = r
			f := readFamily(r)
			byAddr[r.Address] = f
			rep.Families = append(rep.Families, f)
		default:
			creds = append(creds, readCredential(r))
		}
	}
	for _, c := range creds {
		if fr := in.familyOf(c.Resource, families); fr != nil {
			c.Family = byAddr[fr.Address]
			c.Family.Credentials = append(c.Family.Credentials, c)
		} else {
			rep.Orphans = append(rep.Orphans, c)
		}
	}

	// The instant of the runbook.
	switch {
	case !opts.Now.IsZero():
		rep.Now, rep.NowSource = opts.Now.UTC(), "--now"
	case in.Timestamp != "":
		t, err := time.Parse(time.RFC3339, in.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("%s: the plan's timestamp %q is not an RFC 3339 time; pass --now", in.File, in.Timestamp)
		}
		rep.Now, rep.NowSource = t.UTC(), "plan timestamp"
	default:
		if t := newestTimestamp(creds); !t.IsZero() {
			rep.Now, rep.NowSource = t, "newest timestamp in the state"
		} else {
			rep.Now, rep.NowSource = clock().UTC().Truncate(time.Second), "current time"
		}
	}
	rep.End = rep.Now.Add(rep.Horizon)
	rep.Start = rep.Now

	for _, f := range rep.Families {
		f.review(rep.Now)
	}
	for _, c := range creds {
		c.project(rep, log)
	}
	// History before now: at most a quarter of the horizon.
	earliest := rep.Now
	for _, c := range creds {
		for _, s := range c.Spans {
			if s.Recorded && s.From.Before(earliest) {
				earliest = s.From
			}
		}
	}
	if limit := rep.Now.Add(-rep.Horizon / 4); earliest.Before(limit) {
		earliest = limit
	}
	rep.Start = earliest
	for _, c := range creds {
		c.clipSpans(rep.Start)
		c.checks()
		c.steps(rep)
		c.rollback()
		c.notes()
	}
	log.Debug("runbook built", "families", len(rep.Families), "credentials", len(creds), "orphans", len(rep.Orphans),
		"now", rep.Now.Format(time.RFC3339), "now_source", rep.NowSource, "horizon", duration.Format(rep.Horizon))
	return rep, nil
}

// newestTimestamp is the latest transition recorded in any version: when
// the state was last changed by a rotation.
func newestTimestamp(creds []*Credential) time.Time {
	var last time.Time
	for _, c := range creds {
		st, _, _ := c.readVersions()
		for _, v := range st.Versions {
			for _, t := range []time.Time{v.IssuedAt, v.ActivatedAt, v.SupersededAt, v.RevokedAt} {
				if t.After(last) {
					last = t
				}
			}
		}
	}
	return last
}

// project reads the schedule and versions, stamps this plan's own
// transitions with the report's time and projects the lifecycle.
func (c *Credential) project(rep *Report, log hclog.Logger) {
	var problems []string
	for _, d := range []struct {
		name string
		v    Dur
	}{{"period", c.Period}, {"overlap", c.Overlap}, {"propagation", c.Propagation}, {"ttl", c.TTL}, {"jitter", c.Jitter}} {
		switch {
		case d.v.Unknown:
			problems = append(problems, "schedule."+d.name+" is known only after apply")
		case !d.v.Set:
			problems = append(problems, "schedule."+d.name+" is not set")
		case !d.v.OK:
			problems = append(problems, fmt.Sprintf("schedule.%s %q is not a duration", d.name, d.v.S))
		}
	}
	if p := c.readWindow(); p != "" {
		problems = append(problems, p)
	}
	st, infos, note := c.readVersions()
	if note != "" {
		c.Notes = append(c.Notes, T(note))
	}
	st = lifecycle.Stamp(st, rep.Now)
	c.State = st
	for i := range infos {
		v := st.Find(infos[i].Version)
		infos[i].IssuedAt, infos[i].ActivatedAt, infos[i].SupersededAt, infos[i].RevokedAt = v.IssuedAt, v.ActivatedAt, v.SupersededAt, v.RevokedAt
		if c.TTL.OK {
			infos[i].ExpiresAt = v.ExpiresAt(c.TTL.D)
			infos[i].Expired = v.Status.Accepted() && !infos[i].ExpiresAt.After(rep.Now)
		}
	}
	c.Versions = infos
	c.recordedSpans(rep.Now)

	key := c.FamilyValue.S
	if (!c.FamilyValue.Set || c.FamilyValue.Unknown) && c.Family != nil {
		key = c.Family.Name.S
	}
	c.Spec = lifecycle.Spec{
		Key:  key + "/" + c.Name.S,
		Mode: c.Mode,
		Schedule: lifecycle.Schedule{
			Period: c.Period.D, Overlap: c.Overlap.D, Propagation: c.Propagation.D, TTL: c.TTL.D, Jitter: c.Jitter.D, Window: c.Window,
		},
		Controls: lifecycle.Controls{Pin: c.Pin, HoldRevocation: c.Hold, HoldReason: c.HoldReason, HistoryLimit: c.HistoryLimit},
	}
	c.JitterOffset = lifecycle.JitterOffset(c.Spec.Key, c.Jitter.D)
	if len(problems) > 0 {
		c.Problem = joinNames(problems)
		log.Warn("not projected", "resource", c.Address, "reason", c.Problem)
		return
	}
	if errs := c.Spec.Schedule.Validate(c.Mode); len(errs) > 0 {
		c.Problem = errs[0].Error()
		log.Warn("not projected", "resource", c.Address, "reason", c.Problem)
		return
	}
	_, events, spans, err := lifecycle.Project(c.Spec, st, rep.Now, rep.Horizon)
	if err != nil {
		var ve *lifecycle.ValidationError
		if errors.As(err, &ve) {
			c.Problem = err.Error()
			log.Warn("not projected", "resource", c.Address, "reason", c.Problem)
			return
		}
		c.Truncated = true
		c.Problem = "the projection stopped early: " + err.Error()
		log.Warn("projection stopped early", "resource", c.Address, "reason", err.Error())
	}
	c.Events = events
	for _, s := range spans {
		to := s.To
		if to.IsZero() || to.After(rep.End) {
			to = rep.End
		}
		if !to.After(s.From) {
			continue
		}
		c.Spans = append(c.Spans, Span{Version: s.Version, Slot: s.Slot, Status: s.Status, From: s.From, To: to})
	}
	log.Debug("projected", "resource", c.Address, "events", len(events), "spans", len(spans), "versions", len(st.Versions))
}

// recordedSpans turns the recorded timestamps into the spans before now.
func (c *Credential) recordedSpans(now time.Time) {
	for _, v := range c.State.Versions {
		end := func(ts ...time.Time) time.Time {
			for _, t := range ts {
				if !t.IsZero() {
					return t
				}
			}
			return now
		}
		add := func(st lifecycle.Status, from, to time.Time) {
			if from.IsZero() || !to.After(from) || !from.Before(now) {
				return
			}
			if to.After(now) {
				to = now
			}
			c.Spans = append(c.Spans, Span{Version: v.Version, Slot: v.Slot, Status: st, From: from, To: to, Recorded: true})
		}
		switch {
		case !v.ActivatedAt.IsZero():
			add(lifecycle.StatusPending, v.IssuedAt, v.ActivatedAt)
		case v.Status == lifecycle.StatusPending:
			add(lifecycle.StatusPending, v.IssuedAt, now)
		default: // revoked while pending
			add(lifecycle.StatusPending, v.IssuedAt, end(v.RevokedAt))
		}
		if !v.ActivatedAt.IsZero() {
			add(lifecycle.StatusActive, v.ActivatedAt, end(v.SupersededAt, v.RevokedAt))
		}
		if !v.SupersededAt.IsZero() {
			add(lifecycle.StatusPrevious, v.SupersededAt, end(v.RevokedAt))
		}
	}
}

// clipSpans drops recorded history before start and orders the spans.
func (c *Credential) clipSpans(start time.Time) {
	out := c.Spans[:0]
	for _, s := range c.Spans {
		if !s.To.After(start) {
			continue
		}
		if s.From.Before(start) {
			s.From = start
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Version != out[j].Version {
			return out[i].Version < out[j].Version
		}
		return out[i].From.Before(out[j].From)
	})
	c.Spans = out
}

// LaneVersions are the versions drawn on the timeline, in order, at most
// maxLanes; hidden is how many more there are.
func (c *Credential) LaneVersions() (versions []int64, hidden int) {
	seen := map[int64]bool{}
	for _, s := range c.Spans {
		if !seen[s.Version] {
			seen[s.Version] = true
			versions = append(versions, s.Version)
		}
	}
	if len(versions) > maxLanes {
		return versions[:maxLanes], len(versions) - maxLanes
	}
	return versions, 0
}

// Upcoming are the projected transitions (supersede and prune folded away)
// at most maxEvents, and how many more there are.
func (c *Credential) Upcoming() (events []lifecycle.Event, more int) {
	for _, e := range c.Events {
		if e.Action == lifecycle.ActionSupersede || e.Action == lifecycle.ActionPrune {
			continue
		}
		if len(events) == maxEvents {
			more++
			continue
		}
		events = append(events, e)
	}
	return events, more
}

// NextEvent is the first projected transition (zero Event if none).
func (c *Credential) NextEvent() (lifecycle.Event, bool) {
	ev, _ := c.Upcoming()
	if len(ev) == 0 {
		return lifecycle.Event{}, false
	}
	return ev[0], true
}

// ActionLabel names an event for people: "accept (issue)", "emit
// (activate)", "revoke".
func ActionLabel(a lifecycle.Action) string {
	switch a {
	case lifecycle.ActionIssue:
		return "accept (issue)"
	case lifecycle.ActionActivate:
		return "emit (activate)"
	case lifecycle.ActionRevoke:
		return "revoke"
	case lifecycle.ActionPin:
		return "pin (rollback)"
	case lifecycle.ActionEmergencyRevoke:
		return "emergency revoke"
	case lifecycle.ActionSupersede:
		return "supersede"
	}
	return string(a)
}

// Verdicts of a check.
const (
	VerdictOK      = "ok"
	VerdictFail    = "fail"
	VerdictWarn    = "warn"
	VerdictUnknown = "unknown"
)

// Check is one line of the overlap arithmetic.
type Check struct {
	ID      string // policy rule id
	Name    string
	Rule    Text // what must hold
	Need    Text // the computed requirement
	Have    Text // the configured value
	Verdict string
	Margin  string
}

// Symbol is ✓, ✗, ⚠ or ?.
func (k Check) Symbol() string {
	switch k.Verdict {
	case VerdictOK:
		return "✓"
	case VerdictFail:
		return "✗"
	case VerdictWarn:
		return "⚠"
	}
	return "?"
}

func margin(have, need time.Duration, strict bool) string {
	d := have - need
	switch {
	case d > 0:
		return duration.Format(d) + " to spare"
	case d == 0 && strict:
		return "equal: must be longer"
	case d == 0:
		return "exactly enough"
	}
	return duration.Format(-d) + " short"
}

func names(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return " (" + joinNames(list) + ")"
}

// checks computes the overlap arithmetic (ROT020, ROT021, ROT002, ROT023).
func (c *Credential) checks() {
	f := c.Family
	sched := c.Period.OK && c.Overlap.OK && c.Propagation.OK && c.TTL.OK
	unknown := func(id, name string, rule Text, why string) Check {
		return Check{ID: id, Name: name, Rule: rule, Need: T(why), Have: T("—"), Verdict: VerdictUnknown, Margin: "—"}
	}

	rule20 := T(Code("overlap"), " > longest consumer cache + ", Code("artifact_lifetime"))
	switch {
	case f == nil:
		c.Checks = append(c.Checks, unknown("ROT020", "overlap vs caches", rule20, "no family: no consumers to compare with"))
	case !f.CachesKnown || !f.ArtifactLifetime.OK || !c.Overlap.OK:
		c.Checks = append(c.Checks, unknown("ROT020", "overlap vs caches", rule20, "known after apply"))
	default:
		need := f.MaxCache + f.ArtifactLifetime.D
		k := Check{ID: "ROT020", Name: "overlap vs caches", Rule: rule20,
			Need:   T("longest cache ", duration.Format(f.MaxCache), names(f.MaxCacheFrom), " + artifact lifetime ", duration.Format(f.ArtifactLifetime.D), " = ", duration.Format(need)),
			Have:   T("overlap ", duration.Format(c.Overlap.D)),
			Margin: margin(c.Overlap.D, need, true), Verdict: VerdictOK}
		if c.Overlap.D <= need {
			k.Verdict = VerdictFail
		}
		c.Checks = append(c.Checks, k)
	}

	rule21 := T(Code("propagation"), " ≥ longest validator cache")
	switch {
	case f == nil:
		c.Checks = append(c.Checks, unknown("ROT021", "propagation vs validator caches", rule21, "no family: no consumers to compare with"))
	case !f.CachesKnown || !c.Propagation.OK:
		c.Checks = append(c.Checks, unknown("ROT021", "propagation vs validator caches", rule21, "known after apply"))
	case !f.HasValidators:
		c.Checks = append(c.Checks, Check{ID: "ROT021", Name: "propagation vs validator caches", Rule: rule21,
			Need: T("no validator consumers"), Have: T("propagation ", duration.Format(c.Propagation.D)), Verdict: VerdictOK, Margin: "—"})
	default:
		k := Check{ID: "ROT021", Name: "propagation vs validator caches", Rule: rule21,
			Need:   T("longest validator cache ", duration.Format(f.MaxValidator), names(f.MaxValidatorFrom)),
			Have:   T("propagation ", duration.Format(c.Propagation.D)),
			Margin: margin(c.Propagation.D, f.MaxValidator, false), Verdict: VerdictOK}
		if c.Propagation.D < f.MaxValidator {
			k.Verdict = VerdictFail
		}
		c.Checks = append(c.Checks, k)
	}

	rule01 := T(Code("ttl"), " ≤ the maximum for the family's classification (default limits)")
	switch {
	case !c.TTL.OK:
		c.Checks = append(c.Checks, unknown("ROT001", "ttl vs classification", rule01, "ttl not known"))
	case f == nil || f.Classification.Unknown || maxTTL[f.Classification.S] == 0:
		c.Checks = append(c.Checks, unknown("ROT001", "ttl vs classification", rule01, "classification not known"))
	default:
		limit := maxTTL[f.Classification.S]
		k := Check{ID: "ROT001", Name: "ttl vs classification", Rule: rule01,
			Need: T("at most ", duration.Format(limit), " for ", f.Classification.S), Have: T("ttl ", duration.Format(c.TTL.D)),
			Margin: margin(limit, c.TTL.D, false), Verdict: VerdictOK}
		if c.TTL.D > limit {
			k.Verdict = VerdictFail
			k.Margin = duration.Format(c.TTL.D-limit) + " too long"
		}
		c.Checks = append(c.Checks, k)
	}

	rule02 := T(Code("propagation + period + overlap"), " ≤ ", Code("ttl"))
	rule23 := T(Code("propagation + overlap"), " < ", Code("period"))
	if !sched {
		c.Checks = append(c.Checks, unknown("ROT002", "lifetime vs ttl", rule02, "schedule not fully known"),
			unknown("ROT023", "rotations do not pile up", rule23, "schedule not fully known"))
		return
	}
	life := c.Propagation.D + c.Period.D + c.Overlap.D
	k := Check{ID: "ROT002", Name: "lifetime vs ttl", Rule: rule02,
		Need: T("propagation ", duration.Format(c.Propagation.D), " + period ", duration.Format(c.Period.D), " + overlap ", duration.Format(c.Overlap.D), " = ", duration.Format(life)),
		Have: T("ttl ", duration.Format(c.TTL.D)), Margin: margin(c.TTL.D, life, false), Verdict: VerdictOK}
	if c.TTL.D < life {
		k.Verdict = VerdictFail
	}
	c.Checks = append(c.Checks, k)

	busy := c.Propagation.D + c.Overlap.D
	k = Check{ID: "ROT023", Name: "rotations do not pile up", Rule: rule23,
		Need: T("propagation ", duration.Format(c.Propagation.D), " + overlap ", duration.Format(c.Overlap.D), " = ", duration.Format(busy)),
		Have: T("period ", duration.Format(c.Period.D)), Margin: margin(c.Period.D, busy, true), Verdict: VerdictOK}
	if busy >= c.Period.D {
		k.Verdict = VerdictWarn
		if c.Type == typeSchedule {
			k.Verdict = VerdictFail
		}
	}
	c.Checks = append(c.Checks, k)
}

// maxTTL is the default max_ttl parameter of ROT001 by classification
// (policies/lib/params.rego); `check --params` may set other limits.
var maxTTL = map[string]time.Duration{
	"critical": 30 * 24 * time.Hour,
	"high":     90 * 24 * time.Hour,
	"medium":   180 * 24 * time.Hour,
	"low":      365 * 24 * time.Hour,
}

// Failing counts checks that fail and warn.
func (c *Credential) Failing() (fail, warn int) {
	for _, k := range c.Checks {
		switch k.Verdict {
		case VerdictFail:
			fail++
		case VerdictWarn:
			warn++
		}
	}
	return
}
