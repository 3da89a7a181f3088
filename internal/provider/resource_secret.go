package provider

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

var (
	_ resource.Resource                   = (*secretResource)(nil)
	_ resource.ResourceWithConfigure      = (*secretResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*secretResource)(nil)
	_ resource.ResourceWithValidateConfig = (*secretResource)(nil)
)

// NewSecretResource is the rotation_secret factory.
func NewSecretResource() resource.Resource { return &secretResource{} }

type secretResource struct {
	data *ProviderData
}

type secretModel struct {
	ID        types.String   `tfsdk:"id"`
	Family    types.String   `tfsdk:"family"`
	Name      types.String   `tfsdk:"name"`
	Type      types.String   `tfsdk:"type"`
	Length    types.Int64    `tfsdk:"length"`
	Special   types.Bool     `tfsdk:"special"`
	HMACBytes types.Int64    `tfsdk:"hmac_bytes"`
	RSABits   types.Int64    `tfsdk:"rsa_bits"`
	Schedule  *scheduleModel `tfsdk:"schedule"`
	controlsModel
	HistoryLimit types.Int64 `tfsdk:"history_limit"`

	Versions           types.List   `tfsdk:"versions"`
	ActiveVersion      types.Int64  `tfsdk:"active_version"`
	ActiveKID          types.String `tfsdk:"active_kid"`
	ActiveSecret       types.String `tfsdk:"active_secret"`
	ActivePublicKeyPEM types.String `tfsdk:"active_public_key_pem"`
	AcceptedKIDs       types.List   `tfsdk:"accepted_kids"`
	AcceptedSecrets    types.Map    `tfsdk:"accepted_secrets"`
	JWKS               types.String `tfsdk:"jwks"`
	NextTransition     types.String `tfsdk:"next_transition"`
	NextTransitionAt   types.String `tfsdk:"next_transition_at"`
}

