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

const secretAddr = "rotation_secret.s"

// secretConfig is a family with one consumer and an ed25519 secret whose
// schedule is period 30d, propagation 1h, overlap 1d, ttl 90d, evaluated at
// now, with extra attributes appended to the secret.
func secretConfig(now, typ, extra string) string {
	return providerBlock(now) + fmt.Sprintf(`
resource "rotation_secret_family" "f" {
  name         = "acc-family"
  purpose      = "acceptance tests"
  owner        = "team-a"
  backup_owner = "team-b"
  consumer {
    name      = "api"
    cache_ttl = "15m"
  }
}

resource "rotation_secret" "s" {
  family = rotation_secret_family.f.id
  name   = "prod"
  type   = %q
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
%s
}
`, typ, extra)
}

// versionStatus checks versions[i].status in state.
func versionStatus(i int, status string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(i).AtMapKey("status"), knownvalue.StringExact(status))
}

// plannedStatus checks versions[i].status in the plan.
func plannedStatus(i int, status string) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(i).AtMapKey("status"), knownvalue.StringExact(status))
}

func TestAccSecret_lifecycle(t *testing.T) {
	const (
		t0     = "2026-01-05T09:00:00Z"
		due    = "2026-02-04T09:00:00Z" // t0 + 30d: v2 issued pending
		emit   = "2026-02-04T10:00:00Z" // + 1h propagation: v2 active, v1 previous
		early  = "2026-02-05T09:59:59Z" // 1s before the overlap ends: nothing
		revoke = "2026-02-05T10:00:00Z" // + 1d overlap: v1 revoked
	)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: secretConfig(t0, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionCreate),
					plannedStatus(0, "active"),
					plancheck.ExpectUnknownValue(secretAddr, tfjsonpath.New("active_kid")),
					plancheck.ExpectSensitiveValue(secretAddr, tfjsonpath.New("active_secret")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "active"),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("active_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("issued_at"), knownvalue.StringExact(t0)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("next_transition"), knownvalue.StringExact("issue v2")),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("next_transition_at"), knownvalue.StringExact(due)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("accepted_kids"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("jwks"), knownvalue.StringRegexp(regexp.MustCompile(`^\{"keys":\[\{.*"crv":"Ed25519"`))),
				},
			},
			{
				// Nothing is due: the plan is empty (no perpetual diff).
				Config:           secretConfig(t0, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: secretConfig(due, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					plannedStatus(0, "active"),
					plannedStatus(1, "pending"),
					plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("active_version"), knownvalue.Int64Exact(1)),
					plancheck.ExpectUnknownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(1).AtMapKey("issued_at")),
					plancheck.ExpectUnknownValue(secretAddr, tfjsonpath.New("jwks")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "active"), versionStatus(1, "pending"),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("accepted_kids"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("next_transition"), knownvalue.StringExact("activate v2")),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("next_transition_at"), knownvalue.StringExact(emit)),
				},
			},
			{
				Config: secretConfig(emit, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plannedStatus(0, "previous"), plannedStatus(1, "active"),
					plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("active_version"), knownvalue.Int64Exact(2)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "previous"), versionStatus(1, "active"),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("superseded_at"), knownvalue.StringExact(emit)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("next_transition"), knownvalue.StringExact("revoke v1")),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("next_transition_at"), knownvalue.StringExact(revoke)),
				},
			},
			{
				Config:           secretConfig(early, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: secretConfig(revoke, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plannedStatus(0, "revoked"), plannedStatus(1, "active"),
					plancheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("secret"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "revoked"), versionStatus(1, "active"),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("public_jwk"), knownvalue.Null()),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("accepted_kids"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(secretAddr, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("revoked_at"), knownvalue.StringExact(revoke)),
				},
			},
			{
				Config:           secretConfig(revoke, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
