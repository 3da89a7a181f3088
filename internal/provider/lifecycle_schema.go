package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/rotationkit/terraform-provider-rotation/internal/defaults"
	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// This file holds the attributes rotation_secret and rotation_schedule
// share, as schema and as model: identity, the schedule block, the
// controls, the per-version record, and their translation into the
// lifecycle engine's Spec. The engine itself decides; nothing here does,
// and lifecycle_resource.go runs the decisions.

// lifecycleBase is the part of the model both lifecycle resources share.
// secretModel and scheduleResourceModel embed it.
type lifecycleBase struct {
	ID       types.String   `tfsdk:"id"`
	Family   types.String   `tfsdk:"family"`
	Name     types.String   `tfsdk:"name"`
	Schedule *scheduleModel `tfsdk:"schedule"`
	controlsModel
	gatesModel
	NextTransition   types.String `tfsdk:"next_transition"`
	NextTransitionAt types.String `tfsdk:"next_transition_at"`
}

// base gives the adapter the shared part of a model that embeds it.
func (b *lifecycleBase) base() *lifecycleBase { return b }

// key is the engine's Spec.Key and the value of id: "family/name".
func (b *lifecycleBase) key() string { return b.Family.ValueString() + "/" + b.Name.ValueString() }

// inputsKnown reports whether every shared input the engine reads is known.
func (b *lifecycleBase) inputsKnown() bool {
	return b.Schedule.known() && b.controlsModel.known() && !b.Family.IsUnknown()
}

// spec builds the engine's Spec; prior is the state's shared part (nil on
// create), whose rotate_triggers tell whether a rotation is requested.
func (b *lifecycleBase) spec(ctx context.Context, mode lifecycle.Mode, historyLimit int, prior *lifecycleBase) (lifecycle.Spec, diag.Diagnostics) {
	schedule, diags := b.Schedule.validate(ctx, mode)
	var priorControls *controlsModel
	if prior != nil {
		priorControls = &prior.controlsModel
	}
	controls := b.controlsModel.toControls(priorControls)
	controls.HistoryLimit = historyLimit
	return lifecycle.Spec{Key: b.key(), Mode: mode, Schedule: schedule, Controls: controls}, diags
}

// validateConfig reports mistakes in the shared attributes at validate
// time: the schedule once it is known, and the controls.
func (b *lifecycleBase) validateConfig(ctx context.Context, mode lifecycle.Mode, diags *diag.Diagnostics) {
	if b.Schedule != nil && b.Schedule.known() && !b.Schedule.Period.IsNull() {
		_, d := b.Schedule.validate(ctx, mode)
		diags.Append(d...)
	}
	validateControls(ctx, b.controlsModel, diags)
	b.gatesModel.validate(diags)
}

// identityAttributes adds id, family and name. family says what the family
// is to the resource; noun is what a new name replaces.
func identityAttributes(into map[string]schema.Attribute, family, noun string) {
	into["id"] = schema.StringAttribute{
		Computed:      true,
		Description:   "`family/name`.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	into["family"] = schema.StringAttribute{
		Required:    true,
		Description: family,
		Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	into["name"] = schema.StringAttribute{
		Required:      true,
		Description:   "Instance name within the family, e.g. `prod`; " + nameRule + ". Changing it replaces the " + noun + ".",
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		Validators:    []validator.String{stringvalidator.LengthBetween(1, 128), stringvalidator.RegexMatches(namePattern, nameRule)},
	}
}

// computedString is a computed string attribute.
func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, Description: description}
}

