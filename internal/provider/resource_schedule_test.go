package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const schedAddr = "rotation_schedule.db"

// scheduleConfig drives one terraform_data per slot, replaced when the slot's
// keeper changes, the way a random_password or an access key would be. The
// schedule is stdSchedule: period 30d, propagation 1h, overlap 1d, ttl 90d.
func scheduleConfig(now, extra string) string {
	return scheduleConfigSchedule(now, stdSchedule, extra)
}

// scheduleConfigSchedule is scheduleConfig with the body of the schedule
// block given.
func scheduleConfigSchedule(now, schedule, extra string) string {
	return providerBlock(now) + fmt.Sprintf(`
resource "rotation_schedule" "db" {
  family = "payments-db"
  name   = "prod"
  schedule {%s}
%s
}

resource "terraform_data" "a" {
  triggers_replace = rotation_schedule.db.slots.a.keeper
  input            = rotation_schedule.db.slots.a.enabled
}

resource "terraform_data" "b" {
  triggers_replace = rotation_schedule.db.slots.b.keeper
  input            = rotation_schedule.db.slots.b.enabled
}
`, schedule, extra)
}

func slotCheck(slot, attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("slots").AtMapKey(slot).AtMapKey(attr), v)
}

func plannedSlot(slot, attr string, v knownvalue.Check) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(schedAddr, tfjsonpath.New("slots").AtMapKey(slot).AtMapKey(attr), v)
}

// replaced asserts which slot resources the plan replaces: a slot's
// credential is replaced exactly when its keeper changes, never otherwise.
func replaced(a, b bool) []plancheck.PlanCheck {
	check := func(addr string, yes bool) plancheck.PlanCheck {
		if yes {
			return plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)
		}
		return notReplaced(addr)
	}
	return []plancheck.PlanCheck{check("terraform_data.a", a), check("terraform_data.b", b)}
}

