package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// This file drives rotation_schedule through the provider protocol the way
// Terraform does (protocol_harness_test.go), with a clock the test moves
// between plan and apply: the schedule's counterpart of
// resource_secret_unit_test.go. It checks what the acceptance tests cannot
// see: the warnings of a plan, and the exact values of an apply made later
// than its plan.

// scheduleSpec is the configuration of the harness's rotation_schedule
// (period 30d, overlap 1d, ttl 90d, propagation 1h unless changed).
type scheduleSpec = lifecycleSpec

// newScheduleHarness is the harness of one rotation_schedule.
func newScheduleHarness(t *testing.T) *protoHarness {
	t.Helper()
	return newProtoHarnessFor(t, "rotation_schedule")
}

// slotStatuses is "a:v1:active b:unused" of a state or plan.
func slotStatuses(v tftypes.Value) string {
	var parts []string
	for _, slot := range []string{"a", "b"} {
		if version := get(v, "slots", slot, "version"); version != nil {
			parts = append(parts, fmt.Sprintf("%s:v%v:%v", slot, version, get(v, "slots", slot, "status")))
		} else {
			parts = append(parts, fmt.Sprintf("%s:%v", slot, get(v, "slots", slot, "status")))
		}
	}
	return strings.Join(parts, " ")
}

// wantSlots fails the test unless v's slots are want.
func wantSlots(t *testing.T, what string, v tftypes.Value, want string) {
	t.Helper()
	if got := slotStatuses(v); got != want {
		t.Fatalf("%s %s, want %s", what, got, want)
	}
}

