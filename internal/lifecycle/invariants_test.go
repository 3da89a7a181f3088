package lifecycle

// The invariant checker and the random plan/apply simulation shared by
// property_test.go (math/rand/v2 with fixed seeds) and fuzz_test.go (fuzz
// bytes). Both drive runSequence with a source of numbers.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the window time zones must load on any machine
)

// source is where a simulation takes its choices from: *rand.Rand in the
// property test, the fuzz input in the fuzz test.
type source interface{ IntN(n int) int }

// byteSource reads choices from fuzz bytes; once they run out every choice
// is 0.
type byteSource struct{ b []byte }

// IntN reads one byte for n <= 256, two for n <= 65536 and four beyond,
// so that small choices cost little input.
func (s *byteSource) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	size := 4
	switch {
	case n <= 1<<8:
		size = 1
	case n <= 1<<16:
		size = 2
	}
	var buf [4]byte
	k := copy(buf[4-size:], s.b)
	s.b = s.b[k:]
	return int(binary.BigEndian.Uint32(buf[:]) % uint32(n))
}

func (s *byteSource) exhausted() bool { return len(s.b) == 0 }

func chance(src source, pct int) bool { return src.IntN(100) < pct }

// durN is a random whole number of seconds in [0, limit].
func durN(src source, limit time.Duration) time.Duration {
	if limit < time.Second {
		return 0
	}
	secs := int64(limit / time.Second)
	if secs >= 1<<31-1 {
		secs = 1<<31 - 2
	}
	return time.Duration(src.IntN(int(secs)+1)) * time.Second
}

var testZones = []string{"UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "Europe/Berlin"}

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// genSchedule draws a valid schedule for mode.
func genSchedule(src source, mode Mode) Schedule {
	units := []time.Duration{time.Minute, time.Hour, 24 * time.Hour}
	period := time.Duration(1+src.IntN(60)) * units[src.IntN(len(units))]
	var prop, overlap time.Duration
	if mode == ModeTwoSlot {
		budget := period - time.Second // prop + overlap < period
		if chance(src, 70) {
			prop = durN(src, budget/2)
		}
		if chance(src, 90) {
			overlap = durN(src, budget-prop)
		}
	} else {
		if chance(src, 75) {
			prop = durN(src, period*3/2)
		}
		if chance(src, 85) {
			overlap = durN(src, 2*period)
		}
	}
	ttl := prop + period + overlap
	if chance(src, 50) {
		ttl += durN(src, period)
	}
	s := Schedule{Period: period, Overlap: overlap, Propagation: prop, TTL: ttl}
	if chance(src, 40) {
		s.Jitter = durN(src, period)
	}
	if chance(src, 35) {
		s.Window = genWindow(src)
	}
	return s
}

func genWindow(src source) *ChangeWindow {
	w := &ChangeWindow{Location: mustLoad(testZones[src.IntN(len(testZones))])}
	if chance(src, 60) {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if chance(src, 50) {
				w.Days = append(w.Days, d)
			}
		}
	}
	w.Start = time.Duration(src.IntN(24*60)) * time.Minute
	if chance(src, 10) {
		w.End = 24 * time.Hour
	} else {
		w.End = time.Duration(src.IntN(24*60)) * time.Minute
	}
	if w.End == w.Start {
		w.End = (w.Start + 90*time.Minute) % (24 * time.Hour)
	}
	return w
}

// simStats counts what the simulations exercised, so that the property test
// can tell a generator that stopped reaching the interesting cases.
type simStats struct {
	sequences, steps int
	actions          map[Action]int
	errors           map[string]int // by field
	warnings         map[string]int // by first words
	remedies         int
	explicitActivate int // emergency promotions of a pending version
	scheduledIssue   int
	reissues         int // versions issued because the type changed
	reissueWaits     int // type changes waiting for a pending version
	backwards        int // steps planned before the record's newest timestamp
	// Evidence gates: revocations and activations decided on evidence,
	// gated steps that waited (by the first words of what they wait for),
	// waits past max_wait, revoked versions seen in use after revocation.
	gatedRevoke, gatedActivate int
	waits                      map[string]int
	pastMaxWait, lateUse       int
}

func newSimStats() *simStats {
	return &simStats{actions: map[Action]int{}, errors: map[string]int{}, warnings: map[string]int{}, waits: map[string]int{}}
}