func TestAccSchedule_twoSlots(t *testing.T) {
	const (
		t0     = "2026-01-05T09:00:00Z"
		d30    = "2026-02-04T09:00:00Z" // v2 issued into b
		d30h1  = "2026-02-04T10:00:00Z" // v2 active, v1 previous
		d31h1  = "2026-02-05T10:00:00Z" // v1 revoked
		d60    = "2026-03-06T09:00:00Z" // v3 issued into a
		d60h1  = "2026-03-06T10:00:00Z" // v3 active, v2 previous
		d90    = "2026-04-05T09:00:00Z" // v4 due, but b still holds v2 (held)
		d90h1  = "2026-04-05T10:00:00Z" // v4 active
		d90h2  = "2026-04-05T11:00:00Z"
		hold   = "hold_revocation = true\n  hold_reason = \"INC-42: a consumer still reads v2\""
		pin3   = "pin_active_version = 3"
		revoke = "revoke_versions = [3]\n  revoke_reason = \"INC-43: v3 leaked\""
	)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: scheduleConfig(t0, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					slotCheck("a", "status", knownvalue.StringExact("active")),
					slotCheck("a", "keeper", knownvalue.StringExact("v1")),
					slotCheck("b", "status", knownvalue.StringExact("unused")),
					slotCheck("b", "enabled", knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_slot"), knownvalue.StringExact("a")),
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("next_transition"), knownvalue.StringExact("issue v2")),
				},
			},
			{Config: scheduleConfig(t0, ""), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{
				Config: scheduleConfig(d30, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(replaced(false, true),
					plannedSlot("b", "status", knownvalue.StringExact("pending")),
					plannedSlot("b", "keeper", knownvalue.StringExact("v2")),
					plannedSlot("b", "enabled", knownvalue.Bool(true)),
				)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_slot"), knownvalue.StringExact("a")),
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("generation"), knownvalue.Int64Exact(2)),
				},
			},
			{
				Config:           scheduleConfig(d30h1, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(replaced(false, false), plannedSlot("a", "status", knownvalue.StringExact("previous")))},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_slot"), knownvalue.StringExact("b")),
					slotCheck("a", "enabled", knownvalue.Bool(true)),
				},
			},
			{
				Config:            scheduleConfig(d31h1, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: replaced(false, false)},
				ConfigStateChecks: []statecheck.StateCheck{slotCheck("a", "status", knownvalue.StringExact("revoked")), slotCheck("a", "enabled", knownvalue.Bool(false))},
			},
			{
				Config:            scheduleConfig(d60, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: append(replaced(true, false), plannedSlot("a", "keeper", knownvalue.StringExact("v3")))},
				ConfigStateChecks: []statecheck.StateCheck{slotCheck("a", "status", knownvalue.StringExact("pending"))},
			},
			{
				Config:            scheduleConfig(d60h1, hold),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: replaced(false, false)},
				ConfigStateChecks: []statecheck.StateCheck{slotCheck("a", "status", knownvalue.StringExact("active")), slotCheck("b", "status", knownvalue.StringExact("previous"))},
			},
			{
				// v4 is due but its slot still holds v2, kept valid by the
				// hold: the rotation waits and nothing is replaced.
				Config:            scheduleConfig(d90, hold),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{slotCheck("b", "status", knownvalue.StringExact("previous")), slotCheck("b", "keeper", knownvalue.StringExact("v2"))},
			},
			{
				// Releasing the hold revokes v2 and issues v4 into b at once.
				Config:            scheduleConfig(d90, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: append(replaced(false, true), plannedSlot("b", "keeper", knownvalue.StringExact("v4")), plannedSlot("b", "status", knownvalue.StringExact("pending")))},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("generation"), knownvalue.Int64Exact(4))},
			},
			{
				Config:            scheduleConfig(d90h1, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: replaced(false, false)},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_slot"), knownvalue.StringExact("b"))},
			},
			{
				// Rollback to the other slot: no credential is re-created.
				Config:           scheduleConfig(d90h1, pin3),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(replaced(false, false), plannedSlot("a", "status", knownvalue.StringExact("active")))},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_slot"), knownvalue.StringExact("a")),
					slotCheck("b", "status", knownvalue.StringExact("previous")),
				},
			},
			{
				// Emergency: v3 leaked. It is revoked and v5 takes slot a at
				// once, active; slot a's credential is re-created.
				Config:           scheduleConfig(d90h2, revoke),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(replaced(true, false), plannedSlot("a", "keeper", knownvalue.StringExact("v5")), plannedSlot("a", "status", knownvalue.StringExact("active")))},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_version"), knownvalue.Int64Exact(5)),
					slotCheck("b", "status", knownvalue.StringExact("previous")),
				},
			},
			{Config: scheduleConfig(d90h2, revoke), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

func TestAccSchedule_slotsWouldCollide(t *testing.T) {
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: providerBlock("2026-01-05T09:00:00Z") + `
resource "rotation_schedule" "db" {
  family = "payments-db"
  name   = "prod"
  schedule {
    period      = "1d"
    propagation = "12h"
    overlap     = "12h"
    ttl         = "3d"
  }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)schedule\.period: the two slots would collide: propagation 12h \+ overlap 12h`),
		}},
	})
}

// schedIs checks a top-level value of rotation_schedule.db in state.
func schedIs(name string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(schedAddr, tfjsonpath.New(name), v)
}

// schedNext checks next_transition and next_transition_at in state; at =
// "" means null.
func schedNext(action, at string) []statecheck.StateCheck {
	var atCheck knownvalue.Check = knownvalue.Null()
	if at != "" {
		atCheck = str(at)
	}
	return []statecheck.StateCheck{schedIs("next_transition", str(action)), schedIs("next_transition_at", atCheck)}
}

// slotPlan is the pre-apply check list of a step: which slot credentials
// the plan replaces, and the given checks.
func slotPlan(a, b bool, checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: append(replaced(a, b), checks...)}
}