// TestScheduleApplyLaterThanPlan: an apply later than its plan keeps every
// planned status and keeper, performs nothing the plan did not show, and
// stamps the timestamps the plan left unknown with the apply time;
// Terraform's apply-time re-plan agrees with the saved plan, and the result
// conforms to it.
func TestScheduleApplyLaterThanPlan(t *testing.T) {
	h := newScheduleHarness(t)
	base := scheduleSpec{}

	// Create: planned 09:00, applied 09:10. The keeper is known in the plan,
	// so the slot's credential is planned with it.
	saved, _ := h.at("2026-01-05T09:00:00Z").mustPlan(base)
	wantSlots(t, "planned", saved, "a:v1:active b:unused")
	expect(t, saved, "v1", "slots", "a", "keeper")
	expect(t, saved, true, "slots", "a", "enabled")
	expect(t, saved, "<unknown>", "slots", "a", "issued_at")
	expect(t, saved, "<unknown>", "next_transition_at")
	st := h.at("2026-01-05T09:10:00Z").apply(base, saved)
	expect(t, st, "2026-01-05T09:10:00Z", "slots", "a", "issued_at")
	expect(t, st, "2026-01-05T09:10:00Z", "slots", "a", "activated_at")
	expect(t, st, "2026-04-05T09:10:00Z", "slots", "a", "expires_at")
	expect(t, st, "unused", "slots", "b", "keeper")
	expect(t, st, false, "slots", "b", "enabled")
	expect(t, st, "a", "active_slot")
	expect(t, st, int64(1), "generation")
	expect(t, st, "issue v2", "next_transition")
	expect(t, st, "2026-02-04T09:10:00Z", "next_transition_at")

	// Issue: planned when due, applied 5h later, after plan + propagation:
	// v2 is still only pending, issued at the apply time.
	saved, _ = h.at("2026-02-04T09:10:00Z").mustPlan(base)
	wantSlots(t, "planned", saved, "a:v1:active b:v2:pending")
	expect(t, saved, "v2", "slots", "b", "keeper")
	st = h.at("2026-02-04T14:10:00Z").apply(base, saved)
	wantSlots(t, "applied", st, "a:v1:active b:v2:pending")
	expect(t, st, "2026-02-04T14:10:00Z", "slots", "b", "issued_at")
	expect(t, st, nil, "slots", "b", "activated_at")
	expect(t, st, "activate v2", "next_transition")
	expect(t, st, "2026-02-04T15:10:00Z", "next_transition_at")

	// Activate: applied 2 days after plan, past plan + overlap: v1 is
	// previous (not revoked), superseded at the apply time.
	saved, _ = h.at("2026-02-04T15:10:00Z").mustPlan(base)
	st = h.at("2026-02-06T15:10:00Z").apply(base, saved)
	wantSlots(t, "applied", st, "a:v1:previous b:v2:active")
	expect(t, st, "2026-02-06T15:10:00Z", "slots", "a", "superseded_at")
	expect(t, st, "2026-02-06T15:10:00Z", "slots", "b", "activated_at")
	expect(t, st, "b", "active_slot")
	expect(t, st, "2026-02-07T15:10:00Z", "next_transition_at")

	// A configuration change with nothing due (hold_reason without hold):
	// the apply later changes no status and keeps the planned
	// next_transition.
	held := base
	held.holdWhy = "not held, just documented"
	saved, _ = h.at("2026-02-06T16:00:00Z").mustPlan(held)
	expect(t, saved, "revoke v1", "next_transition")
	st = h.at("2026-02-07T15:09:59Z").apply(held, saved)
	wantSlots(t, "applied", st, "a:v1:previous b:v2:active")
	expect(t, st, "2026-02-07T15:10:00Z", "next_transition_at")

	// Revoke: applied later, still before v3 is due: v1 revoked at the
	// apply time, slot a disabled, its keeper unchanged.
	saved, _ = h.at("2026-02-07T15:10:00Z").mustPlan(held)
	expect(t, saved, false, "slots", "a", "enabled")
	st = h.at("2026-03-06T14:00:00Z").apply(held, saved)
	wantSlots(t, "applied", st, "a:v1:revoked b:v2:active")
	expect(t, st, "2026-03-06T14:00:00Z", "slots", "a", "revoked_at")
	expect(t, st, "v1", "slots", "a", "keeper")
	expect(t, st, "issue v3", "next_transition")
	expect(t, st, "2026-03-06T14:10:00Z", "next_transition_at")

	// Emergency revocation planned before v3 is due and applied after: v2
	// revoked, v3 issued active into the free slot a, both at the apply
	// time.
	inc := held
	inc.revoke, inc.reason = []int64{2}, "INC-1"
	saved, _ = h.at("2026-03-06T14:05:00Z").mustPlan(inc)
	wantSlots(t, "planned", saved, "a:v3:active b:v2:revoked")
	expect(t, saved, "v3", "slots", "a", "keeper")
	st = h.at("2026-03-06T18:00:00Z").apply(inc, saved)
	expect(t, st, "2026-03-06T18:00:00Z", "slots", "b", "revoked_at")
	expect(t, st, "INC-1", "slots", "b", "revoke_reason")
	expect(t, st, "2026-03-06T18:00:00Z", "slots", "a", "issued_at")
	expect(t, st, "2026-03-06T18:00:00Z", "slots", "a", "activated_at")
	expect(t, st, nil, "slots", "a", "revoke_reason")
	expect(t, st, int64(3), "active_version")
	expect(t, st, "a", "active_slot")
	expect(t, st, int64(3), "generation")

	// A rotation request issues v4 into slot b (v2 is revoked) at once.
	rot := inc
	rot.triggers = map[string]string{"r": "1"}
	saved, _ = h.at("2026-03-07T09:00:00Z").mustPlan(rot)
	st = h.at("2026-03-07T09:30:00Z").apply(rot, saved)
	wantSlots(t, "applied", st, "a:v3:active b:v4:pending")
	expect(t, st, "2026-03-07T09:30:00Z", "slots", "b", "issued_at")
	expect(t, st, nil, "slots", "b", "revoke_reason")

	// Promotion planned, applied a day later: v3 previous and v4 active
	// from the apply time.
	pinned := rot
	pinned.pin = 4
	saved, _ = h.at("2026-03-07T09:40:00Z").mustPlan(pinned)
	st = h.at("2026-03-08T09:40:00Z").apply(pinned, saved)
	wantSlots(t, "applied", st, "a:v3:previous b:v4:active")
	expect(t, st, "2026-03-08T09:40:00Z", "slots", "a", "superseded_at")
	expect(t, st, "2026-03-08T09:40:00Z", "slots", "b", "activated_at")
	expect(t, st, "b", "active_slot")
	expect(t, st, "revoke v3", "next_transition")
	expect(t, st, "2026-03-09T09:40:00Z", "next_transition_at")
}

