package runbook

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
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

// DefaultMaxTransitions caps the simulation work of one report: the
// transitions projected for all its secrets and schedules together. Every
// projected transition costs one decision of the engine and a few dozen
// bytes, so a report stays within seconds and tens of MiB whatever the
// periods and the horizon (41 secrets with period 1s over 180d would be
// 640 million transitions).
const DefaultMaxTransitions = 1_000_000

// maxCredentialTransitions caps the projection of one credential below the
// engine's own step limit (lifecycle.Project stops after 100 000 applies,
// each at least one transition).
const maxCredentialTransitions = 90_000

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
	// MaxTransitions caps the transitions projected for the whole report
	// (see DefaultMaxTransitions, the value 0 means); the timelines of the
	// credentials that would need more stop early, and say so.
	MaxTransitions int
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
	// from: "--now", "params.now", "plan timestamp", "newest timestamp in
	// the state" or "current time".
	Now       time.Time
	NowSource string
	// AsOf is the instant the policies judged the time-based rules at
	// (ROT003, ROT013), and AsOfSource where it came from; it differs from
	// Now only for a state without --now or params.now (the policies then
	// use the current time, as `check` does).
	AsOf       time.Time
	AsOfSource string
	Horizon    time.Duration
	// Start and End bound the timelines: End = Now + Horizon; Start is
	// before Now when recorded history is shown (at most Horizon/4).
	Start, End time.Time
	Families   []*Family
	// Orphans are secrets and schedules whose family was not found.
	Orphans []*Credential
	// Findings are the policy findings about neither a family nor a
	// credential of the document (a provider configuration, the
	// parameters, resources of other types).
	Findings []policy.Finding
	// Waived are the findings valid params.waivers entries cover (each
	// with its Waiver): listed as waived, never counted as failures.
	Waived []policy.Finding
	// Removed are the secrets and schedules the plan deletes, replaces or
	// forgets (ROT024), by address.
	Removed []*Removal
	// MaxTransitions is the report's simulation limit and Projected the
	// transitions projected in all (at most MaxTransitions); Capped lists
	// the credentials whose timelines stop early because of the limit.
	MaxTransitions int
	Projected      int
	Capped         []string
}