// versionModel is one element of rotation_secret.versions.
type versionModel struct {
	Version      types.Int64  `tfsdk:"version"`
	KID          types.String `tfsdk:"kid"`
	Status       types.String `tfsdk:"status"`
	IssuedAt     types.String `tfsdk:"issued_at"`
	ActivatedAt  types.String `tfsdk:"activated_at"`
	SupersededAt types.String `tfsdk:"superseded_at"`
	RevokedAt    types.String `tfsdk:"revoked_at"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
	RevokeReason types.String `tfsdk:"revoke_reason"`
	PublicKeyPEM types.String `tfsdk:"public_key_pem"`
	PublicJWK    types.String `tfsdk:"public_jwk"`
	Secret       types.String `tfsdk:"secret"`
}

var versionAttrTypes = map[string]attr.Type{
	"version":        types.Int64Type,
	"kid":            types.StringType,
	"status":         types.StringType,
	"issued_at":      types.StringType,
	"activated_at":   types.StringType,
	"superseded_at":  types.StringType,
	"revoked_at":     types.StringType,
	"expires_at":     types.StringType,
	"revoke_reason":  types.StringType,
	"public_key_pem": types.StringType,
	"public_jwk":     types.StringType,
	"secret":         types.StringType,
}

var versionObjectType = types.ObjectType{AttrTypes: versionAttrTypes}

func (r *secretResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secret"
}

func (r *secretResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
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

func (r *secretResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	ts := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: desc}
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:      true,
			Description:   "`family/name`.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"family": schema.StringAttribute{
			Required:    true,
			Description: "The secret family this secret belongs to: `rotation_secret_family.<name>.id`.",
			Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"name": schema.StringAttribute{
			Required:      true,
			Description:   "Instance name within the family, e.g. `prod`; " + nameRule + ". Changing it replaces the secret.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 128), stringvalidator.RegexMatches(namePattern, nameRule)},
		},
		"type": schema.StringAttribute{
			Required: true,
			Description: "Kind of material: `password`, `hmac`, `ed25519`, `ecdsa-p256`, `ecdsa-p384` or `rsa`. " +
				"Changing it replaces the secret.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators:    []validator.String{stringvalidator.OneOf(material.TypeNames()...)},
		},
		"length": schema.Int64Attribute{
			Optional:    true,
			Description: fmt.Sprintf("`password` only: number of characters, %d to %d (default %d). Applies to versions issued after a change.", material.MinLength, material.MaxLength, material.DefaultLength),
			Validators:  []validator.Int64{int64validator.Between(material.MinLength, material.MaxLength)},
		},
		"special": schema.BoolAttribute{
			Optional:    true,
			Description: "`password` only: include special characters (default `true`). Characters are drawn uniformly from `crypto/rand`.",
		},
		"hmac_bytes": schema.Int64Attribute{
			Optional:    true,
			Description: fmt.Sprintf("`hmac` only: key size in bytes, %d to %d (default %d).", material.MinHMACBytes, material.MaxHMACBytes, material.DefaultHMACBytes),
			Validators:  []validator.Int64{int64validator.Between(material.MinHMACBytes, material.MaxHMACBytes)},
		},
		"rsa_bits": schema.Int64Attribute{
			Optional:    true,
			Description: "`rsa` only: modulus size, 2048, 3072 (default) or 4096.",
			Validators:  []validator.Int64{int64validator.OneOf(2048, 3072, 4096)},
		},
		"versions": schema.ListNestedAttribute{
			Computed: true,
			Description: "Every recorded version, oldest first: the accepted ones with their material and up to " +
				"`history_limit` revoked ones as metadata (their material is wiped).",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"version":        schema.Int64Attribute{Computed: true, Description: "Version number, from 1."},
				"kid":            ts("Key id: the RFC 7638 thumbprint for asymmetric types, a random id (≥ 96 bits) for `password` and `hmac`."),
				"status":         ts("`pending` (accepted, not emitted), `active` (emitted and accepted), `previous` (accepted only) or `revoked`."),
				"issued_at":      ts("When the version was issued (RFC 3339)."),
				"activated_at":   ts("When it last became active; null if it never did."),
				"superseded_at":  ts("When it became previous; null unless it is or was previous."),
				"revoked_at":     ts("When it was revoked; null while accepted."),
				"expires_at":     ts("`issued_at + ttl`: the version should be revoked by then."),
				"revoke_reason":  ts("The `revoke_reason` of an emergency revocation; null for a scheduled one."),
				"public_key_pem": ts("Public key, PKIX PEM (asymmetric types; null once revoked)."),
				"public_jwk":     ts("Public JWK, JSON (asymmetric types; null once revoked)."),
				"secret": schema.StringAttribute{
					Computed:    true,
					Sensitive:   true,
					Description: "The material: the password, the base64url HMAC key, or the PKCS#8 PEM private key. Null once revoked.",
				},
			}},
		},
		"active_version": schema.Int64Attribute{Computed: true, Description: "The version consumers should emit (sign with, log in with)."},
		"active_kid":     ts("`kid` of the active version."),
		"active_secret": schema.StringAttribute{
			Computed: true, Sensitive: true,
			Description: "Material of the active version: what emitters use.",
		},
		"active_public_key_pem": ts("Public key of the active version (asymmetric types)."),
		"accepted_kids": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			Description: "Key ids validators must accept: active first, then pending, then previous (newest first).",
		},
		"accepted_secrets": schema.MapAttribute{
			Computed: true, Sensitive: true, ElementType: types.StringType,
			Description: "Material of every accepted version, by `kid`: what validators load (HMAC keys, passwords).",
		},
		"jwks": ts("Public JWKS (JSON) of the accepted versions of an asymmetric type, active first; `{\"keys\":[]}` for `password` and `hmac`."),
		"next_transition": ts("The next scheduled transition, e.g. `activate v2`, `revoke v1`, `issue v3`; `none` when nothing is scheduled " +
			"(pinned with nothing to revoke, or revocation held)."),
		"next_transition_at": ts("When the next transition becomes due (RFC 3339, moved into the change window); the first apply at or after it performs it."),
	}
	controlAttributes(attrs)
	attrs["history_limit"] = schema.Int64Attribute{
		Optional:    true,
		Computed:    true,
		Default:     int64default.StaticInt64(10),
		Description: "How many revoked versions are kept as metadata (default 10).",
		Validators:  []validator.Int64{int64validator.Between(0, 1000)},
	}
	resp.Schema = schema.Schema{
		Description: "Dual-valid key versions with their material. Each apply asks the lifecycle engine what is due: " +
			"a new version is issued `pending` (accept), becomes `active` after `propagation` (emit), and the old one " +
			"stays `previous` for `overlap` before it is revoked and its material wiped from state (revoke). " +
			"The plan shows every status change before it happens.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"schedule": scheduleBlock(false)},
	}
}

