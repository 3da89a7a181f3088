package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// This file drives rotation_secret through the provider protocol the way
// Terraform does (protocol_harness_test.go), with a clock the test moves
// between plan and apply. It checks what the acceptance tests cannot see:
// the warnings of a plan, and the exact values of an apply made later than
// its plan.

// secretSpec is the configuration of the harness's rotation_secret.
type secretSpec = lifecycleSpec

// statuses is "v1:active v2:pending ..." of a state or plan.
func statuses(v tftypes.Value) string {
	var parts []string
	for i := 0; i < count(get(v, "versions")); i++ {
		parts = append(parts, fmt.Sprintf("v%v:%v", get(v, "versions", i, "version"), get(v, "versions", i, "status")))
	}
	return strings.Join(parts, " ")
}

// TestSecretApplyLaterThanPlan: an apply later than its plan keeps every
// planned status, performs nothing the plan did not show, and stamps the
// timestamps the plan left unknown with the apply time; Terraform's
// apply-time re-plan agrees with the saved plan, and the result conforms
// to it.
func TestSecretApplyLaterThanPlan(t *testing.T) {
	h := newProtoHarness(t)
	base := secretSpec{typ: "hmac"}

	// Create: planned 09:00, applied 09:10.
	saved, _ := h.at("2026-01-05T09:00:00Z").mustPlan(base)
	expect(t, saved, "active", "versions", 0, "status")
	expect(t, saved, "<unknown>", "versions", 0, "issued_at")
	expect(t, saved, "<unknown>", "next_transition_at")
	st := h.at("2026-01-05T09:10:00Z").apply(base, saved)
	expect(t, st, "2026-01-05T09:10:00Z", "versions", 0, "issued_at")
	expect(t, st, "2026-01-05T09:10:00Z", "versions", 0, "activated_at")
	expect(t, st, "2026-04-05T09:10:00Z", "versions", 0, "expires_at")
	expect(t, st, "issue v2", "next_transition")
	expect(t, st, "2026-02-04T09:10:00Z", "next_transition_at")

	// Issue: planned when due, applied 5h later, after plan + propagation:
	// v2 is still only pending, issued at the apply time.
	saved, _ = h.at("2026-02-04T09:10:00Z").mustPlan(base)
	if got := statuses(saved); got != "v1:active v2:pending" {
		t.Fatalf("planned %s", got)
	}
	st = h.at("2026-02-04T14:10:00Z").apply(base, saved)
	if got := statuses(st); got != "v1:active v2:pending" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-02-04T14:10:00Z", "versions", 1, "issued_at")
	expect(t, st, nil, "versions", 1, "activated_at")
	expect(t, st, "activate v2", "next_transition")
	expect(t, st, "2026-02-04T15:10:00Z", "next_transition_at")

	// Activate: applied 2 days after plan, past plan + overlap: v1 is
	// previous (not revoked), superseded at the apply time.
	saved, _ = h.at("2026-02-04T15:10:00Z").mustPlan(base)
	st = h.at("2026-02-06T15:10:00Z").apply(base, saved)
	if got := statuses(st); got != "v1:previous v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-02-06T15:10:00Z", "versions", 0, "superseded_at")
	expect(t, st, "2026-02-06T15:10:00Z", "versions", 1, "activated_at")
	expect(t, st, "2026-02-07T15:10:00Z", "next_transition_at")

	// A configuration change with nothing due (hold_reason without hold):
	// the apply later changes no status and keeps the planned
	// next_transition.
	held := base
	held.holdWhy = "not held, just documented"
	saved, _ = h.at("2026-02-06T16:00:00Z").mustPlan(held)
	expect(t, saved, "revoke v1", "next_transition")
	st = h.at("2026-02-07T15:09:59Z").apply(held, saved)
	if got := statuses(st); got != "v1:previous v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-02-07T15:10:00Z", "next_transition_at")

	// Revoke: applied later, still before v3 is due: v1 revoked at the
	// apply time, its material wiped.
	saved, _ = h.at("2026-02-07T15:10:00Z").mustPlan(held)
	expect(t, saved, nil, "versions", 0, "secret")
	st = h.at("2026-03-06T14:00:00Z").apply(held, saved)
	if got := statuses(st); got != "v1:revoked v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-03-06T14:00:00Z", "versions", 0, "revoked_at")
	expect(t, st, nil, "versions", 0, "secret")
	if n := count(get(st, "accepted_secrets")); n != 1 {
		t.Fatalf("accepted_secrets has %d entries, want 1", n)
	}

	// Emergency revocation planned before v3 is due and applied after:
	// v2 revoked, v3 issued active, both at the apply time.
	inc := held
	inc.revoke, inc.reason = []int64{2}, "INC-1"
	saved, _ = h.at("2026-03-06T14:05:00Z").mustPlan(inc)
	if got := statuses(saved); got != "v1:revoked v2:revoked v3:active" {
		t.Fatalf("planned %s", got)
	}
	st = h.at("2026-03-06T18:00:00Z").apply(inc, saved)
	expect(t, st, "2026-03-06T18:00:00Z", "versions", 1, "revoked_at")
	expect(t, st, "INC-1", "versions", 1, "revoke_reason")
	expect(t, st, "2026-03-06T18:00:00Z", "versions", 2, "issued_at")
	expect(t, st, "2026-03-06T18:00:00Z", "versions", 2, "activated_at")
	expect(t, st, int64(3), "active_version")

	// Rollback planned, applied a day later: v3 previous from the apply
	// time... v2 is revoked, so pin the only other accepted one after a
	// new rotation.
	rot := inc
	rot.triggers = map[string]string{"r": "1"}
	saved, _ = h.at("2026-03-07T09:00:00Z").mustPlan(rot)
	st = h.at("2026-03-07T09:30:00Z").apply(rot, saved)
	if got := statuses(st); got != "v1:revoked v2:revoked v3:active v4:pending" {
		t.Fatalf("applied %s", got)
	}
	pinned := rot
	pinned.pin = 4
	saved, _ = h.at("2026-03-07T09:40:00Z").mustPlan(pinned)
	st = h.at("2026-03-08T09:40:00Z").apply(pinned, saved)
	if got := statuses(st); got != "v1:revoked v2:revoked v3:previous v4:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-03-08T09:40:00Z", "versions", 2, "superseded_at")
	expect(t, st, "2026-03-08T09:40:00Z", "versions", 3, "activated_at")
	expect(t, st, "revoke v3", "next_transition")
	expect(t, st, "2026-03-09T09:40:00Z", "next_transition_at")
}