// Build computes the report from the policies' view and verdicts: the
// families and their credentials, projections, checks, steps.
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
	rep := &Report{Source: opts.Source, Generator: opts.Generator, Kind: in.Kind, Horizon: opts.Horizon, AsOf: in.AsOf, AsOfSource: in.AsOfSource, Waived: in.Waived}
	if rep.Source == "" {
		rep.Source = in.File
	}

	families := map[string]*Family{}
	for _, a := range sortedKeys(in.view.Families) {
		f := readFamily(in.view.Families[a])
		families[a] = f
		rep.Families = append(rep.Families, f)
	}
	credentials := map[string]*Credential{}
	var creds []*Credential
	for _, a := range sortedKeys(in.view.Secrets) {
		v := in.view.Secrets[a]
		c := readCredential(v)
		credentials[a] = c
		creds = append(creds, c)
		if v.Family != nil && families[*v.Family] != nil {
			c.Family = families[*v.Family]
			c.Family.Credentials = append(c.Family.Credentials, c)
		} else {
			rep.Orphans = append(rep.Orphans, c)
		}
	}
	removed := map[string]*Removal{}
	for _, a := range sortedKeys(in.view.Removed) {
		r := readRemoval(in.view.Removed[a])
		removed[a] = r
		rep.Removed = append(rep.Removed, r)
	}
	for _, f := range in.Waived {
		if c := credentials[f.Resource]; c != nil {
			c.Waived = append(c.Waived, f)
		}
	}
	for _, f := range in.Findings {
		switch {
		case removed[f.Resource] != nil && credentials[f.Resource] == nil:
			r := removed[f.Resource]
			r.Findings = append(r.Findings, f)
		case credentials[f.Resource] != nil:
			c := credentials[f.Resource]
			c.Findings = append(c.Findings, f)
		case families[f.Resource] != nil:
			fam := families[f.Resource]
			fam.Findings = append(fam.Findings, f)
		default:
			rep.Findings = append(rep.Findings, f)
		}
	}

	// The instant of the runbook.
	switch {
	case !opts.Now.IsZero():
		rep.Now, rep.NowSource = opts.Now.UTC(), "--now"
	case in.AsOfSource == "params.now" && !in.AsOf.IsZero():
		rep.Now, rep.NowSource = in.AsOf, "params.now"
	case in.Timestamp != "":
		t, err := time.Parse(time.RFC3339, in.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("%s: the plan's timestamp %q is not an RFC 3339 time; pass --now", in.File, in.Timestamp)
		}
		rep.Now, rep.NowSource = t.UTC(), "plan timestamp"
	default:
		var newest time.Time
		for _, c := range creds {
			if t := c.Recorded.Newest(); t.After(newest) {
				newest = t
			}
		}
		now := clock().UTC().Truncate(time.Second)
		switch {
		case newest.After(now):
			// A record ahead of the clock (ROT042) never dates the report.
			rep.Now, rep.NowSource = now, "current time; the state's newest timestamp "+newest.Format(time.RFC3339)+" is in the future"
		case !newest.IsZero():
			rep.Now, rep.NowSource = newest, "newest timestamp in the state"
		default:
			rep.Now, rep.NowSource = now, "current time"
		}
	}
	if rep.AsOf.IsZero() {
		rep.AsOf, rep.AsOfSource = rep.Now, rep.NowSource
	}
	rep.End = rep.Now.Add(rep.Horizon)
	rep.Start = rep.Now

	for _, f := range rep.Families {
		f.review()
		f.fileFindings()
	}
	rep.MaxTransitions = opts.MaxTransitions
	if rep.MaxTransitions <= 0 {
		rep.MaxTransitions = DefaultMaxTransitions
	}
	var ready []*Credential
	for _, c := range creds {
		if c.prepare(rep, log) {
			ready = append(ready, c)
		}
	}
	rep.projectAll(ready, log)
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
	params := readParams(in.view.Params)
	for _, c := range creds {
		c.asOf = rep.AsOf
		c.clipSpans(rep.Start)
		c.checks(params)
		c.steps(rep)
		c.rollback()
		c.notes()
	}
	log.Debug("runbook built", "families", len(rep.Families), "credentials", len(creds), "orphans", len(rep.Orphans), "findings", len(in.Findings),
		"now", rep.Now.Format(time.RFC3339), "now_source", rep.NowSource, "horizon", duration.Format(rep.Horizon))
	return rep, nil
}

// Removal is a secret or schedule the plan deletes, replaces or forgets.
type Removal struct {
	Address string
	Type    string
	Actions []string
	// Accepted are the versions it accepted before the plan: they stop
	// being accepted at once.
	Accepted []VersionInfo
	// Findings are the policy findings about it (ROT024), unless it is
	// replaced: then they are the new credential's.
	Findings []policy.Finding
}

func readRemoval(v removedView) *Removal {
	r := &Removal{Address: v.Address, Type: v.Type, Actions: v.Actions}
	for _, m := range v.Versions {
		n, ok := number(m.Version)
		st := lifecycle.Status(str(m.Status))
		if !ok || !st.Accepted() {
			continue
		}
		info := VersionInfo{Version: n, Status: string(st), KID: str(m.KID)}
		if m.sensitive("kid") && info.KID != "" {
			info.KID = SensitiveText
		}
		if v.Type == typeSchedule {
			info.Slot = lifecycle.SlotOf(lifecycle.ModeTwoSlot, n)
		}
		r.Accepted = append(r.Accepted, info)
	}
	sort.Slice(r.Accepted, func(i, j int) bool { return r.Accepted[i].Version < r.Accepted[j].Version })
	return r
}

// Change says what the plan does to the resource.
func (r *Removal) Change() string {
	switch strings.Join(r.Actions, ",") {
	case "delete":
		return "destroyed"
	case "forget":
		return "forgotten (a removed block): its record leaves the state"
	case "delete,create", "create,delete":
		return "replaced: the new resource starts over with a new version 1"
	}
	return "removed (" + strings.Join(r.Actions, ", ") + ")"
}

