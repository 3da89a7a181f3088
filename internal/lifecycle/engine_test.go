package lifecycle

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

// t0 is Monday 2025-01-06 10:00 UTC.
var t0 = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)

// d returns t0 + n days (+ extra).
func d(n int, extra ...time.Duration) time.Time {
	t := t0.Add(time.Duration(n) * day)
	for _, e := range extra {
		t = t.Add(e)
	}
	return t
}

// std: period 30d, overlap 7d, propagation 1d, ttl 45d.
func std() Schedule {
	return Schedule{Period: 30 * day, Overlap: 7 * day, Propagation: day, TTL: 45 * day}
}

func act(n int64, issued, activated time.Time) Version {
	return Version{Version: n, Status: StatusActive, IssuedAt: issued, ActivatedAt: activated}
}

func pend(n int64, issued time.Time) Version {
	return Version{Version: n, Status: StatusPending, IssuedAt: issued}
}

func prev(n int64, issued, activated, superseded time.Time) Version {
	return Version{Version: n, Status: StatusPrevious, IssuedAt: issued, ActivatedAt: activated, SupersededAt: superseded}
}

func rev(n int64, issued, activated, superseded, revoked time.Time) Version {
	return Version{Version: n, Status: StatusRevoked, IssuedAt: issued, ActivatedAt: activated, SupersededAt: superseded, RevokedAt: revoked}
}

func state(gen int64, vs ...Version) State { return State{Versions: vs, Generation: gen} }

// The steady states of the std schedule.
var (
	// stA: v1 active since t0.
	stA = state(1, act(1, d(0), d(0)))
	// stP: v2 issued at day 30, pending until day 31.
	stP = state(2, act(1, d(0), d(0)), pend(2, d(30)))
	// stQ: v2 active since day 31, v1 previous until day 38.
	stQ = state(2, prev(1, d(0), d(0), d(31)), act(2, d(30), d(31)))
	// stR: v1 revoked at day 38.
	stR = state(2, rev(1, d(0), d(0), d(31), d(38)), act(2, d(30), d(31)))
)

// trs renders transitions as "action vN" for comparison.
func trs(ts []Transition) string {
	var parts []string
	for _, tr := range ts {
		parts = append(parts, fmt.Sprintf("%s v%d", tr.Action, tr.Version))
	}
	return strings.Join(parts, ", ")
}

type engineCase struct {
	name     string
	mode     Mode
	sched    *Schedule
	key      string
	controls Controls
	gates    Gates
	prior    State
	at       time.Time
	// want
	trs      string   // transitions, "action vN, ..."
	state    string   // describe(Next)
	warn     []string // substrings, each in some warning
	noWarn   bool     // no warnings at all
	errField string
	errMsg   string // substring of the error message
	next     string // "action vN at RFC3339", or "none"
}

func (c engineCase) run(t *testing.T) Decision {
	t.Helper()
	sc := std()
	if c.sched != nil {
		sc = *c.sched
	}
	key := c.key
	if key == "" {
		key = "auth/prod"
	}
	ctl := c.controls
	if ctl.HistoryLimit == 0 {
		ctl.HistoryLimit = 10
	} else if ctl.HistoryLimit < 0 {
		ctl.HistoryLimit = 0
	}
	spec := Spec{Key: key, Mode: c.mode, Schedule: sc, Controls: ctl, Gates: c.gates}
	dec, err := Decide(spec, c.prior, c.at)
	if c.errField != "" {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("want a *ValidationError on %s, got %v", c.errField, err)
		}
		if ve.Field != c.errField || !strings.Contains(ve.Message, c.errMsg) {
			t.Fatalf("error = %s: %s\nwant field %s with %q", ve.Field, ve.Message, c.errField, c.errMsg)
		}
		return dec
	}
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if got := trs(dec.Transitions); got != c.trs {
		t.Errorf("transitions = %q, want %q", got, c.trs)
	}
	if c.state != "" {
		if got := describe(dec.Next); got != c.state {
			t.Errorf("next state = %q, want %q", got, c.state)
		}
	}
	for _, w := range c.warn {
		if !slices.ContainsFunc(dec.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("no warning contains %q; warnings: %q", w, dec.Warnings)
		}
	}
	if c.noWarn && len(dec.Warnings) > 0 {
		t.Errorf("unexpected warnings %q", dec.Warnings)
	}
	if c.next != "" {
		got := "none"
		if dec.NextAction != "" {
			got = fmt.Sprintf("%s v%d at %s", dec.NextAction, dec.NextVersion, ts(dec.NextAt))
		}
		if got != c.next {
			t.Errorf("next = %q, want %q", got, c.next)
		}
	}
	// Every decision, whatever the case, keeps the invariants.
	si := stepInfo{spec: spec, prior: c.prior, planAt: c.at, applyAt: c.at.Add(time.Minute), dec: dec, applied: Stamp(dec.Planned(), c.at.Add(time.Minute)), monotone: !c.prior.Newest().After(c.at)}
	if err := checkStep(si); err != nil {
		t.Errorf("invariants: %v", err)
	}
	if err := checkNext(spec, dec, c.at); err != nil {
		t.Errorf("next transition: %v", err)
	}
	return dec
}