// TestScheduleApply_keepsPlannedStatuses: Update never decides again.
// Handed the plan of an earlier instant at a time when much more is due
// (v3 issue, as here), it records exactly the planned slots and stamps only
// the timestamps the plan left unknown.
func TestScheduleApply_keepsPlannedStatuses(t *testing.T) {
	h := newScheduleHarness(t)
	base := scheduleSpec{}
	h.at("2026-01-05T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	h.at("2026-02-04T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	h.at("2026-02-04T10:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base)
	wantSlots(t, "planned", saved, "a:v1:revoked b:v2:active")
	// 40 days later v3 would be due into slot a and v2 past its period.
	st := h.at("2026-03-17T10:00:00Z").applyPlanned(base, saved)
	wantSlots(t, "applied", st, "a:v1:revoked b:v2:active")
	expect(t, st, "v1", "slots", "a", "keeper")
	expect(t, st, "2026-03-17T10:00:00Z", "slots", "a", "revoked_at")
	expect(t, st, "2026-02-04T09:00:00Z", "slots", "b", "issued_at")
	expect(t, st, "2026-02-04T10:00:00Z", "slots", "b", "activated_at")
	expect(t, st, int64(2), "generation")
	expect(t, st, "issue v3", "next_transition")
	// v3 was due on 2026-03-06T09:00: overdue, so due at the apply.
	expect(t, st, "2026-03-17T10:00:00Z", "next_transition_at")
}

// TestScheduleApplyLater_crossingDueTime is the schedule's side of the
// known issue TestSecretApplyLater_crossingDueTime documents: without
// plan_time, a transition that falls due between plan and apply (or a
// change window that closes in between) makes the apply-time re-plan
// disagree with the saved plan. Skipped unless ROTATION_ACC_KNOWN_ISSUES=1:
// plan_time = plantimestamp() is the fix (TestScheduleApplyLater_planTime).
func TestScheduleApplyLater_crossingDueTime(t *testing.T) {
	if os.Getenv(EnvKnownIssues) == "" {
		t.Skip("known issue without plan_time (the apply-time re-plan decides at the apply time; TestScheduleApplyLater_planTime shows the fix); set " + EnvKnownIssues + "=1 to run")
	}
	t.Run("due time", func(t *testing.T) {
		h := newScheduleHarness(t)
		base := scheduleSpec{}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).applyPlanned(base, must(h.mustPlan(base)))
		}
		saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base) // revoke v1
		h.at("2026-03-07T09:00:00Z").apply(base, saved)         // v3 due since 03-06
	})
	t.Run("window closes", func(t *testing.T) {
		h := newScheduleHarness(t)
		base := scheduleSpec{window: &[4]string{"mon", "09:00", "16:00", "UTC"}}
		h.at("2026-01-04T12:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		saved, _ := h.at("2026-02-09T15:59:00Z").mustPlan(base) // issue v2
		h.at("2026-02-09T16:00:00Z").apply(base, saved)
	})
}

// TestScheduleApplyLater_planTime: with plan_time = plantimestamp(), a
// saved plan applied after a further transition fell due (or after the
// change window closed) is re-planned as of the plan's instant, so the
// apply does exactly what the plan showed, stamped with the apply time.
func TestScheduleApplyLater_planTime(t *testing.T) {
	t.Run("due time", func(t *testing.T) {
		h := newScheduleHarness(t)
		h.usePlanTime = true
		base := scheduleSpec{}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).apply(base, must(h.mustPlan(base)))
		}
		saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base) // revoke v1
		st := h.at("2026-03-07T09:00:00Z").apply(base, saved)   // v3 due since 03-06: not in this apply
		wantSlots(t, "applied", st, "a:v1:revoked b:v2:active")
		expect(t, st, "2026-03-07T09:00:00Z", "slots", "a", "revoked_at")
		// The next plan picks up the overdue rotation, into slot a.
		next, _ := h.at("2026-03-07T09:05:00Z").mustPlan(base)
		wantSlots(t, "next plan", next, "a:v3:pending b:v2:active")
		expect(t, next, "v3", "slots", "a", "keeper")
	})
	t.Run("window closes", func(t *testing.T) {
		h := newScheduleHarness(t)
		h.usePlanTime = true
		base := scheduleSpec{window: &[4]string{"mon", "09:00", "16:00", "UTC"}}
		h.at("2026-01-04T12:00:00Z").apply(base, must(h.mustPlan(base)))
		saved, _ := h.at("2026-02-09T15:59:00Z").mustPlan(base) // issue v2
		st := h.at("2026-02-09T16:00:00Z").apply(base, saved)
		wantSlots(t, "applied", st, "a:v1:active b:v2:pending")
		expect(t, st, "2026-02-09T16:00:00Z", "slots", "b", "issued_at")
	})
}