// AcceptedText lists the versions that stop being accepted.
func (r *Removal) AcceptedText() string {
	if len(r.Accepted) == 0 {
		return "none"
	}
	var parts []string
	for _, v := range r.Accepted {
		parts = append(parts, versionLabel(v.Version, v.Slot)+" ("+v.Status+")")
	}
	return strings.Join(parts, ", ")
}

// projectAll projects the credentials within the report's simulation
// limit. Each gets an equal share of what the ones before it left, the
// cheapest first, and at most maxCredentialTransitions; one whose schedule
// could need more over the horizon (transitionBound) is projected over the
// shorter horizon its share covers, and says so.
func (r *Report) projectAll(creds []*Credential, log hclog.Logger) {
	bounds := make(map[*Credential]int64, len(creds))
	for _, c := range creds {
		bounds[c] = c.transitionBound(r.Horizon)
	}
	sort.SliceStable(creds, func(i, j int) bool { return bounds[creds[i]] < bounds[creds[j]] })
	remaining := int64(r.MaxTransitions)
	for i, c := range creds {
		share := min(remaining/int64(len(creds)-i), maxCredentialTransitions)
		horizon := r.Horizon
		if bounds[c] > share {
			horizon = c.horizonFor(share, r.Horizon)
			r.Capped = append(r.Capped, c.Address)
			c.Truncated = true
			c.Problem = fmt.Sprintf("a period of %s over the horizon of %s could take up to %s projected transitions, more than this credential's share (%s) of the report's simulation limit (%s in all)",
				c.Period.Text(), duration.Format(r.Horizon), groupDigits(bounds[c]), groupDigits(share), groupDigits(int64(r.MaxTransitions)))
			if horizon > 0 {
				c.Problem += ", so its timeline stops at " + fmtTime(r.Now.Add(horizon))
			} else {
				c.Problem += ", and nothing was left for it"
			}
			log.Warn("projection capped by the report's simulation limit", "resource", c.Address, "bound", bounds[c], "share", share, "horizon", duration.Format(horizon))
		}
		if horizon <= 0 {
			continue
		}
		n := c.project(r, horizon, log)
		remaining -= int64(n)
		r.Projected += n
	}
	sort.Strings(r.Capped)
}

// transitionBound is an upper bound of the transitions a projection of c
// over horizon records: every version issued in it (at most one per period,
// plus one) and every version recorded goes through at most issue,
// activate, supersede, revoke and prune.
func (c *Credential) transitionBound(horizon time.Duration) int64 {
	return 5 * (int64(horizon/c.Period.D) + 2 + int64(len(c.State.Versions)))
}

// horizonFor is the longest horizon, at most full, whose transitionBound is
// within budget (0 when none is).
func (c *Credential) horizonFor(budget int64, full time.Duration) time.Duration {
	periods := budget/5 - 2 - int64(len(c.State.Versions))
	if periods <= 0 {
		return 0
	}
	if periods >= int64(full/c.Period.D) {
		return full
	}
	return time.Duration(periods) * c.Period.D
}

