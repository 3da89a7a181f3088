// Package provider holds the thin terraform-plugin-framework adapters of the
// rotation provider. The lifecycle rules live in internal/lifecycle; the
// resources here translate between Terraform values and the engine.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// EnvNow is the environment variable that sets the rehearsal clock when the
// provider's "now" attribute is not set.
const EnvNow = "ROTATION_NOW"

var _ provider.Provider = (*rotationProvider)(nil)

type rotationProvider struct {
	version string
	// clock, when set (unit tests), replaces the wall clock. The "now"
	// attribute and ROTATION_NOW still take precedence over it.
	clock Clock
}

type providerModel struct {
	Now                   types.String `tfsdk:"now"`
	PlanTime              types.String `tfsdk:"plan_time"`
	PrometheusURL         types.String `tfsdk:"prometheus_url"`
	PrometheusBearerToken types.String `tfsdk:"prometheus_bearer_token"`
	MaterialSeed          types.String `tfsdk:"material_seed"`
	PreviousMaterialSeeds types.List   `tfsdk:"previous_material_seeds"`
}

// New returns the provider factory that main and the tests serve.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &rotationProvider{version: version} }
}

// NewWithClock is New with an injected clock, for tests.
func NewWithClock(version string, c Clock) func() provider.Provider {
	return func() provider.Provider { return &rotationProvider{version: version, clock: c} }
}

func (p *rotationProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rotation"
	resp.Version = p.version
}

func (p *rotationProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The rotation provider issues secret versions on a schedule and retires them in the order " +
			"accept → emit → revoke: a new version is accepted everywhere before it is emitted, old and new stay " +
			"valid for an overlap longer than every cache, and only then is the old one revoked.",
		Attributes: map[string]schema.Attribute{
			"now": schema.StringAttribute{
				Optional: true,
				Description: "Rehearsal clock: an RFC 3339 instant (e.g. `2026-01-01T09:00:00Z`) at which every schedule " +
					"is evaluated instead of the wall clock, for game days and tests. Falls back to the `" + EnvNow +
					"` environment variable. Every plan made with it carries a warning; leave it unset for real rotations.",
			},
			"plan_time": schema.StringAttribute{
				Optional: true,
				Description: "Set to `plantimestamp()`. Every schedule is then decided as of the plan's timestamp, also " +
					"when Terraform plans again while applying a saved plan, so a plan applied later does exactly what it " +
					"showed (without it, a transition that falls due between `plan -out` and `apply` makes the apply stop " +
					"with \"Provider produced inconsistent final plan\"). Transition timestamps are still the apply time. " +
					"Ignored during a rehearsal (`now`).",
			},
			"prometheus_url": schema.StringAttribute{
				Optional: true,
				Description: "Address of the Prometheus HTTP API (e.g. `http://prometheus.monitoring:9090`) that the `prometheus` " +
					"blocks of `revocation_gate` and `emission_gate` query. The provider runs an instant query at the plan's " +
					"evaluation instant (`plan_time`, else `now`, else the clock), only when a gated step is otherwise due.",
			},
			"prometheus_bearer_token": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "Bearer token sent to `prometheus_url` (`Authorization: Bearer ...`), if the server needs one.",
			},
		},
	}
	seedAttributes(resp.Schema.Attributes)
}

func (p *rotationProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &ProviderData{Clock: wallClock{}}
	if data.Seeds = configureSeeds(cfg, req.TerraformVersion, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	if p.clock != nil {
		data.Clock = p.clock
	}

	switch {
	case cfg.Now.IsUnknown():
		resp.Diagnostics.AddAttributeError(path.Root("now"), "Provider attribute now is not known yet",
			"The rehearsal clock must be known when the plan is made. Set now to a literal RFC 3339 instant or a "+
				"variable, not to a value computed by another resource.")
		return
	case !cfg.Now.IsNull():
		t, err := parseNow(cfg.Now.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("now"), "Invalid provider attribute now", err.Error())
			return
		}
		data.Clock, data.Rehearsal, data.NowSource = fixedClock{t}, true, "provider attribute now"
	default:
		if v, ok := os.LookupEnv(EnvNow); ok && strings.TrimSpace(v) != "" {
			t, err := parseNow(v)
			if err != nil {
				resp.Diagnostics.AddError("Invalid environment variable "+EnvNow,
					err.Error()+" Unset "+EnvNow+" to use the wall clock.")
				return
			}
			data.Clock, data.Rehearsal, data.NowSource = fixedClock{t}, true, "environment variable "+EnvNow
		}
	}

	if !cfg.PlanTime.IsNull() && !cfg.PlanTime.IsUnknown() {
		t, err := parseNow(cfg.PlanTime.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("plan_time"), "Invalid provider attribute plan_time",
				err.Error()+" Set plan_time = plantimestamp().")
			return
		}
		if !data.Rehearsal && t.After(data.Clock.Now().Add(5*time.Minute)) {
			resp.Diagnostics.AddAttributeWarning(path.Root("plan_time"), "plan_time is in the future",
				fmt.Sprintf("plan_time %s is later than the clock (%s): schedules would be decided ahead of time. "+
					"Set plan_time = plantimestamp(), not a literal.", t.Format(time.RFC3339), data.Clock.Now().Format(time.RFC3339)))
		}
		data.PlanTime = &t
	}

	switch {
	case cfg.PrometheusURL.IsUnknown() || cfg.PrometheusBearerToken.IsUnknown():
		resp.Diagnostics.AddAttributeWarning(path.Root("prometheus_url"), "Provider attribute prometheus_url is not known yet",
			"prometheus_url or prometheus_bearer_token is computed by another resource, so the evidence gates cannot query "+
				"Prometheus in this plan: gated steps wait. Set them to literals or variables.")
	case !cfg.PrometheusURL.IsNull():
		client, err := newPromClient(cfg.PrometheusURL.ValueString(), cfg.PrometheusBearerToken.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("prometheus_url"), "Invalid provider attribute prometheus_url", err.Error())
			return
		}
		data.Prometheus = client
	}

	if data.Rehearsal {
		now := data.Clock.Now().Format(time.RFC3339)
		resp.Diagnostics.AddWarning("Rehearsal clock in force: now = "+now,
			fmt.Sprintf("The %s sets the time to %s, so every rotation schedule is evaluated as of that instant "+
				"instead of the wall clock. Use this for rehearsals (game days) and tests only; unset it for real "+
				"rotations. Policy ROT040 reports plans made this way.", data.NowSource, now))
		tflog.Warn(ctx, "rehearsal clock in force", map[string]any{"now": now, "source": data.NowSource})
	}

	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

// parseNow parses the rehearsal clock: RFC 3339 with a time zone offset.
func parseNow(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 instant: write it as YYYY-MM-DDTHH:MM:SSZ or with an "+
			"offset, e.g. \"2026-01-01T09:00:00Z\" or \"2026-01-01T10:00:00+01:00\"", s)
	}
	return t.UTC(), nil
}

func (p *rotationProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewSecretFamilyResource,
		NewSecretResource,
		NewScheduleResource,
	}
}

func (p *rotationProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

var _ provider.ProviderWithEphemeralResources = (*rotationProvider)(nil)

func (p *rotationProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewSecretMaterialEphemeralResource}
}
