package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

var (
	_ resource.Resource                   = (*scheduleResource)(nil)
	_ resource.ResourceWithConfigure      = (*scheduleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*scheduleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*scheduleResource)(nil)
)

// NewScheduleResource is the rotation_schedule factory.
func NewScheduleResource() resource.Resource { return &scheduleResource{} }

type scheduleResource struct {
	data *ProviderData
}

type scheduleResourceModel struct {
	ID       types.String   `tfsdk:"id"`
	Family   types.String   `tfsdk:"family"`
	Name     types.String   `tfsdk:"name"`
	Schedule *scheduleModel `tfsdk:"schedule"`
	controlsModel

	Generation       types.Int64  `tfsdk:"generation"`
	ActiveSlot       types.String `tfsdk:"active_slot"`
	ActiveVersion    types.Int64  `tfsdk:"active_version"`
	Slots            types.Object `tfsdk:"slots"`
	NextTransition   types.String `tfsdk:"next_transition"`
	NextTransitionAt types.String `tfsdk:"next_transition_at"`
}

// slotModel is slots.a or slots.b.
type slotModel struct {
	Version      types.Int64  `tfsdk:"version"`
	Status       types.String `tfsdk:"status"`
	Enabled      types.Bool   `tfsdk:"enabled"`
	Keeper       types.String `tfsdk:"keeper"`
	IssuedAt     types.String `tfsdk:"issued_at"`
	ActivatedAt  types.String `tfsdk:"activated_at"`
	SupersededAt types.String `tfsdk:"superseded_at"`
	RevokedAt    types.String `tfsdk:"revoked_at"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
	RevokeReason types.String `tfsdk:"revoke_reason"`
}

// statusUnused is the status of a slot that has never held a version.
const statusUnused = "unused"

var slotAttrTypes = map[string]attr.Type{
	"version":       types.Int64Type,
	"status":        types.StringType,
	"enabled":       types.BoolType,
	"keeper":        types.StringType,
	"issued_at":     types.StringType,
	"activated_at":  types.StringType,
	"superseded_at": types.StringType,
	"revoked_at":    types.StringType,
	"expires_at":    types.StringType,
	"revoke_reason": types.StringType,
}

var (
	slotObjectType = types.ObjectType{AttrTypes: slotAttrTypes}
	slotsAttrTypes = map[string]attr.Type{"a": slotObjectType, "b": slotObjectType}
)

func (r *scheduleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_schedule"
}

func (r *scheduleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*ProviderData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("expected *ProviderData, got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	r.data = data
}

func slotSchema(name string) schema.SingleNestedAttribute {
	ts := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: desc}
	}
	return schema.SingleNestedAttribute{
		Computed:    true,
		Description: fmt.Sprintf("Slot %s: holds the %s-numbered versions.", name, map[string]string{"a": "odd", "b": "even"}[name]),
		Attributes: map[string]schema.Attribute{
			"version": schema.Int64Attribute{Computed: true, Description: "The version the slot holds; null while `unused`."},
			"status":  ts("`unused` (never issued), `pending`, `active`, `previous` or `revoked`."),
			"enabled": schema.BoolAttribute{Computed: true, Description: "True while the slot's credential must be valid (pending, active or previous): drive the credential's own enabled/status flag with it."},
			"keeper": ts("Changes exactly when the slot is re-issued (`unused`, then `v1`, `v3`, ...): use it in `keepers`, " +
				"`triggers_replace` or `replace_triggered_by` so the slot's credential is replaced then and only then."),
			"issued_at":     ts("When the slot's version was issued (RFC 3339)."),
			"activated_at":  ts("When it last became active."),
			"superseded_at": ts("When it became previous."),
			"revoked_at":    ts("When it was revoked."),
			"expires_at":    ts("`issued_at + ttl`."),
			"revoke_reason": ts("The `revoke_reason` of an emergency revocation."),
		},
	}
}

func (r *scheduleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:      true,
			Description:   "`family/name`.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"family": schema.StringAttribute{
			Required:    true,
			Description: "The secret family the credential belongs to: `rotation_secret_family.<name>.id`.",
			Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"name": schema.StringAttribute{
			Required:      true,
			Description:   "Instance name within the family, e.g. `prod`; " + nameRule + ". Changing it replaces the schedule.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 128), stringvalidator.RegexMatches(namePattern, nameRule)},
		},
		"generation":     schema.Int64Attribute{Computed: true, Description: "The highest version issued so far."},
		"active_slot":    schema.StringAttribute{Computed: true, Description: "`a` or `b`: the slot whose credential consumers should emit (use)."},
		"active_version": schema.Int64Attribute{Computed: true, Description: "The active version."},
		"slots": schema.SingleNestedAttribute{
			Computed:    true,
			Description: "The two slots. Version k lives in slot `a` if k is odd, `b` if even; a slot is only re-issued once its previous occupant is revoked.",
			Attributes:  map[string]schema.Attribute{"a": slotSchema("a"), "b": slotSchema("b")},
		},
		"next_transition":    schema.StringAttribute{Computed: true, Description: "The next scheduled transition, e.g. `activate v2`, `revoke v1`, `issue v3`; `none` when nothing is scheduled."},
		"next_transition_at": schema.StringAttribute{Computed: true, Description: "When the next transition becomes due (RFC 3339, moved into the change window)."},
	}
	controlAttributes(attrs) // no history_limit: the two slots are the whole record
	resp.Schema = schema.Schema{
		Description: "The accept → emit → revoke lifecycle for credentials issued by other providers (IAM access keys, " +
			"`random_password` database users, service-principal secrets), through two alternating slots `a` and `b`. " +
			"Each slot's credential is created when its `keeper` changes, enabled while `enabled` is true, and used by " +
			"consumers while `active_slot` names it.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"schedule": scheduleBlock(true)},
	}
}

func (r *scheduleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m scheduleResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Schedule != nil && m.Schedule.known() && !m.Schedule.Period.IsNull() {
		_, diags := m.Schedule.validate(ctx, lifecycle.ModeTwoSlot)
		resp.Diagnostics.Append(diags...)
	}
	validateControls(ctx, m.controlsModel, &resp.Diagnostics)
}

func (m *scheduleResourceModel) key() string {
	return m.Family.ValueString() + "/" + m.Name.ValueString()
}

func (m *scheduleResourceModel) decidable() bool {
	return m.Schedule.known() && m.controlsModel.known() && !m.Family.IsUnknown()
}

func (m *scheduleResourceModel) spec(ctx context.Context, prior *scheduleResourceModel) (lifecycle.Spec, diag.Diagnostics) {
	sc, diags := m.Schedule.validate(ctx, lifecycle.ModeTwoSlot)
	var pc *controlsModel
	if prior != nil {
		pc = &prior.controlsModel
	}
	c, d := m.controlsModel.toControls(ctx, pc)
	diags.Append(d...)
	// Both slots' occupants are kept: they are the record.
	c.HistoryLimit = 2
	return lifecycle.Spec{Key: m.key(), Mode: lifecycle.ModeTwoSlot, Schedule: sc, Controls: c}, diags
}

func (m *scheduleResourceModel) slots(ctx context.Context) (map[string]slotModel, diag.Diagnostics) {
	out := map[string]slotModel{}
	if m.Slots.IsNull() || m.Slots.IsUnknown() {
		return out, nil
	}
	var raw struct {
		A slotModel `tfsdk:"a"`
		B slotModel `tfsdk:"b"`
	}
	diags := m.Slots.As(ctx, &raw, basetypesObjectAsOptions)
	out["a"], out["b"] = raw.A, raw.B
	return out, diags
}

// engineState rebuilds the engine's record from the two slots.
func slotsToState(slots map[string]slotModel) lifecycle.State {
	var s lifecycle.State
	for _, name := range []string{"a", "b"} {
		sm, ok := slots[name]
		if !ok || sm.Version.IsNull() || sm.Version.IsUnknown() || sm.Status.ValueString() == statusUnused {
			continue
		}
		v := lifecycle.Version{
			Version:      sm.Version.ValueInt64(),
			Slot:         name,
			Status:       lifecycle.Status(sm.Status.ValueString()),
			IssuedAt:     parseTime(sm.IssuedAt),
			ActivatedAt:  parseTime(sm.ActivatedAt),
			SupersededAt: parseTime(sm.SupersededAt),
			RevokedAt:    parseTime(sm.RevokedAt),
			RevokeReason: sm.RevokeReason.ValueString(),
		}
		s.Versions = append(s.Versions, v)
		s.Generation = max(s.Generation, v.Version)
	}
	if len(s.Versions) == 2 && s.Versions[0].Version > s.Versions[1].Version {
		s.Versions[0], s.Versions[1] = s.Versions[1], s.Versions[0]
	}
	return s
}

func (m *scheduleResourceModel) setComputedUnknown() {
	m.ID = types.StringValue(m.key())
	m.Generation, m.ActiveVersion = types.Int64Unknown(), types.Int64Unknown()
	m.ActiveSlot = types.StringUnknown()
	m.Slots = types.ObjectUnknown(slotsAttrTypes)
	m.NextTransition, m.NextTransitionAt = types.StringUnknown(), types.StringUnknown()
}

func (r *scheduleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan scheduleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *scheduleResourceModel
	if !req.State.Raw.IsNull() {
		prior = &scheduleResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if !plan.decidable() {
		plan.setComputedUnknown()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	at := r.data.decisionTime()
	resp.Diagnostics.Append(r.decide(ctx, &plan, prior, at, at, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// decide runs the engine at now and renders the slots into m: at plan time
// with this apply's timestamps unknown, at apply time stamped with now.
func (r *scheduleResource) decide(ctx context.Context, m, prior *scheduleResourceModel, decideAt, stampAt time.Time, apply bool) diag.Diagnostics {
	spec, diags := m.spec(ctx, prior)
	if diags.HasError() {
		return diags
	}
	var state lifecycle.State
	if prior != nil {
		ps, d := prior.slots(ctx)
		diags.Append(d...)
		state = slotsToState(ps)
	}
	dec, err := lifecycle.Decide(spec, state, decideAt)
	if err != nil {
		addEngineError(&diags, "Cannot plan the rotation", err)
		return diags
	}
	if !apply {
		for _, w := range dec.Warnings {
			diags.AddWarning("Rotation: "+m.key(), w)
		}
	}
	for _, tr := range dec.Transitions {
		tflog.Info(ctx, "rotation transition", map[string]any{"schedule": m.key(), "action": string(tr.Action), "version": tr.Version, "reason": tr.Reason})
	}
	planned := dec.Planned()
	if apply {
		planned = lifecycle.Stamp(planned, stampAt)
	}
	slots := map[string]slotModel{"a": unusedSlot(), "b": unusedSlot()}
	for i, nv := range dec.Next.Versions {
		pv := planned.Versions[i]
		cur, ok := slots[nv.Slot]
		if !ok || (!cur.Version.IsNull() && cur.Version.ValueInt64() > nv.Version) {
			continue
		}
		sm := slotModel{
			Version:      types.Int64Value(nv.Version),
			Status:       types.StringValue(string(nv.Status)),
			Enabled:      types.BoolValue(nv.Status.Accepted()),
			Keeper:       types.StringValue(fmt.Sprintf("v%d", nv.Version)),
			IssuedAt:     plannedTime(pv.IssuedAt, nv.IssuedAt),
			ActivatedAt:  plannedTime(pv.ActivatedAt, nv.ActivatedAt),
			SupersededAt: plannedTime(pv.SupersededAt, nv.SupersededAt),
			RevokedAt:    plannedTime(pv.RevokedAt, nv.RevokedAt),
			ExpiresAt:    types.StringUnknown(),
			RevokeReason: types.StringNull(),
		}
		if !pv.IssuedAt.IsZero() {
			sm.ExpiresAt = types.StringValue(fmtTime(pv.IssuedAt.Add(spec.Schedule.TTL)))
		}
		if nv.RevokeReason != "" {
			sm.RevokeReason = types.StringValue(nv.RevokeReason)
		}
		slots[nv.Slot] = sm
	}
	var next *lifecycle.State
	if apply || len(dec.Transitions) == 0 {
		next = &planned
	}
	diags.Append(m.render(slots, dec.Next, spec, next)...)
	return diags
}

func unusedSlot() slotModel {
	return slotModel{
		Version: types.Int64Null(), Status: types.StringValue(statusUnused), Enabled: types.BoolValue(false),
		Keeper: types.StringValue(statusUnused), IssuedAt: types.StringNull(), ActivatedAt: types.StringNull(),
		SupersededAt: types.StringNull(), RevokedAt: types.StringNull(), ExpiresAt: types.StringNull(),
		RevokeReason: types.StringNull(),
	}
}

func (m *scheduleResourceModel) render(slots map[string]slotModel, decided lifecycle.State, spec lifecycle.Spec, state *lifecycle.State) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(m.key())
	m.Generation = types.Int64Value(decided.Generation)
	m.ActiveSlot, m.ActiveVersion = types.StringNull(), types.Int64Null()
	if a := decided.Active(); a != nil {
		m.ActiveSlot, m.ActiveVersion = types.StringValue(a.Slot), types.Int64Value(a.Version)
	}
	obj := func(s slotModel) types.Object {
		o, d := types.ObjectValue(slotAttrTypes, map[string]attr.Value{
			"version": s.Version, "status": s.Status, "enabled": s.Enabled, "keeper": s.Keeper,
			"issued_at": s.IssuedAt, "activated_at": s.ActivatedAt, "superseded_at": s.SupersededAt,
			"revoked_at": s.RevokedAt, "expires_at": s.ExpiresAt, "revoke_reason": s.RevokeReason,
		})
		diags.Append(d...)
		return o
	}
	o, d := types.ObjectValue(slotsAttrTypes, map[string]attr.Value{"a": obj(slots["a"]), "b": obj(slots["b"])})
	diags.Append(d...)
	m.Slots = o
	m.NextTransition, m.NextTransitionAt = types.StringUnknown(), types.StringUnknown()
	if state != nil {
		a, v, at := lifecycle.NextTransition(spec, *state, recordTime(*state))
		if a == "" {
			m.NextTransition, m.NextTransitionAt = types.StringValue("none"), types.StringNull()
		} else {
			m.NextTransition = types.StringValue(fmt.Sprintf("%s v%d", a, v))
			m.NextTransitionAt = types.StringValue(fmtTime(at))
		}
	}
	return diags
}

func (r *scheduleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan.Get, nil, resp.State.Set, &resp.Diagnostics)
}

func (r *scheduleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var prior scheduleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, req.Plan.Get, &prior, resp.State.Set, &resp.Diagnostics)
}

// apply keeps every value the plan knew and fills in what it left unknown
// with the apply time.
func (r *scheduleResource) apply(ctx context.Context, get func(context.Context, any) diag.Diagnostics, prior *scheduleResourceModel,
	set func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) {
	var plan scheduleResourceModel
	diags.Append(get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	now := r.data.now()
	if plan.Slots.IsUnknown() {
		diags.Append(r.decide(ctx, &plan, prior, r.data.decisionTime(), now, true)...)
		if !diags.HasError() {
			diags.Append(set(ctx, &plan)...)
		}
		return
	}
	spec, d := plan.spec(ctx, prior)
	diags.Append(d...)
	slots, d := plan.slots(ctx)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	stamped := lifecycle.Stamp(slotsToState(slots), now)
	for name, sm := range slots {
		sv := stamped.Find(sm.Version.ValueInt64())
		if sm.Version.IsNull() || sv == nil {
			continue
		}
		fill := func(dst *types.String, t time.Time) {
			if dst.IsUnknown() {
				*dst = types.StringValue(fmtTime(t))
			}
		}
		fill(&sm.IssuedAt, sv.IssuedAt)
		fill(&sm.ActivatedAt, sv.ActivatedAt)
		fill(&sm.SupersededAt, sv.SupersededAt)
		fill(&sm.RevokedAt, sv.RevokedAt)
		fill(&sm.ExpiresAt, sv.IssuedAt.Add(spec.Schedule.TTL))
		slots[name] = sm
	}
	keepNext, keepNextAt := plan.NextTransition, plan.NextTransitionAt
	diags.Append(plan.render(slots, stamped, spec, &stamped)...)
	if !keepNext.IsUnknown() {
		plan.NextTransition, plan.NextTransitionAt = keepNext, keepNextAt
	}
	if diags.HasError() {
		return
	}
	diags.Append(set(ctx, &plan)...)
}

func (r *scheduleResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The state is the record; transitions are planned by ModifyPlan.
}

func (r *scheduleResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