// TestSchedulePlan_warnings: what a plan warns about, including the waits
// only two slots have, and that the warning names the attribute to act on.
// The acceptance tests cannot see warnings.
func TestSchedulePlan_warnings(t *testing.T) {
	// pending brings a schedule to v1 active in a, v2 pending in b (issued
	// 2026-02-04T09:00, propagation 1h); previous goes on to v1 previous,
	// v2 active (from 2026-02-04T10:00, overlap 1d).
	pending := func(t *testing.T) (*protoHarness, scheduleSpec) {
		h := newScheduleHarness(t)
		base := scheduleSpec{}
		h.at("2026-01-05T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		h.at("2026-02-04T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		return h, base
	}
	previous := func(t *testing.T) (*protoHarness, scheduleSpec) {
		h, base := pending(t)
		h.at("2026-02-04T10:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		return h, base
	}
	cases := []struct {
		name   string
		setup  func(*testing.T) (*protoHarness, scheduleSpec)
		at     string
		modify func(*scheduleSpec)
		want   []string // substrings of one warning, in order
		plan   string   // planned slots
	}{
		{
			name: "pin promotes before propagation", setup: pending, at: "2026-02-04T09:10:00Z",
			modify: func(s *scheduleSpec) { s.pin = 2 },
			want:   []string{"pin_active_version = 2 promotes v2 before its propagation ends at 2026-02-04T10:00:00Z"},
			plan:   "a:v1:previous b:v2:active",
		},
		{
			name: "hold without reason", setup: pending, at: "2026-02-04T09:10:00Z",
			modify: func(s *scheduleSpec) { s.hold = true },
			want:   []string{"hold_revocation is set without hold_reason", "ROT032"},
			plan:   "a:v1:active b:v2:pending",
		},
		{
			name: "emergency promotion before propagation", setup: pending, at: "2026-02-04T09:10:00Z",
			modify: func(s *scheduleSpec) { s.revoke, s.reason = []int64{1}, "INC-5" },
			want:   []string{"v2 becomes active at once to replace v1", "before its propagation ends at 2026-02-04T10:00:00Z"},
			plan:   "a:v1:revoked b:v2:active",
		},
		{
			name: "rotate while pending", setup: pending, at: "2026-02-04T09:10:00Z",
			modify: func(s *scheduleSpec) { s.triggers = map[string]string{"x": "1"} },
			want:   []string{"rotate_triggers changed while v2 is still pending", "v2 is the rotation"},
			plan:   "a:v1:active b:v2:pending",
		},
		{
			name: "ttl outlived while pinned", setup: pending, at: "2026-04-10T09:00:00Z",
			modify: func(s *scheduleSpec) { s.pin = 1 },
			want:   []string{"v1 (active) outlived its ttl: issued 2026-01-05T09:00:00Z + ttl 90d = 2026-04-05T09:00:00Z", "pin_active_version"},
			plan:   "a:v1:active b:v2:pending",
		},
		{
			name: "rotate while the slot is busy", setup: previous, at: "2026-02-04T10:30:00Z",
			modify: func(s *scheduleSpec) { s.triggers = map[string]string{"x": "1"} },
			want: []string{`rotation waits for slot "a": v3 is due (rotate_triggers changed)`,
				"v1 is previous until its overlap ends at 2026-02-05T10:00:00Z (superseded 2026-02-04T10:00:00Z + overlap 1d); v3 is issued once v1 is revoked"},
			plan: "a:v1:previous b:v2:active",
		},
		{
			name: "rotation waits for a held slot", setup: previous, at: "2026-03-06T09:00:00Z",
			modify: func(s *scheduleSpec) { s.hold, s.holdWhy = true, "CHG-1: a consumer still reads v1" },
			want: []string{`rotation waits for slot "a": v3 is due (period ended at 2026-03-06T09:00:00Z`,
				"v1 is previous and hold_revocation keeps it valid (CHG-1: a consumer still reads v1)"},
			plan: "a:v1:previous b:v2:active",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, s := tc.setup(t)
			tc.modify(&s)
			planned, diags := h.at(tc.at).mustPlan(s)
			if got := slotStatuses(planned); got != tc.plan {
				t.Errorf("planned %s, want %s", got, tc.plan)
			}
			expectWarning(t, diags, tc.want...)
		})
	}
	t.Run("rollback keeps the slot busy", func(t *testing.T) {
		// After a rollback to v1, slot a holds the active version: the
		// schedule never frees it, and the warning says how to rotate.
		h, base := previous(t)
		pinned := base
		pinned.pin = 1
		h.at("2026-02-04T11:00:00Z").applyPlanned(pinned, must(h.mustPlan(pinned)))
		h.at("2026-02-05T11:00:00Z").applyPlanned(pinned, must(h.mustPlan(pinned))) // v2 revoked
		planned, diags := h.at("2026-03-10T09:00:00Z").mustPlan(base)
		wantSlots(t, "planned", planned, "a:v1:active b:v2:revoked")
		// The period counts from v1, the newest accepted version.
		expectWarning(t, diags, `rotation waits for slot "a": v3 is due (period ended at 2026-02-04T09:00:00Z (last issued 2026-01-05T09:00:00Z`,
			"v1 is the active version (after a rollback) and the schedule never frees it; to rotate, add 1 to revoke_versions")
		expect(t, planned, "none", "next_transition")
	})
	t.Run("nothing to warn about", func(t *testing.T) {
		h, s := pending(t)
		_, diags := h.at("2026-02-04T09:30:00Z").mustPlan(s)
		if ws := warningsOf(diags); len(ws) != 0 {
			t.Errorf("unexpected warnings: %q", ws)
		}
	})
}

// TestSchedulePlan_errors: what two slots refuse, with the attribute and
// the fix in the message.
func TestSchedulePlan_errors(t *testing.T) {
	errorOf := func(t *testing.T, h *protoHarness, s scheduleSpec, want ...string) {
		t.Helper()
		_, diags := h.plan(s)
		if !hasErrors(diags) {
			t.Fatalf("plan succeeded, want an error containing %q", want)
		}
		text := diagText(diags)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("errors do not contain %q:\n%s", w, text)
			}
		}
	}
	active := func(t *testing.T) (*protoHarness, scheduleSpec) {
		// v1 previous in a, v2 active in b.
		h := newScheduleHarness(t)
		base := scheduleSpec{}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).applyPlanned(base, must(h.mustPlan(base)))
		}
		return h, base
	}
	t.Run("revoking the active version needs its replacement's slot", func(t *testing.T) {
		h, s := active(t)
		s.revoke, s.reason = []int64{2}, "INC-7"
		errorOf(t, h.at("2026-02-04T11:00:00Z"), s, "revoke_versions: revoking the active v2 needs a replacement, v3",
			`slot "a" still holds v1 (previous); either add 1 to revoke_versions as well`, "or set pin_active_version = 1")
		// Either fix is accepted.
		both := s
		both.revoke = []int64{1, 2}
		planned, _ := h.mustPlan(both)
		wantSlots(t, "planned", planned, "a:v3:active b:v2:revoked")
		rollback := s
		rollback.pin = 1
		planned, _ = h.mustPlan(rollback)
		wantSlots(t, "planned", planned, "a:v1:active b:v2:revoked")
	})
	t.Run("pin a revoked version", func(t *testing.T) {
		h, s := active(t)
		h.at("2026-02-05T10:00:00Z").applyPlanned(s, must(h.mustPlan(s))) // v1 revoked
		s.pin = 1
		errorOf(t, h.at("2026-02-05T11:00:00Z"), s, "pin_active_version: v1 is revoked (revoked by the schedule at 2026-02-05T10:00:00Z)")
	})
	t.Run("slots would collide", func(t *testing.T) {
		h := newScheduleHarness(t)
		s := scheduleSpec{schedule: map[string]string{"period": "1d", "propagation": "12h", "overlap": "12h", "ttl": "3d"}}
		errorOf(t, h.at("2026-01-05T09:00:00Z"), s, "schedule.period: the two slots would collide: propagation 12h + overlap 12h = 1d is not shorter than period 1d")
	})
}
