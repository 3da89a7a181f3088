package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// rotation_secret_material is the ephemeral resource that gives the
// material of one rotation_secret's accepted versions without it ever
// entering state or a plan (Terraform >= 1.10, OpenTofu >= 1.11). An
// ephemeral resource cannot read another resource's state, so it takes what
// derivation needs as arguments: the secret's uid and its versions (ids,
// statuses, salts, seed fingerprints, types, options and public fields; for
// versions that keep their material in state, the secret itself). It
// derives every derived version with the provider's material seeds and
// checks each against its kid and public key; a version it cannot
// reproduce is an error naming it, never different material.

// NewSecretMaterialEphemeralResource is the rotation_secret_material factory.
func NewSecretMaterialEphemeralResource() ephemeral.EphemeralResource {
	return &secretMaterialResource{}
}

type secretMaterialResource struct {
	data *ProviderData
}

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*secretMaterialResource)(nil)
)

// secretMaterialModel is the ephemeral resource's configuration and result.
type secretMaterialModel struct {
	UID      types.String `tfsdk:"uid"`
	Versions types.List   `tfsdk:"versions"`

	ActiveVersion   types.Int64  `tfsdk:"active_version"`
	ActiveKID       types.String `tfsdk:"active_kid"`
	ActiveSecret    types.String `tfsdk:"active_secret"`
	AcceptedKIDs    types.List   `tfsdk:"accepted_kids"`
	AcceptedSecrets types.Map    `tfsdk:"accepted_secrets"`
	PrivateJWKS     types.String `tfsdk:"private_jwks"`
	Keys            types.List   `tfsdk:"keys"`
}

// materialVersionModel is one element of versions: the subset of
// rotation_secret.versions derivation reads (the CLI drops the others when
// the whole list is passed).
type materialVersionModel struct {
	Version         types.Int64  `tfsdk:"version"`
	Status          types.String `tfsdk:"status"`
	Type            types.String `tfsdk:"type"`
	Length          types.Int64  `tfsdk:"length"`
	Special         types.Bool   `tfsdk:"special"`
	HMACBytes       types.Int64  `tfsdk:"hmac_bytes"`
	RSABits         types.Int64  `tfsdk:"rsa_bits"`
	KID             types.String `tfsdk:"kid"`
	PublicJWK       types.String `tfsdk:"public_jwk"`
	Material        types.String `tfsdk:"material"`
	Salt            types.String `tfsdk:"salt"`
	SeedFingerprint types.String `tfsdk:"seed_fingerprint"`
	Secret          types.String `tfsdk:"secret"`
}

// materialKeyType is the type of one element of keys.
var materialKeyType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"version":         types.Int64Type,
	"status":          types.StringType,
	"kid":             types.StringType,
	"type":            types.StringType,
	"material":        types.StringType,
	"secret":          types.StringType,
	"private_key_pem": types.StringType,
	"private_jwk":     types.StringType,
	"public_jwk":      types.StringType,
	"public_key_pem":  types.StringType,
}}

func (r *secretMaterialResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secret_material"
}