// versionRecord is one recorded version as both lifecycle resources store
// it: the engine's lifecycle.Version as Terraform values, with expires_at.
// rotation_secret's versions (versionModel) and rotation_schedule's slots
// (slotModel) embed it.
type versionRecord struct {
	Version      types.Int64  `tfsdk:"version"`
	Status       types.String `tfsdk:"status"`
	IssuedAt     types.String `tfsdk:"issued_at"`
	ActivatedAt  types.String `tfsdk:"activated_at"`
	SupersededAt types.String `tfsdk:"superseded_at"`
	RevokedAt    types.String `tfsdk:"revoked_at"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
	RevokeReason types.String `tfsdk:"revoke_reason"`
	// The evidence a gated transition was decided on (gates_schema.go).
	ActivationEvidence types.String `tfsdk:"activation_evidence"`
	RevocationEvidence types.String `tfsdk:"revocation_evidence"`
	// where is the row's attribute path in a recorded state
	// (versions[1], slots.b), for messages about a damaged record; empty
	// for a row this decision built.
	where path.Path
}

// record gives the adapter the record of a row that embeds it.
func (r *versionRecord) record() *versionRecord { return r }

// recordAttrTypes returns the attribute types of a versionRecord plus
// extra, the resource's own per-version attributes.
func recordAttrTypes(extra map[string]attr.Type) map[string]attr.Type {
	out := map[string]attr.Type{"version": types.Int64Type}
	for _, name := range []string{"status", "issued_at", "activated_at", "superseded_at", "revoked_at", "expires_at", "revoke_reason", "activation_evidence", "revocation_evidence"} {
		out[name] = types.StringType
	}
	for name, t := range extra {
		out[name] = t
	}
	return out
}

// recordAttributes returns the schema of a versionRecord plus extra: for a
// rotation_secret version, or with slot for a rotation_schedule slot.
func recordAttributes(slot bool, extra map[string]schema.Attribute) map[string]schema.Attribute {
	text := func(version, slotText string) string {
		if slot {
			return slotText
		}
		return version
	}
	out := map[string]schema.Attribute{
		"version": schema.Int64Attribute{Computed: true, Description: text("Version number, from 1.", "The version the slot holds; null while `unused`.")},
		"status": computedString(text("`pending` (accepted, not emitted), `active` (emitted and accepted), `previous` (accepted only) or `revoked`.",
			"`unused` (never issued), `pending`, `active`, `previous` or `revoked`.")),
		"issued_at":     computedString(text("When the version was issued (RFC 3339).", "When the slot's version was issued (RFC 3339).")),
		"activated_at":  computedString(text("When it last became active; null if it never did.", "When it last became active.")),
		"superseded_at": computedString(text("When it became previous; null unless it is or was previous.", "When it became previous.")),
		"revoked_at":    computedString(text("When it was revoked; null while accepted.", "When it was revoked.")),
		"expires_at":    computedString(text("`issued_at + ttl`: the version should be revoked by then.", "`issued_at + ttl`.")),
		"revoke_reason": schema.StringAttribute{
			Computed: true,
			// Sensitive: a revoke_reason the configuration marks sensitive
			// would otherwise be printed in clear here, since marks never
			// reach a provider.
			Sensitive: true,
			Description: text("The `revoke_reason` of an emergency revocation; null for a scheduled one. Sensitive, since it often names an incident.",
				"The `revoke_reason` of an emergency revocation. Sensitive, since it often names an incident."),
		},
	}
	evidenceAttributes(out)
	for name, a := range extra {
		out[name] = a
	}
	return out
}

type scheduleModel struct {
	Period       types.String       `tfsdk:"period"`
	Overlap      types.String       `tfsdk:"overlap"`
	Propagation  types.String       `tfsdk:"propagation"`
	TTL          types.String       `tfsdk:"ttl"`
	Jitter       types.String       `tfsdk:"jitter"`
	ChangeWindow *changeWindowModel `tfsdk:"change_window"`
}

type changeWindowModel struct {
	Days     types.List   `tfsdk:"days"`
	Start    types.String `tfsdk:"start"`
	End      types.String `tfsdk:"end"`
	TimeZone types.String `tfsdk:"time_zone"`
}

// controlsModel is embedded in both resource models.
type controlsModel struct {
	RotateTriggers   types.Map    `tfsdk:"rotate_triggers"`
	PinActiveVersion types.Number `tfsdk:"pin_active_version"`
	RevokeVersions   types.List   `tfsdk:"revoke_versions"`
	RevokeReason     types.String `tfsdk:"revoke_reason"`
	HoldRevocation   types.Bool   `tfsdk:"hold_revocation"`
	HoldReason       types.String `tfsdk:"hold_reason"`
}

func scheduleBlock(twoSlot bool) schema.SingleNestedBlock {
	dur := []validator.String{durationValidator{}}
	extra := ""
	if twoSlot {
		extra = " For two slots, `propagation + overlap` must also be shorter than `period`, or the slots would collide."
	}
	return schema.SingleNestedBlock{
		Description: "When versions are issued, activated and revoked. Required." + extra,
		Validators:  []validator.Object{objectvalidator.IsRequired()},
		Attributes: map[string]schema.Attribute{
			"period": schema.StringAttribute{
				Required:    true,
				Description: "Time from one issue to the next, as a duration (e.g. `30d`).",
				Validators:  dur,
			},
			"overlap": schema.StringAttribute{
				Required: true,
				Description: "How long a superseded version stays accepted (`previous`) before it is revoked, as a duration. " +
					"Make it longer than the family's `required_overlap` (longest consumer cache + artifact lifetime).",
				Validators: dur,
			},
			"propagation": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaults.Propagation),
				Description: "How long a new version stays `pending` (accepted everywhere, emitted nowhere) before it becomes " +
					"`active`, as a duration (default `" + defaults.Propagation + "`). Make it at least the longest validator cache.",
				Validators: dur,
			},
			"ttl": schema.StringAttribute{
				Required: true,
				Description: "The longest a version may stay accepted, as a duration; must be at least " +
					"`propagation + period + overlap`. A version past it draws a plan warning.",
				Validators: dur,
			},
			"jitter": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaults.Jitter),
				Description: "Spreads the rotations of many secrets: each issue is delayed by a deterministic offset below " +
					"`jitter`, derived from `family/name` (default `" + defaults.Jitter + "`).",
				Validators: dur,
			},
		},
		Blocks: map[string]schema.Block{
			"change_window": schema.SingleNestedBlock{
				Description: "Scheduled transitions (issue, activate, revoke) only happen inside this window; explicit " +
					"actions (revoke_versions, pin_active_version, rotate_triggers) happen at once. Without it, any time.",
				Attributes: map[string]schema.Attribute{
					"days": schema.ListAttribute{
						Optional:    true,
						ElementType: types.StringType,
						Description: "Days the window opens: `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`. Empty means every day.",
						Validators: []validator.List{
							listvalidator.UniqueValues(),
							listvalidator.ValueStringsAre(stringvalidator.OneOf("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
						},
					},
					"start": schema.StringAttribute{
						Optional:    true,
						Description: "Opening time, `HH:MM` on a 24-hour clock in `time_zone`. Required with the block.",
					},
					"end": schema.StringAttribute{
						Optional:    true,
						Description: "Closing time, `HH:MM` (may be `24:00`); an end before start runs past midnight. Required with the block.",
					},
					"time_zone": schema.StringAttribute{
						Optional:    true,
						Description: "IANA time zone of `start` and `end`, e.g. `Europe/Berlin` (default `UTC`).",
					},
				},
			},
		},
	}
}

func controlAttributes(into map[string]schema.Attribute) {
	into["rotate_triggers"] = schema.MapAttribute{
		Optional:    true,
		ElementType: types.StringType,
		Description: fmt.Sprintf("Arbitrary values; any change issues a new version on this apply (manual rotation), as a pending "+
			"version that follows the usual propagation and overlap. At most %d entries.", maxRotateTriggers),
		Validators: []validator.Map{maxEntries{max: maxRotateTriggers, what: "entries",
			why: " (any change of any entry issues a new version, so a few keys are all a rotation needs)"}},
	}
	into["pin_active_version"] = schema.NumberAttribute{
		Optional: true,
		Description: "Rollback or promotion: make this version active now if it is pending or previous; the old active " +
			"becomes previous. While pinned nothing is activated or issued by the schedule. Pinning a revoked version is an error.",
		Validators: []validator.Number{wholeNumber{min: 1, max: maxInt64, unit: "a version number; remove the attribute to unpin"}},
	}
	// A list, not a set: the framework compares set elements pairwise
	// (its duplicate check, and tftypes' Value.Equal, which finds each set
	// element by value), so every plan was quadratic in the number of
	// entries; a list is linear. Duplicates are allowed and count once, as
	// they did in the set that HCL converted a tuple into.
	into["revoke_versions"] = schema.ListAttribute{
		Optional:    true,
		ElementType: types.NumberType,
		Description: fmt.Sprintf("Emergency revocation: these versions are revoked on this apply, whatever the schedule says. If the "+
			"active version is revoked, the newest pending one becomes active at once, or a new version is issued active. "+
			"Requires `revoke_reason`. At most %d entries; the order does not matter.", maxRevokeVersions),
		Validators: []validator.List{
			versionNumbers{},
			maxEntries{max: maxRevokeVersions, what: "entries",
				why: " (a record holds a handful of accepted versions; list each version to revoke once)"},
		},
	}
	into["revoke_reason"] = schema.StringAttribute{
		Optional:    true,
		Description: "Why `revoke_versions` are revoked (incident id, ...); recorded on each revoked version.",
	}
	into["hold_revocation"] = schema.BoolAttribute{
		Optional:    true,
		Computed:    true,
		Default:     booldefault.StaticBool(defaults.HoldRevocation),
		Description: fmt.Sprintf("Keep previous versions valid past the overlap (default `%t`). Give a `hold_reason`.", defaults.HoldRevocation),
	}
	into["hold_reason"] = schema.StringAttribute{
		Optional:    true,
		Description: "Why revocation is held; without it the plan warns and policy ROT032 denies.",
	}
	gateAttributes(into)
}

// Limits of the controls (issue 10: a list of 5 000 revoke_versions took
// 36 s to plan).
const (
	maxRevokeVersions = 1000
	maxRotateTriggers = 256
)

// pathOf maps an engine field ("schedule.ttl", "revoke_reason",
// "schedule.change_window.days") to the attribute path it names.
func pathOf(field string) path.Path {
	parts := strings.Split(field, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p
}

// addEngineError reports an engine error on the attribute it names.
func addEngineError(diags *diag.Diagnostics, summary string, err error) {
	if ve, ok := err.(*lifecycle.ValidationError); ok && ve.Field == "versions" {
		// An inconsistent record that the provider's own checks let
		// through: refused like any damaged state.
		diags.AddError("Damaged state", ve.Field+": "+ve.Message+".\n\n"+damagedStateRecovery)
		return
	}
	if ve, ok := err.(*lifecycle.ValidationError); ok && ve.Field != "" {
		diags.AddAttributeError(pathOf(ve.Field), summary, ve.Field+": "+ve.Message)
		return
	}
	diags.AddError(summary, err.Error())
}

// knownSchedule reports whether every schedule value is known.
func (s *scheduleModel) known() bool {
	if s == nil {
		return false
	}
	for _, v := range []types.String{s.Period, s.Overlap, s.Propagation, s.TTL, s.Jitter} {
		if v.IsUnknown() {
			return false
		}
	}
	if w := s.ChangeWindow; w != nil {
		if w.Days.IsUnknown() || w.Start.IsUnknown() || w.End.IsUnknown() || w.TimeZone.IsUnknown() {
			return false
		}
	}
	return true
}

// toSchedule converts the block; errors name the attribute.
func (s *scheduleModel) toSchedule(ctx context.Context) (lifecycle.Schedule, diag.Diagnostics) {
	var diags diag.Diagnostics
	var out lifecycle.Schedule
	root := path.Root("schedule")
	parse := func(name string, v types.String, dst *time.Duration) {
		if v.IsNull() {
			return
		}
		d, err := duration.Parse(v.ValueString())
		if err != nil {
			diags.AddAttributeError(root.AtName(name), "Invalid duration", "schedule."+name+": "+err.Error())
			return
		}
		*dst = d
	}
	parse("period", s.Period, &out.Period)
	parse("overlap", s.Overlap, &out.Overlap)
	parse("propagation", s.Propagation, &out.Propagation)
	parse("ttl", s.TTL, &out.TTL)
	parse("jitter", s.Jitter, &out.Jitter)
	if w := s.ChangeWindow; w != nil {
		wp := root.AtName("change_window")
		var days []string
		if !w.Days.IsNull() {
			diags.Append(w.Days.ElementsAs(ctx, &days, false)...)
		}
		if w.Start.IsNull() || w.End.IsNull() {
			diags.AddAttributeError(wp, "Incomplete change_window",
				"schedule.change_window needs both start and end (\"HH:MM\", e.g. start = \"09:00\", end = \"16:00\").")
			return out, diags
		}
		cw, err := lifecycle.ParseChangeWindow(days, w.Start.ValueString(), w.End.ValueString(), w.TimeZone.ValueString())
		if err != nil {
			if ve, ok := err.(*lifecycle.ValidationError); ok {
				diags.AddAttributeError(wp.AtName(ve.Field), "Invalid change_window", "schedule.change_window."+ve.Field+": "+ve.Message)
			} else {
				diags.AddAttributeError(wp, "Invalid change_window", err.Error())
			}
			return out, diags
		}
		out.Window = cw
	}
	return out, diags
}

// validateSchedule converts and validates the schedule for a mode.
func (s *scheduleModel) validate(ctx context.Context, mode lifecycle.Mode) (lifecycle.Schedule, diag.Diagnostics) {
	sc, diags := s.toSchedule(ctx)
	if diags.HasError() {
		return sc, diags
	}
	for _, ve := range sc.Validate(mode) {
		diags.AddAttributeError(pathOf(ve.Field), "Invalid schedule", ve.Field+": "+ve.Message)
	}
	return sc, diags
}

// controlsKnown reports whether every control is known at plan time.
func (c controlsModel) known() bool {
	return !c.RotateTriggers.IsUnknown() && !c.PinActiveVersion.IsUnknown() && !c.RevokeVersions.IsUnknown() &&
		!c.RevokeReason.IsUnknown() && !c.HoldRevocation.IsUnknown() && !c.HoldReason.IsUnknown() &&
		mapElementsKnown(c.RotateTriggers) && listElementsKnown(c.RevokeVersions)
}

func mapElementsKnown(m types.Map) bool {
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

func listElementsKnown(s types.List) bool {
	for _, v := range s.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// toControls converts the controls; prior is the state's controls (nil on
// create), used to tell whether rotate_triggers changed.
func (c controlsModel) toControls(prior *controlsModel) lifecycle.Controls {
	out := lifecycle.Controls{
		Pin:            numberInt64(c.PinActiveVersion, 0),
		RevokeReason:   strings.TrimSpace(c.RevokeReason.ValueString()),
		HoldRevocation: c.HoldRevocation.ValueBool(),
		HoldReason:     strings.TrimSpace(c.HoldReason.ValueString()),
		HistoryLimit:   defaults.HistoryLimit,
	}
	if !c.RevokeVersions.IsNull() {
		out.RevokeVersions = listInt64s(c.RevokeVersions)
		slices.Sort(out.RevokeVersions)
	}
	if prior != nil {
		out.RotateRequested = !triggersEqual(c.RotateTriggers, prior.RotateTriggers)
	}
	return out
}

// triggersEqual compares rotate_triggers; null and empty are the same.
func triggersEqual(a, b types.Map) bool {
	ea, eb := a.Elements(), b.Elements()
	if len(ea) != len(eb) {
		return false
	}
	for k, v := range ea {
		w, ok := eb[k]
		if !ok || !v.Equal(w) {
			return false
		}
	}
	return true
}

// validateControls reports control mistakes at validate time, before any
// state is known, naming the attribute and the fix.
func validateControls(_ context.Context, c controlsModel, diags *diag.Diagnostics) {
	if !c.RevokeVersions.IsNull() && !c.RevokeVersions.IsUnknown() && len(c.RevokeVersions.Elements()) > 0 &&
		!c.RevokeReason.IsUnknown() && strings.TrimSpace(c.RevokeReason.ValueString()) == "" {
		diags.AddAttributeError(path.Root("revoke_reason"), "revoke_reason is required with revoke_versions",
			"revoke_versions is set but revoke_reason is empty: say why the versions are revoked (an incident id, "+
				"\"key leaked in build log\"), so the revocation can be reviewed later.")
	}
	// The elements of revoke_versions are checked by its validators
	// (versionNumbers, maxEntries).
}

// fmtTime formats a timestamp for state, RFC 3339 in UTC.
func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// parseTime reads a timestamp from state; unknown or null gives zero.
func parseTime(v types.String) time.Time {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	if err != nil {
		return time.Time{}
	}
	return t
}

// basetypesObjectAsOptions reads nested objects strictly: every attribute
// must be present.
var basetypesObjectAsOptions = basetypes.ObjectAsOptions{}
