package provider

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// Derived material (docs/design.md, Resources; issue 12). A rotation_secret
// with material = "derived" stores no private or symmetric material: each
// version records a random salt and the fingerprint of the seed it was
// derived from, and whoever holds the seed (the provider at apply time, the
// ephemeral resource rotation_secret_material) recomputes the material with
// material.Derive from the seed, the salt and
//
//	"rotation/v1/<uid>/<version>/<type and options>"
//
// where uid is the resource's own stable id (below), never family or name,
// which can change in place. Each version records the mode it was issued
// in, so changing material is a rotation: the next version is issued in the
// new mode and the old ones keep theirs until they are revoked.

// The values of material.
const (
	materialState   = "state"
	materialDerived = "derived"
)

// versionDerivation is how a rotation_secret version keeps its material:
// in state (salt and seed_fingerprint null) or derived.
type versionDerivation struct {
	Material        types.String `tfsdk:"material"`
	Salt            types.String `tfsdk:"salt"`
	SeedFingerprint types.String `tfsdk:"seed_fingerprint"`
}

// derived reports whether the version's material is derived.
func (d versionDerivation) derived() bool { return d.Material.ValueString() == materialDerived }

// derivationAttrTypes are the attribute types of versionDerivation.
var derivationAttrTypes = map[string]attr.Type{
	"material":         types.StringType,
	"salt":             types.StringType,
	"seed_fingerprint": types.StringType,
}

// derivationAttributes are the schema of versionDerivation, for
// rotation_secret's versions.
func derivationAttributes(into map[string]schema.Attribute) map[string]schema.Attribute {
	into["material"] = computedString("Where this version's material is: `state` (in `secret`) or `derived` (not stored; the " +
		"ephemeral resource `rotation_secret_material` derives it from the material seed). A version keeps the mode it was issued in.")
	into["salt"] = computedString("`derived` versions: the random salt (base64url, 256 bits) the material is derived with; " +
		"public. Null for `state` versions and once revoked.")
	into["seed_fingerprint"] = computedString("`derived` versions: the fingerprint of the material seed the version was derived " +
		"from (an HMAC of a fixed label, never the seed): a plan names the versions no configured seed reproduces.")
	return into
}

// materialAttributes adds rotation_secret's material, uid and
// material_generation.
func materialAttributes(into map[string]schema.Attribute) {
	into["material"] = schema.StringAttribute{
		Optional: true,
		Computed: true,
		Default:  stringdefault.StaticString(materialState),
		Description: "Where new versions keep their material: `state` (default; in `versions[*].secret`, `active_secret` and " +
			"`accepted_secrets`, marked sensitive but written to the state, its backups and saved plans) or `derived` (never " +
			"stored: derived with HKDF-SHA256 from the provider's material seed and a per-version salt; read it with the " +
			"ephemeral resource `rotation_secret_material`). `rsa` cannot be derived. Changing it is a rotation, not a " +
			"replacement: a new version is issued `pending` in the new mode at once, and the versions issued in the old mode " +
			"keep theirs until they are revoked. In derived mode a change of the material seed is a rotation too.",
		Validators: []validator.String{stringvalidator.OneOf(materialState, materialDerived)},
	}
	into["uid"] = schema.StringAttribute{
		Computed: true,
		Description: "The secret's own stable id, random, set by the first apply and never changed (not even by a change of " +
			"`family`): derived material is bound to it, so pass it to `rotation_secret_material`.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	into["material_generation"] = schema.Int64Attribute{
		Computed: true,
		Description: "A number that grows by one with every apply that changes the accepted versions or the active one (and " +
			"never otherwise), known in the plan: use it as the `*_wo_version` of a write-only argument fed from " +
			"`rotation_secret_material`, so the consumer is written exactly when what it must hold changes.",
	}
}

// mode is the configured material mode ("state" unless set).
func (m *secretModel) mode() string {
	if m.Material.ValueString() == materialDerived {
		return materialDerived
	}
	return materialState
}

// bind is the dataBinder hook: the model keeps the provider's
// configuration (the material seeds) for its hooks.
func (m *secretModel) bind(data *ProviderData) { m.data = data }

// newDerivation is the derivation of a version this decision issues: the
// configured mode, with the salt (and, until decided fills it, the
// fingerprint) unknown in derived mode.
func (m *secretModel) newDerivation() versionDerivation {
	if m.mode() == materialDerived {
		return versionDerivation{Material: types.StringValue(materialDerived), Salt: types.StringUnknown(), SeedFingerprint: types.StringUnknown()}
	}
	return versionDerivation{Material: types.StringValue(materialState), Salt: types.StringNull(), SeedFingerprint: types.StringNull()}
}

