package provider

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberdefault"
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
	Length       types.Number `tfsdk:"length"`
	Special      types.Bool   `tfsdk:"special"`
	HMACBytes    types.Number `tfsdk:"hmac_bytes"`
	RSABits      types.Number `tfsdk:"rsa_bits"`
	HistoryLimit types.Number `tfsdk:"history_limit"`

	Versions           types.List   `tfsdk:"versions"`
	ActiveVersion      types.Int64  `tfsdk:"active_version"`
	ActiveKID          types.String `tfsdk:"active_kid"`
	ActiveSecret       types.String `tfsdk:"active_secret"`
	ActivePublicKeyPEM types.String `tfsdk:"active_public_key_pem"`
	AcceptedKIDs       types.List   `tfsdk:"accepted_kids"`
	AcceptedSecrets    types.Map    `tfsdk:"accepted_secrets"`
	JWKS               types.String `tfsdk:"jwks"`

	// Derived material (material_mode.go).
	Material           types.String `tfsdk:"material"`
	UID                types.String `tfsdk:"uid"`
	MaterialGeneration types.Int64  `tfsdk:"material_generation"`
	// data is the provider's configuration (the material seeds), bound by
	// the adapter before the model decides or applies.
	data *ProviderData
}

// versionModel is one element of rotation_secret.versions: the record, the
// type and material options the version was issued with, and its
// material.
type versionModel struct {
	versionRecord
	versionMaterial
	versionDerivation
	KID          types.String `tfsdk:"kid"`
	PublicKeyPEM types.String `tfsdk:"public_key_pem"`
	PublicJWK    types.String `tfsdk:"public_jwk"`
	Secret       types.String `tfsdk:"secret"`
}

// versionMaterial is what a version was issued as: its type and the
// options of that type (the others are null). A version keeps them for
// good; the resource's type and options say what the next version is
// issued as.
type versionMaterial struct {
	Type      types.String `tfsdk:"type"`
	Length    types.Int64  `tfsdk:"length"`
	Special   types.Bool   `tfsdk:"special"`
	HMACBytes types.Int64  `tfsdk:"hmac_bytes"`
	RSABits   types.Int64  `tfsdk:"rsa_bits"`
}

// newVersionMaterial records type t with options o, as applicable.
func newVersionMaterial(t material.Type, o material.Options) versionMaterial {
	vm := versionMaterial{
		Type: types.StringValue(string(t)), Length: types.Int64Null(), Special: types.BoolNull(),
		HMACBytes: types.Int64Null(), RSABits: types.Int64Null(),
	}
	switch t {
	case material.TypePassword:
		vm.Length, vm.Special = types.Int64Value(int64(o.Length)), types.BoolValue(o.Special)
	case material.TypeHMAC:
		vm.HMACBytes = types.Int64Value(int64(o.HMACBytes))
	case material.TypeRSA:
		vm.RSABits = types.Int64Value(int64(o.RSABits))
	}
	return vm
}

// material returns the recorded type and options (defaults where none is
// recorded).
func (vm versionMaterial) material() (material.Type, material.Options) {
	o := material.DefaultOptions()
	if !vm.Length.IsNull() && !vm.Length.IsUnknown() {
		o.Length = int(vm.Length.ValueInt64())
	}
	if !vm.Special.IsNull() && !vm.Special.IsUnknown() {
		o.Special = vm.Special.ValueBool()
	}
	if !vm.HMACBytes.IsNull() && !vm.HMACBytes.IsUnknown() {
		o.HMACBytes = int(vm.HMACBytes.ValueInt64())
	}
	if !vm.RSABits.IsNull() && !vm.RSABits.IsUnknown() {
		o.RSABits = int(vm.RSABits.ValueInt64())
	}
	return material.Type(vm.Type.ValueString()), o
}

var versionObjectType = types.ObjectType{AttrTypes: recordAttrTypes(map[string]attr.Type{
	"kid":              types.StringType,
	"public_key_pem":   types.StringType,
	"public_jwk":       types.StringType,
	"secret":           types.StringType,
	"type":             types.StringType,
	"length":           types.Int64Type,
	"special":          types.BoolType,
	"hmac_bytes":       types.Int64Type,
	"rsa_bits":         types.Int64Type,
	"material":         derivationAttrTypes["material"],
	"salt":             derivationAttrTypes["salt"],
	"seed_fingerprint": derivationAttrTypes["seed_fingerprint"],
})}