func runCases(t *testing.T, cases []engineCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

func sched(f func(*Schedule)) *Schedule {
	s := std()
	f(&s)
	return &s
}

func TestDecideSchedule(t *testing.T) {
	runCases(t, []engineCase{
		{name: "first issue is active at once", prior: State{}, at: d(0),
			trs: "issue v1, activate v1", state: "gen=1 v1:active", noWarn: true,
			next: "issue v2 at 2025-02-05T10:00:00Z"},
		{name: "first issue after everything was revoked", prior: state(3, rev(3, d(0), d(0), time.Time{}, d(1))), at: d(2),
			trs: "issue v4, activate v4", state: "gen=4 v3:revoked v4:active"},
		{name: "rotation not yet due", prior: stA, at: d(30, -time.Second), trs: "", state: "gen=1 v1:active",
			next: "issue v2 at 2025-02-05T10:00:00Z"},
		{name: "rotation due issues pending", prior: stA, at: d(30),
			trs: "issue v2", state: "gen=2 v1:active v2:pending", noWarn: true,
			next: "activate v2 at 2025-02-06T10:00:00Z"},
		{name: "activate not before propagation", prior: stP, at: d(31, -time.Second), trs: "",
			next: "activate v2 at 2025-02-06T10:00:00Z"},
		{name: "activate after propagation", prior: stP, at: d(31),
			trs: "activate v2, supersede v1", state: "gen=2 v1:previous v2:active", noWarn: true,
			next: "revoke v1 at 2025-02-13T10:00:00Z"},
		{name: "activate long after propagation", prior: stP, at: d(33), trs: "activate v2, supersede v1"},
		{name: "revoke not before overlap", prior: stQ, at: d(38, -time.Second), trs: "",
			next: "revoke v1 at 2025-02-13T10:00:00Z"},
		{name: "revoke at overlap exactly", prior: stQ, at: d(38),
			trs: "revoke v1", state: "gen=2 v1:revoked v2:active", noWarn: true,
			next: "issue v3 at 2025-03-07T10:00:00Z"},
		{name: "one transition per step per apply", prior: stP, at: d(90),
			// activation, then the issue of v3 is due too; v1 waits for a later apply
			trs: "activate v2, supersede v1, issue v3", state: "gen=3 v1:previous v2:active v3:pending"},
		{name: "zero overlap revokes on the next apply", sched: sched(func(s *Schedule) { s.Overlap = 0 }), prior: stP, at: d(31),
			trs: "activate v2, supersede v1", next: "revoke v1 at 2025-02-06T10:00:00Z"},
		{name: "zero propagation activates on the next apply", sched: sched(func(s *Schedule) { s.Propagation = 0 }), prior: stA, at: d(30),
			trs: "issue v2", next: "activate v2 at 2025-02-05T10:00:00Z"},
		{name: "hold keeps previous", prior: stQ, at: d(40), controls: Controls{HoldRevocation: true, HoldReason: "CHG-7 slow cache"},
			trs: "", state: "gen=2 v1:previous v2:active", noWarn: true,
			next: "issue v3 at 2025-03-07T10:00:00Z"},
		{name: "hold without reason warns", prior: stQ, at: d(40), controls: Controls{HoldRevocation: true},
			trs: "", warn: []string{"hold_revocation is set without hold_reason", "ROT032"}},
		{name: "hold keeps issuing in series mode", prior: stQ, at: d(60), controls: Controls{HoldRevocation: true, HoldReason: "x"},
			trs: "issue v3", state: "gen=3 v1:previous v2:active v3:pending"},
		{name: "lifting the hold revokes every overdue previous", at: d(100),
			prior: state(3, prev(1, d(0), d(0), d(31)), prev(2, d(30), d(31), d(61)), act(3, d(60), d(61))),
			trs:   "revoke v1, revoke v2, issue v4"},
		{name: "ttl warning", prior: stA, at: d(45), controls: Controls{Pin: 1},
			trs: "", warn: []string{"v1 (active) outlived its ttl: issued 2025-01-06T10:00:00Z + ttl 45d = 2025-02-20T10:00:00Z", "pin_active_version keeps it active"}},
		{name: "no ttl warning before ttl", prior: stA, at: d(45, -time.Second), controls: Controls{Pin: 1}, trs: "", noWarn: true},
		{name: "ttl warning for held previous", prior: stQ, at: d(46), controls: Controls{HoldRevocation: true, HoldReason: "x"},
			trs: "", warn: []string{"v1 (previous) outlived its ttl", "hold_revocation keeps it valid"}},
		{name: "no ttl warning for revoked", prior: stR, at: d(46), trs: "", noWarn: true},
	})
}

func TestDecideTriggers(t *testing.T) {
	runCases(t, []engineCase{
		{name: "trigger issues at once", prior: stA, at: d(0, time.Hour), controls: Controls{RotateRequested: true},
			trs: "issue v2", state: "gen=2 v1:active v2:pending", noWarn: true, next: "activate v2 at 2025-01-07T11:00:00Z"},
		{name: "trigger outside the window", prior: stA, at: d(5, 12*time.Hour), // Saturday
			sched: sched(func(s *Schedule) {
				s.Window = &ChangeWindow{Days: []time.Weekday{time.Monday}, Start: 9 * time.Hour, End: 17 * time.Hour}
			}),
			controls: Controls{RotateRequested: true}, trs: "issue v2"},
		{name: "trigger while pending warns", prior: stP, at: d(30, time.Hour), controls: Controls{RotateRequested: true},
			trs: "", state: "gen=2 v1:active v2:pending", warn: []string{"rotate_triggers changed while v2 is still pending"}},
		{name: "trigger when the pending becomes active issues the next", prior: stP, at: d(31), controls: Controls{RotateRequested: true},
			trs: "activate v2, supersede v1, issue v3", noWarn: true},
		{name: "trigger while pinned warns", prior: stA, at: d(1), controls: Controls{RotateRequested: true, Pin: 1},
			trs: "", warn: []string{"pin_active_version = 1 freezes the schedule"}},
		{name: "trigger on the first apply issues one version", prior: State{}, at: d(0), controls: Controls{RotateRequested: true},
			trs: "issue v1, activate v1"},
	})
}

func TestDecidePin(t *testing.T) {
	cases := []engineCase{
		{name: "rollback to previous", prior: stQ, at: d(32), controls: Controls{Pin: 1},
			trs: "pin v1, supersede v2", state: "gen=2 v1:active v2:previous", noWarn: true,
			next: "revoke v2 at 2025-02-14T10:00:00Z"},
		{name: "promotion of pending before propagation warns", prior: stP, at: d(30, time.Hour), controls: Controls{Pin: 2},
			trs: "pin v2, supersede v1", state: "gen=2 v1:previous v2:active",
			warn: []string{"pin_active_version = 2 promotes v2 before its propagation ends at 2025-02-06T10:00:00Z"}},
		{name: "promotion after propagation does not warn", prior: stP, at: d(31), controls: Controls{Pin: 2},
			trs: "pin v2, supersede v1", noWarn: true},
		{name: "pin of the active version freezes issuing", prior: stA, at: d(90), controls: Controls{Pin: 1},
			trs: "", state: "gen=1 v1:active", next: "none"},
		{name: "pin of the active version freezes activation", prior: stP, at: d(40), controls: Controls{Pin: 1},
			trs: "", state: "gen=2 v1:active v2:pending", next: "none"},
		{name: "pinned rollback target is never revoked by the schedule", prior: stQ, at: d(60), controls: Controls{Pin: 1},
			trs: "pin v1, supersede v2", next: "revoke v2 at 2025-03-14T10:00:00Z"},
		{name: "pin keeps revoking other previous versions", at: d(70), controls: Controls{Pin: 2},
			prior: state(2, prev(1, d(0), d(0), d(31)), act(2, d(30), d(31))), trs: "revoke v1"},
		{name: "pin of a revoked version", prior: stR, at: d(40), controls: Controls{Pin: 1},
			errField: "pin_active_version", errMsg: "v1 is revoked (revoked by the schedule at 2025-02-13T10:00:00Z) and a revoked version can never be active again; pin one of the accepted versions: v2 (active)"},
		{name: "pin of an emergency-revoked version", at: d(40), controls: Controls{Pin: 1},
			prior:    state(2, Version{Version: 1, Status: StatusRevoked, IssuedAt: d(0), ActivatedAt: d(0), SupersededAt: d(31), RevokedAt: d(32), RevokeReason: "INC-1"}, act(2, d(30), d(31))),
			errField: "pin_active_version", errMsg: "revoked in an emergency (INC-1)"},
		{name: "pin of a version revoked in the same plan", prior: stQ, at: d(32), controls: Controls{Pin: 1, RevokeVersions: []int64{1}, RevokeReason: "INC-2"},
			errField: "pin_active_version", errMsg: "revoked by revoke_versions in this plan"},
		{name: "pin of a pruned version", prior: state(2, act(2, d(30), d(31))), at: d(40), controls: Controls{Pin: 1},
			errField: "pin_active_version", errMsg: "v1 was revoked and has been pruned"},
		{name: "pin of a version never issued", prior: stA, at: d(1), controls: Controls{Pin: 5},
			errField: "pin_active_version", errMsg: "v5 has never been issued (the newest version is v1)"},
		{name: "pin on the first apply", prior: State{}, at: d(0), controls: Controls{Pin: 1},
			errField: "pin_active_version", errMsg: "no version has been issued yet"},
		{name: "negative pin", prior: stA, at: d(1), controls: Controls{Pin: -1},
			errField: "pin_active_version", errMsg: "-1 is not a version number"},
	}
	runCases(t, cases)

	t.Run("rollback timestamps", func(t *testing.T) {
		dec := cases[0].run(t)
		v1 := dec.Next.Find(1)
		if !v1.ActivatedAt.Equal(d(32)) || !v1.SupersededAt.IsZero() {
			t.Errorf("rolled back v1 = %+v, want activated at the pin and superseded cleared", *v1)
		}
		if v2 := dec.Next.Find(2); !v2.SupersededAt.Equal(d(32)) {
			t.Errorf("v2 = %+v, want superseded at the pin", *v2)
		}
	})
}

func TestDecideEmergency(t *testing.T) {
	cases := []engineCase{
		{name: "previous version", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-1: key leaked"},
			trs: "emergency-revoke v1", state: "gen=2 v1:revoked v2:active", noWarn: true},
		{name: "active version with a pending one", prior: stP, at: d(30, time.Hour), controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-2"},
			trs: "emergency-revoke v1, activate v2", state: "gen=2 v1:revoked v2:active",
			warn: []string{"v2 becomes active at once to replace v1, revoked in an emergency, before its propagation ends"}},
		{name: "active version without a pending one", prior: stR, at: d(40), controls: Controls{RevokeVersions: []int64{2}, RevokeReason: "INC-3"},
			trs: "emergency-revoke v2, issue v3, activate v3", state: "gen=3 v1:revoked v2:revoked v3:active",
			warn: []string{"v3 is issued and made active at once to replace v2"},
			next: "issue v4 at 2025-03-17T10:00:00Z"},
		{name: "active and previous in series mode", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{2, 1}, RevokeReason: "INC-4"},
			trs: "emergency-revoke v1, emergency-revoke v2, issue v3, activate v3", state: "gen=3 v1:revoked v2:revoked v3:active"},
		{name: "active and pending", prior: stP, at: d(30, time.Hour), controls: Controls{RevokeVersions: []int64{1, 2}, RevokeReason: "INC-5"},
			trs: "emergency-revoke v1, emergency-revoke v2, issue v3, activate v3"},
		{name: "active with a pinned replacement", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{2}, RevokeReason: "INC-6", Pin: 1},
			trs: "emergency-revoke v2, pin v1", state: "gen=2 v1:active v2:revoked"},
		{name: "outside the change window", prior: stQ, at: d(33, 13*time.Hour), // Saturday 23:00
			sched: sched(func(s *Schedule) {
				s.Window = &ChangeWindow{Days: []time.Weekday{time.Monday}, Start: 9 * time.Hour, End: 10 * time.Hour}
			}),
			controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-7"}, trs: "emergency-revoke v1"},
		{name: "rotate request after an emergency replacement issues nothing more", prior: stR, at: d(40),
			controls: Controls{RevokeVersions: []int64{2}, RevokeReason: "INC-8", RotateRequested: true},
			trs:      "emergency-revoke v2, issue v3, activate v3"},
		{name: "without a reason", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "  "},
			errField: "revoke_reason", errMsg: "revoke_versions is set but revoke_reason is empty: say why the versions are revoked (incident id, ...)"},
		{name: "unknown version", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{1, 3}, RevokeReason: "INC-9"},
			errField: "revoke_versions", errMsg: "v3 has not been issued yet (the newest version is v2)"},
		{name: "version zero", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{0}, RevokeReason: "INC-9"},
			errField: "revoke_versions", errMsg: "0 is not a version number"},
		{name: "already revoked is ignored", prior: stR, at: d(40), controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-10"},
			trs: "", state: "gen=2 v1:revoked v2:active", noWarn: true},
		{name: "pruned is ignored", prior: state(2, act(2, d(30), d(31))), at: d(40), controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-11"},
			trs: "", state: "gen=2 v2:active"},
		{name: "listing the same version twice", prior: stQ, at: d(32), controls: Controls{RevokeVersions: []int64{1, 1}, RevokeReason: "INC-12"},
			trs: "emergency-revoke v1"},
	}
	runCases(t, cases)

	t.Run("reason and wipe", func(t *testing.T) {
		dec := cases[2].run(t)
		if v := dec.Next.Find(2); v.RevokeReason != "INC-3" || !v.RevokedAt.Equal(d(40)) || !v.SupersededAt.IsZero() {
			t.Errorf("v2 = %+v", *v)
		}
		if !slices.Equal(dec.Wipe, []int64{2}) || !slices.Equal(dec.Issued, []int64{3}) {
			t.Errorf("wipe %v issued %v", dec.Wipe, dec.Issued)
		}
		dec = cases[1].run(t)
		if v := dec.Next.Find(1); !v.SupersededAt.IsZero() {
			t.Errorf("v1 revoked while active has SupersededAt %v", v.SupersededAt)
		}
		dec = cases[4].run(t)
		if v := dec.Next.Find(2); !v.ActivatedAt.IsZero() {
			t.Errorf("v2 revoked while pending has ActivatedAt %v", v.ActivatedAt)
		}
	})
}