// TestAccSchedule_rotateTriggers: changing rotate_triggers issues the next
// version into its slot at once, replacing only that slot's credential; a
// change while a version is pending, or while the slot is still held by
// the previous version, issues nothing; the next period counts from the
// rotation.
func TestAccSchedule_rotateTriggers(t *testing.T) {
	const (
		t0      = "2026-01-05T09:00:00Z"
		t1      = "2026-01-06T09:00:00Z" // 1d later: far from the 30d period
		t1b     = "2026-01-06T09:30:00Z"
		emit    = "2026-01-06T10:00:00Z" // t1 + 1h propagation
		busy    = "2026-01-06T11:00:00Z" // v1 previous: slot a is not free
		revoke  = "2026-01-07T10:00:00Z" // emit + 1d overlap
		nextIss = "2026-02-05T09:00:00Z" // t1 + 30d: the period counts from v2
	)
	triggers := func(v string) string { return fmt.Sprintf("rotate_triggers = { reason = %q }", v) }
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:            scheduleConfig(t0, triggers("initial")),
				ConfigStateChecks: concat([]statecheck.StateCheck{slotCheck("a", "status", str("active"))}, schedNext("issue v2", "2026-02-04T09:00:00Z")),
			},
			{Config: scheduleConfig(t1, triggers("initial")), ConfigPlanChecks: emptyPlan},
			{
				Config: scheduleConfig(t1, triggers("suspected leak")),
				ConfigPlanChecks: slotPlan(false, true,
					plannedSlot("b", "status", str("pending")), plannedSlot("b", "keeper", str("v2")), plannedSlot("b", "enabled", knownvalue.Bool(true)),
					plannedSlot("a", "status", str("active")),
					plancheck.ExpectUnknownValue(schedAddr, tfjsonpath.New("slots").AtMapKey("b").AtMapKey("issued_at")),
				),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("b", "issued_at", str(t1)),
					slotCheck("b", "expires_at", str("2026-04-06T09:00:00Z")),
					slotCheck("b", "activated_at", knownvalue.Null()),
					schedIs("active_slot", str("a")),
					schedIs("generation", knownvalue.Int64Exact(2)),
				}, schedNext("activate v2", emit)),
			},
			{
				// Another change while v2 is pending: v2 is the rotation.
				Config:            scheduleConfig(t1b, triggers("again")),
				ConfigPlanChecks:  slotPlan(false, false, plannedSlot("b", "keeper", str("v2")), plannedSlot("b", "issued_at", str(t1))),
				ConfigStateChecks: []statecheck.StateCheck{schedIs("generation", knownvalue.Int64Exact(2))},
			},
			{
				Config:            scheduleConfig(emit, triggers("again")),
				ConfigPlanChecks:  slotPlan(false, false, plannedSlot("a", "status", str("previous")), plannedSlot("b", "status", str("active"))),
				ConfigStateChecks: concat([]statecheck.StateCheck{schedIs("active_slot", str("b"))}, schedNext("revoke v1", revoke)),
			},
			{
				// v3 would go into slot a, which v1 holds until its overlap
				// ends: the rotation waits (the plan warns), nothing is
				// replaced.
				Config:           scheduleConfig(busy, triggers("once more")),
				ConfigPlanChecks: slotPlan(false, false, plannedSlot("a", "keeper", str("v1")), plannedSlot("a", "status", str("previous"))),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					schedIs("generation", knownvalue.Int64Exact(2)),
					slotCheck("a", "enabled", knownvalue.Bool(true)),
				}, schedNext("revoke v1", revoke)),
			},
			{
				Config:           scheduleConfig(revoke, triggers("once more")),
				ConfigPlanChecks: slotPlan(false, false, plannedSlot("a", "status", str("revoked")), plannedSlot("a", "enabled", knownvalue.Bool(false))),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("a", "revoked_at", str(revoke)),
					slotCheck("a", "keeper", str("v1")),
				}, schedNext("issue v3", nextIss)),
			},
		},
	})
}