// runSequence simulates one resource through a random sequence of plans and
// applies and checks every invariant after every step.
func runSequence(src source, maxSteps int, st *simStats) error {
	mode := ModeSeries
	if src.IntN(2) == 1 {
		mode = ModeTwoSlot
	}
	spec := Spec{Key: fmt.Sprintf("family-%d/secret-%d", src.IntN(100), src.IntN(100)), Mode: mode, Schedule: genSchedule(src, mode)}
	sc := spec.Schedule
	gates := genGates(src, sc)
	historyLimit := []int{0, 1, 2, 3, 10}[src.IntN(5)]
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(durN(src, 3*365*24*time.Hour))
	if st != nil {
		st.sequences++
	}

	var (
		cur        State
		last       = base
		pin        int64
		revokeList []int64
		reason     string
		hold       bool
		holdReason string
		trace      []string
		// typ is the configured material type (rotation_secret's type, in
		// ModeSeries), types the type each version was issued with; a
		// change makes Controls.Reissue ask for a version of the new type.
		typ   int
		types = map[int64]int{}
		// monotone is false once a plan went back before the record's
		// newest timestamp (a rehearsal clock, a wrong clock): the
		// timestamps of one version need no longer be in order.
		monotone = true
	)
	fail := func(err error) error {
		return fmt.Errorf("%w\nspec: key=%q mode=%v period=%s overlap=%s propagation=%s ttl=%s jitter=%s window=%v history=%d\nsteps:\n  %s",
			err, spec.Key, mode, formatDuration(sc.Period), formatDuration(sc.Overlap), formatDuration(sc.Propagation), formatDuration(sc.TTL),
			formatDuration(sc.Jitter), sc.Window, historyLimit, strings.Join(trace, "\n  "))
	}
	bs, isBytes := src.(*byteSource)
	n := 1 + src.IntN(maxSteps)
	for step := 0; step < n; step++ {
		if isBytes && bs.exhausted() && step > 0 {
			break
		}
		// Controls, as a configuration that persists between applies.
		controlsNow := Controls{Pin: pin, HoldRevocation: hold, HoldReason: holdReason, HistoryLimit: historyLimit}
		_, _, nextAt := NextTransition(Spec{Key: spec.Key, Mode: mode, Schedule: sc, Controls: controlsNow}, cur, last)
		plan := last
		switch src.IntN(10) {
		case 0:
		case 1, 2:
			plan = last.Add(durN(src, sc.Period/10))
		case 3:
			plan = last.Add(durN(src, sc.Period))
		case 4:
			plan = last.Add(durN(src, 3*sc.Period+sc.Overlap+sc.Propagation))
		case 5, 6, 7:
			if !nextAt.IsZero() {
				plan = nextAt
			} else {
				plan = last.Add(durN(src, sc.Period))
			}
		case 8:
			if !nextAt.IsZero() && nextAt.Add(-time.Second).After(last) {
				plan = nextAt.Add(-time.Second)
			}
		case 9:
			plan = last.Add(durN(src, 10*sc.Period))
		}
		if chance(src, 4) {
			// The clock goes backwards: a plan before the newest
			// timestamp of the record (after applies with a rehearsal
			// clock set later than the real time).
			plan = last.Add(-durN(src, 2*sc.Period+sc.Overlap))
		}
		if plan.Before(cur.Newest()) {
			monotone = false
			if st != nil {
				st.backwards++
			}
		}
		apply := plan
		switch src.IntN(4) {
		case 0:
			apply = plan.Add(durN(src, time.Hour))
		case 1:
			apply = plan.Add(durN(src, sc.Period))
		}

		accepted := cur.Accepted()
		switch {
		case pin != 0 && chance(src, 20):
			pin = 0
		case chance(src, 8) && len(accepted) > 0:
			pin = accepted[src.IntN(len(accepted))]
		case chance(src, 1):
			pin = 1 + int64(src.IntN(int(cur.Generation)+3)) // maybe revoked or never issued
		}
		switch {
		case len(revokeList) > 0 && chance(src, 25):
			revokeList, reason = nil, ""
		case chance(src, 5) && cur.Generation > 0:
			var v int64
			if a := cur.Active(); a != nil && chance(src, 50) {
				v = a.Version
			} else {
				v = 1 + int64(src.IntN(int(cur.Generation)))
			}
			revokeList = append(revokeList, v)
			reason = fmt.Sprintf("INC-%d", src.IntN(1000))
		case chance(src, 1):
			revokeList = append(revokeList, cur.Generation+1+int64(src.IntN(3))) // not issued yet
			reason = "typo"
		}
		if len(revokeList) > 0 && chance(src, 2) {
			reason = "" // forgotten reason
		}
		if chance(src, 6) {
			hold = !hold
			holdReason = ""
			if hold && chance(src, 50) {
				holdReason = "CHG-42: slow consumer"
			}
		}
		rotate := chance(src, 5)
		if mode == ModeSeries && chance(src, 4) {
			typ = (typ + 1 + src.IntN(2)) % 3
		}
		reissue := ""
		if acc := cur.Accepted(); len(acc) > 0 && types[acc[len(acc)-1]] != typ {
			newest := acc[len(acc)-1]
			reissue = fmt.Sprintf("type changed from %d (v%d) to %d", types[newest], newest, typ)
		}
		c := Controls{RotateRequested: rotate, Reissue: reissue, Pin: pin, RevokeVersions: slices.Clone(revokeList), RevokeReason: reason,
			HoldRevocation: hold, HoldReason: holdReason, HistoryLimit: historyLimit}
		spec.Controls = c
		spec.Gates = genEvidence(src, gates, cur, plan)
		trace = append(trace, fmt.Sprintf("#%d plan=%s apply=%s rotate=%v reissue=%q pin=%d revoke=%v reason=%q hold=%v(%q) gates=%s | prior=%s",
			step, ts(plan), ts(apply), rotate, reissue, pin, revokeList, reason, hold, holdReason, describeGates(spec.Gates), describe(cur)))

		d, err := Decide(spec, cur, plan)
		for tries := 0; err != nil; tries++ {
			if tries == 3 {
				return fail(fmt.Errorf("step %d: Decide keeps failing after the remedies: %v", step, err))
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				return fail(fmt.Errorf("step %d: error is not a *ValidationError: %v", step, err))
			}
			if st != nil {
				st.errors[ve.Field]++
			}
			switch ve.Field {
			case "revoke_reason":
				if strings.TrimSpace(c.RevokeReason) != "" {
					return fail(fmt.Errorf("step %d: revoke_reason error with reason %q: %v", step, c.RevokeReason, err))
				}
				reason = "INC-remedy"
			case "pin_active_version":
				revoked := slices.Contains(c.RevokeVersions, c.Pin)
				if p := cur.Find(c.Pin); p != nil && p.Status.Accepted() && !revoked {
					return fail(fmt.Errorf("step %d: pin error for an accepted version: %v", step, err))
				}
				pin = 0
			case "revoke_versions":
				tooNew := slices.ContainsFunc(c.RevokeVersions, func(v int64) bool { return v > cur.Generation })
				switch {
				case tooNew:
					revokeList = slices.DeleteFunc(revokeList, func(v int64) bool { return v > cur.Generation })
				case mode == ModeTwoSlot && cur.Active() != nil && slices.Contains(c.RevokeVersions, cur.Active().Version):
					// Follow one of the two remedies the message names.
					k2 := cur.Generation - 1
					if !strings.Contains(ve.Message, fmt.Sprintf("pin_active_version = %d", k2)) {
						return fail(fmt.Errorf("step %d: two-slot message does not name v%d: %v", step, k2, err))
					}
					if chance(src, 50) {
						revokeList = append(revokeList, k2)
					} else {
						pin = k2
					}
					if st != nil {
						st.remedies++
					}
				default:
					return fail(fmt.Errorf("step %d: unexpected revoke_versions error: %v", step, err))
				}
			default:
				return fail(fmt.Errorf("step %d: unexpected error: %v", step, err))
			}
			if len(revokeList) == 0 {
				reason = ""
			}
			c.Pin, c.RevokeVersions, c.RevokeReason = pin, slices.Clone(revokeList), reason
			spec.Controls = c
			trace = append(trace, fmt.Sprintf("   remedy for %s: pin=%d revoke=%v reason=%q", ve.Field, pin, revokeList, reason))
			d, err = Decide(spec, cur, plan)
		}
		applied := Stamp(d.Planned(), apply)
		trace = append(trace, fmt.Sprintf("   -> %v next=%s v%d at %s", d.Transitions, d.NextAction, d.NextVersion, ts(d.NextAt)))
		si := stepInfo{spec: spec, prior: cur, planAt: plan, applyAt: apply, dec: d, applied: applied, monotone: monotone}
		if err := checkStep(si); err != nil {
			return fail(fmt.Errorf("step %d: %w", step, err))
		}
		if err := checkNext(spec, d, plan); err != nil {
			return fail(fmt.Errorf("step %d: %w", step, err))
		}
		for _, later := range []time.Duration{0, time.Second, sc.Propagation, sc.Overlap, sc.Period, durN(src, 2*sc.Period)} {
			if err := checkMonotone(spec, cur, plan, plan.Add(later)); err != nil {
				return fail(fmt.Errorf("step %d: %w", step, err))
			}
		}
		for _, v := range d.Issued {
			types[v] = typ
		}
		if st != nil {
			st.steps++
			if reissue != "" && slices.ContainsFunc(d.Transitions, func(tr Transition) bool { return tr.Action == ActionIssue && tr.Reason == reissue }) {
				st.reissues++
			}
			if reissue != "" && slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, "is still pending") && strings.Contains(w, reissue) }) {
				st.reissueWaits++
			}
			for _, tr := range d.Transitions {
				st.actions[tr.Action]++
				switch {
				case tr.Action == ActionRevoke && spec.Gates.Revocation != nil:
					st.gatedRevoke++
				case tr.Action == ActionActivate && spec.Gates.Emission != nil && strings.Contains(tr.Reason, "emission_gate"):
					st.gatedActivate++
				}
			}
			for _, w := range d.Waits {
				st.waits[fmt.Sprintf("%s: %s", w.Action, warningKind(w.For))]++
				if w.PastMaxWait {
					st.pastMaxWait++
				}
			}
			st.lateUse += len(d.UsedAfterRevocation)
			for _, w := range d.Warnings {
				st.warnings[warningKind(w)]++
			}
			if a := cur.Active(); a != nil && hasTransition(d, ActionEmergencyRevoke, a.Version) {
				if p := cur.Pending(); p != nil && hasTransition(d, ActionActivate, p.Version) {
					st.explicitActivate++
				}
			}
			if slices.ContainsFunc(d.Transitions, func(tr Transition) bool {
				return tr.Action == ActionIssue && strings.HasPrefix(tr.Reason, "period ended")
			}) {
				st.scheduledIssue++
			}
		}
		cur, last = applied, apply
	}
	return nil
}

