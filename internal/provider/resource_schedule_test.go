package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const schedAddr = "rotation_schedule.db"

// scheduleConfig drives one terraform_data per slot, replaced when the slot's
// keeper changes, the way a random_password or an access key would be.
func scheduleConfig(now, extra string) string {
	return providerBlock(now) + fmt.Sprintf(`
resource "rotation_schedule" "db" {
  family = "payments-db"
  name   = "prod"
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
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
`, extra)
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
