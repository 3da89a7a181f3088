package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the real
// Terraform or OpenTofu CLI named by TF_ACC_TERRAFORM_PATH.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"rotation": providerserver.NewProtocol6WithError(New("test")()),
}

// providerBlock is the header of every acceptance configuration: the
// provider's real source address (TF_ACC_PROVIDER_NAMESPACE=rotationkit and,
// for OpenTofu, TF_ACC_PROVIDER_HOST=registry.opentofu.org make the test
// harness serve it there) and the rehearsal clock.
func providerBlock(now string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}

provider "rotation" {
  now = %q
}
`, now)
}

// accTest runs an acceptance test case and logs how many steps it ran, so
// `make testacc` can report the count per CLI.
func accTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	if tc.ProtoV6ProviderFactories == nil {
		tc.ProtoV6ProviderFactories = testAccProtoV6ProviderFactories
	}
	resource.Test(t, tc)
	if !t.Skipped() && !t.Failed() {
		t.Logf("acceptance steps: %d", len(tc.Steps))
	}
}

func TestAccProvider_rehearsalClock(t *testing.T) {
	family := `
resource "rotation_secret_family" "f" {
  name    = "provider-smoke"
  purpose = "proves the provider starts under the CLI"
  owner   = "team-a"
}
`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      providerBlock("yesterday") + family,
				ExpectError: regexp.MustCompile(`(?s)Invalid provider attribute now.*"yesterday" is not an RFC 3339`),
			},
			{
				Config: providerBlock("2026-01-01T09:00:00Z") + family,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rotation_secret_family.f", tfjsonpath.New("id"), knownvalue.StringExact("provider-smoke")),
				},
			},
		},
	})
}

func TestProviderConfigure_now(t *testing.T) {
	cases := []struct {
		name, attr, env string
		wantErr         string
		wantNow         string
		wantWarning     bool
	}{
		{name: "wall clock", wantNow: "wall"},
		{name: "attribute", attr: "2026-03-01T10:00:00+01:00", wantNow: "2026-03-01T09:00:00Z", wantWarning: true},
		{name: "env", env: "2026-03-01T09:00:00Z", wantNow: "2026-03-01T09:00:00Z", wantWarning: true},
		{name: "attribute wins over env", attr: "2026-03-01T09:00:00Z", env: "2030-01-01T00:00:00Z", wantNow: "2026-03-01T09:00:00Z", wantWarning: true},
		{name: "bad attribute", attr: "2026-03-01", wantErr: `"2026-03-01" is not an RFC 3339 instant`},
		{name: "bad env", env: "soon", wantErr: `"soon" is not an RFC 3339 instant`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvNow, tc.env)
			data, diags := configureForTest(t, tc.attr)
			if tc.wantErr != "" {
				if !diags.HasError() {
					t.Fatalf("want error containing %q, got none", tc.wantErr)
				}
				if got := diags.Errors()[0].Detail(); !regexp.MustCompile(regexp.QuoteMeta(tc.wantErr)).MatchString(got) {
					t.Fatalf("error %q does not contain %q", got, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected error: %v", diags)
			}
			if got := len(diags.Warnings()) > 0; got != tc.wantWarning {
				t.Fatalf("warning = %v, want %v (%v)", got, tc.wantWarning, diags)
			}
			if tc.wantNow == "wall" {
				if d := time.Since(data.Clock.Now()); d < 0 || d > time.Minute {
					t.Fatalf("wall clock is off by %s", d)
				}
				return
			}
			if got := data.Clock.Now().Format(time.RFC3339); got != tc.wantNow {
				t.Fatalf("now = %s, want %s", got, tc.wantNow)
			}
		})
	}
}

func TestMain(m *testing.M) {
	// A stray ROTATION_NOW in the developer's shell must not leak into tests
	// that expect the wall clock; tests that want it set it themselves.
	_ = os.Unsetenv(EnvNow)
	os.Exit(m.Run())
}

var _ provider.Provider = New("test")()

// notReplaced passes when the plan neither replaces nor destroys addr.
func notReplaced(addr string) plancheck.PlanCheck { return notReplacedCheck{addr} }

type notReplacedCheck struct{ addr string }

func (c notReplacedCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == c.addr && (rc.Change.Actions.Replace() || rc.Change.Actions.Delete()) {
			resp.Error = fmt.Errorf("%s: want no replacement, plan has %v", c.addr, rc.Change.Actions)
			return
		}
	}
}

// TestAccProvider_planTime: plan_time = plantimestamp() is accepted by both
// CLIs in the provider block, on the wall clock, and a second plan is empty.
func TestAccProvider_planTime(t *testing.T) {
	config := `
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}

provider "rotation" {
  plan_time = plantimestamp()
}

resource "rotation_secret" "s" {
  family = "plan-time"
  name   = "prod"
  type   = "hmac"
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
}
`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      strings.Replace(config, "plantimestamp()", `"next tuesday"`, 1),
				ExpectError: regexp.MustCompile(`(?s)Invalid provider attribute plan_time`),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("rotation_secret.s", tfjsonpath.New("active_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("rotation_secret.s", tfjsonpath.New("next_transition"), knownvalue.StringExact("issue v2")),
				},
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