var digits = regexp.MustCompile(`[0-9][0-9dhms]*`)

// warningKind is the first words of a warning with the numbers blanked.
func warningKind(w string) string {
	words := strings.Fields(digits.ReplaceAllString(w, "N"))
	return strings.Join(words[:min(4, len(words))], " ")
}

func describe(s State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gen=%d", s.Generation)
	for _, v := range s.Versions {
		fmt.Fprintf(&b, " v%d%s:%s", v.Version, v.Slot, v.Status)
	}
	return b.String()
}

func hasTransition(d Decision, a Action, v int64) bool {
	return slices.ContainsFunc(d.Transitions, func(tr Transition) bool { return tr.Action == a && tr.Version == v })
}

// stepInfo is one plan (Decide at planAt) and its apply (Stamp at applyAt).
type stepInfo struct {
	spec            Spec
	prior           State
	planAt, applyAt time.Time
	dec             Decision
	applied         State
	// monotone is false once the simulated clock went backwards: the
	// timestamps of a version need no longer be in order.
	monotone bool
}

// checkStructure checks a state on its own: ascending unique versions not
// above the generation, known statuses, consistent timestamps (in order
// only if monotone: a clock that went backwards stamps explicit actions
// before earlier timestamps), at most one active and one pending, and in
// ModeTwoSlot slots by parity with at most one accepted version per slot.
func checkStructure(mode Mode, s State, monotone bool) error {
	var active, pending int
	slots := map[string]int64{}
	for i, v := range s.Versions {
		if v.Version < 1 || v.Version > s.Generation {
			return fmt.Errorf("v%d outside 1..generation %d", v.Version, s.Generation)
		}
		if i > 0 && v.Version <= s.Versions[i-1].Version {
			return fmt.Errorf("versions not ascending and unique: v%d after v%d", v.Version, s.Versions[i-1].Version)
		}
		if v.Slot != SlotOf(mode, v.Version) {
			return fmt.Errorf("v%d is in slot %q, want %q", v.Version, v.Slot, SlotOf(mode, v.Version))
		}
		if v.IssuedAt.IsZero() {
			return fmt.Errorf("v%d has no issued_at", v.Version)
		}
		switch v.Status {
		case StatusActive:
			active++
			if v.ActivatedAt.IsZero() || (monotone && v.ActivatedAt.Before(v.IssuedAt)) || !v.SupersededAt.IsZero() || !v.RevokedAt.IsZero() {
				return fmt.Errorf("active v%d has inconsistent timestamps %+v", v.Version, v)
			}
		case StatusPending:
			pending++
			if !v.ActivatedAt.IsZero() || !v.SupersededAt.IsZero() || !v.RevokedAt.IsZero() {
				return fmt.Errorf("pending v%d has inconsistent timestamps %+v", v.Version, v)
			}
		case StatusPrevious:
			if v.ActivatedAt.IsZero() || v.SupersededAt.IsZero() || (monotone && v.SupersededAt.Before(v.ActivatedAt)) || !v.RevokedAt.IsZero() {
				return fmt.Errorf("previous v%d has inconsistent timestamps %+v", v.Version, v)
			}
		case StatusRevoked:
			if v.RevokedAt.IsZero() || (monotone && v.RevokedAt.Before(v.IssuedAt)) {
				return fmt.Errorf("revoked v%d has inconsistent timestamps %+v", v.Version, v)
			}
		default:
			return fmt.Errorf("v%d has unknown status %q", v.Version, v.Status)
		}
		if mode == ModeTwoSlot && v.Status.Accepted() {
			if other, ok := slots[v.Slot]; ok {
				return fmt.Errorf("slot %q holds two accepted versions, v%d and v%d", v.Slot, other, v.Version)
			}
			slots[v.Slot] = v.Version
		}
	}
	if active > 1 || pending > 1 {
		return fmt.Errorf("%d active and %d pending versions", active, pending)
	}
	if s.Generation > 0 && active != 1 {
		return fmt.Errorf("after the first issue there must be exactly one active version, found %d (%s)", active, describe(s))
	}
	return nil
}