func (r *secretMaterialResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	str := func(d string) schema.StringAttribute { return schema.StringAttribute{Computed: true, Description: d} }
	secret := func(d string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Sensitive: true, Description: d}
	}
	opt := func(d string) schema.StringAttribute { return schema.StringAttribute{Optional: true, Description: d} }
	resp.Schema = schema.Schema{
		Description: "The material of a `rotation_secret`'s accepted versions, for write-only arguments and provider " +
			"configuration, never stored in state or a plan (Terraform >= 1.10, OpenTofu >= 1.11). Pass it the secret's `uid` " +
			"and `versions`; it derives every `derived` version from the provider's material seed (and previous seeds), checks " +
			"each against its `kid` and public key, and fails naming the version if one does not match. Versions that keep " +
			"their material in state (`material = \"state\"`) are passed through from `versions[*].secret`, so consumers can " +
			"move to this resource before the secret moves to derived mode.",
		Attributes: map[string]schema.Attribute{
			"uid": schema.StringAttribute{
				Required:    true,
				Description: "`rotation_secret.<name>.uid`: the secret's stable id, which derived material is bound to.",
			},
			"versions": schema.ListNestedAttribute{
				Required: true,
				Description: "`rotation_secret.<name>.versions`, as it is: the record of every version (the attributes listed " +
					"here are read, the others ignored).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"version":          schema.Int64Attribute{Required: true, Description: "Version number."},
					"status":           schema.StringAttribute{Required: true, Description: "Status; only accepted versions (`pending`, `active`, `previous`) are read."},
					"type":             schema.StringAttribute{Required: true, Description: "The type the version was issued with."},
					"length":           schema.Int64Attribute{Optional: true, Description: "`password` versions: length."},
					"special":          schema.BoolAttribute{Optional: true, Description: "`password` versions: special characters."},
					"hmac_bytes":       schema.Int64Attribute{Optional: true, Description: "`hmac` versions: key size."},
					"rsa_bits":         schema.Int64Attribute{Optional: true, Description: "`rsa` versions: modulus size."},
					"kid":              opt("Key id, checked against the derived material."),
					"public_jwk":       opt("Public JWK (asymmetric), checked against the derived material."),
					"material":         opt("`state` or `derived` (null: `state`)."),
					"salt":             opt("`derived` versions: the salt."),
					"seed_fingerprint": opt("`derived` versions: the fingerprint of the seed it was derived from."),
					"secret": schema.StringAttribute{Optional: true, Sensitive: true,
						Description: "`state` versions: the material kept in state, passed through."},
				}},
			},
			"active_version": schema.Int64Attribute{Computed: true, Description: "The active version."},
			"active_kid":     str("`kid` of the active version: the `kid` header of what emitters sign."),
			"active_secret":  secret("Material of the active version (password, base64url HMAC key or PKCS#8 PEM private key): what emitters use."),
			"accepted_kids": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				Description: "Key ids of every accepted version: active first, then pending, then previous (newest first)."},
			"accepted_secrets": schema.MapAttribute{Computed: true, Sensitive: true, ElementType: types.StringType,
				Description: "Material of every accepted version by `kid`: what validators load (HMAC keys, passwords). Validators need " +
					"the whole set, not only the active version."},
			"private_jwks": secret("JWK Set (JSON) of the private keys of the accepted versions of an asymmetric or `hmac` type, " +
				"active first, for signing services that load a JWKS; `{\"keys\":[]}` for passwords."),
			"keys": schema.ListNestedAttribute{
				Computed:    true,
				Description: "Every accepted version's material, in the order of `accepted_kids`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"version":         schema.Int64Attribute{Computed: true, Description: "Version number."},
					"status":          str("`active`, `pending` or `previous`."),
					"kid":             str("Key id."),
					"type":            str("Type."),
					"material":        str("`state` or `derived`: where it came from."),
					"secret":          secret("The material, as `rotation_secret` would store it: password, base64url HMAC key or PKCS#8 PEM private key."),
					"private_key_pem": secret("Asymmetric types: the PKCS#8 PEM private key (the same as `secret`); null otherwise."),
					"private_jwk":     secret("The private JWK (asymmetric types, and `oct` for `hmac`); null for passwords."),
					"public_jwk":      str("Public JWK (asymmetric types)."),
					"public_key_pem":  str("Public key, PKIX PEM (asymmetric types)."),
				}},
			},
		},
	}
}

