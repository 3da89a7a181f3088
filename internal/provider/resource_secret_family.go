package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/rotationkit/terraform-provider-rotation/internal/defaults"
	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
)

var (
	_ resource.Resource                   = (*secretFamilyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*secretFamilyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*secretFamilyResource)(nil)
	_ resource.ResourceWithImportState    = (*secretFamilyResource)(nil)
)

// Enumerations of rotation_secret_family (docs/design.md, Resources).
var (
	classifications = []string{"low", "medium", "high", "critical"}
	consumerRoles   = []string{"validator", "emitter", "both"}
	reloadModes     = []string{"hot", "restart"}
	namePattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

const nameRule = "must start with a letter or digit and contain only letters, digits, '.', '_' and '-'"

// NewSecretFamilyResource is the rotation_secret_family factory.
func NewSecretFamilyResource() resource.Resource { return &secretFamilyResource{} }

type secretFamilyResource struct{}

type familyModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	Purpose          types.String `tfsdk:"purpose"`
	Owner            types.String `tfsdk:"owner"`
	BackupOwner      types.String `tfsdk:"backup_owner"`
	Classification   types.String `tfsdk:"classification"`
	Storage          types.String `tfsdk:"storage"`
	ArtifactLifetime types.String `tfsdk:"artifact_lifetime"`
	Consumers        types.List   `tfsdk:"consumer"`
	ReviewInterval   types.String `tfsdk:"review_interval"`
	ReviewedAt       types.String `tfsdk:"reviewed_at"`
	RunbookURL       types.String `tfsdk:"runbook_url"`
	Tags             types.Map    `tfsdk:"tags"`
	MaxCacheTTL      types.String `tfsdk:"max_cache_ttl"`
	RequiredOverlap  types.String `tfsdk:"required_overlap"`
	NextReviewAt     types.String `tfsdk:"next_review_at"`
}

type consumerModel struct {
	Name       types.String `tfsdk:"name"`
	Role       types.String `tfsdk:"role"`
	CacheTTL   types.String `tfsdk:"cache_ttl"`
	Reload     types.String `tfsdk:"reload"`
	Owner      types.String `tfsdk:"owner"`
	ThirdParty types.Bool   `tfsdk:"third_party"`
}

func (r *secretFamilyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secret_family"
}

func (r *secretFamilyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	dur := []validator.String{durationValidator{}}
	resp.Schema = schema.Schema{
		Description: "The one-page runbook of a secret: what it protects, who owns it, who consumes it and how long " +
			"their caches hold it. There is no remote object: the state is the record. The computed " +
			"`required_overlap` is the overlap every `rotation_secret` of the family must exceed.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The family name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:      true,
				Description:   "Name of the secret family, e.g. `auth-session-signing`; " + nameRule + ". Changing it replaces the family.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 128),
					stringvalidator.RegexMatches(namePattern, nameRule),
				},
			},
			"purpose": schema.StringAttribute{
				Required:    true,
				Description: "What the secret protects, in one sentence (for the runbook).",
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"owner": schema.StringAttribute{
				Required:    true,
				Description: "The team (not a person) that owns the secret and its rotation.",
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"backup_owner": schema.StringAttribute{
				Optional:    true,
				Description: "A second team that can act when the owner cannot. Policy ROT010 requires it and requires it to differ from `owner`.",
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"classification": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Default:     stringdefault.StaticString(defaults.Classification),
				Description: "Blast radius if the secret leaks: `low`, `medium`, `high` (default) or `critical`. Policies derive the maximum `ttl` from it.",
				Validators:  []validator.String{stringvalidator.OneOf(classifications...)},
			},
			"storage": schema.StringAttribute{
				Optional:    true,
				Description: "Where consumers fetch the secret, e.g. `vault:kv/auth/session` or `jwks:https://auth.example.com/.well-known/jwks.json`.",
			},
			"artifact_lifetime": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaults.ArtifactLifetime),
				Description: "How long things made with one version stay in use (JWT `exp`, signed URLs), as a duration " +
					"(default `" + defaults.ArtifactLifetime + "`). It adds to the overlap a rotation needs.",
				Validators: dur,
			},
			"review_interval": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Default:     stringdefault.StaticString(defaults.ReviewInterval),
				Description: "How often the family's runbook is reviewed, as a duration (default `" + defaults.ReviewInterval + "`).",
				Validators:  dur,
			},
			"reviewed_at": schema.StringAttribute{
				Optional:    true,
				Description: "RFC 3339 time of the last architecture review, e.g. `2026-11-02T10:00:00Z`.",
				Validators:  []validator.String{rfc3339Validator{}},
			},
			"runbook_url": schema.StringAttribute{
				Optional:    true,
				Description: "Link to the family's runbook page.",
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Free-form labels.",
			},
			"max_cache_ttl": schema.StringAttribute{
				Computed:    true,
				Description: "The longest `cache_ttl` among the consumers, as a duration (`0s` without consumers).",
			},
			"required_overlap": schema.StringAttribute{
				Computed: true,
				Description: "`max_cache_ttl` + `artifact_lifetime`: every rotation of this family must keep old and new " +
					"versions valid together for longer than this (policy ROT020).",
			},
			"next_review_at": schema.StringAttribute{
				Computed:    true,
				Description: "`reviewed_at` + `review_interval` (RFC 3339); null until `reviewed_at` is set.",
			},
		},
		Blocks: map[string]schema.Block{
			"consumer": schema.ListNestedBlock{
				Description: "A service that uses the secret, with how it caches and reloads it. One block per consumer; names are unique.",
				Validators:  []validator.List{listvalidator.SizeAtMost(256)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							Required:    true,
							Description: "Name of the consuming service, unique within the family.",
							Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"role": schema.StringAttribute{
							Optional:    true,
							Computed:    true,
							Default:     stringdefault.StaticString(defaults.ConsumerRole),
							Description: "`validator` (default: accepts the secret, e.g. verifies tokens), `emitter` (uses it to sign or log in) or `both`.",
							Validators:  []validator.String{stringvalidator.OneOf(consumerRoles...)},
						},
						"cache_ttl": schema.StringAttribute{
							Optional:    true,
							Computed:    true,
							Default:     stringdefault.StaticString(defaults.CacheTTL),
							Description: "How long the consumer may keep using a cached copy (a JWKS cache, a config reload interval), as a duration (default `" + defaults.CacheTTL + "`).",
							Validators:  dur,
						},
						"reload": schema.StringAttribute{
							Optional:    true,
							Computed:    true,
							Default:     stringdefault.StaticString("hot"),
							Description: "`hot` (default: picks up a new version while running) or `restart` (needs a restart).",
							Validators:  []validator.String{stringvalidator.OneOf(reloadModes...)},
						},
						"owner": schema.StringAttribute{
							Optional:    true,
							Description: "The team that runs the consumer, when it is not the family's owner.",
						},
						"third_party": schema.BoolAttribute{
							Optional:    true,
							Computed:    true,
							Default:     booldefault.StaticBool(false),
							Description: "Whether the consumer is outside your control (a partner, a SaaS); default `false`.",
						},
					},
				},
			},
		},
	}
}