func (r *secretResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m secretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.Type.IsUnknown() && !m.Type.IsNull() {
		t := m.Type.ValueString()
		onlyFor := func(attribute string, set bool, want material.Type) {
			if set && t != string(want) {
				resp.Diagnostics.AddAttributeError(path.Root(attribute), "Attribute does not apply to this type",
					fmt.Sprintf("%s applies only to type = %q, but type is %q: remove %s.", attribute, want, t, attribute))
			}
		}
		onlyFor("length", !m.Length.IsNull(), material.TypePassword)
		onlyFor("special", !m.Special.IsNull(), material.TypePassword)
		onlyFor("hmac_bytes", !m.HMACBytes.IsNull(), material.TypeHMAC)
		onlyFor("rsa_bits", !m.RSABits.IsNull(), material.TypeRSA)
	}
	if m.Schedule != nil && m.Schedule.known() && !m.Schedule.Period.IsNull() {
		_, diags := m.Schedule.validate(ctx, lifecycle.ModeSeries)
		resp.Diagnostics.Append(diags...)
	}
	validateControls(ctx, m.controlsModel, &resp.Diagnostics)
}

// options returns the material options of the configuration.
func (m *secretModel) options() material.Options {
	o := material.DefaultOptions()
	if !m.Length.IsNull() {
		o.Length = int(m.Length.ValueInt64())
	}
	if !m.Special.IsNull() {
		o.Special = m.Special.ValueBool()
	}
	if !m.HMACBytes.IsNull() {
		o.HMACBytes = int(m.HMACBytes.ValueInt64())
	}
	if !m.RSABits.IsNull() {
		o.RSABits = int(m.RSABits.ValueInt64())
	}
	return o
}

func (m *secretModel) key() string { return m.Family.ValueString() + "/" + m.Name.ValueString() }

// spec builds the engine's Spec; prior is the state (nil on create).
func (m *secretModel) spec(ctx context.Context, prior *secretModel) (lifecycle.Spec, diag.Diagnostics) {
	sc, diags := m.Schedule.validate(ctx, lifecycle.ModeSeries)
	var priorControls *controlsModel
	if prior != nil {
		priorControls = &prior.controlsModel
	}
	c, d := m.controlsModel.toControls(ctx, priorControls)
	diags.Append(d...)
	if !m.HistoryLimit.IsNull() {
		c.HistoryLimit = int(m.HistoryLimit.ValueInt64())
	}
	return lifecycle.Spec{Key: m.key(), Mode: lifecycle.ModeSeries, Schedule: sc, Controls: c}, diags
}

// decidable reports whether everything the engine reads is known.
func (m *secretModel) decidable() bool {
	return m.Schedule.known() && m.controlsModel.known() && !m.HistoryLimit.IsUnknown() && !m.Family.IsUnknown() && !m.Type.IsUnknown() &&
		!m.Length.IsUnknown() && !m.Special.IsUnknown() && !m.HMACBytes.IsUnknown() && !m.RSABits.IsUnknown()
}

