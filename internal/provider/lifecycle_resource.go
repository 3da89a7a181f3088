package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// This file is the one adapter between Terraform and the lifecycle engine.
// It runs Configure, ValidateConfig, ModifyPlan, Create, Update, Read and
// Delete of both lifecycle resources, rotation_secret and
// rotation_schedule. Each resource supplies its model as a codec
// (lifecycleModel): how its recorded versions are stored as Terraform
// values (a list of versions, or two slots) and which attributes derive from
// them. rotation_secret adds a hook that generates key material.
//
// Plan and apply (docs/design.md, Plan and apply): ModifyPlan runs
// lifecycle.Decide at the decision time and shows the decided statuses, with
// the timestamps and material this apply creates left unknown. Create and
// Update never decide again: they keep every value the plan knew and fill in
// what it left unknown, with the apply time and fresh material, so an apply
// never does something its plan did not show.

// lifecycleResource is a lifecycle resource: M is its model, R its row (one
// recorded version) and P the model's pointer type, which is the codec.
// rotation_secret and rotation_schedule embed it and add Schema.
type lifecycleResource[M any, R lifecycleRow, P lifecycleModel[M, R]] struct {
	// noun names the resource ("secret": rotation_secret) and its key in
	// log entries.
	noun string
	mode lifecycle.Mode
	data *ProviderData
}

// NewSecretResource is the rotation_secret factory.
func NewSecretResource() resource.Resource {
	return &secretResource{lifecycleResource[secretModel, *versionModel, *secretModel]{noun: "secret", mode: lifecycle.ModeSeries}}
}

// NewScheduleResource is the rotation_schedule factory.
func NewScheduleResource() resource.Resource {
	return &scheduleResource{lifecycleResource[scheduleResourceModel, *slotModel, *scheduleResourceModel]{noun: "schedule", mode: lifecycle.ModeTwoSlot}}
}

// lifecycleResourceInterface is what the framework calls on a lifecycle
// resource.
type lifecycleResourceInterface interface {
	resource.ResourceWithConfigure
	resource.ResourceWithModifyPlan
	resource.ResourceWithValidateConfig
	resource.ResourceWithImportState
}

var (
	_ lifecycleResourceInterface = (*secretResource)(nil)
	_ lifecycleResourceInterface = (*scheduleResource)(nil)
)

// lifecycleRow is one recorded version of a lifecycle resource: a pointer to
// a rotation_secret version or a rotation_schedule slot, which embeds
// versionRecord.
type lifecycleRow interface {
	record() *versionRecord
	// describe names the version for people: "v2 (pending, kid ...)".
	describe() string
}

// lifecycleModel is the codec a lifecycle resource supplies: its model,
// which embeds lifecycleBase, read and written as the engine's record.
type lifecycleModel[M any, R lifecycleRow] interface {
	*M
	base() *lifecycleBase
	// inputsKnown reports whether the resource's own inputs that the
	// engine or the rows read are known (the shared ones are checked by the
	// adapter).
	inputsKnown() bool
	// historyLimit is Controls.HistoryLimit.
	historyLimit() int
	// recordKnown reports whether the recorded versions are known: false in
	// a plan that could not decide.
	recordKnown() bool
	// rows returns the recorded versions in ascending order of version.
	rows(ctx context.Context) ([]R, diag.Diagnostics)
	// row builds the row of a decided version from its record; prior is
	// the version's row in the prior state, nil if this decision issues it.
	row(record versionRecord, prior R) R
	// render writes rows (ascending) and every attribute derived from them
	// except id and the next transition; state is the engine state the
	// rows hold.
	render(ctx context.Context, rows []R, state lifecycle.State) diag.Diagnostics
	// setRecordUnknown marks the rows and every attribute derived from them
	// unknown, for a plan that cannot decide.
	setRecordUnknown()
}