// checkStep checks one decision and its apply against the invariants
// (docs/design.md, Invariants) and the rules of Decide.
func checkStep(si stepInfo) error {
	spec, c, sc, d := si.spec, si.spec.Controls, si.spec.Schedule, si.dec
	prior, next := si.prior, si.applied

	if got := Stamp(d.Planned(), si.planAt); !reflect.DeepEqual(got, d.Next) {
		return fmt.Errorf("Stamp(Planned(), plan time) differs from Next:\n got %+v\nwant %+v", got, d.Next)
	}
	if err := checkStructure(spec.Mode, next, si.monotone); err != nil {
		return fmt.Errorf("applied state: %w", err)
	}
	if next.Generation < prior.Generation {
		return fmt.Errorf("generation went down from %d to %d", prior.Generation, next.Generation)
	}

	// Scheduled steps happen only inside the change window and never while
	// the record is ahead of the clock (a timestamp after the plan time).
	_, ahead := prior.AheadOf(si.planAt)
	if (ahead > 0) != prior.Newest().After(si.planAt) {
		return fmt.Errorf("AheadOf(%s) counts %d timestamps, but the newest is %s", ts(si.planAt), ahead, ts(prior.Newest()))
	}
	scheduled := sc.Window.Contains(si.planAt) && ahead == 0
	why := func() string {
		if ahead > 0 {
			return fmt.Sprintf("while the record is ahead of the clock (newest %s, plan %s)", ts(prior.Newest()), ts(si.planAt))
		}
		return "outside the change window at " + ts(si.planAt)
	}
	if ahead > 0 && !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.HasPrefix(w, "the record is ahead of the clock") }) {
		return fmt.Errorf("the record is ahead of the clock (newest %s, plan %s) without a warning: %q", ts(prior.Newest()), ts(si.planAt), d.Warnings)
	}
	jit := JitterOffset(spec.Key, sc.Jitter)
	priorActive := prior.Active()
	emergencyActive := priorActive != nil && hasTransition(d, ActionEmergencyRevoke, priorActive.Version)
	revokedHere := map[int64]bool{}
	for _, tr := range d.Transitions {
		if tr.Action == ActionRevoke || tr.Action == ActionEmergencyRevoke {
			if revokedHere[tr.Version] {
				return fmt.Errorf("v%d revoked twice", tr.Version)
			}
			revokedHere[tr.Version] = true
		}
	}
	// The anchor of a scheduled issue: the newest version still accepted
	// after this decision's revocations.
	var anchor time.Time
	hasAnchor := false
	for i := len(prior.Versions) - 1; i >= 0; i-- {
		if v := prior.Versions[i]; v.Status.Accepted() && !revokedHere[v.Version] {
			anchor, hasAnchor = v.IssuedAt, true
			break
		}
	}
	issues := 0
	var issued []int64
	for i, tr := range d.Transitions {
		p, n := prior.Find(tr.Version), next.Find(tr.Version)
		switch tr.Action {
		case ActionIssue:
			issues++
			issued = append(issued, tr.Version)
			if tr.Version != prior.Generation+int64(issues) {
				return fmt.Errorf("issued v%d, want v%d", tr.Version, prior.Generation+int64(issues))
			}
			if p != nil || n == nil {
				return fmt.Errorf("issued v%d existed before or vanished", tr.Version)
			}
			if !n.IssuedAt.Equal(si.applyAt) {
				return fmt.Errorf("issued v%d at %s, want apply time %s", tr.Version, ts(n.IssuedAt), ts(si.applyAt))
			}
			switch n.Status {
			case StatusActive:
				if i+1 >= len(d.Transitions) || d.Transitions[i+1].Action != ActionActivate || d.Transitions[i+1].Version != tr.Version {
					return fmt.Errorf("v%d issued active without an activate transition", tr.Version)
				}
				first := len(prior.Accepted()) == 0
				pendingLeft := prior.Pending() != nil && !revokedHere[prior.Pending().Version]
				replacement := emergencyActive && c.Pin == 0 && !pendingLeft
				if !first && !replacement {
					return fmt.Errorf("v%d issued active at once although it is neither the first version nor an emergency replacement", tr.Version)
				}
			case StatusPending:
				if c.Pin != 0 {
					return fmt.Errorf("v%d issued while pinned to v%d", tr.Version, c.Pin)
				}
				if !c.RotateRequested && c.Reissue == "" {
					if !scheduled {
						return fmt.Errorf("v%d issued by the schedule %s", tr.Version, why())
					}
					if !hasAnchor || si.planAt.Before(anchor.Add(sc.Period+jit)) {
						return fmt.Errorf("v%d issued by the schedule at %s before last issue %s + period + jitter", tr.Version, ts(si.planAt), ts(anchor))
					}
				}
			default:
				return fmt.Errorf("issued v%d is %s", tr.Version, n.Status)
			}
		case ActionActivate:
			if n == nil || n.Status != StatusActive || !n.ActivatedAt.Equal(si.applyAt) {
				return fmt.Errorf("activated v%d is not active since the apply time: %+v", tr.Version, n)
			}
			switch {
			case p == nil:
				if !slices.Contains(issued, tr.Version) {
					return fmt.Errorf("activated v%d came from nowhere", tr.Version)
				}
			case p.Status != StatusPending:
				return fmt.Errorf("activated v%d was %s, not pending", tr.Version, p.Status)
			case emergencyActive && c.Pin == 0:
				// Emergency promotion: explicit, at once.
			default: // by the schedule
				if c.Pin != 0 {
					return fmt.Errorf("v%d activated by the schedule while pinned", tr.Version)
				}
				if err := checkEmissionGate(spec.Gates.Emission, p, si.planAt, d.Next.Find(tr.Version)); err != nil {
					return err
				}
				if !scheduled {
					return fmt.Errorf("v%d activated by the schedule %s", tr.Version, why())
				}
				if si.planAt.Before(p.IssuedAt.Add(sc.Propagation)) || n.ActivatedAt.Sub(n.IssuedAt) < sc.Propagation {
					return fmt.Errorf("v%d activated by the schedule before its propagation %s: planned %s and applied %s after its issue",
						tr.Version, formatDuration(sc.Propagation), formatDuration(si.planAt.Sub(p.IssuedAt)), formatDuration(n.ActivatedAt.Sub(n.IssuedAt)))
				}
			}
		case ActionSupersede:
			if p == nil || p.Status != StatusActive || n == nil || n.Status != StatusPrevious || !n.SupersededAt.Equal(si.applyAt) {
				return fmt.Errorf("superseded v%d: was %+v, is %+v", tr.Version, p, n)
			}
		case ActionRevoke:
			if p == nil || p.Status != StatusPrevious {
				return fmt.Errorf("v%d revoked by the schedule was not previous: %+v", tr.Version, p)
			}
			if c.HoldRevocation {
				return fmt.Errorf("v%d revoked by the schedule under hold_revocation", tr.Version)
			}
			if tr.Version == c.Pin {
				return fmt.Errorf("pinned v%d revoked by the schedule", tr.Version)
			}
			if !scheduled {
				return fmt.Errorf("v%d revoked by the schedule %s", tr.Version, why())
			}
			if err := checkRevocationGate(spec.Gates.Revocation, p, si, revokedActiveSuccessor(si)); err != nil {
				return err
			}
			if si.planAt.Before(p.SupersededAt.Add(sc.Overlap)) || si.applyAt.Sub(p.SupersededAt) < sc.Overlap {
				return fmt.Errorf("v%d revoked by the schedule before its overlap %s: planned %s and applied %s after it was superseded",
					tr.Version, formatDuration(sc.Overlap), formatDuration(si.planAt.Sub(p.SupersededAt)), formatDuration(si.applyAt.Sub(p.SupersededAt)))
			}
			if n != nil && (n.Status != StatusRevoked || !n.RevokedAt.Equal(si.applyAt) || n.RevokeReason != "") {
				return fmt.Errorf("v%d revoked by the schedule is %+v", tr.Version, n)
			}
		case ActionEmergencyRevoke:
			if !slices.Contains(c.RevokeVersions, tr.Version) {
				return fmt.Errorf("v%d revoked in an emergency but not listed", tr.Version)
			}
			if p == nil || !p.Status.Accepted() {
				return fmt.Errorf("v%d revoked in an emergency was not accepted: %+v", tr.Version, p)
			}
			if n != nil && (n.Status != StatusRevoked || !n.RevokedAt.Equal(si.applyAt) || n.RevokeReason != c.RevokeReason) {
				return fmt.Errorf("v%d revoked in an emergency is %+v", tr.Version, n)
			}
		case ActionPin:
			if tr.Version != c.Pin || p == nil || (p.Status != StatusPending && p.Status != StatusPrevious) {
				return fmt.Errorf("pin transition for v%d (pin %d), was %+v", tr.Version, c.Pin, p)
			}
		case ActionPrune:
			if n != nil {
				return fmt.Errorf("pruned v%d still recorded", tr.Version)
			}
			if (p == nil || p.Status != StatusRevoked) && !revokedHere[tr.Version] {
				return fmt.Errorf("pruned v%d was not revoked", tr.Version)
			}
		default:
			return fmt.Errorf("unknown transition %q", tr.Action)
		}
	}
	// Every change of status is explained by a transition of the right kind.
	explains := map[[2]Status][]Action{
		{StatusPending, StatusActive}:   {ActionActivate, ActionPin},
		{StatusPending, StatusRevoked}:  {ActionEmergencyRevoke},
		{StatusActive, StatusPrevious}:  {ActionSupersede},
		{StatusActive, StatusRevoked}:   {ActionEmergencyRevoke},
		{StatusPrevious, StatusRevoked}: {ActionRevoke, ActionEmergencyRevoke},
		{StatusPrevious, StatusActive}:  {ActionPin},
	}
	for _, p := range prior.Versions {
		p.Slot = SlotOf(spec.Mode, p.Version) // Decide fills in slots
		n := next.Find(p.Version)
		if n == nil {
			if !hasTransition(d, ActionPrune, p.Version) {
				return fmt.Errorf("v%d disappeared without a prune", p.Version)
			}
			continue
		}
		if !n.IssuedAt.Equal(p.IssuedAt) || (!p.RevokedAt.IsZero() && !n.RevokedAt.Equal(p.RevokedAt)) {
			return fmt.Errorf("v%d had its past rewritten: %+v -> %+v", p.Version, p, *n)
		}
		if n.Status == p.Status {
			if !reflect.DeepEqual(p, *n) {
				return fmt.Errorf("v%d changed without a transition: %+v -> %+v", p.Version, p, *n)
			}
			continue
		}
		ok := slices.ContainsFunc(explains[[2]Status{p.Status, n.Status}], func(a Action) bool { return hasTransition(d, a, p.Version) })
		if !ok {
			return fmt.Errorf("v%d went from %s to %s without a matching transition (%v)", p.Version, p.Status, n.Status, d.Transitions)
		}
	}
	// A type change (Reissue) is served at once unless pinned: after the
	// decision a version is pending (the one it issued, or the one it
	// waits for).
	if c.Reissue != "" && c.Pin == 0 && spec.Mode == ModeSeries && d.Next.Pending() == nil && len(d.Issued) == 0 {
		return fmt.Errorf("reissue %q: no version pending and none issued (%v)", c.Reissue, d.Transitions)
	}
	if c.Pin != 0 {
		if a := next.Active(); a == nil || a.Version != c.Pin {
			return fmt.Errorf("pinned to v%d but the active version is %+v", c.Pin, a)
		}
	}
	wipe := slices.Sorted(func(yield func(int64) bool) {
		for v := range revokedHere {
			if !yield(v) {
				return
			}
		}
	})
	if !slices.Equal(slices.Sorted(slices.Values(d.Wipe)), wipe) {
		return fmt.Errorf("Wipe %v, but revoked %v", d.Wipe, wipe)
	}
	for _, v := range d.Wipe {
		if n := next.Find(v); n != nil && n.Status != StatusRevoked {
			return fmt.Errorf("v%d in Wipe is %s", v, n.Status)
		}
	}
	if !slices.Equal(d.Issued, issued) {
		return fmt.Errorf("Issued %v, but issue transitions %v", d.Issued, issued)
	}
	revoked := 0
	for _, v := range next.Versions {
		if v.Status == StatusRevoked {
			revoked++
		}
	}
	if revoked > c.HistoryLimit {
		return fmt.Errorf("%d revoked versions kept, history_limit %d", revoked, c.HistoryLimit)
	}
	if !d.NextAt.IsZero() && d.NextAt.Before(si.planAt) {
		return fmt.Errorf("next transition at %s is before the decision at %s", ts(d.NextAt), ts(si.planAt))
	}
	if (d.NextAction == "") != d.NextAt.IsZero() {
		return fmt.Errorf("next action %q at %s", d.NextAction, ts(d.NextAt))
	}
	return nil
}

