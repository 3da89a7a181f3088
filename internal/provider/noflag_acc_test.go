package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// Acceptance tests of issue 10 ("No flag day, ever"), run with the real
// Terraform and OpenTofu CLIs.

// jwksIs checks jwks in state against a regular expression.
func jwksIs(pattern string) statecheck.StateCheck {
	return stateIs(root("jwks"), knownvalue.StringRegexp(regexp.MustCompile(pattern)))
}

// TestAccSecret_typeChange migrates an RSA signing key to Ed25519 without
// an outage: changing type is an in-place update that issues a pending
// Ed25519 version while the RSA version stays active (emitters keep their
// key, the JWKS carries both), the Ed25519 version becomes active after
// propagation with the RSA key still accepted for the overlap, and only
// then is the RSA version revoked. Each version keeps its own type and
// options.
func TestAccSecret_typeChange(t *testing.T) {
	const (
		t0      = "2026-01-05T09:00:00Z"
		change  = "2026-01-06T09:00:00Z" // type = "ed25519": v2 pending
		emit    = "2026-01-06T10:00:00Z" // + propagation: v2 active, v1 previous
		revoke  = "2026-01-07T10:00:00Z" // + overlap: v1 revoked
		onlyOKP = `^\{"keys":\[\{[^\]]*"kty":"OKP"[^\]]*\}\]\}$`
	)
	activeKID := statecheck.CompareValue(compare.ValuesSame())
	rsaKID := statecheck.CompareValue(compare.ValuesSame())
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: secretConfig(t0, "rsa", "rsa_bits = 2048"),
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "active"),
					stateIs(vpath(0, "type"), str("rsa")),
					stateIs(vpath(0, "rsa_bits"), knownvalue.Int64Exact(2048)),
					jwksIs(`^\{"keys":\[\{[^\]]*"kty":"RSA"[^\]]*\}\]\}$`),
					activeKID.AddStateValue(secretAddr, root("active_kid")),
					rsaKID.AddStateValue(secretAddr, vpath(0, "kid")),
				},
			},
			{
				Config: secretConfig(change, "ed25519", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					notReplaced(secretAddr),
					plancheck.ExpectResourceAction(secretAddr, plancheck.ResourceActionUpdate),
					plannedStatus(0, "active"), plannedStatus(1, "pending"),
					planIs(vpath(0, "type"), str("rsa")),
					planIs(vpath(0, "rsa_bits"), knownvalue.Int64Exact(2048)),
					planIs(vpath(1, "type"), str("ed25519")),
					planIs(vpath(1, "rsa_bits"), knownvalue.Null()),
					planIs(root("active_version"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "active"), versionStatus(1, "pending"),
					stateIs(root("accepted_kids"), knownvalue.ListSizeExact(2)),
					jwksIs(`"kty":"RSA".*"kty":"OKP"`), // active (RSA) first, then pending
					activeKID.AddStateValue(secretAddr, root("active_kid")),
					rsaKID.AddStateValue(secretAddr, vpath(0, "kid")),
				},
			},
			{
				Config: secretConfig(emit, "ed25519", ""),
				ConfigPlanChecks: planUpdate(
					plannedStatus(0, "previous"), plannedStatus(1, "active"),
					planIs(root("active_version"), knownvalue.Int64Exact(2)),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs(root("accepted_kids"), knownvalue.ListSizeExact(2)),
					jwksIs(`"kty":"OKP".*"kty":"RSA"`), // the new active key first, the RSA key still accepted
					stateIs(root("active_public_key_pem"), knownvalue.StringRegexp(regexp.MustCompile(`^-----BEGIN PUBLIC KEY-----\nMCowBQYDK2Vw`))),
					rsaKID.AddStateValue(secretAddr, vpath(0, "kid")),
				},
			},
			{
				Config:           secretConfig(revoke, "ed25519", ""),
				ConfigPlanChecks: planUpdate(plannedStatus(0, "revoked"), plannedStatus(1, "active")),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs(vpath(0, "secret"), knownvalue.Null()),
					stateIs(vpath(0, "type"), str("rsa")),
					stateIs(root("accepted_kids"), knownvalue.ListSizeExact(1)),
					jwksIs(onlyOKP),
				},
			},
			{Config: secretConfig(revoke, "ed25519", ""), ConfigPlanChecks: emptyPlan},
		},
	})
}