// groupDigits writes n with thin groups of three digits: 1 000 000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// prepare stamps this plan's own transitions with the report's time, reads
// the recorded history and builds the engine's spec; false when the
// credential cannot be projected (Problem says why).
func (c *Credential) prepare(rep *Report, log hclog.Logger) bool {
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
		case !d.v.Valid:
			problems = append(problems, fmt.Sprintf("schedule.%s %q is not a duration", d.name, d.v.Content))
		}
	}
	if p := c.readWindow(); p != "" {
		problems = append(problems, p)
	}
	if c.versionsNote != "" {
		c.Notes = append(c.Notes, makeText(c.versionsNote))
	}
	st := lifecycle.Stamp(c.Recorded, rep.Now)
	c.State = st
	for i := range c.Versions {
		v := st.Find(c.Versions[i].Version)
		info := &c.Versions[i]
		info.IssuedAt, info.ActivatedAt, info.SupersededAt, info.RevokedAt = v.IssuedAt, v.ActivatedAt, v.SupersededAt, v.RevokedAt
		// The expiry ROT003 uses: the recorded expires_at, else issued_at + ttl.
		if t, ok := c.expiresAt[info.Version]; ok {
			info.ExpiresAt = t
		} else if c.TTL.Valid {
			info.ExpiresAt = v.ExpiresAt(c.TTL.D)
		}
	}
	// Recorded history before now.
	for _, v := range st.Versions {
		for _, s := range v.History(rep.Now) {
			c.Spans = append(c.Spans, Span{Version: s.Version, Slot: s.Slot, Status: s.Status, From: s.From, To: s.To, Recorded: true})
		}
	}

	key := c.FamilyValue.Raw()
	if (!c.FamilyValue.Set || c.FamilyValue.Unknown) && c.Family != nil {
		key = c.Family.Name.Raw()
	}
	c.Spec = lifecycle.Spec{
		Key:  key + "/" + c.Name.Raw(),
		Mode: c.Mode,
		Schedule: lifecycle.Schedule{
			Period: c.Period.D, Overlap: c.Overlap.D, Propagation: c.Propagation.D, TTL: c.TTL.D, Jitter: c.Jitter.D, Window: c.Window,
		},
		Controls: lifecycle.Controls{Pin: c.Pin, HoldRevocation: c.Hold, HoldReason: c.HoldReason.Raw(), HistoryLimit: c.HistoryLimit},
	}
	c.JitterOffset = lifecycle.JitterOffset(c.Spec.Key, c.Jitter.D)
	c.Gates = c.engineGates()
	if len(problems) > 0 {
		c.Problem = joinNames(problems)
		log.Warn("not projected", "resource", c.Address, "reason", c.Problem)
		return false
	}
	if errs := c.Spec.Schedule.Validate(c.Mode); len(errs) > 0 {
		c.Problem = errs[0].Error()
		log.Warn("not projected", "resource", c.Address, "reason", c.Problem)
		return false
	}
	return true
}

// project projects the lifecycle from the report's time over horizon (the
// report's, or less within the simulation limit) and returns the number of
// transitions projected.
func (c *Credential) project(rep *Report, horizon time.Duration, log hclog.Logger) int {
	st := c.State
	end := rep.Now.Add(horizon)
	_, events, spans, err := lifecycle.Project(c.Spec, st, rep.Now, horizon)
	if err != nil {
		var ve *lifecycle.ValidationError
		if errors.As(err, &ve) {
			c.Problem = err.Error()
			log.Warn("not projected", "resource", c.Address, "reason", c.Problem)
			return len(events)
		}
		c.Truncated = true
		c.Problem = "the projection stopped early: " + err.Error()
		log.Warn("projection stopped early", "resource", c.Address, "reason", err.Error())
	}
	c.Events = events
	for _, s := range spans {
		to := s.To
		if to.IsZero() || to.After(end) {
			to = end
		}
		if !to.After(s.From) {
			continue
		}
		c.Spans = append(c.Spans, Span{Version: s.Version, Slot: s.Slot, Status: s.Status, From: s.From, To: to})
	}
	log.Debug("projected", "resource", c.Address, "events", len(events), "spans", len(spans), "versions", len(st.Versions))
	return len(events)
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
	// VerdictWaived: the rule's findings about the credential are covered
	// by a valid params.waivers entry (never a failure).
	VerdictWaived = "waived"
)

// Check is one line of the overlap arithmetic: the numbers of a rule, as
// the policies' view has them, and the rule's verdict, as the policies'
// findings give it.
type Check struct {
	ID      string // policy rule id
	Name    string
	Rule    Text // what must hold
	Need    Text // the computed requirement
	Have    Text // the configured value
	Verdict string
	Margin  string
	// Computed is set when the numbers are known; Short is set when they
	// do not meet the rule (so the verdict must be fail or warn: the
	// tests hold the numbers to the findings).
	Computed bool
	Short    bool
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
	case VerdictWaived:
		return "⊘"
	}
	return "?"
}