func (r *secretResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"type": schema.StringAttribute{
			Required: true,
			Description: "Kind of material: `password`, `hmac`, `ed25519`, `ecdsa-p256`, `ecdsa-p384` or `rsa`. " +
				"Changing it is a rotation, not a replacement: the apply issues a new `pending` version of the new type " +
				"(once the version pending then, if any, is active), which becomes active after `propagation`, while " +
				"the versions of the old type stay accepted until their overlap ends; `jwks` lists both types meanwhile. " +
				"Each version keeps the type it was issued with (`versions[*].type`).",
			Validators: []validator.String{stringvalidator.OneOf(material.TypeNames()...)},
		},
		"length": schema.NumberAttribute{
			Optional: true,
			Description: fmt.Sprintf("`password` only: number of characters, %d to %d (default %d). Applies to versions issued "+
				"after a change; changing it does not rotate.", material.MinLength, material.MaxLength, material.DefaultLength),
			Validators: []validator.Number{wholeNumber{min: material.MinLength, max: material.MaxLength, unit: "characters"}},
		},
		"special": schema.BoolAttribute{
			Optional: true,
			Description: "`password` only: include special characters (default `true`). Characters are drawn uniformly from " +
				"`crypto/rand`. Applies to versions issued after a change; changing it does not rotate.",
		},
		"hmac_bytes": schema.NumberAttribute{
			Optional: true,
			Description: fmt.Sprintf("`hmac` only: key size in bytes, %d to %d (default %d). Applies to versions issued after "+
				"a change; changing it does not rotate.", material.MinHMACBytes, material.MaxHMACBytes, material.DefaultHMACBytes),
			Validators: []validator.Number{wholeNumber{min: material.MinHMACBytes, max: material.MaxHMACBytes, unit: "bytes"}},
		},
		"rsa_bits": schema.NumberAttribute{
			Optional: true,
			Description: "`rsa` only: modulus size, 2048, 3072 (default) or 4096. Applies to versions issued after a change; " +
				"changing it does not rotate.",
			Validators: []validator.Number{wholeNumber{allowed: []int64{2048, 3072, 4096}, unit: "bits"}},
		},
		"versions": schema.ListNestedAttribute{
			Computed: true,
			Description: "Every recorded version, oldest first: the accepted ones with their material and up to " +
				"`history_limit` revoked ones as metadata (their material is wiped).",
			NestedObject: schema.NestedAttributeObject{Attributes: recordAttributes(false, derivationAttributes(map[string]schema.Attribute{
				"type": computedString("The type this version was issued with; it keeps it when `type` changes."),
				"length": schema.Int64Attribute{Computed: true,
					Description: "`password` versions: the number of characters it was issued with; null for other types."},
				"special": schema.BoolAttribute{Computed: true,
					Description: "`password` versions: whether it was issued with special characters; null for other types."},
				"hmac_bytes": schema.Int64Attribute{Computed: true,
					Description: "`hmac` versions: the key size in bytes it was issued with; null for other types."},
				"rsa_bits": schema.Int64Attribute{Computed: true,
					Description: "`rsa` versions: the modulus size it was issued with; null for other types."},
				"kid":            computedString("Key id: the RFC 7638 thumbprint for asymmetric types, a random id (≥ 96 bits) for `password` and `hmac`."),
				"public_key_pem": computedString("Public key, PKIX PEM (asymmetric types; null once revoked)."),
				"public_jwk":     computedString("Public JWK, JSON (asymmetric types; null once revoked)."),
				"secret": schema.StringAttribute{
					Computed:  true,
					Sensitive: true,
					Description: "The material: the password, the base64url HMAC key, or the PKCS#8 PEM private key. Null once revoked, " +
						"and always for `derived` versions (read those with the ephemeral resource `rotation_secret_material`).",
				},
			}))},
		},
		"active_version": schema.Int64Attribute{Computed: true, Description: "The version consumers should emit (sign with, log in with)."},
		"active_kid":     computedString("`kid` of the active version."),
		"active_secret": schema.StringAttribute{
			Computed: true, Sensitive: true,
			Description: "Material of the active version: what emitters use. Null when the active version is `derived` " +
				"(use `rotation_secret_material.active_secret`).",
		},
		"active_public_key_pem": computedString("Public key of the active version (asymmetric types)."),
		"accepted_kids": schema.ListAttribute{
			Computed: true, ElementType: types.StringType,
			Description: "Key ids validators must accept: active first, then pending, then previous (newest first).",
		},
		"accepted_secrets": schema.MapAttribute{
			Computed: true, Sensitive: true, ElementType: types.StringType,
			Description: "Material of every accepted version, by `kid`: what validators load (HMAC keys, passwords). Null as soon " +
				"as one accepted version is `derived`, never a partial set (use `rotation_secret_material.accepted_secrets`).",
		},
		"jwks": computedString("Public JWKS (JSON) of the accepted versions of an asymmetric type, active first; `{\"keys\":[]}` for `password` and `hmac`."),
		"next_transition": computedString("The next scheduled transition, e.g. `activate v2`, `revoke v1`, `issue v3`; `none` when nothing is scheduled " +
			"(pinned with nothing to revoke, or revocation held)."),
		"next_transition_at": computedString("When the next transition becomes due (RFC 3339, moved into the change window); the first apply at or after it performs it."),
	}
	identityAttributes(attrs, "The secret family this secret belongs to: `rotation_secret_family.<name>.id`.", "secret")
	materialAttributes(attrs)
	controlAttributes(attrs)
	attrs["history_limit"] = schema.NumberAttribute{
		Optional:    true,
		Computed:    true,
		Default:     numberdefault.StaticBigFloat(big.NewFloat(defaults.HistoryLimit)),
		Description: fmt.Sprintf("How many revoked versions are kept as metadata (default %d).", defaults.HistoryLimit),
		Validators:  []validator.Number{wholeNumber{min: 0, max: defaults.MaxHistoryLimit, unit: "revoked versions to keep"}},
	}
	resp.Schema = schema.Schema{
		Version: secretSchemaVersion,
		Description: "Dual-valid key versions with their material. Each apply asks the lifecycle engine what is due: " +
			"a new version is issued `pending` (accept), becomes `active` after `propagation` (emit), and the old one " +
			"stays `previous` for `overlap` before it is revoked and its material wiped from state (revoke). " +
			"The plan shows every status change before it happens.",
		Attributes: attrs,
		Blocks:     lifecycleBlocks(false),
	}
}