// TestSecretApply_keepsPlannedStatuses: Update never decides again. Handed
// the plan of an earlier instant at a time when much more is due (v3
// issue, as here), it records exactly the planned statuses and stamps only
// the timestamps the plan left unknown. (Terraform's own re-plan at apply
// time is a separate matter: see TestSecretApplyLater_crossingDueTime.)
func TestSecretApply_keepsPlannedStatuses(t *testing.T) {
	h := newProtoHarness(t)
	base := secretSpec{typ: "ed25519"}
	h.at("2026-01-05T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	h.at("2026-02-04T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	h.at("2026-02-04T10:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base)
	if got := statuses(saved); got != "v1:revoked v2:active" {
		t.Fatalf("planned %s", got)
	}
	// 40 days later v3 would be due and v2 past its period.
	st := h.at("2026-03-17T10:00:00Z").applyPlanned(base, saved)
	if got := statuses(st); got != "v1:revoked v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-03-17T10:00:00Z", "versions", 0, "revoked_at")
	expect(t, st, "2026-02-04T09:00:00Z", "versions", 1, "issued_at")
	expect(t, st, "2026-02-04T10:00:00Z", "versions", 1, "activated_at")
	expect(t, st, "issue v3", "next_transition")
	// v3 was due on 2026-03-06T09:00: overdue, so due at the apply.
	expect(t, st, "2026-03-17T10:00:00Z", "next_transition_at")
}

// TestSecretApplyLater_crossingDueTime documents a known issue: when a
// transition falls due between plan and apply (or the change window closes
// in between), the apply-time re-plan decides differently from the saved
// plan, and Terraform stops the apply with "Provider produced inconsistent
// final plan". Skipped unless ROTATION_ACC_KNOWN_ISSUES=1: the provider's
// plan_time = plantimestamp() is the fix (TestSecretApplyLater_planTime).
func TestSecretApplyLater_crossingDueTime(t *testing.T) {
	if os.Getenv(EnvKnownIssues) == "" {
		t.Skip("known issue without plan_time (the apply-time re-plan decides at the apply time; TestSecretApplyLater_planTime shows the fix); set " + EnvKnownIssues + "=1 to run")
	}
	t.Run("due time", func(t *testing.T) {
		h := newProtoHarness(t)
		base := secretSpec{typ: "hmac"}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).applyPlanned(base, must(h.mustPlan(base)))
		}
		saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base) // revoke v1
		h.at("2026-03-07T09:00:00Z").apply(base, saved)         // v3 due since 03-06
	})
	t.Run("window closes", func(t *testing.T) {
		h := newProtoHarness(t)
		base := secretSpec{typ: "hmac", window: &[4]string{"mon", "09:00", "16:00", "UTC"}}
		h.at("2026-01-04T12:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		saved, _ := h.at("2026-02-09T15:59:00Z").mustPlan(base) // issue v2
		h.at("2026-02-09T16:00:00Z").apply(base, saved)
	})
}