func (r *secretMaterialResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
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

func (r *secretMaterialResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m secretMaterialModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.Config.Raw.IsFullyKnown() {
		// The secret is planned but not applied yet: the material is
		// known after apply.
		m.setUnknown()
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
		return
	}
	var versions []materialVersionModel
	resp.Diagnostics.Append(m.Versions.ElementsAs(ctx, &versions, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	keys, diags := openMaterial(m.UID.ValueString(), versions, seedsOf(r.data))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.setKeys(keys)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "rotation opened secret material", map[string]any{"uid": m.UID.ValueString(), "accepted_kids": len(keys)})
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// openedKey is one accepted version's material.
type openedKey struct {
	v      materialVersionModel
	secret string
	jwk    string // private JWK, "" for passwords
}

// openMaterial gives the material of every accepted version of versions,
// in the order of accepted_kids: derived versions derived with the seed
// their fingerprint names and checked against their kid and public JWK,
// state versions taken from secret and checked against their kid when
// asymmetric. Every version it cannot give is an error naming it.
func openMaterial(uid string, versions []materialVersionModel, seeds *materialSeeds) ([]openedKey, diag.Diagnostics) {
	var diags diag.Diagnostics
	at := func(i int) path.Path { return path.Root("versions").AtListIndex(i) }
	accepted := map[int64]int{} // version → index in versions
	recorded := map[int64]string{}
	for i, v := range versions {
		if !lifecycle.Status(v.Status.ValueString()).Accepted() {
			continue
		}
		accepted[v.Version.ValueInt64()] = i
		if v.Material.ValueString() == materialDerived {
			recorded[v.Version.ValueInt64()] = v.SeedFingerprint.ValueString()
		}
	}
	if len(accepted) == 0 {
		diags.AddAttributeError(path.Root("versions"), "No accepted version",
			"versions holds no pending, active or previous version: pass rotation_secret.<name>.versions as it is.")
		return nil, diags
	}
	var bySeed map[int64][]byte
	if len(recorded) > 0 {
		if !seeds.any() {
			diags.AddError("No material seed", fmt.Sprintf("%d accepted versions are derived, and no material seed is configured. %s",
				len(recorded), howToConfigure))
			return nil, diags
		}
		var err error
		if bySeed, err = material.SeedsFor(recorded, seeds.all()); err != nil {
			diags.AddError("Material seed does not reproduce the derived versions", seedMismatchHelp(err))
			return nil, diags
		}
	}
	ordered := lifecycle.OrderAccepted(versions, func(v materialVersionModel) lifecycle.Status { return lifecycle.Status(v.Status.ValueString()) })
	out := make([]openedKey, 0, len(ordered))
	for _, v := range ordered {
		i, ver := accepted[v.Version.ValueInt64()], v.Version.ValueInt64()
		typ := material.Type(v.Type.ValueString())
		if !typ.Valid() {
			diags.AddAttributeError(at(i).AtName("type"), "Invalid version", fmt.Sprintf("v%d: type %s is not one of %s", ver, quoteValue(v.Type), strings.Join(material.TypeNames(), ", ")))
			continue
		}
		k := openedKey{v: v}
		if v.Material.ValueString() == materialDerived {
			vm := &versionModel{
				versionRecord:     versionRecord{Version: v.Version, Status: v.Status},
				versionMaterial:   versionMaterial{Type: v.Type, Length: v.Length, Special: v.Special, HMACBytes: v.HMACBytes, RSABits: v.RSABits},
				versionDerivation: versionDerivation{Material: v.Material, Salt: v.Salt, SeedFingerprint: v.SeedFingerprint},
				KID:               v.KID, PublicJWK: v.PublicJWK,
			}
			mat, err := deriveVersion(bySeed[ver], uid, vm)
			if err != nil {
				diags.AddAttributeError(at(i), "Derived material does not match the version",
					fmt.Sprintf("v%d (kid %s): %v. Pass uid and versions of the same rotation_secret, unchanged.", ver, v.KID.ValueString(), err))
				continue
			}
			k.secret = mat.Secret
		} else {
			if v.Secret.IsNull() || v.Secret.ValueString() == "" {
				diags.AddAttributeError(at(i).AtName("secret"), "Missing material",
					fmt.Sprintf("v%d keeps its material in state, but versions[%d].secret is null: pass rotation_secret.<name>.versions as it is.", ver, i))
				continue
			}
			k.secret = v.Secret.ValueString()
			if typ.Asymmetric() {
				if _, _, kid, err := material.PublicFromSecret(typ, k.secret); err != nil || kid != v.KID.ValueString() {
					diags.AddAttributeError(at(i), "Material does not match the version",
						fmt.Sprintf("v%d (kid %s): its secret is not the private key of its kid.", ver, v.KID.ValueString()))
					continue
				}
			}
		}
		if typ != material.TypePassword {
			jwk, err := material.PrivateJWK(typ, k.secret, v.KID.ValueString())
			if err != nil && !errors.Is(err, material.ErrNoPrivateJWK) {
				diags.AddAttributeError(at(i), "Cannot encode the private JWK", fmt.Sprintf("v%d: %v", ver, err))
				continue
			}
			k.jwk = jwk
		}
		out = append(out, k)
	}
	return out, diags
}

// setKeys writes the results from the opened keys.
func (m *secretMaterialModel) setKeys(keys []openedKey) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ActiveVersion, m.ActiveKID, m.ActiveSecret = types.Int64Null(), types.StringNull(), types.StringNull()
	kids := make([]attr.Value, 0, len(keys))
	secrets := make(map[string]attr.Value, len(keys))
	var jwks []string
	elems := make([]attr.Value, 0, len(keys))
	for _, k := range keys {
		kid := k.v.KID.ValueString()
		if k.v.Status.ValueString() == string(lifecycle.StatusActive) {
			m.ActiveVersion, m.ActiveKID, m.ActiveSecret = k.v.Version, k.v.KID, types.StringValue(k.secret)
		}
		kids = append(kids, types.StringValue(kid))
		secrets[kid] = types.StringValue(k.secret)
		if k.jwk != "" {
			jwks = append(jwks, k.jwk)
		}
		typ := material.Type(k.v.Type.ValueString())
		mode := materialState
		if k.v.Material.ValueString() == materialDerived {
			mode = materialDerived
		}
		pemKey, pubJWK, pubPEM := types.StringNull(), types.StringNull(), types.StringNull()
		if typ.Asymmetric() {
			pemKey = types.StringValue(k.secret)
			if p, j, _, err := material.PublicFromSecret(typ, k.secret); err == nil {
				pubJWK, pubPEM = types.StringValue(j), types.StringValue(p)
			}
		}
		obj, d := types.ObjectValue(materialKeyType.AttrTypes, map[string]attr.Value{
			"version": k.v.Version, "status": k.v.Status, "kid": types.StringValue(kid), "type": k.v.Type,
			"material": types.StringValue(mode), "secret": types.StringValue(k.secret), "private_key_pem": pemKey,
			"private_jwk": nullIfEmpty(k.jwk), "public_jwk": pubJWK, "public_key_pem": pubPEM,
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	m.AcceptedKIDs = types.ListValueMust(types.StringType, kids)
	m.AcceptedSecrets = types.MapValueMust(types.StringType, secrets)
	m.PrivateJWKS = types.StringValue(`{"keys":[` + strings.Join(jwks, ",") + `]}`)
	m.Keys = types.ListValueMust(materialKeyType, elems)
	return diags
}

// setUnknown marks every result unknown (the inputs are not known yet).
func (m *secretMaterialModel) setUnknown() {
	m.ActiveVersion, m.ActiveKID, m.ActiveSecret = types.Int64Unknown(), types.StringUnknown(), types.StringUnknown()
	m.AcceptedKIDs, m.AcceptedSecrets = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	m.PrivateJWKS, m.Keys = types.StringUnknown(), types.ListUnknown(materialKeyType)
}