// checkMaterialConfig refuses derived mode for a type that cannot be
// derived (rsa), saying why.
func (m *secretModel) checkMaterialConfig(diags *diag.Diagnostics) {
	if m.Material.ValueString() != materialDerived || m.Type.IsUnknown() || m.Type.IsNull() {
		return
	}
	t := material.Type(m.Type.ValueString())
	if err := material.ValidateDerivable(t, material.DefaultOptions()); err != nil && errors.Is(err, material.ErrNotDerivable) {
		diags.AddAttributeError(path.Root("material"), "Material cannot be derived for this type", err.Error())
	}
}

// reissueMaterial says why a new version is due because of how the newest
// accepted version v keeps its material: the configured mode differs, or
// (derived mode) the current material seed is not the one v was derived
// from. "" if neither.
func (m *secretModel) reissueMaterial(v *versionModel) string {
	want, got := m.mode(), materialState
	if v.derived() {
		got = materialDerived
	}
	if got != want {
		return fmt.Sprintf("material changed to %q (the newest accepted version, v%d, has material %q)", want, v.Version.ValueInt64(), got)
	}
	if want != materialDerived || v.SeedFingerprint.IsNull() || v.SeedFingerprint.IsUnknown() {
		return ""
	}
	if fp := seedsOf(m.data).currentFingerprint(); fp != "" && fp != v.SeedFingerprint.ValueString() {
		return fmt.Sprintf("the material seed changed (the newest accepted version, v%d, was derived from the seed with fingerprint %s; "+
			"the current seed's fingerprint is %s)", v.Version.ValueInt64(), v.SeedFingerprint.ValueString(), fp)
	}
	return ""
}

// acceptedSignature names the accepted versions and the active one:
// material_generation changes exactly when it does.
func acceptedSignature(rows []*versionModel) string {
	var b strings.Builder
	for _, v := range rows {
		switch lifecycle.Status(v.Status.ValueString()) {
		case lifecycle.StatusActive:
			b.WriteString("*" + strconv.FormatInt(v.Version.ValueInt64(), 10) + ",")
		case lifecycle.StatusPending, lifecycle.StatusPrevious:
			b.WriteString(strconv.FormatInt(v.Version.ValueInt64(), 10) + ",")
		}
	}
	return b.String()
}

// decided is the decidedHook of rotation_secret, run once a decision built
// its rows (at plan time, and at apply time when the plan could not
// decide). It sets material_generation, checks that the configured seeds
// reproduce every accepted derived version (by fingerprint: a wrong or
// changed seed is an error naming the versions), and records the current
// seed's fingerprint on a derived version this decision issues, which
// needs a seed.
func (m *secretModel) decided(_ context.Context, prior *secretModel, priorRows, rows []*versionModel, apply bool) diag.Diagnostics {
	var diags diag.Diagnostics
	gen := int64(1)
	if prior != nil && !prior.MaterialGeneration.IsNull() && !prior.MaterialGeneration.IsUnknown() {
		gen = prior.MaterialGeneration.ValueInt64()
		if acceptedSignature(priorRows) != acceptedSignature(rows) && gen < 1<<62 {
			gen++
		}
	}
	m.MaterialGeneration = types.Int64Value(gen)

	seeds := seedsOf(m.data)
	recorded := map[int64]string{}
	var unchecked []string
	for _, v := range rows {
		if !v.derived() || !lifecycle.Status(v.Status.ValueString()).Accepted() {
			continue
		}
		if v.KID.IsUnknown() { // issued by this decision
			fp := seeds.currentFingerprint()
			if fp == "" {
				diags.AddAttributeError(path.Root("material"), "No material seed: "+m.typeName(),
					fmt.Sprintf("This plan issues v%d with material = \"derived\", which is derived from the provider's material seed, "+
						"but none is configured. %s", v.Version.ValueInt64(), howToConfigure))
				continue
			}
			if v.SeedFingerprint.IsUnknown() {
				v.SeedFingerprint = types.StringValue(fp)
			}
			continue
		}
		recorded[v.Version.ValueInt64()] = v.SeedFingerprint.ValueString()
		unchecked = append(unchecked, v.describe())
	}
	switch {
	case len(recorded) == 0:
	case !seeds.any():
		if !apply {
			diags.AddWarning("Derived material not checked: "+m.typeName(),
				fmt.Sprintf("No material seed is configured, so this plan cannot check that the seed reproduces %s. Applies that "+
					"issue a derived version need the seed, and so does the ephemeral resource rotation_secret_material. %s",
					strings.Join(unchecked, ", "), howToConfigure))
		}
	default:
		if _, err := material.SeedsFor(recorded, seeds.all()); err != nil {
			diags.AddError("Material seed does not reproduce the derived versions: "+m.typeName(), seedMismatchHelp(err))
		}
	}
	return diags
}