// rotation_secret adds the hooks of the adapter.
var (
	_ configChecker                 = (*secretModel)(nil)
	_ materialIssuer[*versionModel] = (*secretModel)(nil)
	_ reissuer[*versionModel]       = (*secretModel)(nil)
	_ recordChecker[*versionModel]  = (*secretModel)(nil)
)

// describe names the version for people: "v2 (pending, kid ...)".
func (v *versionModel) describe() string {
	if v.KID.IsNull() || v.KID.IsUnknown() {
		return fmt.Sprintf("v%d (%s)", v.Version.ValueInt64(), v.Status.ValueString())
	}
	return fmt.Sprintf("v%d (%s, kid %s)", v.Version.ValueInt64(), v.Status.ValueString(), v.KID.ValueString())
}

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
	m.checkMaterialConfig(diags)
}

// options returns the material options of the configuration.
func (m *secretModel) options() material.Options {
	o := material.DefaultOptions()
	o.Length = int(numberInt64(m.Length, int64(o.Length)))
	if !m.Special.IsNull() && !m.Special.IsUnknown() {
		o.Special = m.Special.ValueBool()
	}
	o.HMACBytes = int(numberInt64(m.HMACBytes, int64(o.HMACBytes)))
	o.RSABits = int(numberInt64(m.RSABits, int64(o.RSABits)))
	return o
}

// The codec of rotation_secret (lifecycleModel).

// reissue is the reissuer hook: a new version is due when the newest
// accepted version has another type than the configuration asks for.
func (m *secretModel) reissue(rows []*versionModel) string {
	if m.Type.IsNull() || m.Type.IsUnknown() {
		return ""
	}
	for i := len(rows) - 1; i >= 0; i-- {
		v := rows[i]
		if !lifecycle.Status(v.Status.ValueString()).Accepted() {
			continue
		}
		if got, want := v.Type.ValueString(), m.Type.ValueString(); got != want {
			return fmt.Sprintf("type changed to %q (the newest accepted version, v%d, is %q)", want, v.Version.ValueInt64(), got)
		}
		return m.reissueMaterial(v)
	}
	return ""
}