// TestAccSchedule_pinRollback: pin_active_version = 1 while v2 is active
// rolls back to slot a at once without re-creating any credential; while
// pinned nothing is issued or activated; pinning a revoked or unknown
// version is an error naming pin_active_version; unpinned, slot a stays
// busy with the active v1 until it is revoked, which issues v3 into it
// active at once.
func TestAccSchedule_pinRollback(t *testing.T) {
	const (
		t0       = "2026-01-05T09:00:00Z"
		due      = "2026-02-04T09:00:00Z"
		emit     = "2026-02-04T10:00:00Z"
		rollback = "2026-02-04T12:00:00Z"
		v2gone   = "2026-02-05T12:00:00Z" // rollback + 1d overlap
		late     = "2026-03-10T09:00:00Z" // v3 would be due on 2026-03-06 unpinned
		later    = "2026-06-01T09:00:00Z"
		retire   = "2026-06-01T10:00:00Z"
	)
	pin := func(v int) string { return fmt.Sprintf("pin_active_version = %d", v) }
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: scheduleConfig(t0, "")},
			{Config: scheduleConfig(due, ""), ConfigStateChecks: []statecheck.StateCheck{slotCheck("b", "status", str("pending"))}},
			{Config: scheduleConfig(emit, ""), ConfigStateChecks: []statecheck.StateCheck{schedIs("active_slot", str("b"))}},
			{
				Config: scheduleConfig(rollback, pin(1)),
				ConfigPlanChecks: slotPlan(false, false,
					plannedSlot("a", "status", str("active")), plannedSlot("b", "status", str("previous")),
					plannedSlot("a", "superseded_at", knownvalue.Null()),
					plancheck.ExpectKnownValue(schedAddr, tfjsonpath.New("active_slot"), str("a")),
				),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("a", "activated_at", str(rollback)),
					slotCheck("a", "superseded_at", knownvalue.Null()),
					slotCheck("b", "superseded_at", str(rollback)),
					slotCheck("b", "enabled", knownvalue.Bool(true)),
					schedIs("active_version", knownvalue.Int64Exact(1)),
				}, schedNext("revoke v2", v2gone)),
			},
			{
				// The overlap of v2 ends; v3 would be due too, but while
				// pinned nothing is issued.
				Config:           scheduleConfig(late, pin(1)),
				ConfigPlanChecks: slotPlan(false, false, plannedSlot("b", "status", str("revoked")), plannedSlot("b", "keeper", str("v2"))),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("b", "enabled", knownvalue.Bool(false)),
					schedIs("generation", knownvalue.Int64Exact(2)),
				}, schedNext("none", "")),
			},
			{Config: scheduleConfig(later, pin(1)), ConfigPlanChecks: emptyPlan},
			{Config: scheduleConfig(later, pin(2)), PlanOnly: true, ExpectError: regexp.MustCompile(`pin_active_version: v2 is revoked`)},
			{Config: scheduleConfig(later, pin(5)), PlanOnly: true, ExpectError: regexp.MustCompile(`pin_active_version: v5 has never been issued`)},
			{
				// Unpinned, v3 is overdue but belongs in slot a, which the
				// active v1 holds: the rotation waits (the plan warns).
				Config:            scheduleConfig(later, ""),
				ConfigPlanChecks:  slotPlan(false, false, plannedSlot("a", "keeper", str("v1")), plannedSlot("a", "status", str("active"))),
				ConfigStateChecks: concat([]statecheck.StateCheck{schedIs("generation", knownvalue.Int64Exact(2))}, schedNext("none", "")),
			},
			{
				// Revoking v1 frees slot a: v3 is issued into it, active at
				// once, and slot a's credential is re-created.
				Config: scheduleConfig(retire, "revoke_versions = [1]\n  revoke_reason = \"retire the rollback\""),
				ConfigPlanChecks: slotPlan(true, false,
					plannedSlot("a", "keeper", str("v3")), plannedSlot("a", "status", str("active")),
				),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("a", "issued_at", str(retire)),
					slotCheck("a", "activated_at", str(retire)),
					schedIs("active_version", knownvalue.Int64Exact(3)),
					schedIs("generation", knownvalue.Int64Exact(3)),
				}, schedNext("issue v4", "2026-07-01T10:00:00Z")),
			},
		},
	})
}