func TestDecideHistoryLimit(t *testing.T) {
	many := state(5,
		rev(1, d(0), d(0), d(31), d(38)), rev(2, d(30), d(31), d(61), d(68)), rev(3, d(60), d(61), d(91), d(98)),
		prev(4, d(90), d(91), d(121)), act(5, d(120), d(121)))
	runCases(t, []engineCase{
		{name: "keeps the newest revoked", prior: many, at: d(130), controls: Controls{HistoryLimit: 2},
			trs: "revoke v4, prune v1, prune v2", state: "gen=5 v3:revoked v4:revoked v5:active"},
		{name: "zero keeps none", prior: many, at: d(125), controls: Controls{HistoryLimit: -1}, // -1: the test's way to say 0
			trs: "prune v1, prune v2, prune v3", state: "gen=5 v4:previous v5:active"},
		{name: "never drops accepted", prior: many, at: d(125), controls: Controls{HistoryLimit: 10},
			trs: "", state: "gen=5 v1:revoked v2:revoked v3:revoked v4:previous v5:active"},
		{name: "emergency revocation then prune", prior: stQ, at: d(32), controls: Controls{HistoryLimit: -1, RevokeVersions: []int64{1}, RevokeReason: "INC"},
			trs: "emergency-revoke v1, prune v1", state: "gen=2 v2:active"},
	})
}