// Hooks a lifecycle model may add.
type (
	// configChecker checks the resource's own attributes at validate time,
	// before the shared schedule and controls are checked.
	configChecker interface {
		checkConfig(diags *diag.Diagnostics)
	}
	// materialIssuer generates, at apply time, the material of every row
	// that still lacks it (rotation_secret).
	materialIssuer[R any] interface {
		issueMaterial(ctx context.Context, rows []R) diag.Diagnostics
	}
	// reissuer says why the recorded versions no longer match the
	// configuration, so that a new version is due (rotation_secret: its
	// type changed); "" if they match. It is lifecycle.Controls.Reissue.
	reissuer[R any] interface {
		reissue(rows []R) string
	}
	// dataBinder receives the provider's configuration before the model
	// decides or applies (rotation_secret: the material seeds).
	dataBinder interface {
		bind(data *ProviderData)
	}
	// decidedHook runs once a decision built its rows, at plan time and
	// when an apply decides, before material is issued and the rows are
	// rendered; prior is the state (nil on create) and priorRows its rows
	// (rotation_secret: material_generation and the material seed checks).
	decidedHook[P any, R any] interface {
		decided(ctx context.Context, prior P, priorRows, rows []R, apply bool) diag.Diagnostics
	}
)

func (a *lifecycleResource[M, R, P]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.noun
}