// TestAccSchedule_emergencyRevoke: revoke_versions with revoke_reason
// revokes at once and records the reason; the revoked active version is
// replaced by the pending one, or by a new version issued active into its
// slot; a replacement whose slot is still held is refused with both fixes
// named; without revoke_reason the provider refuses.
func TestAccSchedule_emergencyRevoke(t *testing.T) {
	const (
		t0    = "2026-01-05T09:00:00Z"
		due   = "2026-02-04T09:00:00Z"
		inc1  = "2026-02-04T09:10:00Z"
		inc2  = "2026-02-04T09:20:00Z"
		after = "2026-02-05T09:00:00Z"
		v4    = "2026-03-06T09:20:00Z" // inc2 + 30d
		v4on  = "2026-03-06T10:20:00Z"
		inc3  = "2026-03-06T11:00:00Z"
	)
	revoke := func(versions, reason string) string {
		s := "revoke_versions = " + versions
		if reason != "" {
			s += fmt.Sprintf("\n  revoke_reason = %q", reason)
		}
		return s
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: scheduleConfig(t0, "")},
			{Config: scheduleConfig(due, ""), ConfigStateChecks: []statecheck.StateCheck{slotCheck("b", "status", str("pending"))}},
			{
				// The active v1 is revoked: the pending v2 takes over at once;
				// no credential is re-created, slot a's is disabled.
				Config: scheduleConfig(inc1, revoke("[1]", "INC-42: key in build log")),
				ConfigPlanChecks: slotPlan(false, false,
					plannedSlot("a", "status", str("revoked")), plannedSlot("a", "enabled", knownvalue.Bool(false)),
					plannedSlot("a", "revoke_reason", str("INC-42: key in build log")),
					plannedSlot("b", "status", str("active")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					slotCheck("a", "revoked_at", str(inc1)),
					slotCheck("a", "superseded_at", knownvalue.Null()),
					slotCheck("b", "activated_at", str(inc1)),
					slotCheck("b", "revoke_reason", knownvalue.Null()),
					schedIs("active_slot", str("b")),
				},
			},
			{
				// The active v2 is revoked with no pending version: v3 is
				// issued active at once into the free slot a. v1 keeps its
				// first reason.
				Config: scheduleConfig(inc2, revoke("[1, 2]", "INC-43")),
				ConfigPlanChecks: slotPlan(true, false,
					plannedSlot("a", "keeper", str("v3")), plannedSlot("a", "status", str("active")),
					plannedSlot("b", "status", str("revoked")), plannedSlot("b", "revoke_reason", str("INC-43")),
				),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("a", "issued_at", str(inc2)),
					slotCheck("a", "activated_at", str(inc2)),
					slotCheck("a", "revoke_reason", knownvalue.Null()),
					slotCheck("b", "revoked_at", str(inc2)),
					slotCheck("b", "enabled", knownvalue.Bool(false)),
					schedIs("active_slot", str("a")),
					schedIs("generation", knownvalue.Int64Exact(3)),
				}, schedNext("issue v4", v4)),
			},
			{
				// Versions already revoked stay as they are.
				Config:           scheduleConfig(after, revoke("[1, 2]", "INC-43")),
				ConfigPlanChecks: emptyPlan,
			},
			{
				Config:      scheduleConfig(after, revoke("[3]", "")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`revoke_reason is required with revoke_versions`),
			},
			{
				Config:      scheduleConfig(after, revoke("[7]", "typo")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`revoke_versions: v7 has not been issued yet`),
			},
			{Config: scheduleConfig(v4, revoke("[1, 2]", "INC-43")), ConfigPlanChecks: slotPlan(false, true, plannedSlot("b", "keeper", str("v4")))},
			{Config: scheduleConfig(v4on, revoke("[1, 2]", "INC-43")), ConfigStateChecks: []statecheck.StateCheck{slotCheck("a", "status", str("previous"))}},
			{
				// Revoking the active v4 alone needs v5 in slot a, which v3
				// still holds: refused, naming both fixes.
				Config:      scheduleConfig(inc3, revoke("[4]", "INC-44")),
				PlanOnly:    true,
				ExpectError: errorNaming(`revoke_versions: revoking the active v4 needs a replacement, v5, which goes into slot "a", but slot "a" still holds v3 \(previous\); either add 3 to revoke_versions as well`),
			},
			{
				Config: scheduleConfig(inc3, revoke("[3, 4]", "INC-44")),
				ConfigPlanChecks: slotPlan(true, false,
					plannedSlot("a", "keeper", str("v5")), plannedSlot("a", "status", str("active")),
					plannedSlot("b", "status", str("revoked")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					schedIs("active_version", knownvalue.Int64Exact(5)),
					slotCheck("b", "revoke_reason", str("INC-44")),
				},
			},
		},
	})
}

