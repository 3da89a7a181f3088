package lifecycle

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
)

// Tests of issue 10 ("No flag day, ever"): a type change is a rotation
// (Controls.Reissue), a record ahead of the clock suspends the schedule,
// sums of durations never wrap, and a record at the last version number is
// refused.

// TestDecideReissue: a type change issues a pending version at once, like a
// rotate request, but waits while a version is pending (and says so) and
// while pinned; the new version then goes through accept, emit, revoke.
func TestDecideReissue(t *testing.T) {
	const why = `type changed from "rsa" (v1) to "ed25519"`
	window := sched(func(s *Schedule) {
		s.Window = &ChangeWindow{Days: []time.Weekday{time.Monday}, Start: 9 * time.Hour, End: 17 * time.Hour}
	})
	runCases(t, []engineCase{
		{name: "issues pending at once", prior: stA, at: d(1), controls: Controls{Reissue: why},
			trs: "issue v2", state: "gen=2 v1:active v2:pending", noWarn: true, next: "activate v2 at 2025-01-08T10:00:00Z"},
		{name: "outside the change window too", prior: stA, at: d(5, 12*time.Hour), sched: window, controls: Controls{Reissue: why},
			trs: "issue v2"},
		{name: "the reason is the transition's", prior: stA, at: d(1), controls: Controls{Reissue: why}, trs: "issue v2"},
		{name: "waits while a version is pending", prior: stP, at: d(30, time.Hour), controls: Controls{Reissue: `type changed from "rsa" (v2) to "ed25519"`},
			trs: "", state: "gen=2 v1:active v2:pending",
			warn: []string{`a new version is due because type changed from "rsa" (v2) to "ed25519", but v2 is still pending (issued 2025-02-05T10:00:00Z, active from 2025-02-06T10:00:00Z)`, "once v2 is active"},
			next: "activate v2 at 2025-02-06T10:00:00Z"},
		{name: "issues with the activation it waited for", prior: stP, at: d(31), controls: Controls{Reissue: `type changed from "rsa" (v2) to "ed25519"`},
			trs: "activate v2, supersede v1, issue v3", state: "gen=3 v1:previous v2:active v3:pending", noWarn: true},
		{name: "waits for the pin", prior: stA, at: d(1), controls: Controls{Reissue: why, Pin: 1},
			trs: "", warn: []string{"a new version is due because " + why + ", but pin_active_version = 1 freezes the schedule"}},
		{name: "an emergency replacement is the new version", prior: stA, at: d(1), controls: Controls{Reissue: why, RevokeVersions: []int64{1}, RevokeReason: "INC-1"},
			trs: "emergency-revoke v1, issue v2, activate v2", state: "gen=2 v1:revoked v2:active"},
		{name: "the first version needs no reissue", prior: State{}, at: d(0), controls: Controls{Reissue: why},
			trs: "issue v1, activate v1"},
	})
	spec := Spec{Key: "auth/prod", Schedule: std(), Controls: Controls{HistoryLimit: 10, Reissue: why}}
	dec, err := Decide(spec, stA, d(1))
	if err != nil || len(dec.Transitions) != 1 || dec.Transitions[0].Reason != why {
		t.Errorf("the issue's reason is the reissue's: %v %v", dec.Transitions, err)
	}
}

// TestDecideRecordAhead: after applies with a clock later than the real
// time, a plan at the real time warns, naming the latest timestamp, its
// version and field, decides no scheduled step (not even one whose own
// timestamps are in the past), and still performs explicit actions.
func TestDecideRecordAhead(t *testing.T) {
	// v1 previous since day 31 (its overlap ended at day 38), v2 active,
	// v3 issued pending in a rehearsal at day 400.
	ahead := state(3, prev(1, d(0), d(0), d(31)), act(2, d(30), d(31)), pend(3, d(400)))
	aheadWarning := []string{
		"the record is ahead of the clock: v3 issued_at 2026-02-10T10:00:00Z is later than the evaluation time 2025-02-15T10:00:00Z",
		"Scheduled steps (issue, activate, revoke) are suspended until 2026-02-10T10:00:00Z",
		"explicit actions (rotate_triggers, a type change, pin_active_version, revoke_versions) still work",
		"ROTATION_NOW", "terraform.tfstate.backup",
	}
	runCases(t, []engineCase{
		{name: "nothing scheduled, a warning", prior: ahead, at: d(40), trs: "", state: "gen=3 v1:previous v2:active v3:pending",
			warn: aheadWarning, next: "revoke v1 at 2026-02-10T10:00:00Z"},
		{name: "scheduled steps resume at the instant", prior: ahead, at: d(400),
			trs: "revoke v1", next: "activate v3 at 2026-02-11T10:00:00Z"},
		{name: "the latest of several", at: d(40), prior: state(2, act(1, d(0), d(300)), pend(2, d(200))),
			trs: "", warn: []string{"v1 activated_at 2025-11-02T10:00:00Z is later than the evaluation time", "2 recorded timestamps are later than the evaluation time"}},
		{name: "an issue is not due either", at: d(40), prior: state(1, act(1, d(0), d(100))), trs: "",
			warn: []string{"v1 activated_at 2025-04-16T10:00:00Z"}, next: "issue v2 at 2025-04-16T10:00:00Z"},
		{name: "rotate_triggers still works", prior: state(1, act(1, d(0), d(100))), at: d(40), controls: Controls{RotateRequested: true},
			trs: "issue v2", warn: []string{"the record is ahead of the clock"}},
		{name: "a type change still works", prior: state(1, act(1, d(0), d(100))), at: d(40), controls: Controls{Reissue: "type changed"},
			trs: "issue v2"},
		{name: "revoke_versions still works", prior: ahead, at: d(40), controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-2"},
			trs: "emergency-revoke v1", warn: []string{"the record is ahead of the clock"}},
		{name: "pin still works", prior: ahead, at: d(40), controls: Controls{Pin: 3},
			trs: "pin v3, supersede v2", warn: []string{"the record is ahead of the clock"}},
		{name: "not ahead at the instant itself", prior: stA, at: d(0), trs: "", noWarn: true},
	})
	latest, n := ahead.AheadOf(d(40))
	if latest != (Timestamp{Version: 3, Field: "issued_at", At: d(400)}) || n != 1 {
		t.Errorf("AheadOf = %+v, %d", latest, n)
	}
	if latest, n := ahead.AheadOf(d(400)); n != 0 || !latest.At.IsZero() {
		t.Errorf("AheadOf(newest) = %+v, %d, want none", latest, n)
	}
	// The projection of a record ahead starts at its newest timestamp.
	_, events, _, err := Project(Spec{Key: "auth/prod", Schedule: std(), Controls: Controls{HistoryLimit: 10}}, ahead, d(40), 400*day)
	if err != nil || len(events) == 0 || events[0].At.Before(d(400)) {
		t.Errorf("Project from a record ahead: first event %+v, err %v", events, err)
	}
}