// margin says by how much have meets need; SensitiveText when one of parts
// (the values have and need come from) is sensitive.
func margin(have, need time.Duration, strict bool, parts ...Dur) string {
	for _, p := range parts {
		if p.Sensitive {
			return SensitiveText
		}
	}
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

// ruleParams are the parameters of the rules whose arithmetic the runbook
// shows, as the policies see them (the given ones over the defaults).
type ruleParams struct {
	maxTTL        map[string]Dur
	maxTTLDefault bool
	factor        float64
	factorValid   bool
}

func readParams(v paramsView) ruleParams {
	p := ruleParams{maxTTL: map[string]Dur{}, maxTTLDefault: v.MaxTTLDefault}
	for cls, f := range v.MaxTTL {
		p.maxTTL[cls] = durOf(f)
	}
	p.factor, p.factorValid = float(v.OverlapCacheFactor)
	p.factorValid = p.factorValid && p.factor >= 0
	return p
}

// checks lays out the overlap arithmetic of the rules ROT020, ROT021,
// ROT001, ROT002 and ROT023: the numbers from the policies' view and
// parameters, the verdict from the policies' findings.
func (c *Credential) checks(p ruleParams) {
	f := c.Family
	row := func(id, name string, rule Text) Check {
		v := c.verdict(id)
		if v == VerdictOK && c.waived(id) {
			v = VerdictWaived
		}
		return Check{ID: id, Name: name, Rule: rule, Verdict: v}
	}
	defer func() {
		for _, k := range c.Checks {
			switch {
			case k.Verdict == VerdictFail:
				c.shown.add(k.ID, policy.Deny)
			case k.Verdict == VerdictWarn, k.Verdict == VerdictUnknown && len(unchecked(c.Findings, k.ID)) > 0:
				c.shown.add(k.ID, policy.Warn)
			}
		}
	}()
	// notComputed fills a row whose numbers are not all known: why, from
	// the "could not be checked" finding when there is one (it names the
	// value), else the fallback.
	notComputed := func(k Check, why string) Check {
		if w := gaps(c.Findings, k.ID); len(w) > 0 && f != nil {
			why = gapOf(w[0])
			if isRefused(w[0]) {
				why += ": refused (fail closed)"
			}
		}
		k.Need, k.Have, k.Margin = makeText(why), makeText("—"), "—"
		if k.Verdict == VerdictOK {
			k.Verdict = VerdictUnknown // the policies did not check it either
		}
		return k
	}

	// ROT020
	rule20 := makeText(Code("overlap"), " > longest consumer cache + ", Code("artifact_lifetime"))
	if p.factorValid && p.factor != 1 {
		rule20 = makeText(Code("overlap"), " > ", Code("overlap_cache_factor"), " × (longest consumer cache + ", Code("artifact_lifetime"), ")")
	}
	k := row("ROT020", "overlap vs caches", rule20)
	switch {
	case f == nil:
		c.Checks = append(c.Checks, notComputed(k, "no family: no consumers to compare with"))
	case !f.RequiredKnown || !c.Overlap.Valid || !p.factorValid:
		c.Checks = append(c.Checks, notComputed(k, "known after apply"))
	default:
		need := time.Duration(float64(f.RequiredOverlap) * p.factor)
		sum := makeText("longest cache ", f.maxCacheText(), names(f.MaxCacheFrom), " + artifact lifetime ", f.ArtifactLifetime.Text())
		if p.factor != 1 {
			sum = makeText(strconv.FormatFloat(p.factor, 'f', -1, 64), " × (", sum, ")")
		}
		k.Need = makeText(sum, " = ", fmtSum(need, f.cachesDur(), f.ArtifactLifetime))
		k.Have = makeText("overlap ", c.Overlap.Text())
		k.Margin = margin(c.Overlap.D, need, true, c.Overlap, f.cachesDur(), f.ArtifactLifetime)
		k.Computed, k.Short = true, c.Overlap.D <= need
		c.Checks = append(c.Checks, k)
	}

	// ROT021
	k = row("ROT021", "propagation vs validator caches", makeText(Code("propagation"), " ≥ longest validator cache"))
	switch {
	case f == nil:
		c.Checks = append(c.Checks, notComputed(k, "no family: no consumers to compare with"))
	case !f.CachesKnown || !c.Propagation.Valid:
		c.Checks = append(c.Checks, notComputed(k, "known after apply"))
	case !f.HasValidators:
		k.Need, k.Have, k.Margin = makeText("no validator consumers"), makeText("propagation ", c.Propagation.Text()), "—"
		k.Computed = true
		c.Checks = append(c.Checks, k)
	default:
		k.Need = makeText("longest validator cache ", f.maxValidatorText(), names(f.MaxValidatorFrom))
		k.Have = makeText("propagation ", c.Propagation.Text())
		k.Margin = margin(c.Propagation.D, f.MaxValidator, false, c.Propagation, f.cachesDur())
		k.Computed, k.Short = true, c.Propagation.D < f.MaxValidator
		c.Checks = append(c.Checks, k)
	}

	// ROT001
	limits := makeText("(default limits)")
	if !p.maxTTLDefault {
		limits = makeText("(", Code("params.max_ttl"), ")")
	}
	k = row("ROT001", "ttl vs classification", makeText(Code("ttl"), " ≤ the maximum for the family's classification ", limits))
	cls := c.Classification
	limit := p.maxTTL[cls.Raw()]
	haveLimit := cls.Set && !cls.Unknown && limit.Valid
	forWhat := cls.Content
	if c.NoFamily {
		forWhat += " (no family)"
	}
	switch {
	case !c.TTL.Set && !c.TTL.Unknown && haveLimit:
		k.Need, k.Have, k.Margin = makeText("at most ", duration.Format(limit.D), " for ", forWhat), makeText("ttl not set"), "—"
		c.Checks = append(c.Checks, k)
	case !c.TTL.Valid:
		c.Checks = append(c.Checks, notComputed(k, "ttl not known"))
	case !haveLimit:
		c.Checks = append(c.Checks, notComputed(k, "classification not known"))
	default:
		k.Need, k.Have = makeText("at most ", duration.Format(limit.D), " for ", forWhat), makeText("ttl ", c.TTL.Text())
		k.Margin = margin(limit.D, c.TTL.D, false, c.TTL, Dur{Value: cls})
		k.Computed, k.Short = true, c.TTL.D > limit.D
		if k.Short {
			k.Margin = fmtSum(c.TTL.D-limit.D, c.TTL, Dur{Value: cls}) + " too long"
		}
		c.Checks = append(c.Checks, k)
	}

	// ROT002
	k = row("ROT002", "lifetime vs ttl", makeText(Code("propagation + period + overlap"), " ≤ ", Code("ttl")))
	if !c.Propagation.Valid || !c.Period.Valid || !c.Overlap.Valid || !c.TTL.Valid {
		c.Checks = append(c.Checks, notComputed(k, "schedule not fully known"))
	} else {
		life := c.Propagation.D + c.Period.D + c.Overlap.D
		k.Need = makeText("propagation ", c.Propagation.Text(), " + period ", c.Period.Text(), " + overlap ", c.Overlap.Text(), " = ", fmtSum(life, c.Propagation, c.Period, c.Overlap))
		k.Have = makeText("ttl ", c.TTL.Text())
		k.Margin = margin(c.TTL.D, life, false, c.TTL, c.Propagation, c.Period, c.Overlap)
		k.Computed, k.Short = true, c.TTL.D < life
		c.Checks = append(c.Checks, k)
	}

	// ROT023
	k = row("ROT023", "rotations do not pile up", makeText(Code("propagation + overlap"), " < ", Code("period")))
	if !c.Propagation.Valid || !c.Period.Valid || !c.Overlap.Valid {
		c.Checks = append(c.Checks, notComputed(k, "schedule not fully known"))
	} else {
		busy := c.Propagation.D + c.Overlap.D
		k.Need = makeText("propagation ", c.Propagation.Text(), " + overlap ", c.Overlap.Text(), " = ", fmtSum(busy, c.Propagation, c.Overlap))
		k.Have = makeText("period ", c.Period.Text())
		k.Margin = margin(c.Period.D, busy, true, c.Period, c.Propagation, c.Overlap)
		k.Computed, k.Short = true, busy >= c.Period.D
		c.Checks = append(c.Checks, k)
	}
}

// Failing counts the rules the policies deny and warn about for the
// credential (each rule once, at its highest severity).
func (c *Credential) Failing() (fail, warn int) { return countRules(c.Findings) }