// checkNext checks that NextAt is exact: deciding again from Next (without
// a rotate request) does nothing before NextAt and performs NextAction on
// NextVersion at NextAt, or, for a gated step, reports that it waits for
// evidence (NextTransition is the calendar's time).
func checkNext(spec Spec, d Decision, t time.Time) error {
	// NextTransition assumes no explicit action. A type change (Reissue)
	// is derived from the record: Next serves it (the version it issued),
	// or it waits for the pending version, whose activation is NextAt.
	spec.Controls.RotateRequested = false
	spec.Controls.Reissue = ""
	probe := func(at time.Time) (Decision, error) {
		dd, err := Decide(spec, d.Next, at)
		if err != nil {
			return dd, fmt.Errorf("deciding again at %s from Next: %w", ts(at), err)
		}
		return dd, nil
	}
	sc := spec.Schedule
	if d.NextAt.IsZero() {
		far := t.Add(3*(sc.TTL+sc.Period+sc.Jitter) + 8*24*time.Hour)
		dd, err := probe(far)
		if err != nil {
			return err
		}
		if len(dd.Transitions) > 0 {
			return fmt.Errorf("nothing scheduled, yet deciding at %s performs %v", ts(far), dd.Transitions)
		}
		return nil
	}
	if d.NextAt.After(t) {
		for _, at := range []time.Time{t, t.Add(d.NextAt.Sub(t) / 2), d.NextAt.Add(-time.Nanosecond)} {
			dd, err := probe(at)
			if err != nil {
				return err
			}
			if len(dd.Transitions) > 0 {
				return fmt.Errorf("next transition %s v%d at %s, yet deciding at %s performs %v", d.NextAction, d.NextVersion, ts(d.NextAt), at.UTC().Format(time.RFC3339Nano), dd.Transitions)
			}
		}
	}
	dd, err := probe(d.NextAt)
	if err != nil {
		return err
	}
	if !hasTransition(dd, d.NextAction, d.NextVersion) && dd.waitingFor(d.NextAction, d.NextVersion) == nil {
		return fmt.Errorf("next transition %s v%d at %s, but deciding then performs %v", d.NextAction, d.NextVersion, ts(d.NextAt), dd.Transitions)
	}
	return nil
}