func TestDecideErrors(t *testing.T) {
	spec := Spec{Key: "a/b", Schedule: std(), Controls: Controls{HistoryLimit: -1}}
	if _, err := Decide(spec, stA, d(1)); err == nil || !strings.Contains(err.Error(), "history_limit: -1 is negative") {
		t.Errorf("negative history limit: %v", err)
	}
	spec.Controls.HistoryLimit = 10
	for name, s := range map[string]State{
		"descending":    state(2, act(2, d(0), d(0)), prev(1, d(0), d(0), d(1))),
		"above gen":     state(1, act(2, d(0), d(0))),
		"two active":    state(2, act(1, d(0), d(0)), act(2, d(0), d(0))),
		"two pending":   state(3, act(1, d(0), d(0)), pend(2, d(0)), pend(3, d(0))),
		"bad status":    state(1, Version{Version: 1, Status: "lost", IssuedAt: d(0)}),
		"zero version":  state(1, Version{Version: 0, Status: StatusActive, IssuedAt: d(0)}),
		"duplicate ver": state(1, act(1, d(0), d(0)), act(1, d(0), d(0))),
	} {
		_, err := Decide(spec, s, d(1))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "versions" {
			t.Errorf("%s: want a versions error, got %v", name, err)
		}
	}
	spec.Schedule.Period = 0
	if _, err := Decide(spec, stA, d(1)); err == nil {
		t.Errorf("invalid schedule: no error")
	} else if ve, ok := err.(*ValidationError); !ok || ve.Field != "schedule.period" {
		t.Errorf("invalid schedule: %v", err)
	}
}