func (a *lifecycleResource[M, R, P]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*ProviderData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("expected *ProviderData, got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	a.data = data
}

func (a *lifecycleResource[M, R, P]) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	m := P(new(M))
	resp.Diagnostics.Append(req.Config.Get(ctx, m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if checker, ok := any(m).(configChecker); ok {
		checker.checkConfig(&resp.Diagnostics)
	}
	m.base().validateConfig(ctx, a.mode, &resp.Diagnostics)
}

func (a *lifecycleResource[M, R, P]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy: never refused, but said what it drops
		if prior := P(new(M)); !req.State.Raw.IsNull() && !req.State.Get(ctx, prior).HasError() {
			a.warnDropped(ctx, prior, "Destroying", "destroys it", &resp.Diagnostics)
		}
		return
	}
	var prior P
	if !req.State.Raw.IsNull() {
		prior = P(new(M))
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	plan := P(new(M))
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if prior != nil {
		// The record is checked before anything reads it (docs/design.md,
		// Plan and apply: a damaged state is refused).
		if resp.Diagnostics.Append(a.checkRecord(ctx, prior)...); resp.Diagnostics.HasError() {
			return
		}
		if pb, b := prior.base(), plan.base(); !b.Name.Equal(pb.Name) {
			a.warnDropped(ctx, prior, "Replacing",
				fmt.Sprintf("changes name from %s to %s, which replaces it", quoteValue(pb.Name), quoteValue(b.Name)), &resp.Diagnostics)
		}
	}
	if !plan.base().inputsKnown() || !plan.inputsKnown() {
		// Something the engine needs is only known at apply time: the apply
		// decides then, and the plan says so.
		b := plan.base()
		b.ID = types.StringValue(b.key())
		b.NextTransition, b.NextTransitionAt = types.StringUnknown(), types.StringUnknown()
		b.UsedAfterRevocation = types.ListUnknown(usedAfterRevocationType)
		plan.setRecordUnknown()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}
	at := a.data.decisionTime()
	resp.Diagnostics.Append(a.decide(ctx, plan, prior, at, at, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

func (a *lifecycleResource[M, R, P]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	a.apply(ctx, req.Plan, nil, &resp.State, &resp.Diagnostics)
}

func (a *lifecycleResource[M, R, P]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	prior := P(new(M))
	resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a.apply(ctx, req.Plan, prior, &resp.State, &resp.Diagnostics)
}

// checkRecord checks the recorded state prior before a plan reads it: the
// rows every lifecycle record has, then what only the resource records.
// Each defect is an error naming the version and the field, with how to
// recover; nothing is repaired.
func (a *lifecycleResource[M, R, P]) checkRecord(ctx context.Context, prior P) diag.Diagnostics {
	var diags diag.Diagnostics
	rows, d := prior.rows(ctx)
	if d.HasError() {
		reportDamage(&diags, a.typeName(prior), []damage{{at: path.Root(a.recordAttribute()), problem: "cannot be read: " + diagSummary(d)}})
		return diags
	}
	var damages []damage
	if checker, ok := any(prior).(recordChecker[R]); ok {
		damages = checker.checkRecord(ctx, rows)
	}
	damages = append(damages, checkRows(path.Root(a.recordAttribute()), rows)...)
	reportDamage(&diags, a.typeName(prior), damages)
	return diags
}

// typeName is "rotation_secret unit/prod", for messages.
func (a *lifecycleResource[M, R, P]) typeName(m P) string {
	return "rotation_" + a.noun + " " + m.base().key()
}

// recordAttribute is the attribute that holds the recorded versions.
func (a *lifecycleResource[M, R, P]) recordAttribute() string {
	if a.mode == lifecycle.ModeTwoSlot {
		return "slots"
	}
	return "versions"
}

// warnDropped warns that a plan destroying or replacing the resource
// stops the acceptance of every version it still accepts (a flag day),
// naming them.
func (a *lifecycleResource[M, R, P]) warnDropped(ctx context.Context, prior P, verb, what string, diags *diag.Diagnostics) {
	rows, d := prior.rows(ctx)
	if d.HasError() {
		return
	}
	var accepted []string
	for _, r := range rows {
		if lifecycle.Status(r.record().Status.ValueString()).Accepted() {
			accepted = append(accepted, r.describe())
		}
	}
	if len(accepted) == 0 {
		return
	}
	stop := "stops being accepted"
	if len(accepted) > 1 {
		stop = "stop being accepted"
	}
	consumers := "validators that read accepted_kids, accepted_secrets or jwks stop accepting what those versions signed or encrypted"
	if a.mode == lifecycle.ModeTwoSlot {
		consumers = "the credentials its slots drive are disabled or replaced (enabled, keeper), so consumers still using them fail"
	}
	if verb == "Replacing" {
		consumers += ", and the replacement's v1 is active at once, before any consumer has loaded it"
	}
	diags.AddWarning(fmt.Sprintf("%s %s drops its accepted versions", verb, a.typeName(prior)),
		fmt.Sprintf("This plan %s: %s %s in the same apply, with no overlap: %s (a flag day). "+
			"To retire or rename it without an outage, keep it, declare its successor beside it, let validators accept both, "+
			"move emitters to the successor, and remove this resource only when nothing uses its versions; a moved block "+
			"renames the address without replacing it. Policy ROT024 denies such plans unless the address is listed for decommission.",
			what, strings.Join(accepted, ", "), stop, consumers))
}

// ImportState refuses imports, saying why and what to do instead.
func (a *lifecycleResource[M, R, P]) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	what := "the versions, their statuses, timestamps and key material"
	instead := "declare the resource and apply: it starts at v1. To take over a credential in use, migrate through a normal " +
		"rotation: let validators accept both the old credential and this resource's versions (accepted_kids, jwks, " +
		"accepted_secrets), move emitters to active_secret, then retire the old credential."
	if a.mode == lifecycle.ModeTwoSlot {
		what = "the versions its two slots held, their statuses and timestamps"
		instead = "declare the resource and apply: it starts at v1 in slot a. To take over a credential in use, keep it enabled " +
			"beside the one slot a drives, move consumers to the slot's credential, then retire the old one."
	}
	resp.Diagnostics.AddError(fmt.Sprintf("rotation_%s cannot be imported", a.noun),
		fmt.Sprintf("The record of a rotation_%s (%s) exists only in Terraform state: there is no remote object to read it back "+
			"from, so an import would have to invent a history (which versions consumers accept, since when, and what is due "+
			"next). Instead, %s If the state was lost, restore it from terraform.tfstate.backup or the remote state's history "+
			"rather than re-creating the resource.", a.noun, what, instead))
}

func (a *lifecycleResource[M, R, P]) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The state is the record: there is no remote object to refresh, and a
	// due transition is planned by ModifyPlan, never by dropping the
	// resource here (so replace_triggered_by and policies see it).
}

func (a *lifecycleResource[M, R, P]) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// Removing the record is all there is to do; for rotation_secret it
	// wipes the material from state.
}

// spec builds the engine's Spec of m; prior is the state (nil on create).
func (a *lifecycleResource[M, R, P]) spec(ctx context.Context, m, prior P) (lifecycle.Spec, diag.Diagnostics) {
	var priorBase *lifecycleBase
	if prior != nil {
		priorBase = prior.base()
	}
	return m.base().spec(ctx, a.mode, m.historyLimit(), priorBase)
}

// decide runs the lifecycle engine at decideAt and writes the decided rows
// and every attribute derived from them into m. At plan time (apply false)
// the timestamps and material this apply creates are unknown; at apply time
// they are filled in with stampAt and fresh material.
func (a *lifecycleResource[M, R, P]) decide(ctx context.Context, m, prior P, decideAt, stampAt time.Time, apply bool) diag.Diagnostics {
	a.bind(m)
	spec, diags := a.spec(ctx, m, prior)
	if diags.HasError() {
		return diags
	}
	var priorRows []R
	if prior != nil {
		rows, d := prior.rows(ctx)
		diags.Append(d...)
		priorRows = rows
	}
	if r, ok := any(m).(reissuer[R]); ok {
		spec.Controls.Reissue = r.reissue(priorRows)
	}
	dec, spec, err := a.decideGated(ctx, m, spec, priorRows, decideAt, &diags)
	if err != nil {
		addEngineError(&diags, "Cannot plan the rotation", err)
		return diags
	}
	if !apply {
		for _, w := range dec.Warnings {
			diags.AddWarning("Rotation: "+spec.Key, w)
		}
	}
	for _, tr := range dec.Transitions {
		tflog.Info(ctx, "rotation transition", map[string]any{a.noun: spec.Key, "action": string(tr.Action), "version": tr.Version, "reason": tr.Reason})
	}

	planned := dec.Planned()
	if apply {
		planned = lifecycle.Stamp(planned, stampAt)
	}
	byVersion := map[int64]R{}
	for _, r := range priorRows {
		byVersion[r.record().Version.ValueInt64()] = r
	}
	rows := make([]R, 0, len(dec.Next.Versions))
	for i, decided := range dec.Next.Versions {
		rows = append(rows, m.row(plannedRecord(decided, planned.Versions[i], spec.Schedule.TTL), byVersion[decided.Version]))
	}
	if h, ok := any(m).(decidedHook[P, R]); ok {
		if diags.Append(h.decided(ctx, prior, priorRows, rows, apply)...); diags.HasError() {
			return diags
		}
	}
	if apply {
		if diags.Append(issueMaterial(ctx, m, rows)...); diags.HasError() {
			return diags
		}
	}
	m.base().ID = types.StringValue(spec.Key)
	if diags.Append(m.render(ctx, rows, dec.Next)...); diags.HasError() {
		return diags
	}
	// next_transition depends on this apply's own timestamps: unknown in a
	// plan that changes anything, computed from the record otherwise.
	var record *lifecycle.State
	if apply || len(dec.Transitions) == 0 {
		record = &planned
	}
	m.base().setNext(spec, record)
	var priorBase *lifecycleBase
	if prior != nil {
		priorBase = prior.base()
	}
	diags.Append(m.base().setGateOutputs(ctx, spec, dec, priorBase)...)
	return diags
}

// apply carries out the plan: it keeps every value the plan knew and fills
// in, with the apply time and fresh material, only what the plan left
// unknown. A plan that could not decide (unknown inputs) is decided now.
func (a *lifecycleResource[M, R, P]) apply(ctx context.Context, planned tfsdk.Plan, prior P, state *tfsdk.State, diags *diag.Diagnostics) {
	m := P(new(M))
	diags.Append(planned.Get(ctx, m)...)
	if diags.HasError() {
		return
	}
	now := a.data.now()
	a.bind(m)
	if !m.recordKnown() {
		diags.Append(a.decide(ctx, m, prior, a.data.decisionTime(), now, true)...)
		if !diags.HasError() {
			diags.Append(state.Set(ctx, m)...)
		}
		return
	}

	rows, d := m.rows(ctx)
	diags.Append(d...)
	spec, d := a.spec(ctx, m, prior)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	stamped := lifecycle.Stamp(engineState(spec.Mode, rows), now)
	for _, r := range rows {
		rec := r.record()
		if v := stamped.Find(rec.Version.ValueInt64()); v != nil {
			rec.stamp(*v, spec.Schedule.TTL)
		}
	}
	if diags.Append(issueMaterial(ctx, m, rows)...); diags.HasError() {
		return
	}
	b := m.base()
	b.ID = types.StringValue(spec.Key)
	keepNext, keepNextAt := b.NextTransition, b.NextTransitionAt
	diags.Append(m.render(ctx, rows, stamped)...)
	b.setNext(spec, &stamped)
	if !keepNext.IsUnknown() {
		b.NextTransition, b.NextTransitionAt = keepNext, keepNextAt
	}
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

// bind hands the provider's configuration to m, if it takes it.
func (a *lifecycleResource[M, R, P]) bind(m P) {
	if b, ok := any(m).(dataBinder); ok {
		b.bind(a.data)
	}
}

// issueMaterial runs the material hook of m, if it has one.
func issueMaterial[R lifecycleRow](ctx context.Context, m any, rows []R) diag.Diagnostics {
	if issuer, ok := m.(materialIssuer[R]); ok {
		return issuer.issueMaterial(ctx, rows)
	}
	return nil
}

// engineState reads recorded rows (ascending) into the engine's state.
func engineState[R lifecycleRow](mode lifecycle.Mode, rows []R) lifecycle.State {
	var s lifecycle.State
	for _, r := range rows {
		rec := r.record()
		v := lifecycle.Version{
			Version:      rec.Version.ValueInt64(),
			Slot:         lifecycle.SlotOf(mode, rec.Version.ValueInt64()),
			Status:       lifecycle.Status(rec.Status.ValueString()),
			IssuedAt:     parseTime(rec.IssuedAt),
			ActivatedAt:  parseTime(rec.ActivatedAt),
			SupersededAt: parseTime(rec.SupersededAt),
			RevokedAt:    parseTime(rec.RevokedAt),
			RevokeReason: rec.RevokeReason.ValueString(),

			ActivationEvidence: rec.ActivationEvidence.ValueString(),
			RevocationEvidence: rec.RevocationEvidence.ValueString(),
		}
		s.Versions = append(s.Versions, v)
		s.Generation = max(s.Generation, v.Version)
	}
	return s
}

// plannedRecord is the record of a decided version as the plan (or, when
// planned is stamped, the apply) shows it: decided is the version as the
// engine decided it, planned the same version with the timestamps this
// decision sets cleared (or stamped).
func plannedRecord(decided, planned lifecycle.Version, ttl time.Duration) versionRecord {
	rec := versionRecord{
		Version:      types.Int64Value(decided.Version),
		Status:       types.StringValue(string(decided.Status)),
		IssuedAt:     plannedTime(planned.IssuedAt, decided.IssuedAt),
		ActivatedAt:  plannedTime(planned.ActivatedAt, decided.ActivatedAt),
		SupersededAt: plannedTime(planned.SupersededAt, decided.SupersededAt),
		RevokedAt:    plannedTime(planned.RevokedAt, decided.RevokedAt),
		ExpiresAt:    types.StringUnknown(),
		RevokeReason: types.StringNull(),

		ActivationEvidence: nullIfEmpty(decided.ActivationEvidence),
		RevocationEvidence: nullIfEmpty(decided.RevocationEvidence),
	}
	if !planned.IssuedAt.IsZero() {
		rec.ExpiresAt = types.StringValue(fmtTime(planned.IssuedAt.Add(ttl)))
	}
	if decided.RevokeReason != "" {
		rec.RevokeReason = types.StringValue(decided.RevokeReason)
	}
	return rec
}

// plannedTime is a timestamp as a plan shows it: known if recorded before
// this decision, unknown if this decision sets it, null if it never happened.
func plannedTime(planned, decided time.Time) types.String {
	switch {
	case !planned.IsZero():
		return types.StringValue(fmtTime(planned))
	case !decided.IsZero():
		return types.StringUnknown()
	default:
		return types.StringNull()
	}
}

// stamp fills the timestamps the plan left unknown from v, the version
// stamped with the apply time, and expires_at from its issue.
func (r *versionRecord) stamp(v lifecycle.Version, ttl time.Duration) {
	fill := func(dst *types.String, t time.Time) {
		if dst.IsUnknown() {
			*dst = types.StringValue(fmtTime(t))
		}
	}
	fill(&r.IssuedAt, v.IssuedAt)
	fill(&r.ActivatedAt, v.ActivatedAt)
	fill(&r.SupersededAt, v.SupersededAt)
	fill(&r.RevokedAt, v.RevokedAt)
	fill(&r.ExpiresAt, v.IssuedAt.Add(ttl))
}

// setNext writes next_transition and next_transition_at. They are computed
// from the complete record state (nil: unknown), not from the plan time, so
// that a plan in which nothing is due leaves them as the last apply wrote
// them, also when a due transition waits for the change window.
func (b *lifecycleBase) setNext(spec lifecycle.Spec, state *lifecycle.State) {
	b.NextTransition, b.NextTransitionAt = types.StringUnknown(), types.StringUnknown()
	if state == nil {
		return
	}
	action, version, at := lifecycle.NextTransition(spec, *state, state.Newest())
	if action == "" {
		b.NextTransition, b.NextTransitionAt = types.StringValue("none"), types.StringNull()
		return
	}
	b.NextTransition = types.StringValue(fmt.Sprintf("%s v%d", action, version))
	b.NextTransitionAt = types.StringValue(fmtTime(at))
}