// checkMonotone checks that without a change window, deciding later from
// the same prior performs a superset of the transitions.
// decidedOnEvidenceBefore reports a transition a gate allowed on evidence
// collected before t.
func decidedOnEvidenceBefore(spec Spec, tr Transition, t time.Time) bool {
	g := spec.Gates
	switch {
	case tr.Action == ActionRevoke && g.Revocation != nil && g.Revocation.Use != nil:
		return strings.Contains(tr.Reason, "revocation_gate") && g.Revocation.Use.ObservedAt.Before(t)
	case tr.Action == ActionActivate && g.Emission != nil && g.Emission.Accepted != nil:
		return strings.Contains(tr.Reason, "emission_gate") && g.Emission.Accepted.ObservedAt.Before(t)
	}
	return false
}

func checkMonotone(spec Spec, prior State, t1, t2 time.Time) error {
	spec.Schedule.Window = nil
	d1, err1 := Decide(spec, prior, t1)
	d2, err2 := Decide(spec, prior, t2)
	if (err1 == nil) != (err2 == nil) {
		return fmt.Errorf("monotonicity: error at %s: %v, at %s: %v", ts(t1), err1, ts(t2), err2)
	}
	type key struct {
		a Action
		v int64
	}
	later := map[key]int{}
	for _, tr := range d2.Transitions {
		later[key{tr.Action, tr.Version}]++
	}
	// Versions whose revocation at t1 rested on evidence older than t2.
	onEvidence := map[int64]bool{}
	for _, tr := range d1.Transitions {
		k := key{tr.Action, tr.Version}
		if later[k] == 0 && decidedOnEvidenceBefore(spec, tr, t2) {
			// Evidence is collected at one instant: at a later instant a
			// version activated by this very decision (an emergency
			// replacement) became active after the evidence was
			// collected, so the gate rightly waits for newer evidence.
			onEvidence[tr.Version] = true
			continue
		}
		if later[k] == 0 && tr.Action == ActionPrune && onEvidence[tr.Version] {
			// Pruned because that revocation made it one revoked version
			// too many: it goes with the revocation.
			continue
		}
		if later[k] == 0 {
			return fmt.Errorf("monotonicity: %s v%d happens at %s but not at the later %s (%v vs %v)", tr.Action, tr.Version, ts(t1), ts(t2), d1.Transitions, d2.Transitions)
		}
		later[k]--
	}
	return nil
}