func TestDecideWindow(t *testing.T) {
	ny := mustLoad("America/New_York")
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	office := sched(func(s *Schedule) { s.Window = &ChangeWindow{Days: weekdays, Start: 9 * time.Hour, End: 16 * time.Hour} })
	overnight := sched(func(s *Schedule) {
		s.Window = &ChangeWindow{Days: []time.Weekday{time.Friday}, Start: 22 * time.Hour, End: 2 * time.Hour}
	})
	nyNight := sched(func(s *Schedule) {
		s.Window = &ChangeWindow{Start: 150 * time.Minute, End: 210 * time.Minute, Location: ny}
	})
	nyOffice := sched(func(s *Schedule) {
		s.Window = &ChangeWindow{Days: weekdays, Start: 9 * time.Hour, End: 17 * time.Hour, Location: ny}
	})
	// v1 issued Friday 2025-02-07 14:00 UTC; v2 due 30d later, Sunday 2025-03-09, the day New York
	// springs forward (EST -5 -> EDT -4).
	nyA := state(1, act(1, time.Date(2025, 2, 7, 14, 0, 0, 0, time.UTC), time.Date(2025, 2, 7, 14, 0, 0, 0, time.UTC)))
	utc := func(mo time.Month, dd, h, m int) time.Time { return time.Date(2025, mo, dd, h, m, 0, 0, time.UTC) }
	runCases(t, []engineCase{
		// day 30 from t0 is Wednesday 2025-02-05 10:00 UTC.
		{name: "inside the window", sched: office, prior: stA, at: d(30), trs: "issue v2"},
		{name: "due but outside the window", sched: office, prior: stA, at: d(30, 6*time.Hour), // 16:00, closed
			trs: "", state: "gen=1 v1:active", next: "issue v2 at 2025-02-06T09:00:00Z"},
		{name: "window opens", sched: office, prior: stA, at: utc(2, 6, 9, 0), trs: "issue v2"},
		{name: "before the window opens", sched: office, prior: stA, at: utc(2, 6, 8, 59), trs: ""},
		{name: "weekend", sched: office, prior: stA, at: utc(2, 8, 12, 0), trs: "", next: "issue v2 at 2025-02-10T09:00:00Z"},
		{name: "revoke deferred", sched: office, prior: stQ, at: d(38, 7*time.Hour), // Thursday 17:00
			trs: "", next: "revoke v1 at 2025-02-14T09:00:00Z"},
		{name: "activation deferred", sched: office, prior: stP, at: d(31, 7*time.Hour), trs: "", next: "activate v2 at 2025-02-07T09:00:00Z"},
		{name: "first issue ignores the window", sched: office, prior: State{}, at: utc(2, 8, 12, 0),
			trs: "issue v1, activate v1", next: "issue v2 at 2025-03-10T12:00:00Z"},
		{name: "overnight window late friday", sched: overnight, prior: stA, at: utc(2, 7, 23, 30), trs: "issue v2"},
		{name: "overnight window early saturday", sched: overnight, prior: stA, at: utc(2, 8, 1, 59), trs: "issue v2"},
		{name: "overnight window closed saturday", sched: overnight, prior: stA, at: utc(2, 8, 2, 0), trs: "",
			next: "issue v2 at 2025-02-14T22:00:00Z"},
		{name: "overnight window thursday night is not friday's", sched: overnight, prior: stA, at: utc(2, 7, 1, 0), trs: "",
			next: "issue v2 at 2025-02-07T22:00:00Z"},
		{name: "new york DST: sunday closed", sched: nyOffice, prior: nyA, at: utc(3, 9, 14, 0), trs: "",
			next: "issue v2 at 2025-03-10T13:00:00Z"}, // Monday 09:00 EDT
		{name: "new york DST: 08:59 EDT closed", sched: nyOffice, prior: nyA, at: utc(3, 10, 12, 59), trs: ""},
		{name: "new york DST: 09:00 EDT open", sched: nyOffice, prior: nyA, at: utc(3, 10, 13, 0), trs: "issue v2"},
		{name: "new york DST: 16:59 EDT open", sched: nyOffice, prior: nyA, at: utc(3, 10, 20, 59), trs: "issue v2"},
		{name: "new york DST: 17:00 EDT closed", sched: nyOffice, prior: nyA, at: utc(3, 10, 21, 0), trs: "",
			next: "issue v2 at 2025-03-11T13:00:00Z"},
		{name: "new york DST day: start in the skipped hour", sched: nyNight, prior: stA, at: utc(3, 9, 6, 30), // 01:30 EST
			trs: "", next: "issue v2 at 2025-03-09T07:00:00Z"}, // 03:00 EDT, when the clock jumps past 02:30
		{name: "new york DST day: open after the jump", sched: nyNight, prior: stA, at: utc(3, 9, 7, 0), trs: "issue v2"},
		{name: "new york DST day: closed at 03:30 EDT", sched: nyNight, prior: stA, at: utc(3, 9, 7, 30), trs: "",
			next: "issue v2 at 2025-03-10T06:30:00Z"}, // 02:30 EDT the next day
		{name: "new york before DST: 09:00 EST", sched: nyOffice, prior: state(1, act(1, utc(1, 1, 0, 0), utc(1, 1, 0, 0))),
			at: utc(2, 3, 13, 59), trs: "", next: "issue v2 at 2025-02-03T14:00:00Z"},
	})
}