// TestSecretApplyLater_planTime: with plan_time = plantimestamp(), a saved
// plan applied after a further transition fell due (or after the change
// window closed) is re-planned as of the plan's instant, so the apply does
// exactly what the plan showed, stamped with the apply time.
func TestSecretApplyLater_planTime(t *testing.T) {
	t.Run("due time", func(t *testing.T) {
		h := newProtoHarness(t)
		h.usePlanTime = true
		base := secretSpec{typ: "hmac"}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).apply(base, must(h.mustPlan(base)))
		}
		saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base) // revoke v1
		st := h.at("2026-03-07T09:00:00Z").apply(base, saved)   // v3 due since 03-06: not in this apply
		if got := statuses(st); got != "v1:revoked v2:active" {
			t.Fatalf("applied %s", got)
		}
		expect(t, st, "2026-03-07T09:00:00Z", "versions", 0, "revoked_at")
		// The next plan picks up the overdue rotation.
		next, _ := h.at("2026-03-07T09:05:00Z").mustPlan(base)
		if got := statuses(next); got != "v1:revoked v2:active v3:pending" {
			t.Fatalf("next plan %s", got)
		}
	})
	t.Run("window closes", func(t *testing.T) {
		h := newProtoHarness(t)
		h.usePlanTime = true
		base := secretSpec{typ: "hmac", window: &[4]string{"mon", "09:00", "16:00", "UTC"}}
		h.at("2026-01-04T12:00:00Z").apply(base, must(h.mustPlan(base)))
		saved, _ := h.at("2026-02-09T15:59:00Z").mustPlan(base) // issue v2
		st := h.at("2026-02-09T16:00:00Z").apply(base, saved)
		if got := statuses(st); got != "v1:active v2:pending" {
			t.Fatalf("applied %s", got)
		}
		expect(t, st, "2026-02-09T16:00:00Z", "versions", 1, "issued_at")
	})
}

// TestSecretPlan_warnings: what a plan warns about, and that the warning
// names the attribute to act on. The acceptance tests cannot see warnings.
func TestSecretPlan_warnings(t *testing.T) {
	// setup brings a secret to v1 active, v2 pending (issued
	// 2026-02-04T09:00, propagation 1h).
	setup := func(t *testing.T) (*protoHarness, secretSpec) {
		h := newProtoHarness(t)
		base := secretSpec{typ: "hmac"}
		h.at("2026-01-05T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		h.at("2026-02-04T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		return h, base
	}
	cases := []struct {
		name   string
		at     string
		modify func(*secretSpec)
		want   []string // substrings of one warning, in order
		plan   string   // planned statuses
	}{
		{
			name: "pin promotes before propagation", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.pin = 2 },
			want:   []string{"pin_active_version = 2 promotes v2 before its propagation ends at 2026-02-04T10:00:00Z"},
			plan:   "v1:previous v2:active",
		},
		{
			name: "hold without reason", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.hold = true },
			want:   []string{"hold_revocation is set without hold_reason", "ROT032"},
			plan:   "v1:active v2:pending",
		},
		{
			name: "emergency promotion before propagation", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.revoke, s.reason = []int64{1}, "INC-5" },
			want:   []string{"v2 becomes active at once to replace v1", "before its propagation ends at 2026-02-04T10:00:00Z"},
			plan:   "v1:revoked v2:active",
		},
		{
			name: "rotate while pending", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.triggers = map[string]string{"x": "1"} },
			want:   []string{"rotate_triggers changed while v2 is still pending", "v2 is the rotation"},
			plan:   "v1:active v2:pending",
		},
		{
			name: "ttl outlived while held", at: "2026-04-10T09:00:00Z",
			modify: func(s *secretSpec) { s.pin = 1 },
			want:   []string{"v1 (active) outlived its ttl: issued 2026-01-05T09:00:00Z + ttl 90d = 2026-04-05T09:00:00Z", "pin_active_version"},
			plan:   "v1:active v2:pending",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, s := setup(t)
			tc.modify(&s)
			planned, diags := h.at(tc.at).mustPlan(s)
			if got := statuses(planned); got != tc.plan {
				t.Errorf("planned %s, want %s", got, tc.plan)
			}
			ws := warningsOf(diags)
			found := false
			for _, w := range ws {
				ok := true
				for _, sub := range tc.want {
					ok = ok && strings.Contains(w, sub)
				}
				found = found || ok
			}
			if !found {
				t.Errorf("no warning contains %q; warnings:\n%s", tc.want, strings.Join(ws, "\n"))
			}
		})
	}
	t.Run("nothing to warn about", func(t *testing.T) {
		h, s := setup(t)
		_, diags := h.at("2026-02-04T09:30:00Z").mustPlan(s)
		if ws := warningsOf(diags); len(ws) != 0 {
			t.Errorf("unexpected warnings: %q", ws)
		}
	})
}