func (m *secretModel) inputsKnown() bool {
	return !m.HistoryLimit.IsUnknown() && !m.Type.IsUnknown() && !m.Material.IsUnknown() &&
		!m.Length.IsUnknown() && !m.Special.IsUnknown() && !m.HMACBytes.IsUnknown() && !m.RSABits.IsUnknown()
}

func (m *secretModel) historyLimit() int {
	return int(numberInt64(m.HistoryLimit, defaults.HistoryLimit))
}

func (m *secretModel) recordKnown() bool { return !m.Versions.IsUnknown() }

func (m *secretModel) rows(ctx context.Context) ([]*versionModel, diag.Diagnostics) {
	var versions []versionModel
	diags := m.Versions.ElementsAs(ctx, &versions, false)
	rows := make([]*versionModel, len(versions))
	for i := range versions {
		rows[i] = &versions[i]
		rows[i].where = path.Root("versions").AtListIndex(i)
	}
	return rows, diags
}

// row keeps the type, options and material of a recorded version; a
// version this decision issues gets the configuration's type and options,
// and unknown material until issueMaterial generates it. Revocation wipes
// the material; the kid, type and options stay as metadata.
func (m *secretModel) row(record versionRecord, prior *versionModel) *versionModel {
	v := &versionModel{versionRecord: record}
	if prior != nil {
		v.versionMaterial, v.versionDerivation = prior.versionMaterial, prior.versionDerivation
		v.KID, v.PublicKeyPEM, v.PublicJWK, v.Secret = prior.KID, prior.PublicKeyPEM, prior.PublicJWK, prior.Secret
	} else {
		typ := material.Type(m.Type.ValueString())
		v.versionMaterial, v.versionDerivation = newVersionMaterial(typ, m.options()), m.newDerivation()
		v.KID, v.PublicKeyPEM, v.PublicJWK, v.Secret = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		if !typ.Asymmetric() {
			v.PublicKeyPEM, v.PublicJWK = types.StringNull(), types.StringNull()
		}
		if v.derived() {
			v.Secret = types.StringNull() // never stored
		}
	}
	if record.Status.ValueString() == string(lifecycle.StatusRevoked) {
		v.PublicKeyPEM, v.PublicJWK, v.Secret = types.StringNull(), types.StringNull(), types.StringNull()
		if v.derived() {
			v.Salt = types.StringNull() // without its salt a revoked version cannot be derived again
		}
	}
	return v
}

// issueMaterial generates the material of every version that lacks it, of
// the type and options the version records (the materialIssuer hook, run
// at apply time).
func (m *secretModel) issueMaterial(ctx context.Context, rows []*versionModel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ensureUID()
	issued := map[int64]bool{}
	for _, v := range rows {
		if !v.Secret.IsUnknown() && !v.KID.IsUnknown() {
			continue
		}
		issued[v.Version.ValueInt64()] = true
		if v.derived() {
			if diags.Append(m.deriveNew(ctx, v)...); diags.HasError() {
				return diags
			}
			continue
		}
		typ, opts := v.material()
		mat, err := material.Generate(typ, opts, rand.Reader)
		if err != nil {
			diags.AddAttributeError(path.Root("type"), "Cannot generate key material", err.Error())
			return diags
		}
		v.KID, v.Secret = types.StringValue(mat.KID), types.StringValue(mat.Secret)
		v.PublicKeyPEM, v.PublicJWK = nullIfEmpty(mat.PublicKeyPEM), nullIfEmpty(mat.PublicJWK)
		tflog.Info(ctx, "rotation issued key material", map[string]any{"secret": m.key(), "version": v.Version.ValueInt64(), "type": string(typ), "kid": mat.KID})
	}
	diags.Append(m.verifyDerived(rows, issued)...)
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
	anyDerived := false
	kids := make([]attr.Value, 0, len(accepted))
	secrets := make(map[string]attr.Value, len(accepted))
	var jwks []string
	for _, v := range accepted {
		anyDerived = anyDerived || v.derived()
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
	switch {
	case anyDerived: // never a partial set
		m.AcceptedSecrets = types.MapNull(types.StringType)
	case secretsKnown:
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
	m.MaterialGeneration = types.Int64Unknown()
}