func TestJitter(t *testing.T) {
	// FNV-1a 64, written out independently of hash/fnv.
	fnv1a := func(s string) uint64 {
		h := uint64(14695981039346656037)
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		return h
	}
	for _, key := range []string{"auth/prod", "auth/staging", "", "billing/db-password"} {
		want := time.Duration(fnv1a(key)%3600) * time.Second
		if got := JitterOffset(key, time.Hour); got != want || got != JitterOffset(key, time.Hour) {
			t.Errorf("JitterOffset(%q, 1h) = %v, want %v", key, got, want)
		}
	}
	if a, b := JitterOffset("auth/prod", 6*time.Hour), JitterOffset("auth/staging", 6*time.Hour); a == b {
		t.Errorf("two keys share the offset %v", a)
	}
	for _, j := range []time.Duration{0, -time.Hour, 999 * time.Millisecond} {
		if got := JitterOffset("auth/prod", j); got != 0 {
			t.Errorf("JitterOffset(_, %v) = %v, want 0", j, got)
		}
	}
	// Spread: 2000 keys over a 4h jitter fill every half hour evenly.
	const jitter = 4 * time.Hour
	buckets := make([]int, 8)
	seen := map[time.Duration]bool{}
	for i := range 2000 {
		off := JitterOffset(fmt.Sprintf("family-%d/prod", i), jitter)
		if off < 0 || off >= jitter || off%time.Second != 0 {
			t.Fatalf("offset %v outside [0, %v) or not whole seconds", off, jitter)
		}
		seen[off] = true
		buckets[off/(jitter/8)]++
	}
	for i, n := range buckets {
		if n < 150 || n > 350 {
			t.Errorf("bucket %d holds %d of 2000 offsets: %v", i, n, buckets)
		}
	}
	if len(seen) < 1500 {
		t.Errorf("only %d distinct offsets of 2000", len(seen))
	}

	// The offset delays the rotation exactly.
	off := JitterOffset("auth/prod", 12*time.Hour)
	if off == 0 {
		t.Fatal("test key has offset 0; pick another")
	}
	jit := sched(func(s *Schedule) { s.Jitter = 12 * time.Hour })
	runCases(t, []engineCase{
		{name: "jitter: before the offset", sched: jit, prior: stA, at: d(30, off-time.Second), trs: "",
			next: fmt.Sprintf("issue v2 at %s", ts(d(30, off)))},
		{name: "jitter: at the offset", sched: jit, prior: stA, at: d(30, off), trs: "issue v2"},
	})
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		mode  Mode
		s     Schedule
		field string
		msg   string
	}{
		{"ttl arithmetic", ModeSeries, Schedule{Period: 30 * day, Overlap: day, Propagation: time.Hour, TTL: 30 * day}, "schedule.ttl",
			"ttl 30d is shorter than propagation 1h + period 30d + overlap 1d = 31d1h; raise ttl to at least 31d1h or shorten period/overlap"},
		{"zero period", ModeSeries, Schedule{TTL: day}, "schedule.period", "period is 0s"},
		{"negative overlap", ModeSeries, Schedule{Period: day, Overlap: -time.Hour, TTL: 2 * day}, "schedule.overlap", "overlap -1h is negative"},
		{"negative jitter", ModeSeries, Schedule{Period: day, TTL: 2 * day, Jitter: -time.Second}, "schedule.jitter", "jitter -1s is negative"},
		{"two slots collide", ModeTwoSlot, Schedule{Period: 30 * day, Overlap: 29 * day, Propagation: day, TTL: 90 * day}, "schedule.period",
			"the two slots would collide: propagation 1d + overlap 29d = 30d is not shorter than period 30d"},
		{"window start equals end", ModeSeries, Schedule{Period: day, TTL: 2 * day, Window: &ChangeWindow{Start: time.Hour, End: time.Hour}},
			"schedule.change_window.end", "leaves the window empty"},
		{"window end past midnight", ModeSeries, Schedule{Period: day, TTL: 2 * day, Window: &ChangeWindow{Start: time.Hour, End: 25 * time.Hour}},
			"schedule.change_window.end", "not a time of day"},
	}
	for _, c := range cases {
		errs := c.s.Validate(c.mode)
		if !slices.ContainsFunc(errs, func(e *ValidationError) bool { return e.Field == c.field && strings.Contains(e.Message, c.msg) }) {
			t.Errorf("%s: errors %v, want %s: %q", c.name, errs, c.field, c.msg)
		}
	}
	// Boundaries: exactly enough is valid.
	ok := []struct {
		mode Mode
		s    Schedule
	}{
		{ModeSeries, Schedule{Period: 30 * day, Overlap: day, Propagation: time.Hour, TTL: 31*day + time.Hour}},
		{ModeSeries, Schedule{Period: 30 * day, Overlap: 29 * day, Propagation: day, TTL: 60 * day}}, // collides only in two-slot mode
		{ModeTwoSlot, Schedule{Period: 30 * day, Overlap: 29 * day, Propagation: day - time.Second, TTL: 60 * day}},
		{ModeSeries, Schedule{Period: time.Second, TTL: time.Second}},
	}
	for _, c := range ok {
		if errs := c.s.Validate(c.mode); errs != nil {
			t.Errorf("%+v in mode %v: unexpected errors %v", c.s, c.mode, errs)
		}
	}
	if (&ValidationError{Field: "schedule.ttl", Message: "m"}).Error() != "schedule.ttl: m" {
		t.Error("ValidationError.Error format")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", time.Second: "1s", 90 * time.Minute: "1h30m", 36 * time.Hour: "1d12h", 31*day + time.Hour: "31d1h",
		30 * day: "30d", day + time.Second: "1d1s", -2 * time.Hour: "-2h", 1500 * time.Millisecond: "1.5s",
		time.Hour + 250*time.Millisecond: "1h250ms",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// twoSlot: period 30d, overlap 7d, propagation 1d (1d + 7d < 30d).
func TestDecideTwoSlot(t *testing.T) {
	// v1 in slot a previous until day 38, v2 in slot b active.
	q := stQ
	r := stR
	// Rotation due at day 60 while v1 is still previous (held).
	runCases(t, []engineCase{
		{name: "first version goes to slot a", mode: ModeTwoSlot, prior: State{}, at: d(0), trs: "issue v1, activate v1", state: "gen=1 v1a:active"},
		{name: "second to slot b", mode: ModeTwoSlot, prior: stA, at: d(30), trs: "issue v2", state: "gen=2 v1a:active v2b:pending"},
		{name: "third to slot a once v1 is revoked", mode: ModeTwoSlot, prior: r, at: d(60), trs: "issue v3", state: "gen=3 v1a:revoked v2b:active v3a:pending"},
		{name: "revocation and issue in one apply", mode: ModeTwoSlot, prior: q, at: d(60), trs: "revoke v1, issue v3"},
		{name: "waiting while held", mode: ModeTwoSlot, prior: q, at: d(60), controls: Controls{HoldRevocation: true, HoldReason: "CHG-9 vendor cache"},
			trs: "", state: "gen=2 v1a:previous v2b:active", next: "none",
			warn: []string{`rotation waits for slot "a": v3 is due`, `goes into slot "a", which v1 still holds`, "hold_revocation keeps it valid (CHG-9 vendor cache)"}},
		{name: "rotate request waits for the slot too", mode: ModeTwoSlot, prior: q, at: d(32), controls: Controls{RotateRequested: true},
			trs: "", warn: []string{`rotation waits for slot "a": v3 is due (rotate_triggers changed)`, "v1 is previous until its overlap ends at 2025-02-13T10:00:00Z"},
			next: "revoke v1 at 2025-02-13T10:00:00Z"},
		{name: "after a rollback the active version holds the slot", mode: ModeTwoSlot, at: d(90),
			prior: state(2, act(1, d(0), d(32)), rev(2, d(30), d(31), d(32), d(39))),
			trs:   "", warn: []string{`slot "a", which v1 still holds`, "add 1 to revoke_versions"}, next: "none"},
		{name: "emergency of the active needs the other slot", mode: ModeTwoSlot, prior: q, at: d(32),
			controls: Controls{RevokeVersions: []int64{2}, RevokeReason: "INC-1"},
			errField: "revoke_versions",
			errMsg:   `revoking the active v2 needs a replacement, v3, which goes into slot "a", but slot "a" still holds v1 (previous); either add 1 to revoke_versions as well (v3 is then issued and made active at once), or set pin_active_version = 1 to make v1 active instead`},
		{name: "emergency remedy: revoke both", mode: ModeTwoSlot, prior: q, at: d(32),
			controls: Controls{RevokeVersions: []int64{2, 1}, RevokeReason: "INC-1"},
			trs:      "emergency-revoke v1, emergency-revoke v2, issue v3, activate v3", state: "gen=3 v1a:revoked v2b:revoked v3a:active"},
		{name: "emergency remedy: pin the other slot", mode: ModeTwoSlot, prior: q, at: d(32),
			controls: Controls{RevokeVersions: []int64{2}, RevokeReason: "INC-1", Pin: 1},
			trs:      "emergency-revoke v2, pin v1", state: "gen=2 v1a:active v2b:revoked"},
		{name: "emergency of the active with a free slot", mode: ModeTwoSlot, prior: r, at: d(40),
			controls: Controls{RevokeVersions: []int64{2}, RevokeReason: "INC-2"},
			trs:      "emergency-revoke v2, issue v3, activate v3", state: "gen=3 v1a:revoked v2b:revoked v3a:active"},
		{name: "next issue waits for the occupant's revocation", mode: ModeTwoSlot,
			sched: sched(func(s *Schedule) { s.Overlap, s.Period, s.TTL = 20*day, 25*day, 60*day }),
			prior: q, at: d(32), trs: "", next: "revoke v1 at 2025-02-26T10:00:00Z"},
	})

	// Alternation over a long run: a, b, a, b, ... and never two accepted
	// versions in one slot (Project applies at every transition).
	spec := Spec{Key: "db/prod", Mode: ModeTwoSlot, Schedule: std(), Controls: Controls{HistoryLimit: 10}}
	final, events, spans, err := Project(spec, State{}, t0, 400*day)
	if err != nil {
		t.Fatal(err)
	}
	var slots []string
	for _, e := range events {
		if e.Action == ActionIssue {
			slots = append(slots, e.Slot)
		}
	}
	if got := strings.Join(slots, ""); got != "ababababababab" { // days 0, 30, ..., 390
		t.Errorf("issue slots %q", got)
	}
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if a.Slot == b.Slot && a.Version != b.Version && overlaps(a, b) {
				t.Errorf("slot %s: v%d %s %s..%s overlaps v%d %s %s..%s", a.Slot, a.Version, a.Status, ts(a.From), ts(a.To), b.Version, b.Status, ts(b.From), ts(b.To))
			}
		}
	}
	if err := checkStructure(ModeTwoSlot, final, true); err != nil {
		t.Error(err)
	}
}

