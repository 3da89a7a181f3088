package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotationkit/terraform-provider-rotation/internal/defaults"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// statusUnused is the status of a slot that has never held a version.
const statusUnused = "unused"

// slotModel is slots.a or slots.b: the record of the version the slot holds,
// and what drives the slot's credential.
type slotModel struct {
	versionRecord
	Enabled types.Bool   `tfsdk:"enabled"`
	Keeper  types.String `tfsdk:"keeper"`
}

// describe names the version for people: "v2 (slot b, pending)".
func (s *slotModel) describe() string {
	v := s.Version.ValueInt64()
	return fmt.Sprintf("v%d (slot %s, %s)", v, lifecycle.SlotOf(lifecycle.ModeTwoSlot, v), s.Status.ValueString())
}

var _ recordChecker[*slotModel] = (*scheduleResourceModel)(nil)

// slotsModel is the value of slots.
type slotsModel struct {
	A slotModel `tfsdk:"a"`
	B slotModel `tfsdk:"b"`
}

var (
	slotObjectType = types.ObjectType{AttrTypes: recordAttrTypes(map[string]attr.Type{"enabled": types.BoolType, "keeper": types.StringType})}
	slotsAttrTypes = map[string]attr.Type{"a": slotObjectType, "b": slotObjectType}
)

// scheduleResourceModel is rotation_schedule's model: the slots and what
// derives from them, and the attributes it shares with rotation_secret.
type scheduleResourceModel struct {
	Generation    types.Int64  `tfsdk:"generation"`
	ActiveSlot    types.String `tfsdk:"active_slot"`
	ActiveVersion types.Int64  `tfsdk:"active_version"`
	Slots         types.Object `tfsdk:"slots"`
	lifecycleBase
}

// scheduleResource is rotation_schedule: the lifecycle adapter
// (lifecycle_resource.go) with the record kept in two slots, for
// credentials that other providers issue.
type scheduleResource struct {
	lifecycleResource[scheduleResourceModel, *slotModel, *scheduleResourceModel]
}

func slotSchema(name string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed:    true,
		Description: fmt.Sprintf("Slot %s: holds the %s-numbered versions.", name, map[string]string{"a": "odd", "b": "even"}[name]),
		Attributes: recordAttributes(true, map[string]schema.Attribute{
			"enabled": schema.BoolAttribute{Computed: true, Description: "True while the slot's credential must be valid (pending, active or previous): drive the credential's own enabled/status flag with it."},
			"keeper": computedString("Changes exactly when the slot is re-issued (`unused`, then `v1`, `v3`, ...): use it in `keepers`, " +
				"`triggers_replace` or `replace_triggered_by` so the slot's credential is replaced then and only then."),
		}),
	}
}

func (r *scheduleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
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
	identityAttributes(attrs, "The secret family the credential belongs to: `rotation_secret_family.<name>.id`.", "schedule")
	controlAttributes(attrs) // no history_limit: the two slots are the whole record
	resp.Schema = schema.Schema{
		Description: "The accept → emit → revoke lifecycle for credentials issued by other providers (IAM access keys, " +
			"`random_password` database users, service-principal secrets), through two alternating slots `a` and `b`. " +
			"Each slot's credential is created when its `keeper` changes, enabled while `enabled` is true, and used by " +
			"consumers while `active_slot` names it.",
		Attributes: attrs,
		Blocks:     lifecycleBlocks(true),
	}
}

// The codec of rotation_schedule (lifecycleModel).

func (m *scheduleResourceModel) inputsKnown() bool { return true }

// historyLimit keeps both slots' occupants: they are the record.
func (m *scheduleResourceModel) historyLimit() int { return defaults.TwoSlotHistoryLimit }

func (m *scheduleResourceModel) recordKnown() bool { return !m.Slots.IsUnknown() }

// rows returns the slots that hold a version, the older one first.
func (m *scheduleResourceModel) rows(ctx context.Context) ([]*slotModel, diag.Diagnostics) {
	if m.Slots.IsNull() || m.Slots.IsUnknown() {
		return nil, nil
	}
	var slots slotsModel
	diags := m.Slots.As(ctx, &slots, basetypesObjectAsOptions)
	var rows []*slotModel
	slots.A.where, slots.B.where = path.Root("slots").AtName("a"), path.Root("slots").AtName("b")
	for _, slot := range []*slotModel{&slots.A, &slots.B} {
		if !slot.Version.IsNull() && !slot.Version.IsUnknown() && slot.Status.ValueString() != statusUnused {
			rows = append(rows, slot)
		}
	}
	if len(rows) == 2 && rows[0].Version.ValueInt64() > rows[1].Version.ValueInt64() {
		rows[0], rows[1] = rows[1], rows[0]
	}
	return rows, diags
}

// row derives what drives the slot's credential from the record: enabled
// while the version is accepted, and a keeper that changes with each issue.
func (m *scheduleResourceModel) row(record versionRecord, _ *slotModel) *slotModel {
	status := lifecycle.Status(record.Status.ValueString())
	return &slotModel{
		versionRecord: record,
		Enabled:       types.BoolValue(status.Accepted()),
		Keeper:        types.StringValue(fmt.Sprintf("v%d", record.Version.ValueInt64())),
	}
}

func unusedSlot() slotModel {
	null := types.StringNull()
	return slotModel{
		versionRecord: versionRecord{
			Version: types.Int64Null(), Status: types.StringValue(statusUnused), IssuedAt: null, ActivatedAt: null,
			SupersededAt: null, RevokedAt: null, ExpiresAt: null, RevokeReason: null,
			ActivationEvidence: null, RevocationEvidence: null,
		},
		Enabled: types.BoolValue(false),
		Keeper:  types.StringValue(statusUnused),
	}
}

// render puts each row into its slot (the newer version wins) and derives
// generation and the active slot from state.
func (m *scheduleResourceModel) render(ctx context.Context, rows []*slotModel, state lifecycle.State) diag.Diagnostics {
	slots := slotsModel{A: unusedSlot(), B: unusedSlot()}
	for _, slot := range rows {
		if lifecycle.SlotOf(lifecycle.ModeTwoSlot, slot.Version.ValueInt64()) == "a" {
			slots.A = *slot
		} else {
			slots.B = *slot
		}
	}
	m.Generation = types.Int64Value(state.Generation)
	m.ActiveSlot, m.ActiveVersion = types.StringNull(), types.Int64Null()
	if a := state.Active(); a != nil {
		m.ActiveSlot, m.ActiveVersion = types.StringValue(a.Slot), types.Int64Value(a.Version)
	}
	var diags diag.Diagnostics
	m.Slots, diags = types.ObjectValueFrom(ctx, slotsAttrTypes, slots)
	return diags
}

func (m *scheduleResourceModel) setRecordUnknown() {
	m.Generation, m.ActiveVersion = types.Int64Unknown(), types.Int64Unknown()
	m.ActiveSlot = types.StringUnknown()
	m.Slots = types.ObjectUnknown(slotsAttrTypes)
}