func (m *secretModel) setComputedUnknown() {
	m.ID = types.StringValue(m.key())
	m.Versions = types.ListUnknown(versionObjectType)
	m.ActiveVersion = types.Int64Unknown()
	m.ActiveKID, m.ActiveSecret, m.ActivePublicKeyPEM = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	m.AcceptedKIDs = types.ListUnknown(types.StringType)
	m.AcceptedSecrets = types.MapUnknown(types.StringType)
	m.JWKS, m.NextTransition, m.NextTransitionAt = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
}

func (r *secretResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var plan secretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *secretModel
	if !req.State.Raw.IsNull() {
		prior = &secretModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if !plan.decidable() {
		// Something the engine needs is only known at apply time: the apply
		// decides then, and the plan says so.
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

// decide runs the lifecycle engine at time now and writes the resulting
// versions and derived attributes into m. At plan time (apply=false) the
// timestamps and material this apply will create are unknown; at apply time
// they are filled in with now and fresh material.
func (r *secretResource) decide(ctx context.Context, m, prior *secretModel, decideAt, stampAt time.Time, apply bool) diag.Diagnostics {
	spec, diags := m.spec(ctx, prior)
	if diags.HasError() {
		return diags
	}
	var priorVersions []versionModel
	if prior != nil {
		diags.Append(prior.Versions.ElementsAs(ctx, &priorVersions, false)...)
	}
	state := toEngineState(priorVersions)
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
		tflog.Info(ctx, "rotation transition", map[string]any{"secret": m.key(), "action": string(tr.Action), "version": tr.Version, "reason": tr.Reason})
	}

	planned := dec.Planned()
	if apply {
		planned = lifecycle.Stamp(planned, stampAt)
	}
	byVersion := map[int64]versionModel{}
	for _, v := range priorVersions {
		byVersion[v.Version.ValueInt64()] = v
	}
	ttl := spec.Schedule.TTL
	out := make([]versionModel, 0, len(dec.Next.Versions))
	for i, nv := range dec.Next.Versions {
		pv := planned.Versions[i]
		old, existed := byVersion[nv.Version]
		vm := versionModel{
			Version:      types.Int64Value(nv.Version),
			Status:       types.StringValue(string(nv.Status)),
			IssuedAt:     plannedTime(pv.IssuedAt, nv.IssuedAt),
			ActivatedAt:  plannedTime(pv.ActivatedAt, nv.ActivatedAt),
			SupersededAt: plannedTime(pv.SupersededAt, nv.SupersededAt),
			RevokedAt:    plannedTime(pv.RevokedAt, nv.RevokedAt),
			RevokeReason: types.StringNull(),
		}
		if nv.RevokeReason != "" {
			vm.RevokeReason = types.StringValue(nv.RevokeReason)
		}
		vm.ExpiresAt = types.StringUnknown()
		if !pv.IssuedAt.IsZero() {
			vm.ExpiresAt = types.StringValue(fmtTime(pv.IssuedAt.Add(ttl)))
		}
		switch {
		case existed:
			vm.KID, vm.PublicKeyPEM, vm.PublicJWK, vm.Secret = old.KID, old.PublicKeyPEM, old.PublicJWK, old.Secret
		case apply:
			mat, err := material.Generate(material.Type(m.Type.ValueString()), m.options(), rand.Reader)
			if err != nil {
				diags.AddAttributeError(path.Root("type"), "Cannot generate key material", err.Error())
				return diags
			}
			vm.KID, vm.Secret = types.StringValue(mat.KID), types.StringValue(mat.Secret)
			vm.PublicKeyPEM, vm.PublicJWK = nullIfEmpty(mat.PublicKeyPEM), nullIfEmpty(mat.PublicJWK)
		default:
			vm.KID, vm.PublicKeyPEM, vm.PublicJWK, vm.Secret = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
			if !material.Type(m.Type.ValueString()).Asymmetric() {
				vm.PublicKeyPEM, vm.PublicJWK = types.StringNull(), types.StringNull()
			}
		}
		if nv.Status == lifecycle.StatusRevoked {
			// Revocation wipes the material; the kid stays as metadata.
			vm.PublicKeyPEM, vm.PublicJWK, vm.Secret = types.StringNull(), types.StringNull(), types.StringNull()
		}
		out = append(out, vm)
	}

	// next_transition depends on this apply's own timestamps: unknown in a
	// plan that changes anything, computed from the record otherwise.
	var next *lifecycle.State
	if apply || len(dec.Transitions) == 0 {
		next = &planned
	}
	diags.Append(m.render(ctx, out, spec, next)...)
	return diags
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

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// render writes versions and every attribute derived from them into m.
// state, when not nil, is the complete record used for next_transition.
func (m *secretModel) render(ctx context.Context, versions []versionModel, spec lifecycle.Spec, state *lifecycle.State) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(m.key())
	lv, d := types.ListValueFrom(ctx, versionObjectType, versions)
	diags.Append(d...)
	m.Versions = lv

	m.ActiveVersion = types.Int64Null()
	m.ActiveKID, m.ActiveSecret, m.ActivePublicKeyPEM = types.StringNull(), types.StringNull(), types.StringNull()
	var accepted []versionModel
	for _, st := range []lifecycle.Status{lifecycle.StatusActive, lifecycle.StatusPending} {
		for _, v := range versions {
			if v.Status.ValueString() == string(st) {
				accepted = append(accepted, v)
			}
		}
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if versions[i].Status.ValueString() == string(lifecycle.StatusPrevious) {
			accepted = append(accepted, versions[i])
		}
	}
	for _, v := range versions {
		if v.Status.ValueString() == string(lifecycle.StatusActive) {
			m.ActiveVersion, m.ActiveKID, m.ActiveSecret, m.ActivePublicKeyPEM = v.Version, v.KID, v.Secret, v.PublicKeyPEM
		}
	}

	kidsKnown, secretsKnown, jwksKnown := true, true, true
	kids := make([]attr.Value, 0, len(accepted))
	secrets := make(map[string]attr.Value, len(accepted))
	var jwks []string
	for _, v := range accepted {
		kidsKnown = kidsKnown && !v.KID.IsUnknown()
		secretsKnown = secretsKnown && !v.KID.IsUnknown() && !v.Secret.IsUnknown()
		jwksKnown = jwksKnown && !v.PublicJWK.IsUnknown()
		kids = append(kids, v.KID)
		if secretsKnown {
			secrets[v.KID.ValueString()] = v.Secret
		}
		if !v.PublicJWK.IsNull() && !v.PublicJWK.IsUnknown() {
			jwks = append(jwks, v.PublicJWK.ValueString())
		}
	}
	m.AcceptedKIDs = types.ListUnknown(types.StringType)
	if kidsKnown {
		m.AcceptedKIDs = types.ListValueMust(types.StringType, kids)
	}
	m.AcceptedSecrets = types.MapUnknown(types.StringType)
	if secretsKnown {
		m.AcceptedSecrets = types.MapValueMust(types.StringType, secrets)
	}
	m.JWKS = types.StringUnknown()
	if jwksKnown {
		set, err := material.JWKS(jwks)
		if err != nil {
			diags.AddError("Cannot build the JWKS", err.Error())
			return diags
		}
		m.JWKS = types.StringValue(set)
	}

	m.NextTransition, m.NextTransitionAt = types.StringUnknown(), types.StringUnknown()
	if state != nil {
		// Computed from the record alone (not from the plan time), so that
		// a plan in which nothing is due leaves it as the last apply wrote
		// it, also when a due transition waits for the change window.
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

// recordTime is the newest instant in the record: the last transition.
func recordTime(s lifecycle.State) time.Time {
	var last time.Time
	for _, v := range s.Versions {
		for _, t := range []time.Time{v.IssuedAt, v.ActivatedAt, v.SupersededAt, v.RevokedAt} {
			if t.After(last) {
				last = t
			}
		}
	}
	return last
}

// toEngineState reads recorded versions into the engine's state.
func toEngineState(vs []versionModel) lifecycle.State {
	var s lifecycle.State
	for _, v := range vs {
		ev := lifecycle.Version{
			Version:      v.Version.ValueInt64(),
			Status:       lifecycle.Status(v.Status.ValueString()),
			IssuedAt:     parseTime(v.IssuedAt),
			ActivatedAt:  parseTime(v.ActivatedAt),
			SupersededAt: parseTime(v.SupersededAt),
			RevokedAt:    parseTime(v.RevokedAt),
			RevokeReason: v.RevokeReason.ValueString(),
		}
		s.Versions = append(s.Versions, ev)
		s.Generation = max(s.Generation, ev.Version)
	}
	return s
}

func (r *secretResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan, nil, &resp.State, &resp.Diagnostics)
}

func (r *secretResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var prior secretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, req.Plan, &prior, &resp.State, &resp.Diagnostics)
}

// apply carries out the plan: it re-runs the engine with the apply time and
// keeps every value the plan already knew (so apply never does something the
// plan did not show), filling in only what the plan left unknown.
func (r *secretResource) apply(ctx context.Context, planValue interface {
	Get(context.Context, any) diag.Diagnostics
}, prior *secretModel, state interface {
	Set(context.Context, any) diag.Diagnostics
}, diags *diag.Diagnostics) {
	var plan secretModel
	diags.Append(planValue.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	now := r.data.now()
	if plan.Versions.IsUnknown() {
		// The plan could not decide (unknown inputs): decide now.
		diags.Append(r.decide(ctx, &plan, prior, r.data.decisionTime(), now, true)...)
		if !diags.HasError() {
			diags.Append(state.Set(ctx, &plan)...)
		}
		return
	}

	var planned []versionModel
	diags.Append(plan.Versions.ElementsAs(ctx, &planned, false)...)
	spec, d := plan.spec(ctx, prior)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	stamped := lifecycle.Stamp(toEngineState(planned), now)
	ttl := spec.Schedule.TTL
	opts, typ := plan.options(), material.Type(plan.Type.ValueString())
	for i := range planned {
		v, sv := &planned[i], stamped.Versions[i]
		fill := func(dst *types.String, t time.Time) {
			if dst.IsUnknown() {
				*dst = types.StringValue(fmtTime(t))
			}
		}
		fill(&v.IssuedAt, sv.IssuedAt)
		fill(&v.ActivatedAt, sv.ActivatedAt)
		fill(&v.SupersededAt, sv.SupersededAt)
		fill(&v.RevokedAt, sv.RevokedAt)
		fill(&v.ExpiresAt, sv.IssuedAt.Add(ttl))
		if v.Secret.IsUnknown() || v.KID.IsUnknown() {
			mat, err := material.Generate(typ, opts, rand.Reader)
			if err != nil {
				diags.AddAttributeError(path.Root("type"), "Cannot generate key material", err.Error())
				return
			}
			v.KID, v.Secret = types.StringValue(mat.KID), types.StringValue(mat.Secret)
			v.PublicKeyPEM, v.PublicJWK = nullIfEmpty(mat.PublicKeyPEM), nullIfEmpty(mat.PublicJWK)
			tflog.Info(ctx, "rotation issued key material", map[string]any{"secret": plan.key(), "version": v.Version.ValueInt64(), "kid": mat.KID})
		}
	}
	keepNext, keepNextAt := plan.NextTransition, plan.NextTransitionAt
	diags.Append(plan.render(ctx, planned, spec, &stamped)...)
	if !keepNext.IsUnknown() {
		plan.NextTransition, plan.NextTransitionAt = keepNext, keepNextAt
	}
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &plan)...)
}

func (r *secretResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The state is the record: there is no remote object to refresh, and a
	// due transition is planned by ModifyPlan, never by dropping the
	// resource here (so replace_triggered_by and policies see it).
}

func (r *secretResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// Removing the record wipes the material from state.
}

var _ = duration.Format