// TestValidateOverflow: every sum of durations the engine computes fits in
// a time.Duration, or the schedule is refused naming the attributes. Before,
// period + jitter near the maximum wrapped to a negative duration and every
// apply issued a new version.
func TestValidateOverflow(t *testing.T) {
	maxD := duration.Max
	for _, c := range []struct {
		name  string
		s     Schedule
		field string
	}{
		{"period + jitter", Schedule{Period: maxD - day, Jitter: 2 * day, TTL: maxD}, "schedule.jitter"},
		{"period + overlap", Schedule{Period: maxD - day, Overlap: 2 * day, TTL: maxD}, "schedule.period"},
		{"propagation + period", Schedule{Period: maxD / 2, Propagation: maxD, TTL: maxD}, "schedule.period"},
		{"all at the maximum", Schedule{Period: maxD, Overlap: maxD, Propagation: maxD, Jitter: maxD, TTL: maxD}, "schedule.period"},
	} {
		errs := c.s.Validate(ModeSeries)
		if len(errs) != 1 || errs[0].Field != c.field || !strings.Contains(errs[0].Message, "is longer than the longest duration 106751d23h47m16s") ||
			!strings.Contains(errs[0].Message, "propagation ") || !strings.Contains(errs[0].Message, " + jitter ") {
			t.Errorf("%s: errors %v, want one on %s naming the attributes", c.name, errs, c.field)
		}
		if _, err := Decide(Spec{Key: "a/b", Schedule: c.s}, stA, d(1)); err == nil {
			t.Errorf("%s: Decide accepted the schedule", c.name)
		}
	}
	// Exactly the maximum is fine, and nothing is due at once.
	s := Schedule{Period: maxD - day, Jitter: day, TTL: maxD}
	if errs := s.Validate(ModeSeries); errs != nil {
		t.Fatalf("largest schedule: %v", errs)
	}
	dec, err := Decide(Spec{Key: "a/b", Schedule: s, Controls: Controls{HistoryLimit: 10}}, stA, d(1))
	if err != nil || len(dec.Transitions) != 0 {
		t.Errorf("largest schedule: %v %v", dec.Transitions, err)
	}
	if _, _, at := NextTransition(Spec{Key: "a/b", Schedule: s}, stA, d(1)); !at.After(d(1)) {
		t.Errorf("largest schedule: next transition at %s", ts(at))
	}
}

// TestDecideLastVersionNumber: a record holding version 2^63-1 is refused
// before the next issue could wrap around.
func TestDecideLastVersionNumber(t *testing.T) {
	last := state(math.MaxInt64, act(math.MaxInt64, d(0), d(0)))
	_, err := Decide(Spec{Key: "a/b", Schedule: std(), Controls: Controls{HistoryLimit: 10}}, last, d(30))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "versions" || !strings.Contains(ve.Message, "v9223372036854775807 is the largest version number there is: the next issue would wrap") {
		t.Errorf("error %v", err)
	}
	ok := state(math.MaxInt64-1, act(math.MaxInt64-1, d(0), d(0)))
	dec, err := Decide(Spec{Key: "a/b", Schedule: std(), Controls: Controls{HistoryLimit: 10}}, ok, d(30))
	if err != nil || trs(dec.Transitions) != "issue v9223372036854775807" {
		t.Errorf("one below: %v %v", dec.Transitions, err)
	}
}