// TestAccSecret_materialOptionsDoNotRotate: changing a material option of
// the same type updates it in place and issues nothing; the next version
// is issued with the new options, and each version records its own.
func TestAccSecret_materialOptionsDoNotRotate(t *testing.T) {
	const t0, later, due = "2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-02-04T09:00:00Z"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: secretConfig(t0, "password", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs(vpath(0, "length"), knownvalue.Int64Exact(32)),
					stateIs(vpath(0, "special"), knownvalue.Bool(true)),
					stateIs(vpath(0, "hmac_bytes"), knownvalue.Null()),
				},
			},
			{
				Config: secretConfig(later, "password", "length = 40\n  special = false"),
				ConfigPlanChecks: planUpdate(
					planIs(root("versions"), knownvalue.ListSizeExact(1)),
					planIs(root("length"), knownvalue.Int64Exact(40)),
					planIs(vpath(0, "length"), knownvalue.Int64Exact(32)),
				),
			},
			{
				Config: secretConfig(due, "password", "length = 40\n  special = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(1, "pending"),
					stateIs(vpath(0, "length"), knownvalue.Int64Exact(32)),
					stateIs(vpath(1, "length"), knownvalue.Int64Exact(40)),
					stateIs(vpath(1, "special"), knownvalue.Bool(false)),
					stateIs(vpath(1, "secret"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{40}$`))),
				},
			},
		},
	})
}

// TestAccSecret_stateUpgradeFromV0: a state written by schema version 0
// (the state file rewritten as that release wrote it: schema_version 0,
// versions without type and options) upgrades with each version's type
// and options filled from the resource's, and the plan is empty.
func TestAccSecret_stateUpgradeFromV0(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	dir := t.TempDir()
	downgrade := func() {
		files, _ := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
		if len(files) != 1 {
			t.Fatalf("state files %v", files)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		var st map[string]any
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range st["resources"].([]any) {
			r := r.(map[string]any)
			if r["type"] != "rotation_secret" {
				continue
			}
			for _, inst := range r["instances"].([]any) {
				inst := inst.(map[string]any)
				inst["schema_version"] = 0
				for _, v := range inst["attributes"].(map[string]any)["versions"].([]any) {
					for _, k := range []string{"type", "length", "special", "hmac_bytes", "rsa_bits"} {
						delete(v.(map[string]any), k)
						n++
					}
				}
			}
		}
		if n == 0 {
			t.Fatal("no rotation_secret versions in the state")
		}
		b, _ = json.MarshalIndent(st, "", "  ")
		if err := os.WriteFile(files[0], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	accTest(t, resource.TestCase{
		WorkingDir: dir,
		Steps: []resource.TestStep{
			{Config: secretConfig(t0, "password", "length = 20")},
			{Config: secretConfig("2026-02-04T09:00:00Z", "password", "length = 20")}, // v2 pending
			{
				PreConfig:        downgrade,
				Config:           secretConfig("2026-02-04T09:30:00Z", "password", "length = 20"),
				ConfigPlanChecks: emptyPlan,
				ConfigStateChecks: []statecheck.StateCheck{
					stateIs(vpath(0, "type"), str("password")),
					stateIs(vpath(0, "length"), knownvalue.Int64Exact(20)),
					stateIs(vpath(1, "length"), knownvalue.Int64Exact(20)),
					stateIs(vpath(1, "special"), knownvalue.Bool(true)),
					stateIs(vpath(1, "rsa_bits"), knownvalue.Null()),
				},
			},
		},
	})
}

// TestAccSecret_recordAheadOfClock: after applies with the rehearsal clock
// in 2030, plans at the real time decide no scheduled step, not even the
// revocation of v1 whose own overlap ended long ago, and show no changes;
// an explicit revocation still works, and the schedule resumes at the
// record's newest timestamp.
func TestAccSecret_recordAheadOfClock(t *testing.T) {
	const (
		rehearsal = "2030-01-01T00:00:00Z"
		realTime  = "2026-02-06T09:00:00Z" // after v1's overlap (2026-02-05T10:00)
		hold      = "hold_revocation = true\n  hold_reason = \"game day\""
	)
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: secretConfig("2026-01-05T09:00:00Z", "hmac", "")},
			{Config: secretConfig("2026-02-04T09:00:00Z", "hmac", "")}, // v2 pending
			{Config: secretConfig("2026-02-04T10:00:00Z", "hmac", "")}, // v2 active, v1 previous
			{
				// The rehearsal: v3 issued in 2030, v1 held.
				Config: secretConfig(rehearsal, "hmac", hold),
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "previous"), versionStatus(2, "pending"),
					stateIs(vpath(2, "issued_at"), str(rehearsal)),
				},
			},
			{
				// Back at the real time, the hold lifted: v1 stays previous.
				Config:           secretConfig(realTime, "hmac", ""),
				ConfigPlanChecks: planUpdate(plannedStatus(0, "previous"), plannedStatus(1, "active"), plannedStatus(2, "pending")),
				ConfigStateChecks: []statecheck.StateCheck{
					versionStatus(0, "previous"),
					stateIs(root("next_transition"), str("revoke v1")),
					stateIs(root("next_transition_at"), str(rehearsal)),
				},
			},
			{Config: secretConfig(realTime, "hmac", ""), ConfigPlanChecks: emptyPlan},
			{
				Config:           secretConfig(realTime, "hmac", "revoke_versions = [1]\n  revoke_reason = \"INC-3\""),
				ConfigPlanChecks: planUpdate(plannedStatus(0, "revoked"), plannedStatus(1, "active"), plannedStatus(2, "pending")),
			},
			{
				Config:           secretConfig("2030-01-01T01:00:00Z", "hmac", ""),
				ConfigPlanChecks: planUpdate(plannedStatus(1, "previous"), plannedStatus(2, "active")),
			},
		},
	})
}

// TestAccSecret_revokeReasonSensitive: versions[*].revoke_reason is
// sensitive in the plan (after_sensitive) and in state, so a reason the
// configuration marks sensitive is not printed in clear.
func TestAccSecret_revokeReasonSensitive(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: secretConfig(t0, "hmac", "")},
			{
				Config: secretConfig(t0, "hmac", "revoke_versions = [1]\n  revoke_reason = sensitive(\"INC-42: key in a public gist\")"),
				ConfigPlanChecks: planUpdate(
					plannedStatus(0, "revoked"),
					plancheck.ExpectSensitiveValue(secretAddr, vpath(0, "revoke_reason")),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(secretAddr, vpath(0, "revoke_reason")),
				},
			},
		},
	})
}

// TestAccSchedule_revokeReasonSensitive: slots.*.revoke_reason is
// sensitive too.
func TestAccSchedule_revokeReasonSensitive(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: scheduleConfig(t0, "")},
			{
				Config: scheduleConfig(t0, "revoke_versions = [1]\n  revoke_reason = sensitive(\"INC-42: key in a public gist\")"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectSensitiveValue(schedAddr, root("slots").AtMapKey("a").AtMapKey("revoke_reason")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(schedAddr, root("slots").AtMapKey("a").AtMapKey("revoke_reason")),
				},
			},
		},
	})
}

// numberCases are configurations with a number that is not a whole
// number, or too large, and the error naming the attribute and the
// values it allows.
var secretNumberCases = []struct{ typ, extra, want string }{
	{"password", "length = 20.5", `length: 20.5 is not a whole number; length must be a whole number from 16 to 1024 \(characters\)`},
	{"hmac", "hmac_bytes = 32.5", `hmac_bytes: 32.5 is not a whole number; hmac_bytes must be a whole number from 32 to 1024 \(bytes\)`},
	{"rsa", "rsa_bits = 2048.5", `rsa_bits: 2048.5 is not a whole number; rsa_bits must be one of 2048, 3072 or 4096 \(bits\)`},
	{"hmac", "history_limit = 2.5", `history_limit: 2.5 is not a whole number; history_limit must be a whole number from 0 to 1000`},
	{"hmac", "pin_active_version = 1.5", `pin_active_version: 1.5 is not a whole number; pin_active_version must be a whole number from 1`},
	{"hmac", "pin_active_version = 1e30", `pin_active_version: 1e\+30 is too large; pin_active_version must be a whole number from 1`},
	{"hmac", "revoke_versions = [1, 1.5]\n  revoke_reason = \"x\"", `revoke_versions contains 1.5, which is not a version number; versions are whole numbers from 1`},
}

// TestAccSecret_nonIntegerNumbers: a number that is not a whole number is
// refused with an error naming the attribute and the allowed values (not
// the framework's "%!s(*big.Float=2048.5)").
func TestAccSecret_nonIntegerNumbers(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	var steps []resource.TestStep
	for _, tc := range secretNumberCases {
		steps = append(steps, resource.TestStep{
			Config:      secretConfig(t0, tc.typ, tc.extra),
			PlanOnly:    true,
			ExpectError: errorNaming(tc.want),
		})
	}
	accTest(t, resource.TestCase{Steps: steps})
}

// TestAccSchedule_nonIntegerNumbers: the same for rotation_schedule's
// controls.
func TestAccSchedule_nonIntegerNumbers(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	var steps []resource.TestStep
	for _, tc := range []struct{ extra, want string }{
		{"pin_active_version = 2.5", `pin_active_version: 2.5 is not a whole number; pin_active_version must be a whole number from 1`},
		{"revoke_versions = [2.5]\n  revoke_reason = \"x\"", `revoke_versions contains 2.5, which is not a version number`},
	} {
		steps = append(steps, resource.TestStep{Config: scheduleConfig(t0, tc.extra), PlanOnly: true, ExpectError: errorNaming(tc.want)})
	}
	accTest(t, resource.TestCase{Steps: steps})
}

// TestAccSecret_limits: revoke_versions takes at most 1 000 entries and
// rotate_triggers at most 256, with errors naming the attribute and the
// limit; exactly the limit is accepted.
func TestAccSecret_limits(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      secretConfig(t0, "hmac", "revoke_versions = [for i in range(1001) : i + 1]\n  revoke_reason = \"x\""),
				PlanOnly:    true,
				ExpectError: errorNaming(`revoke_versions has 1001 entries; at most 1000 are allowed`),
			},
			{
				Config:      secretConfig(t0, "hmac", `rotate_triggers = { for i in range(257) : "k${i}" => "x" }`),
				PlanOnly:    true,
				ExpectError: errorNaming(`rotate_triggers has 257 entries; at most 256 are allowed`),
			},
			{Config: secretConfig(t0, "hmac", `rotate_triggers = { for i in range(256) : "k${i}" => "x" }`)},
			{
				Config: secretConfig(t0, "hmac", `rotate_triggers = { for i in range(256) : "k${i}" => "x" }`+
					"\n  revoke_versions = [for i in range(1000) : 1]\n  revoke_reason = \"INC-4\""),
				ConfigPlanChecks: planUpdate(plannedStatus(0, "revoked"), plannedStatus(1, "active")),
			},
		},
	})
}

// TestAccSecret_durationOverflow: period + jitter beyond the longest
// duration is refused naming the attributes (it used to wrap around, so
// that every apply issued a new version).
func TestAccSecret_durationOverflow(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	schedule := `
    period      = "106750d"
    propagation = "1h"
    overlap     = "1d"
    jitter      = "2d"
    ttl         = "106751d23h47m16s"
`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:   secretConfigSchedule(t0, "hmac", schedule, ""),
			PlanOnly: true,
			ExpectError: errorNaming(`schedule\.jitter: propagation 1h \+ period 106750d \+ jitter 2d \+ overlap 1d is longer than the ` +
				`longest duration 106751d23h47m16s`),
		}},
	})
}

// TestAccFamily_durationOverflow: the longest cache_ttl + artifact_lifetime
// beyond the longest duration is refused at plan time naming the
// attributes (it used to fail the apply with "this is a bug in the
// provider"), and so is a review date past the year 9999.
func TestAccFamily_durationOverflow(t *testing.T) {
	family := func(body string) string {
		return providerBlock("2026-01-05T09:00:00Z") + `
resource "rotation_secret_family" "f" {
  name    = "overflow"
  purpose = "limits"
  owner   = "team-a"
` + body + `
}
`
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: family(`
  artifact_lifetime = "1d"
  consumer {
    name      = "api"
    cache_ttl = "15m"
  }
  consumer {
    name      = "batch"
    cache_ttl = "106751d"
  }`),
				PlanOnly: true,
				ExpectError: errorNaming(`artifact_lifetime 1d \+ consumer\[1\]\.cache_ttl 106751d \(consumer "batch", the longest cache\) ` +
					`is longer than the longest duration 106751d23h47m16s`),
			},
			{
				Config:      family(`reviewed_at = "9999-12-01T00:00:00Z"`),
				PlanOnly:    true,
				ExpectError: errorNaming(`reviewed_at 9999-12-01T00:00:00Z \+ review_interval 90d is after the year 9999`),
			},
			{
				Config: family(`
  artifact_lifetime = "1d"
  consumer {
    name      = "batch"
    cache_ttl = "106750d"
  }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rotation_secret_family.f", root("required_overlap"), str("106751d")),
				},
			},
		},
	})
}

// TestAccSecret_importRefused: terraform import of a secret says why it
// cannot be imported and what to do instead.
func TestAccSecret_importRefused(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: secretConfig(t0, "hmac", "")},
			{
				Config:        secretConfig(t0, "hmac", ""),
				ResourceName:  secretAddr,
				ImportState:   true,
				ImportStateId: "acc-family/prod",
				ExpectError: errorNaming(`(?s)rotation_secret cannot be imported.*exists only in Terraform state.*` +
					`would have to invent a history.*migrate through a normal rotation.*terraform\.tfstate\.backup`),
			},
		},
	})
}

// TestAccSchedule_importRefused: the same for rotation_schedule.
func TestAccSchedule_importRefused(t *testing.T) {
	const t0 = "2026-01-05T09:00:00Z"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: scheduleConfig(t0, "")},
			{
				Config:        scheduleConfig(t0, ""),
				ResourceName:  schedAddr,
				ImportState:   true,
				ImportStateId: "payments-db/prod",
				ExpectError: errorNaming(`(?s)rotation_schedule cannot be imported.*exists only in Terraform state.*` +
					`would have to invent a history.*terraform\.tfstate\.backup`),
			},
		},
	})
}