// TestAccSchedule_holdRevocation: with hold_revocation the previous version
// stays valid past its overlap, its slot's credential enabled, with or
// without hold_reason (without one the plan warns: see
// TestSchedulePlan_warnings); while held no next transition is scheduled,
// since the next version needs the held slot; lifting the hold revokes it
// on the next apply.
func TestAccSchedule_holdRevocation(t *testing.T) {
	const (
		t0    = "2026-01-05T09:00:00Z"
		due   = "2026-02-04T09:00:00Z"
		emit  = "2026-02-04T10:00:00Z"
		hold  = "2026-02-04T11:00:00Z"
		past  = "2026-02-09T10:00:00Z" // overlap ended on 02-05 10:00
		past2 = "2026-02-10T10:00:00Z"
	)
	held := "hold_revocation = true\n  hold_reason = \"billing service pinned to v1 until release 4.2\""
	heldNoReason := "hold_revocation = true"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: scheduleConfig(t0, "")},
			{Config: scheduleConfig(due, "")},
			{Config: scheduleConfig(emit, ""), ConfigStateChecks: concat([]statecheck.StateCheck{slotCheck("a", "status", str("previous"))}, schedNext("revoke v1", "2026-02-05T10:00:00Z"))},
			{
				Config:            scheduleConfig(hold, held),
				ConfigPlanChecks:  slotPlan(false, false, plannedSlot("a", "status", str("previous")), plannedSlot("b", "status", str("active"))),
				ConfigStateChecks: concat([]statecheck.StateCheck{slotCheck("a", "enabled", knownvalue.Bool(true))}, schedNext("none", "")),
			},
			{Config: scheduleConfig(past, held), ConfigPlanChecks: emptyPlan},
			{
				Config:           scheduleConfig(past, heldNoReason),
				ConfigPlanChecks: slotPlan(false, false, plannedSlot("a", "status", str("previous")), plannedSlot("a", "enabled", knownvalue.Bool(true))),
				ConfigStateChecks: []statecheck.StateCheck{
					slotCheck("a", "revoked_at", knownvalue.Null()),
					slotCheck("a", "keeper", str("v1")),
				},
			},
			{Config: scheduleConfig(past2, heldNoReason), ConfigPlanChecks: emptyPlan},
			{
				// Hold lifted: the overdue revocation happens at once.
				Config:           scheduleConfig(past2, ""),
				ConfigPlanChecks: slotPlan(false, false, plannedSlot("a", "status", str("revoked")), plannedSlot("a", "enabled", knownvalue.Bool(false))),
				ConfigStateChecks: concat([]statecheck.StateCheck{
					slotCheck("a", "revoked_at", str(past2)),
					slotCheck("a", "revoke_reason", knownvalue.Null()),
				}, schedNext("issue v3", "2026-03-06T09:00:00Z")),
			},
		},
	})
}

// TestAccSchedule_invalidConfig: every malformed duration, control or
// argument of rotation_schedule is refused at plan time with an error that
// names the attribute in its message.
func TestAccSchedule_invalidConfig(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	cases := []struct {
		schedule, extra string
		want            string // regexp matched against the error
	}{
		{withSchedule("period", `"90"`), "", `schedule\.period: .*"90"`},
		{withSchedule("period", `"0s"`), "", `schedule\.period: period is 0s`},
		{withSchedule("overlap", `"1.5h"`), "", `schedule\.overlap: .*"1\.5h"`},
		{withSchedule("ttl", `"-1d"`), "", `schedule\.ttl: .*"-1d"`},
		{withSchedule("jitter", `"1H"`), "", `schedule\.jitter: .*"1H"`},
		{withSchedule("period", ""), "", `"period" is required`},
		{withSchedule("ttl", `"31d"`), "", `schedule\.ttl: ttl 31d is shorter than propagation 1h \+ period 30d \+ overlap 1d = 31d1h`},
		{withSchedule("overlap", `"30d"`), "", `schedule\.period: the two slots would collide: propagation 1h \+ overlap 30d = 30d1h is not shorter than period 30d`},
		{window(`days = ["monday"]
      start = "09:00"
      end = "16:00"`), "", `schedule\.change_window\.days: "monday" is not a day of the week`},
		{window(`start = "09:00"
      end = "16:00"
      time_zone = "Mars/Olympus"`), "", `schedule\.change_window\.time_zone: "Mars/Olympus" is not a known IANA`},
		{window(`start = "09:00"`), "", `schedule\.change_window needs both start and end`},
		{stdSchedule, "pin_active_version = 0", `pin_active_version: 0 is out of range; pin_active_version must be a whole number from 1`},
		{stdSchedule, "revoke_versions = [0]\n  revoke_reason = \"x\"", `revoke_versions contains 0`},
		{stdSchedule, "revoke_versions = [1]", `revoke_reason is required with revoke_versions`},
		{stdSchedule, "history_limit = 5", `An argument named "history_limit" is not expected here`},
		{stdSchedule, `type = "hmac"`, `An argument named "type" is not expected here`},
		{stdSchedule, `name => "prod env"`, `Attribute name must start with a letter or digit`},
		{stdSchedule, `family => ""`, `Attribute family string length must be at least 1`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		cfg := scheduleConfigSchedule(t0, tc.schedule, tc.extra)
		if attr, value, ok := strings.Cut(tc.extra, " => "); ok {
			// Replace an attribute scheduleConfigSchedule sets.
			cfg = regexp.MustCompile(`(?m)^  `+attr+` += .*$`).ReplaceAllString(scheduleConfigSchedule(t0, tc.schedule, ""), "  "+attr+" = "+value)
		}
		steps = append(steps, resource.TestStep{
			Config:      cfg,
			PlanOnly:    true,
			ExpectError: errorNaming(tc.want),
		})
	}
	accTest(t, resource.TestCase{Steps: steps})
}