// seedMismatchHelp completes a SeedsFor error with where seeds come from.
func seedMismatchHelp(err error) string {
	return err.Error() + ". The current seed comes from the provider attribute material_seed or " + EnvMaterialSeed +
		", older ones from previous_material_seeds or " + EnvPreviousMaterialSeeds + "; fingerprints identify seeds " +
		"without revealing them. If the seed is lost, the versions derived from it cannot be read again: rotate away " +
		"from them (revoke_versions) once consumers hold newer versions."
}

// typeName is "rotation_secret family/name", for messages.
func (m *secretModel) typeName() string { return "rotation_secret " + m.key() }

// ensureUID gives the resource its uid on the first apply.
func (m *secretModel) ensureUID() {
	if m.UID.IsNull() || m.UID.IsUnknown() || m.UID.ValueString() == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+).
		m.UID = types.StringValue(formatUID(b, 4))
	}
}

// formatUID writes 16 bytes as an RFC 9562 UUID of the given version
// (4: random; 8: derived by the schema upgrade).
func formatUID(b [16]byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// upgradedUID is the uid the schema upgrade gives a state written before
// uids existed: a hash of the id and the oldest recorded version's kid and
// issue time, so that every plan made from the same stored state gets the
// same uid until an apply stores it, and two secrets never share one.
func upgradedUID(id, kid, issuedAt string) string {
	sum := sha256.Sum256([]byte("rotation/v1/uid\x00" + id + "\x00" + kid + "\x00" + issuedAt))
	var b [16]byte
	copy(b[:], sum[:16])
	return formatUID(b, 8)
}

// deriveNew derives the material of v, a derived version this apply
// issues, from the current seed and a fresh salt. No material is kept:
// only the salt, the seed's fingerprint, the kid and the public key.
func (m *secretModel) deriveNew(ctx context.Context, v *versionModel) diag.Diagnostics {
	var diags diag.Diagnostics
	seeds := seedsOf(m.data)
	fp := seeds.currentFingerprint()
	ver := v.Version.ValueInt64()
	switch {
	case fp == "":
		diags.AddAttributeError(path.Root("material"), "No material seed: "+m.typeName(),
			fmt.Sprintf("v%d is issued with material = \"derived\", but no material seed is configured. %s", ver, howToConfigure))
		return diags
	case !v.SeedFingerprint.IsUnknown() && !v.SeedFingerprint.IsNull() && v.SeedFingerprint.ValueString() != fp:
		diags.AddAttributeError(path.Root("material"), "The material seed changed since the plan: "+m.typeName(),
			fmt.Sprintf("The plan issues v%d from the seed with fingerprint %s, but the seed configured now has fingerprint %s. "+
				"Nothing was derived. Apply with the seeds the plan was made with, or plan again.", ver, v.SeedFingerprint.ValueString(), fp))
		return diags
	}
	typ, opts := v.material()
	salt := material.NewSalt()
	mat, err := material.Derive(seeds.current, salt, material.DeriveInfo{SecretID: m.UID.ValueString(), Version: ver, Type: typ, Options: opts})
	if err != nil {
		diags.AddAttributeError(path.Root("type"), "Cannot derive key material", fmt.Sprintf("v%d: %v", ver, err))
		return diags
	}
	v.KID, v.Secret = types.StringValue(mat.KID), types.StringNull()
	v.PublicKeyPEM, v.PublicJWK = nullIfEmpty(mat.PublicKeyPEM), nullIfEmpty(mat.PublicJWK)
	v.Salt, v.SeedFingerprint = types.StringValue(material.EncodeSalt(salt)), types.StringValue(fp)
	tflog.Info(ctx, "rotation issued key material", map[string]any{"secret": m.key(), "version": ver, "type": string(typ),
		"kid": mat.KID, "material": materialDerived})
	return diags
}

// verifyDerived derives the material of every accepted derived version
// recorded before this apply (skip: the versions it issued) and checks it
// against the stored kid and public key: the seeds must reproduce exactly
// the keys the record holds. Without any seed configured nothing is
// checked (the plan warned).
func (m *secretModel) verifyDerived(rows []*versionModel, skip map[int64]bool) diag.Diagnostics {
	var diags diag.Diagnostics
	seeds := seedsOf(m.data)
	recorded := map[int64]string{}
	for _, v := range rows {
		if v.derived() && lifecycle.Status(v.Status.ValueString()).Accepted() && !skip[v.Version.ValueInt64()] {
			recorded[v.Version.ValueInt64()] = v.SeedFingerprint.ValueString()
		}
	}
	if len(recorded) == 0 || !seeds.any() {
		return diags
	}
	bySeed, err := material.SeedsFor(recorded, seeds.all())
	if err != nil {
		diags.AddError("Material seed does not reproduce the derived versions: "+m.typeName(), seedMismatchHelp(err))
		return diags
	}
	for _, v := range rows {
		ver := v.Version.ValueInt64()
		seed, ok := bySeed[ver]
		if !ok {
			continue
		}
		if err := checkDerivedVersion(seed, m.UID.ValueString(), v); err != nil {
			diags.AddAttributeError(v.where.AtName("kid"), "Derived material does not match the record: "+m.typeName(),
				fmt.Sprintf("%s: %v. Nothing was changed.", v.describe(), err))
		}
	}
	return diags
}

// checkDerivedVersion derives v's material with seed and uid and checks
// it against v's stored kid and public JWK (material.VerifyDerived).
func checkDerivedVersion(seed []byte, uid string, v *versionModel) error {
	_, err := deriveVersion(seed, uid, v)
	return err
}

// deriveVersion derives v's material with seed and uid and checks it
// against v's stored kid and public JWK.
func deriveVersion(seed []byte, uid string, v *versionModel) (material.Material, error) {
	salt, err := material.ParseSalt(v.Salt.ValueString())
	if err != nil {
		return material.Material{}, err
	}
	typ, opts := v.material()
	mat, err := material.Derive(seed, salt, material.DeriveInfo{SecretID: uid, Version: v.Version.ValueInt64(), Type: typ, Options: opts})
	if err != nil {
		return material.Material{}, err
	}
	if err := material.VerifyDerived(mat, v.KID.ValueString(), v.PublicJWK.ValueString()); err != nil {
		return material.Material{}, err
	}
	return mat, nil
}

// checkDerivedRecord is the part of the damaged-state check (record_check.go)
// for a derived version r: while accepted it keeps its salt, seed
// fingerprint, kid and public key (whose thumbprint is the kid), and never
// any material. uid must be set.
func (m *secretModel) checkDerivedRecord(r *versionModel, bad func(name, problem string, args ...any)) {
	empty := func(s types.String) bool { return s.IsNull() || s.IsUnknown() || s.ValueString() == "" }
	if !empty(r.Secret) {
		bad("secret", "holds material, but the version is derived (material = \"derived\"): derived material is never stored")
	}
	if !lifecycle.Status(r.Status.ValueString()).Accepted() {
		return
	}
	missing := "is null, but a derived version keeps it while it is accepted"
	if empty(r.Salt) {
		bad("salt", "%s", missing)
	} else if _, err := material.ParseSalt(r.Salt.ValueString()); err != nil {
		bad("salt", "is not a salt: %v", err)
	}
	if empty(r.SeedFingerprint) {
		bad("seed_fingerprint", "%s", missing)
	}
	typ := material.Type(r.Type.ValueString())
	if !typ.Asymmetric() || empty(r.KID) {
		return
	}
	if empty(r.PublicKeyPEM) {
		bad("public_key_pem", "%s", missing)
	}
	if empty(r.PublicJWK) {
		bad("public_jwk", "%s", missing)
		return
	}
	if tp := jwkThumbprint(r.PublicJWK.ValueString()); tp != r.KID.ValueString() {
		bad("kid", "is %q, but the RFC 7638 thumbprint of the version's public_jwk is %q: the kid or the public key was swapped or altered", r.KID.ValueString(), tp)
		return
	}
	if !empty(r.PublicKeyPEM) {
		if _, kid, err := material.PublicFromPEM(typ, r.PublicKeyPEM.ValueString()); err != nil || kid != r.KID.ValueString() {
			bad("public_key_pem", "is not the public key of the version's public_jwk: the public key was swapped or altered")
		}
	}
}

// checkMaterialRecord checks the record's material modes: every version
// records one, and a record with derived versions has its uid.
func (m *secretModel) checkMaterialRecord(rows []*versionModel) []damage {
	var out []damage
	derived := false
	for _, r := range rows {
		switch r.Material.ValueString() {
		case materialDerived:
			derived = true
		case materialState:
		default:
			out = append(out, damage{at: r.where.AtName("material"), version: r.Version.ValueInt64(),
				problem: fmt.Sprintf("is %s, not \"state\" or \"derived\"", quoteValue(r.Material))})
		}
	}
	if derived && (m.UID.IsNull() || m.UID.ValueString() == "") {
		out = append(out, damage{at: path.Root("uid"), problem: "is null, but the derived versions' material is bound to it"})
	}
	return out
}

// The hooks of the lifecycle adapter rotation_secret adds for derived
// material.
var (
	_ dataBinder                               = (*secretModel)(nil)
	_ decidedHook[*secretModel, *versionModel] = (*secretModel)(nil)
)