func (r *secretFamilyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m familyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var list []consumerModel
	if !m.Consumers.IsNull() && !m.Consumers.IsUnknown() {
		resp.Diagnostics.Append(m.Consumers.ElementsAs(ctx, &list, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	validateFamilySums(m, list, &resp.Diagnostics)
	seen := map[string]int{}
	for i, c := range list {
		if c.Name.IsNull() || c.Name.IsUnknown() {
			continue
		}
		if j, dup := seen[c.Name.ValueString()]; dup {
			resp.Diagnostics.AddAttributeError(path.Root("consumer").AtListIndex(i).AtName("name"), "Duplicate consumer name",
				fmt.Sprintf("consumer[%d] and consumer[%d] are both named %q; give every consumer block a unique name.", j, i, c.Name.ValueString()))
			continue
		}
		seen[c.Name.ValueString()] = i
	}
}

// validateFamilySums refuses durations whose sums the family computes but
// cannot represent: the longest cache_ttl + artifact_lifetime
// (required_overlap) beyond the longest duration, and reviewed_at +
// review_interval (next_review_at) past the year 9999. Unknown and
// malformed values are left to the plan and to their validators.
func validateFamilySums(m familyModel, consumers []consumerModel, diags *diag.Diagnostics) {
	parse := func(v types.String, def string) (time.Duration, bool) {
		switch {
		case v.IsUnknown():
			return 0, false
		case v.IsNull():
			d, err := duration.Parse(def)
			return d, err == nil
		}
		d, err := duration.Parse(v.ValueString())
		return d, err == nil
	}
	longest, which := time.Duration(0), -1
	for i, c := range consumers {
		d, ok := parse(c.CacheTTL, defaults.CacheTTL)
		if !ok {
			if c.CacheTTL.IsUnknown() {
				return
			}
			continue
		}
		if which < 0 || d > longest {
			longest, which = d, i
		}
	}
	if life, ok := parse(m.ArtifactLifetime, defaults.ArtifactLifetime); ok && which >= 0 && life > duration.Max-longest {
		diags.AddAttributeError(path.Root("artifact_lifetime"), "Durations too long to add",
			fmt.Sprintf("artifact_lifetime %s + consumer[%d].cache_ttl %s (consumer %s, the longest cache) is longer than the longest duration %s, "+
				"so required_overlap (the longest cache_ttl + artifact_lifetime) cannot be computed; shorten artifact_lifetime or cache_ttl.",
				duration.Format(life), which, duration.Format(longest), quoteValue(consumers[which].Name), duration.MaxString))
	}
	if m.ReviewedAt.IsNull() || m.ReviewedAt.IsUnknown() {
		return
	}
	at, err := time.Parse(time.RFC3339, m.ReviewedAt.ValueString())
	every, ok := parse(m.ReviewInterval, defaults.ReviewInterval)
	if err != nil || !ok {
		return
	}
	if next := at.Add(every).UTC(); next.Year() > 9999 {
		diags.AddAttributeError(path.Root("review_interval"), "Review date out of range",
			fmt.Sprintf("reviewed_at %s + review_interval %s is after the year 9999, so next_review_at cannot be written as an RFC 3339 timestamp; "+
				"check reviewed_at and shorten review_interval.", m.ReviewedAt.ValueString(), duration.Format(every)))
	}
}

// familyDerived holds the computed attributes of a family.
type familyDerived struct {
	maxCacheTTL, requiredOverlap, nextReviewAt basetypes.StringValue
}

// deriveFamily computes max_cache_ttl, required_overlap and next_review_at.
// A value that depends on something unknown is unknown.
func deriveFamily(ctx context.Context, m familyModel) (familyDerived, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := familyDerived{
		maxCacheTTL:     types.StringUnknown(),
		requiredOverlap: types.StringUnknown(),
		nextReviewAt:    types.StringUnknown(),
	}

	known := !m.Consumers.IsUnknown()
	var maxTTL time.Duration
	if known && !m.Consumers.IsNull() {
		var list []consumerModel
		diags.Append(m.Consumers.ElementsAs(ctx, &list, false)...)
		for _, c := range list {
			if c.CacheTTL.IsUnknown() {
				known = false
				break
			}
			if c.CacheTTL.IsNull() {
				continue
			}
			d, err := duration.Parse(c.CacheTTL.ValueString())
			if err != nil {
				return out, diags // the validator reports it
			}
			maxTTL = max(maxTTL, d)
		}
	}
	if known {
		out.maxCacheTTL = types.StringValue(duration.Format(maxTTL))
		if !m.ArtifactLifetime.IsUnknown() {
			life, err := duration.Parse(m.ArtifactLifetime.ValueString())
			if err == nil && life <= duration.Max-maxTTL {
				out.requiredOverlap = types.StringValue(duration.Format(maxTTL + life))
			}
		}
	}

	switch {
	case m.ReviewedAt.IsNull():
		out.nextReviewAt = types.StringNull()
	case m.ReviewedAt.IsUnknown() || m.ReviewInterval.IsUnknown():
	default:
		at, err1 := time.Parse(time.RFC3339, m.ReviewedAt.ValueString())
		every, err2 := duration.Parse(m.ReviewInterval.ValueString())
		if err1 == nil && err2 == nil {
			out.nextReviewAt = types.StringValue(at.Add(every).UTC().Format(time.RFC3339))
		}
	}
	return out, diags
}

func (r *secretFamilyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var plan familyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, diags := deriveFamily(ctx, plan)
	resp.Diagnostics.Append(diags...)
	plan.MaxCacheTTL, plan.RequiredOverlap, plan.NextReviewAt = d.maxCacheTTL, d.requiredOverlap, d.nextReviewAt
	plan.ID = plan.Name
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *secretFamilyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics)
}

func (r *secretFamilyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan, &resp.State, &resp.Diagnostics)
}

// write stores the planned family with its derived attributes (all known at
// apply time: nothing here depends on the clock). It has the shape of the
// lifecycle resources' apply: the plan in, the state out.
func (r *secretFamilyResource) write(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics) {
	var m familyModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	d, ds := deriveFamily(ctx, m)
	diags.Append(ds...)
	m.ID = m.Name
	m.MaxCacheTTL, m.RequiredOverlap, m.NextReviewAt = d.maxCacheTTL, d.requiredOverlap, d.nextReviewAt
	for _, v := range []attr.Value{m.MaxCacheTTL, m.RequiredOverlap, m.NextReviewAt} {
		if v.IsUnknown() {
			diags.AddError("Family attributes could not be computed",
				"max_cache_ttl, required_overlap or next_review_at is still unknown at apply time; this is a bug in the provider, please report it.")
			return
		}
	}
	diags.Append(state.Set(ctx, &m)...)
}

func (r *secretFamilyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// No remote object: the state is the record, so there is nothing to refresh.
}

func (r *secretFamilyResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// Removing the record is all there is to do.
}

func (r *secretFamilyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("rotation_secret_family cannot be imported",
		"A secret family has no remote object to read back: declare it in configuration and apply, and the state becomes the record.")
}
