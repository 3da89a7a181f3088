package provider

import (
	"context"
	"crypto/rand"
	"fmt"

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

	"github.com/rotationkit/terraform-provider-rotation/internal/defaults"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// secretResource is rotation_secret: the lifecycle adapter
// (lifecycle_resource.go) with a list of versions that carry material.
type secretResource struct {
	lifecycleResource[secretModel, *versionModel, *secretModel]
}

// secretModel is rotation_secret's model: the attributes it shares with
// rotation_schedule, the material options, and the versions and what
// derives from them.
type secretModel struct {
	lifecycleBase
	Type         types.String `tfsdk:"type"`
	Length       types.Int64  `tfsdk:"length"`
	Special      types.Bool   `tfsdk:"special"`
	HMACBytes    types.Int64  `tfsdk:"hmac_bytes"`
	RSABits      types.Int64  `tfsdk:"rsa_bits"`
	HistoryLimit types.Int64  `tfsdk:"history_limit"`

	Versions           types.List   `tfsdk:"versions"`
	ActiveVersion      types.Int64  `tfsdk:"active_version"`
	ActiveKID          types.String `tfsdk:"active_kid"`
	ActiveSecret       types.String `tfsdk:"active_secret"`
	ActivePublicKeyPEM types.String `tfsdk:"active_public_key_pem"`
	AcceptedKIDs       types.List   `tfsdk:"accepted_kids"`
	AcceptedSecrets    types.Map    `tfsdk:"accepted_secrets"`
	JWKS               types.String `tfsdk:"jwks"`
}

// versionModel is one element of rotation_secret.versions: the record and
// the version's material.
type versionModel struct {
	versionRecord
	KID          types.String `tfsdk:"kid"`
	PublicKeyPEM types.String `tfsdk:"public_key_pem"`
	PublicJWK    types.String `tfsdk:"public_jwk"`
	Secret       types.String `tfsdk:"secret"`
}

var versionObjectType = types.ObjectType{AttrTypes: recordAttrTypes(map[string]attr.Type{
	"kid":            types.StringType,
	"public_key_pem": types.StringType,
	"public_jwk":     types.StringType,
	"secret":         types.StringType,
})}

func (r *secretResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
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
			NestedObject: schema.NestedAttributeObject{Attributes: recordAttributes(false, map[string]schema.Attribute{
				"kid":            computedString("Key id: the RFC 7638 thumbprint for asymmetric types, a random id (≥ 96 bits) for `password` and `hmac`."),
				"public_key_pem": computedString("Public key, PKIX PEM (asymmetric types; null once revoked)."),
				"public_jwk":     computedString("Public JWK, JSON (asymmetric types; null once revoked)."),
				"secret": schema.StringAttribute{
					Computed:    true,
					Sensitive:   true,
					Description: "The material: the password, the base64url HMAC key, or the PKCS#8 PEM private key. Null once revoked.",
				},
			})},
		},
		"active_version": schema.Int64Attribute{Computed: true, Description: "The version consumers should emit (sign with, log in with)."},
		"active_kid":     computedString("`kid` of the active version."),
		"active_secret": schema.StringAttribute{
			Computed: true, Sensitive: true,
			Description: "Material of the active version: what emitters use.",
		},
		"active_public_key_pem": computedString("Public key of the active version (asymmetric types)."),
		"accepted_kids": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			Description: "Key ids validators must accept: active first, then pending, then previous (newest first).",
		},
		"accepted_secrets": schema.MapAttribute{
			Computed: true, Sensitive: true, ElementType: types.StringType,
			Description: "Material of every accepted version, by `kid`: what validators load (HMAC keys, passwords).",
		},
		"jwks": computedString("Public JWKS (JSON) of the accepted versions of an asymmetric type, active first; `{\"keys\":[]}` for `password` and `hmac`."),
		"next_transition": computedString("The next scheduled transition, e.g. `activate v2`, `revoke v1`, `issue v3`; `none` when nothing is scheduled " +
			"(pinned with nothing to revoke, or revocation held)."),
		"next_transition_at": computedString("When the next transition becomes due (RFC 3339, moved into the change window); the first apply at or after it performs it."),
	}
	identityAttributes(attrs, "The secret family this secret belongs to: `rotation_secret_family.<name>.id`.", "secret")
	controlAttributes(attrs)
	attrs["history_limit"] = schema.Int64Attribute{
		Optional:    true,
		Computed:    true,
		Default:     int64default.StaticInt64(defaults.HistoryLimit),
		Description: fmt.Sprintf("How many revoked versions are kept as metadata (default %d).", defaults.HistoryLimit),
		Validators:  []validator.Int64{int64validator.Between(0, defaults.MaxHistoryLimit)},
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

// rotation_secret adds both hooks of the adapter.
var (
	_ configChecker                 = (*secretModel)(nil)
	_ materialIssuer[*versionModel] = (*secretModel)(nil)
)

// checkConfig refuses options that do not apply to the type (the
// configChecker hook).
func (m *secretModel) checkConfig(diags *diag.Diagnostics) {
	if m.Type.IsUnknown() || m.Type.IsNull() {
		return
	}
	typ := m.Type.ValueString()
	onlyFor := func(attribute string, set bool, want material.Type) {
		if set && typ != string(want) {
			diags.AddAttributeError(path.Root(attribute), "Attribute does not apply to this type",
				fmt.Sprintf("%s applies only to type = %q, but type is %q: remove %s.", attribute, want, typ, attribute))
		}
	}
	onlyFor("length", !m.Length.IsNull(), material.TypePassword)
	onlyFor("special", !m.Special.IsNull(), material.TypePassword)
	onlyFor("hmac_bytes", !m.HMACBytes.IsNull(), material.TypeHMAC)
	onlyFor("rsa_bits", !m.RSABits.IsNull(), material.TypeRSA)
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

// The codec of rotation_secret (lifecycleModel).

func (m *secretModel) inputsKnown() bool {
	return !m.HistoryLimit.IsUnknown() && !m.Type.IsUnknown() &&
		!m.Length.IsUnknown() && !m.Special.IsUnknown() && !m.HMACBytes.IsUnknown() && !m.RSABits.IsUnknown()
}

func (m *secretModel) historyLimit() int {
	if m.HistoryLimit.IsNull() {
		return defaults.HistoryLimit
	}
	return int(m.HistoryLimit.ValueInt64())
}

func (m *secretModel) recordKnown() bool { return !m.Versions.IsUnknown() }

func (m *secretModel) rows(ctx context.Context) ([]*versionModel, diag.Diagnostics) {
	var versions []versionModel
	diags := m.Versions.ElementsAs(ctx, &versions, false)
	rows := make([]*versionModel, len(versions))
	for i := range versions {
		rows[i] = &versions[i]
	}
	return rows, diags
}

// row keeps the material of a recorded version; a version this decision
// issues has unknown material until issueMaterial generates it. Revocation
// wipes the material; the kid stays as metadata.
func (m *secretModel) row(record versionRecord, prior *versionModel) *versionModel {
	v := &versionModel{versionRecord: record}
	if prior != nil {
		v.KID, v.PublicKeyPEM, v.PublicJWK, v.Secret = prior.KID, prior.PublicKeyPEM, prior.PublicJWK, prior.Secret
	} else {
		v.KID, v.PublicKeyPEM, v.PublicJWK, v.Secret = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		if !material.Type(m.Type.ValueString()).Asymmetric() {
			v.PublicKeyPEM, v.PublicJWK = types.StringNull(), types.StringNull()
		}
	}
	if record.Status.ValueString() == string(lifecycle.StatusRevoked) {
		v.PublicKeyPEM, v.PublicJWK, v.Secret = types.StringNull(), types.StringNull(), types.StringNull()
	}
	return v
}

// issueMaterial generates the material of every version that lacks it (the
// materialIssuer hook, run at apply time).
func (m *secretModel) issueMaterial(ctx context.Context, rows []*versionModel) diag.Diagnostics {
	var diags diag.Diagnostics
	typ, opts := material.Type(m.Type.ValueString()), m.options()
	for _, v := range rows {
		if !v.Secret.IsUnknown() && !v.KID.IsUnknown() {
			continue
		}
		mat, err := material.Generate(typ, opts, rand.Reader)
		if err != nil {
			diags.AddAttributeError(path.Root("type"), "Cannot generate key material", err.Error())
			return diags
		}
		v.KID, v.Secret = types.StringValue(mat.KID), types.StringValue(mat.Secret)
		v.PublicKeyPEM, v.PublicJWK = nullIfEmpty(mat.PublicKeyPEM), nullIfEmpty(mat.PublicJWK)
		tflog.Info(ctx, "rotation issued key material", map[string]any{"secret": m.key(), "version": v.Version.ValueInt64(), "kid": mat.KID})
	}
	return diags
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// render writes the versions and every attribute derived from them.
func (m *secretModel) render(ctx context.Context, rows []*versionModel, _ lifecycle.State) diag.Diagnostics {
	versions := make([]versionModel, len(rows))
	for i, v := range rows {
		versions[i] = *v
	}
	lv, diags := types.ListValueFrom(ctx, versionObjectType, versions)
	m.Versions = lv

	m.ActiveVersion = types.Int64Null()
	m.ActiveKID, m.ActiveSecret, m.ActivePublicKeyPEM = types.StringNull(), types.StringNull(), types.StringNull()
	for _, v := range versions {
		if v.Status.ValueString() == string(lifecycle.StatusActive) {
			m.ActiveVersion, m.ActiveKID, m.ActiveSecret, m.ActivePublicKeyPEM = v.Version, v.KID, v.Secret, v.PublicKeyPEM
		}
	}

	accepted := lifecycle.OrderAccepted(versions, func(v versionModel) lifecycle.Status { return lifecycle.Status(v.Status.ValueString()) })
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
	return diags
}

func (m *secretModel) setRecordUnknown() {
	m.Versions = types.ListUnknown(versionObjectType)
	m.ActiveVersion = types.Int64Unknown()
	m.ActiveKID, m.ActiveSecret, m.ActivePublicKeyPEM = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	m.AcceptedKIDs = types.ListUnknown(types.StringType)
	m.AcceptedSecrets = types.MapUnknown(types.StringType)
	m.JWKS = types.StringUnknown()
}