func overlaps(a, b Span) bool {
	aEnd, bEnd := a.To, b.To
	if aEnd.IsZero() {
		aEnd = time.Unix(1<<40, 0)
	}
	if bEnd.IsZero() {
		bEnd = time.Unix(1<<40, 0)
	}
	return a.From.Before(bEnd) && b.From.Before(aEnd)
}

func TestNextTransition(t *testing.T) {
	spec := Spec{Key: "auth/prod", Schedule: std()}
	type want struct {
		a  Action
		v  int64
		at time.Time
	}
	for name, c := range map[string]struct {
		spec  func(*Spec)
		s     State
		after time.Time
		want  want
	}{
		"empty":               {s: State{}, after: d(0), want: want{}},
		"issue":               {s: stA, after: d(1), want: want{ActionIssue, 2, d(30)}},
		"overdue issue":       {s: stA, after: d(40), want: want{ActionIssue, 2, d(40)}},
		"activate":            {s: stP, after: d(30), want: want{ActionActivate, 2, d(31)}},
		"revoke":              {s: stQ, after: d(31), want: want{ActionRevoke, 1, d(38)}},
		"issue after revoke":  {s: stR, after: d(38), want: want{ActionIssue, 3, d(60)}},
		"held":                {s: stQ, after: d(31), spec: func(s *Spec) { s.Controls.HoldRevocation = true }, want: want{ActionIssue, 3, d(60)}},
		"pinned":              {s: stQ, after: d(31), spec: func(s *Spec) { s.Controls.Pin = 2 }, want: want{ActionRevoke, 1, d(38)}},
		"pinned, no previous": {s: stR, after: d(38), spec: func(s *Spec) { s.Controls.Pin = 2 }, want: want{}},
		"two-slot held":       {s: stQ, after: d(31), spec: func(s *Spec) { s.Mode = ModeTwoSlot; s.Controls.HoldRevocation = true }, want: want{}},
		"two-slot waits": {s: stQ, after: d(31), spec: func(s *Spec) {
			s.Mode = ModeTwoSlot
			s.Schedule.Overlap = 40 * day
			s.Schedule.Period = 60 * day
			s.Schedule.TTL = 200 * day
		}, want: want{ActionRevoke, 1, d(71)}}, // the issue of v3 is due at day 90
		"tie goes to revoke": {s: state(2, prev(1, d(0), d(0), d(53)), act(2, d(30), d(53))), after: d(53),
			want: want{ActionRevoke, 1, d(60)}},
		"window": {s: stA, after: d(1), spec: func(s *Spec) {
			s.Schedule.Window = &ChangeWindow{Days: []time.Weekday{time.Saturday}, Start: 8 * time.Hour, End: 9 * time.Hour}
		}, want: want{ActionIssue, 2, time.Date(2025, 2, 8, 8, 0, 0, 0, time.UTC)}},
	} {
		s := spec
		if c.spec != nil {
			c.spec(&s)
		}
		a, v, at := NextTransition(s, c.s, c.after)
		if got := (want{a, v, at}); got != c.want {
			t.Errorf("%s: NextTransition = %s v%d at %s, want %s v%d at %s", name, a, v, ts(at), c.want.a, c.want.v, ts(c.want.at))
		}
	}
}

func TestStamp(t *testing.T) {
	at := d(50)
	planned := state(5,
		Version{Version: 1, Status: StatusRevoked, IssuedAt: d(0), ActivatedAt: d(1), SupersededAt: d(31)}, // revoked now
		Version{Version: 2, Status: StatusRevoked, IssuedAt: d(30), ActivatedAt: d(31)},                    // revoked while active
		Version{Version: 3, Status: StatusRevoked, IssuedAt: d(40)},                                        // revoked while pending
		Version{Version: 4, Status: StatusPrevious, IssuedAt: d(45), ActivatedAt: d(46)},                   // superseded now
		Version{Version: 5, Status: StatusActive},                                                          // issued active now
	)
	orig := planned.Clone()
	got := Stamp(planned, at)
	want := state(5,
		Version{Version: 1, Status: StatusRevoked, IssuedAt: d(0), ActivatedAt: d(1), SupersededAt: d(31), RevokedAt: at},
		Version{Version: 2, Status: StatusRevoked, IssuedAt: d(30), ActivatedAt: d(31), RevokedAt: at},
		Version{Version: 3, Status: StatusRevoked, IssuedAt: d(40), RevokedAt: at},
		Version{Version: 4, Status: StatusPrevious, IssuedAt: d(45), ActivatedAt: d(46), SupersededAt: at},
		Version{Version: 5, Status: StatusActive, IssuedAt: at, ActivatedAt: at},
	)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Stamp:\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(planned, orig) {
		t.Error("Stamp modified its input")
	}
	if again := Stamp(got, d(60)); !reflect.DeepEqual(again, got) {
		t.Error("Stamp of a stamped state changed it")
	}

	// Plan at day 31, apply at day 31 + 2h: the apply's own transitions carry
	// the apply time, everything else is untouched.
	spec := Spec{Key: "auth/prod", Schedule: std(), Controls: Controls{HistoryLimit: 10, Pin: 0}}
	dec, err := Decide(spec, stP, d(31))
	if err != nil {
		t.Fatal(err)
	}
	planned = dec.Planned()
	if v := planned.Find(2); !v.ActivatedAt.IsZero() || !v.IssuedAt.Equal(d(30)) {
		t.Errorf("planned v2 = %+v: want ActivatedAt unknown, IssuedAt kept", *v)
	}
	if v := planned.Find(1); !v.SupersededAt.IsZero() || !v.ActivatedAt.Equal(d(0)) {
		t.Errorf("planned v1 = %+v: want SupersededAt unknown, ActivatedAt kept", *v)
	}
	applied := Stamp(planned, d(31, 2*time.Hour))
	if !applied.Find(2).ActivatedAt.Equal(d(31, 2*time.Hour)) || !applied.Find(1).SupersededAt.Equal(d(31, 2*time.Hour)) {
		t.Errorf("applied = %+v", applied)
	}
	if !reflect.DeepEqual(Stamp(planned, d(31)), dec.Next) {
		t.Error("Stamp(Planned(), plan time) != Next")
	}
	if v := (Version{}); !v.ExpiresAt(day).IsZero() {
		t.Error("ExpiresAt of an unissued version")
	}
	if got := stA.Versions[0].ExpiresAt(45 * day); !got.Equal(d(45)) {
		t.Errorf("ExpiresAt = %v", got)
	}
}

func TestProject(t *testing.T) {
	spec := Spec{Key: "auth/prod", Schedule: std(), Controls: Controls{HistoryLimit: 10}}
	final, events, spans, err := Project(spec, State{}, t0, 180*day)
	if err != nil {
		t.Fatal(err)
	}
	// Expected: issue every 30 days (days 0..180), activation a day later,
	// revocation of the superseded version a week after that.
	var want []string
	for k := 0; k <= 6; k++ {
		v := k + 1
		want = append(want, fmt.Sprintf("%s issue v%d", ts(d(30*k)), v))
		if k == 0 {
			want = append(want, fmt.Sprintf("%s activate v1", ts(d(0))))
			continue
		}
		if 30*k+1 <= 180 {
			want = append(want, fmt.Sprintf("%s activate v%d", ts(d(30*k+1)), v), fmt.Sprintf("%s supersede v%d", ts(d(30*k+1)), v-1))
		}
		if 30*k+8 <= 180 {
			want = append(want, fmt.Sprintf("%s revoke v%d", ts(d(30*k+8)), v-1))
		}
	}
	slices.Sort(want)
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%s %s v%d", ts(e.At), e.Action, e.Version))
	}
	slices.Sort(got) // same-instant events sort by text; the times are what matter
	if !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
	if describe(final) != "gen=7 v1:revoked v2:revoked v3:revoked v4:revoked v5:revoked v6:active v7:pending" {
		t.Errorf("final %s", describe(final))
	}
	var spanText []string
	for _, s := range spans {
		to := "open"
		if !s.To.IsZero() {
			to = fmt.Sprintf("%d", int(s.To.Sub(t0)/day))
		}
		spanText = append(spanText, fmt.Sprintf("v%d %s %d-%s", s.Version, s.Status, int(s.From.Sub(t0)/day), to))
	}
	wantSpans := "v1 active 0-31, v2 pending 30-31, v1 previous 31-38, v2 active 31-61, v3 pending 60-61, v2 previous 61-68, " +
		"v3 active 61-91, v4 pending 90-91, v3 previous 91-98, v4 active 91-121, v5 pending 120-121, v4 previous 121-128, " +
		"v5 active 121-151, v6 pending 150-151, v5 previous 151-158, v6 active 151-open, v7 pending 180-open"
	if got := strings.Join(spanText, ", "); got != wantSpans {
		t.Errorf("spans:\n got %s\nwant %s", got, wantSpans)
	}

	// From a recorded state, with a hold: previous versions stay open.
	held := spec
	held.Controls.HoldRevocation, held.Controls.HoldReason = true, "x"
	_, events, spans, err = Project(held, stQ, d(31), 60*day)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == ActionRevoke {
			t.Errorf("revocation under a hold: %+v", e)
		}
	}
	if s := spans[0]; s.Version != 1 || s.Status != StatusPrevious || !s.From.Equal(d(31)) || !s.To.IsZero() {
		t.Errorf("held v1 span = %+v", s)
	}

	// Two-slot spans carry their slot; a rotate request and revoke_versions
	// are ignored by the projection.
	two := Spec{Key: "db/prod", Mode: ModeTwoSlot, Schedule: std(),
		Controls: Controls{HistoryLimit: 10, RotateRequested: true, RevokeVersions: []int64{2}, RevokeReason: "INC"}}
	_, events, _, err = Project(two, stQ, d(31), 10*day)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0] != (Event{At: d(38), Action: ActionRevoke, Version: 1, Slot: "a"}) {
		t.Errorf("two-slot events %+v", events)
	}

	if _, _, _, err := Project(spec, State{}, t0, -day); err == nil {
		t.Error("negative horizon accepted")
	}
	tiny := Spec{Key: "x/y", Schedule: Schedule{Period: time.Second, TTL: time.Second}}
	if _, _, _, err := Project(tiny, State{}, t0, 180*day); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("runaway projection: %v", err)
	}
	bad := spec
	bad.Controls.Pin = 9
	if _, _, _, err := Project(bad, stA, t0, day); err == nil {
		t.Error("projection with an invalid pin")
	}
}

// TestStatus covers the small helpers.
func TestStatus(t *testing.T) {
	for s, want := range map[Status]bool{StatusPending: true, StatusActive: true, StatusPrevious: true, StatusRevoked: false, "": false} {
		if s.Accepted() != want {
			t.Errorf("%q.Accepted() = %v", s, !want)
		}
	}
	for v, want := range map[int64]string{1: "a", 2: "b", 3: "a", 10: "b"} {
		if got := SlotOf(ModeTwoSlot, v); got != want {
			t.Errorf("SlotOf(two-slot, %d) = %q", v, got)
		}
		if got := SlotOf(ModeSeries, v); got != "" {
			t.Errorf("SlotOf(series, %d) = %q", v, got)
		}
	}
	if ModeSeries.String() != "series" || ModeTwoSlot.String() != "two-slot" || Mode(7).String() != "unknown" {
		t.Error("Mode.String")
	}
	if got := stQ.Accepted(); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("Accepted = %v", got)
	}
}
