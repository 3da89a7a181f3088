package provider

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// Protocol-harness tests of derived material (material_mode.go,
// material_seed.go, ephemeral_secret_material.go): the seed checks, seed
// rotation with previous seeds, the RSA refusal, switching the mode, and
// the ephemeral resource's material.

// Test seeds, as `openssl rand -hex 32` prints them.
const (
	seedA = "5f1d0c2b8a7e4936b1f0e2d3c4a5968778695a4b3c2d1e0f1a2b3c4d5e6f7081"
	seedB = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	seedC = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
)

// derivedSpec is a rotation_secret of type typ with material = "derived".
func derivedSpec(typ string) secretSpec {
	return secretSpec{typ: typ, attrs: map[string]tftypes.Value{"material": tfStr(materialDerived)}}
}

// newDerivedHarness is a rotation_secret harness whose provider has the
// given seeds (none: no seed), with the seed environment variables unset.
func newDerivedHarness(t *testing.T, current string, previous ...string) *protoHarness {
	t.Helper()
	t.Setenv(EnvMaterialSeed, "")
	t.Setenv(EnvPreviousMaterialSeeds, "")
	h := newProtoHarness(t)
	h.configureSeeds(current, previous...)
	return h
}

// configureSeeds reconfigures the provider with the given seeds.
func (h *protoHarness) configureSeeds(current string, previous ...string) []*tfprotov6.Diagnostic {
	h.t.Helper()
	vals := map[string]tftypes.Value{}
	if current != "" {
		vals["material_seed"] = tfStr(current)
	}
	if previous != nil {
		var l []tftypes.Value
		for _, p := range previous {
			l = append(l, tfStr(p))
		}
		vals["previous_material_seeds"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, l)
	}
	pcfg := dynamic(h.t, h.ptype, nullsFor(h.ptype, vals))
	resp, err := h.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasErrors(resp.Diagnostics) {
		h.t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
	}
	return resp.Diagnostics
}

// step plans and applies s at the instant at.
func (h *protoHarness) step(at string, s secretSpec) tftypes.Value {
	h.t.Helper()
	return h.at(at).apply(s, must(h.mustPlan(s)))
}

// openMaterial opens rotation_secret_material with the uid and versions of
// state, as `uid = rotation_secret.s.uid, versions = rotation_secret.s.versions`
// would.
func (h *protoHarness) openMaterial(state tftypes.Value) (tftypes.Value, []*tfprotov6.Diagnostic) {
	h.t.Helper()
	ctx := context.Background()
	sresp, err := h.srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	typ, ok := sresp.EphemeralResourceSchemas["rotation_secret_material"].ValueType().(tftypes.Object)
	if !ok {
		h.t.Fatal("no ephemeral resource rotation_secret_material")
	}
	elemType := typ.AttributeTypes["versions"].(tftypes.List).ElementType.(tftypes.Object)
	var versions []tftypes.Value
	for i := range count(get(state, "versions")) {
		m := map[string]tftypes.Value{}
		for name := range elemType.AttributeTypes {
			m[name] = valueAt(state, "versions", i, name)
		}
		versions = append(versions, tftypes.NewValue(elemType, m))
	}
	cfg := nullsFor(typ, map[string]tftypes.Value{
		"uid":      valueAt(state, "uid"),
		"versions": tftypes.NewValue(typ.AttributeTypes["versions"], versions),
	})
	dv := dynamic(h.t, typ, cfg)
	vresp, err := h.srv.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{TypeName: "rotation_secret_material", Config: &dv})
	if err != nil || hasErrors(vresp.Diagnostics) {
		return tftypes.Value{}, vresp.Diagnostics
	}
	resp, err := h.srv.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{TypeName: "rotation_secret_material", Config: &dv})
	if err != nil {
		h.t.Fatal(err)
	}
	if hasErrors(resp.Diagnostics) {
		return tftypes.Value{}, resp.Diagnostics
	}
	out, err := resp.Result.Unmarshal(typ)
	if err != nil {
		h.t.Fatal(err)
	}
	return out, resp.Diagnostics
}

// mustOpen is openMaterial failing the test on errors.
func (h *protoHarness) mustOpen(state tftypes.Value) tftypes.Value {
	h.t.Helper()
	out, diags := h.openMaterial(state)
	if hasErrors(diags) {
		h.t.Fatalf("open rotation_secret_material: %s", diagText(diags))
	}
	return out
}

// materialOf derives versions[i] of state with seed the way a consumer
// holding the seed would, checking it against the stored kid.
func materialOf(t *testing.T, state tftypes.Value, i int, seed string) material.Material {
	t.Helper()
	salt, err := material.ParseSalt(get(state, "versions", i, "salt").(string))
	if err != nil {
		t.Fatal(err)
	}
	opts := material.DefaultOptions()
	if n, ok := get(state, "versions", i, "length").(int64); ok {
		opts.Length = int(n)
	}
	if b, ok := get(state, "versions", i, "special").(bool); ok {
		opts.Special = b
	}
	if n, ok := get(state, "versions", i, "hmac_bytes").(int64); ok {
		opts.HMACBytes = int(n)
	}
	m, err := material.Derive([]byte(seed), salt, material.DeriveInfo{
		SecretID: get(state, "uid").(string), Version: get(state, "versions", i, "version").(int64),
		Type: material.Type(get(state, "versions", i, "type").(string)), Options: opts,
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.KID != get(state, "versions", i, "kid") {
		t.Fatalf("versions[%d]: derived kid %s, stored %v", i, m.KID, get(state, "versions", i, "kid"))
	}
	return m
}

// noMaterialIn fails if any secret value is in state, or its JSON form.
func noMaterialIn(t *testing.T, state tftypes.Value, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(tfJSON(t, state))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range secrets {
		if strings.Contains(string(b), s) {
			t.Errorf("secret #%d is in the state", i)
		}
	}
	for _, seed := range []string{seedA, seedB, seedC} {
		if strings.Contains(string(b), seed) {
			t.Errorf("a seed is in the state")
		}
	}
	if strings.Contains(string(b), "PRIVATE KEY") {
		t.Errorf("the state holds a private key")
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestSecretDerived_lifecycle: a derived secret of every derivable type goes
// through issue, activation and revocation keeping no material in state or
// plan: the state keeps salts, seed fingerprints, kids and public keys,
// secret/active_secret/accepted_secrets are null, uid is set once, and
// material_generation counts the changes of the accepted set. The material
// a consumer derives matches the kids, and the ephemeral resource gives it.
func TestSecretDerived_lifecycle(t *testing.T) {
	for _, typ := range []string{"password", "hmac", "ed25519", "ecdsa-p256", "ecdsa-p384"} {
		t.Run(typ, func(t *testing.T) {
			h := newDerivedHarness(t, seedA)
			s := derivedSpec(typ)
			fp := material.SeedFingerprint([]byte(seedA))

			planned := must(h.at("2026-01-05T09:00:00Z").mustPlan(s))
			expect(t, planned, "derived", "versions", 0, "material")
			expect(t, planned, nil, "versions", 0, "secret")
			expect(t, planned, "<unknown>", "versions", 0, "salt")
			expect(t, planned, fp, "versions", 0, "seed_fingerprint")
			expect(t, planned, "<unknown>", "uid")
			expect(t, planned, int64(1), "material_generation")
			expect(t, planned, nil, "accepted_secrets")
			st := h.apply(s, planned)
			uid, _ := get(st, "uid").(string)
			if !uuidV4.MatchString(uid) {
				t.Fatalf("uid = %q, want a random UUID", uid)
			}
			for _, a := range []string{"active_secret", "accepted_secrets"} {
				expect(t, st, nil, a)
			}
			expect(t, st, nil, "versions", 0, "secret")
			expect(t, st, fp, "versions", 0, "seed_fingerprint")
			m1 := materialOf(t, st, 0, seedA)
			if m1.PublicJWK != "" {
				expect(t, st, m1.PublicJWK, "versions", 0, "public_jwk")
				expect(t, st, m1.PublicKeyPEM, "versions", 0, "public_key_pem")
				if !strings.Contains(get(st, "jwks").(string), m1.KID) {
					t.Errorf("jwks lacks v1's kid")
				}
			}
			out := h.mustOpen(st)
			expect(t, out, m1.Secret, "active_secret")
			expect(t, out, m1.KID, "active_kid")
			expect(t, out, m1.Secret, "accepted_secrets", m1.KID)

			empty := must(h.at("2026-01-06T09:00:00Z").mustPlan(s))
			if !empty.Equal(st) {
				t.Fatalf("nothing is due, yet the plan changes the state: %v", incompatible(st, empty, nil))
			}

			st = h.step("2026-02-04T09:00:00Z", s) // v2 pending
			wantStatuses(t, st, "v1:active v2:pending")
			expect(t, st, int64(2), "material_generation")
			m2 := materialOf(t, st, 1, seedA)
			out = h.mustOpen(st)
			expect(t, out, m1.Secret, "active_secret")
			expect(t, out, m2.Secret, "accepted_secrets", m2.KID)
			expect(t, out, int64(2), "keys", 1, "version")

			st = h.step("2026-02-04T10:00:00Z", s) // v2 active
			expect(t, st, int64(3), "material_generation")
			expect(t, h.mustOpen(st), m2.Secret, "active_secret")

			st = h.step("2026-02-05T10:00:00Z", s) // v1 revoked
			wantStatuses(t, st, "v1:revoked v2:active")
			expect(t, st, int64(4), "material_generation")
			expect(t, st, nil, "versions", 0, "salt")
			expect(t, st, uid, "uid")
			out = h.mustOpen(st)
			if n := count(get(out, "accepted_secrets")); n != 1 {
				t.Errorf("accepted_secrets has %d entries after the revocation", n)
			}
			noMaterialIn(t, st, m1.Secret, m2.Secret)
		})
	}
}

// wantStatuses fails unless the statuses of v are want.
func wantStatuses(t *testing.T, v tftypes.Value, want string) {
	t.Helper()
	if got := statuses(v); got != want {
		t.Errorf("statuses %q, want %q", got, want)
	}
}

// TestSecretDerived_wrongSeed: a plan with a seed that is not the one the
// versions were derived from fails, naming the versions and fingerprints
// (never a seed); so does the ephemeral resource. An altered salt, which
// the fingerprint cannot see, is caught when the apply derives the version.
func TestSecretDerived_wrongSeed(t *testing.T) {
	h := newDerivedHarness(t, seedA)
	s := derivedSpec("ed25519")
	h.step("2026-01-05T09:00:00Z", s)
	st := h.step("2026-02-04T09:00:00Z", s) // v1 active, v2 pending

	h.configureSeeds(seedB)
	_, diags := h.at("2026-02-04T09:30:00Z").plan(s)
	expectError(t, diags, "Material seed does not reproduce", "versions 1 and 2", material.SeedFingerprint([]byte(seedA)),
		material.SeedFingerprint([]byte(seedB)))
	for _, d := range diags {
		for _, seed := range []string{seedA, seedB} {
			if strings.Contains(d.Summary+d.Detail, seed) {
				t.Fatalf("a diagnostic contains a seed")
			}
		}
	}
	_, diags = h.openMaterial(st)
	expectError(t, diags, "versions 1 and 2")

	// No seed at all: nothing is due, so the plan only warns.
	h.configureSeeds("")
	_, diags = h.plan(s)
	if hasErrors(diags) {
		t.Fatalf("plan without a seed: %s", diagText(diags))
	}
	expectWarning(t, diags, "Derived material not checked", "v1 (active", "v2 (pending")
	// ... but the ephemeral resource cannot give material.
	_, diags = h.openMaterial(st)
	expectError(t, diags, "No material seed")

	// An altered salt: the fingerprint still matches, the derived key does not.
	h.configureSeeds(seedA)
	h.state = setAt(st, ptr(tfStr(material.EncodeSalt(make([]byte, 32)))), "versions", 0, "salt")
	planned := must(h.at("2026-02-04T10:00:00Z").mustPlan(s))
	resp := h.applyRaw(s, planned)
	expectError(t, resp, "Derived material does not match the record", "v1 (", "derived kid")
	_, diags = h.openMaterial(h.state)
	expectError(t, diags, "Derived material does not match the version", "v1 (kid")
}

// applyRaw runs ApplyResourceChange and returns its diagnostics without
// failing on errors.
func (h *protoHarness) applyRaw(s secretSpec, planned tftypes.Value) []*tfprotov6.Diagnostic {
	h.t.Helper()
	ctx := context.Background()
	cdv := dynamic(h.t, h.typ, h.config(s))
	prior := dynamic(h.t, h.typ, h.state)
	pdv := dynamic(h.t, h.typ, planned)
	resp, err := h.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: h.typeName, PriorState: &prior, PlannedState: &pdv, Config: &cdv,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.Diagnostics
}

// TestSecretDerived_seedRotation: a new seed with the old one among the
// previous seeds is a rotation with no flag day: the next plan issues a
// version from the new seed at once, the old version stays reproducible
// until it is revoked, and only then can the old seed go.
func TestSecretDerived_seedRotation(t *testing.T) {
	h := newDerivedHarness(t, seedA)
	s := derivedSpec("ecdsa-p256")
	st := h.step("2026-01-05T09:00:00Z", s)
	m1 := materialOf(t, st, 0, seedA)

	// Replacing the seed without keeping the old one is refused.
	h.configureSeeds(seedB)
	_, diags := h.at("2026-01-06T09:00:00Z").plan(s)
	expectError(t, diags, "version 1 was derived from a material seed that is not configured")

	h.configureSeeds(seedB, seedA)
	planned := must(h.mustPlan(s))
	wantStatuses(t, planned, "v1:active v2:pending")
	expect(t, planned, material.SeedFingerprint([]byte(seedB)), "versions", 1, "seed_fingerprint")
	st = h.apply(s, planned)
	m2 := materialOf(t, st, 1, seedB)
	out := h.mustOpen(st)
	expect(t, out, m1.Secret, "active_secret")
	expect(t, out, m2.Secret, "accepted_secrets", m2.KID)
	// Nothing more is due: the new seed already has its version.
	if p := must(h.mustPlan(s)); !p.Equal(st) {
		t.Fatalf("a second version was issued for the same seed change")
	}

	h.step("2026-01-06T10:00:00Z", s)      // v2 active
	st = h.step("2026-01-07T10:00:00Z", s) // v1 revoked
	wantStatuses(t, st, "v1:revoked v2:active")
	// The old seed can go now: nothing accepted needs it.
	h.configureSeeds(seedB)
	if p := must(h.at("2026-01-08T10:00:00Z").mustPlan(s)); !p.Equal(st) {
		t.Fatalf("removing the unused previous seed changes the plan")
	}
	expect(t, h.mustOpen(st), m2.Secret, "active_secret")

	// Previous seeds from the environment, separated by white space or commas.
	t.Setenv(EnvPreviousMaterialSeeds, seedC+", \n"+seedA)
	h.configureSeeds(seedB)
	expect(t, h.mustOpen(st), m2.Secret, "active_secret")
}

// TestSecretDerived_rsaRefused: rsa cannot be derived; the configuration
// is refused, saying why and what to use instead.
func TestSecretDerived_rsaRefused(t *testing.T) {
	h := newDerivedHarness(t, seedA)
	_, diags := h.at("2026-01-05T09:00:00Z").plan(derivedSpec("rsa"))
	expectError(t, diags, "Material cannot be derived for this type", "crypto/rsa", "ed25519", `material = "state"`)
}

// TestSecretDerived_noSeed: a plan that issues a derived version without a
// seed fails, saying where the seed comes from.
func TestSecretDerived_noSeed(t *testing.T) {
	h := newDerivedHarness(t, "")
	_, diags := h.at("2026-01-05T09:00:00Z").plan(derivedSpec("hmac"))
	expectError(t, diags, "No material seed", "v1", EnvMaterialSeed, "openssl rand -hex 32")
}

// TestSecretDerived_modeSwitch: switching material from state to derived
// (and back) is a normal rotation: the next version is issued pending in
// the new mode at once, the old one keeps its material until revoked.
func TestSecretDerived_modeSwitch(t *testing.T) {
	h := newDerivedHarness(t, seedA)
	stateMode := secretSpec{typ: "ed25519"}
	st := h.step("2026-01-05T09:00:00Z", stateMode)
	expect(t, st, "state", "versions", 0, "material")
	v1Secret, _ := get(st, "versions", 0, "secret").(string)
	if !strings.Contains(v1Secret, "PRIVATE KEY") {
		t.Fatal("state mode keeps no material")
	}
	expect(t, st, v1Secret, "accepted_secrets", get(st, "active_kid").(string))

	s := derivedSpec("ed25519")
	planned := must(h.at("2026-01-06T09:00:00Z").mustPlan(s))
	wantStatuses(t, planned, "v1:active v2:pending")
	expect(t, planned, "derived", "versions", 1, "material")
	expect(t, planned, nil, "versions", 1, "secret")
	expect(t, planned, nil, "accepted_secrets") // never a partial set
	st = h.apply(s, planned)
	expect(t, st, v1Secret, "active_secret") // v1 keeps its material
	expect(t, st, v1Secret, "versions", 0, "secret")
	out := h.mustOpen(st)
	m2 := materialOf(t, st, 1, seedA)
	expect(t, out, v1Secret, "active_secret")
	expect(t, out, "state", "keys", 0, "material")
	expect(t, out, m2.Secret, "accepted_secrets", m2.KID)

	st = h.step("2026-01-06T10:00:00Z", s)
	expect(t, st, nil, "active_secret")
	st = h.step("2026-01-07T10:00:00Z", s)
	wantStatuses(t, st, "v1:revoked v2:active")
	noMaterialIn(t, st, v1Secret, m2.Secret)

	// And back: v3 keeps its material in state again.
	planned = must(h.at("2026-01-08T10:00:00Z").mustPlan(stateMode))
	wantStatuses(t, planned, "v1:revoked v2:active v3:pending")
	expect(t, planned, "state", "versions", 2, "material")
	st = h.apply(stateMode, planned)
	if s3, _ := get(st, "versions", 2, "secret").(string); !strings.Contains(s3, "PRIVATE KEY") {
		t.Fatal("v3 has no material in state")
	}
	out = h.mustOpen(st)
	expect(t, out, m2.Secret, "active_secret")
}

// TestSecretUpgradeState_v1: a state of schema version 1 (every version in
// state) upgrades with material "state", material_generation 1 and a uid
// that is the same on every upgrade of the same stored state, and the
// first plan after the upgrade is empty.
func TestSecretUpgradeState_v1(t *testing.T) {
	h := newDerivedHarness(t, "")
	s := secretSpec{typ: "hmac"}
	h.step("2026-01-05T09:00:00Z", s)
	st := h.step("2026-02-04T09:00:00Z", s)
	doc, _ := tfJSON(t, st).(map[string]any)
	for _, k := range []string{"material", "uid", "material_generation"} {
		delete(doc, k)
	}
	for _, v := range doc["versions"].([]any) {
		for _, k := range []string{"material", "salt", "seed_fingerprint"} {
			delete(v.(map[string]any), k)
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	upgrade := func() tftypes.Value {
		resp, err := h.srv.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
			TypeName: "rotation_secret", Version: 1, RawState: &tfprotov6.RawState{JSON: raw},
		})
		if err != nil || hasErrors(resp.Diagnostics) {
			t.Fatalf("UpgradeResourceState: %v %s", err, diagText(resp.Diagnostics))
		}
		up, err := resp.UpgradedState.Unmarshal(h.typ)
		if err != nil {
			t.Fatal(err)
		}
		return up
	}
	up := upgrade()
	if again := upgrade(); !again.Equal(up) {
		t.Fatal("two upgrades of the same state differ")
	}
	uid, _ := get(up, "uid").(string)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(uid) {
		t.Fatalf("uid = %q", uid)
	}
	expect(t, up, "state", "material")
	expect(t, up, int64(1), "material_generation")
	for i := range 2 {
		expect(t, up, "state", "versions", i, "material")
		expect(t, up, nil, "versions", i, "salt")
		expect(t, up, get(st, "versions", i, "secret"), "versions", i, "secret")
	}
	h.state = up
	if planned := must(h.at("2026-02-04T09:30:00Z").mustPlan(s)); !planned.Equal(up) {
		t.Fatalf("the first plan after the upgrade is not empty: %v", incompatible(up, planned, nil))
	}
}

// TestSecretDerived_damagedRecord: a derived version that holds material,
// or lost its salt or seed fingerprint, or whose public key is not its
// kid's, is refused as a damaged state.
func TestSecretDerived_damagedRecord(t *testing.T) {
	h := newDerivedHarness(t, seedA)
	s := derivedSpec("ed25519")
	good := h.step("2026-01-05T09:00:00Z", s)
	other := newDerivedHarness(t, seedA)
	otherState := other.step("2026-01-05T09:00:00Z", s)
	for _, tc := range []struct {
		name string
		path []any
		to   *tftypes.Value
		want string
	}{
		{"material stored", []any{"versions", 0, "secret"}, ptr(tfStr("-----BEGIN PRIVATE KEY-----")), "derived material is never stored"},
		{"no salt", []any{"versions", 0, "salt"}, nil, "versions[0].salt (v1) is null"},
		{"bad salt", []any{"versions", 0, "salt"}, ptr(tfStr("AAAA")), "is not a salt"},
		{"no fingerprint", []any{"versions", 0, "seed_fingerprint"}, nil, "versions[0].seed_fingerprint (v1) is null"},
		{"swapped public key", []any{"versions", 0, "public_key_pem"}, ptr(valueAt(otherState, "versions", 0, "public_key_pem")), "is not the public key of the version's public_jwk"},
		{"swapped jwk", []any{"versions", 0, "public_jwk"}, ptr(valueAt(otherState, "versions", 0, "public_jwk")), "RFC 7638 thumbprint of the version's public_jwk"},
		{"no uid", []any{"uid"}, nil, "uid is null"},
		{"no mode", []any{"versions", 0, "material"}, nil, `is null, not "state" or "derived"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.state = setAt(good, tc.to, tc.path...)
			_, diags := h.at("2026-01-06T09:00:00Z").plan(s)
			expectError(t, diags, "Damaged state", tc.want)
		})
	}
}

// TestProviderConfigure_seeds: the seeds' sources, their validation (never
// echoing a seed), and the warning about material_seed on CLIs that write
// variables into saved plans.
func TestProviderConfigure_seeds(t *testing.T) {
	for _, tc := range []struct {
		name, attr, env, prevEnv, tf string
		wantErr, wantWarn            string
		wantCurrent                  string
		wantPrevious                 int
	}{
		{name: "none"},
		{name: "env", env: seedA, wantCurrent: seedA},
		{name: "attribute wins", attr: seedB, env: seedA, wantCurrent: seedB},
		{name: "short env", env: "abc", wantErr: "3 characters long"},
		{name: "trailing newline", env: seedA + "\n", wantErr: "trailing newline"},
		{name: "previous env", env: seedA, prevEnv: seedB + " " + seedC, wantCurrent: seedA, wantPrevious: 2},
		{name: "bad previous", prevEnv: seedB + ",short", wantErr: "Seed 2 of 2"},
		{name: "old terraform", attr: seedA, tf: "1.5.7", wantCurrent: seedA, wantWarn: "material_seed on a CLI without ephemeral variables"},
		{name: "new terraform", attr: seedA, tf: "1.11.0", wantCurrent: seedA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvMaterialSeed, tc.env)
			t.Setenv(EnvPreviousMaterialSeeds, tc.prevEnv)
			cfg := providerModel{MaterialSeed: types.StringNull(), PreviousMaterialSeeds: types.ListNull(types.StringType)}
			if tc.attr != "" {
				cfg.MaterialSeed = types.StringValue(tc.attr)
			}
			var diags diag.Diagnostics
			seeds := configureSeeds(cfg, tc.tf, &diags)
			text := diagSummary(diags)
			for _, s := range []string{seedA, seedB, seedC} {
				if strings.Contains(text, s) {
					t.Fatalf("a diagnostic contains a seed: %s", text)
				}
			}
			if tc.wantErr != "" {
				if !diags.HasError() || !strings.Contains(text, tc.wantErr) {
					t.Fatalf("diagnostics %q, want an error containing %q", text, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected error: %s", text)
			}
			if (tc.wantWarn != "") != (len(diags.Warnings()) > 0) || !strings.Contains(text, tc.wantWarn) {
				t.Fatalf("warnings %q, want %q", text, tc.wantWarn)
			}
			if got := string(seeds.current); got != tc.wantCurrent {
				t.Fatalf("current seed is not the expected one (%d characters)", len(got))
			}
			if len(seeds.previous) != tc.wantPrevious {
				t.Fatalf("%d previous seeds, want %d", len(seeds.previous), tc.wantPrevious)
			}
			for _, s := range []string{seeds.String(), diagSummary(diags)} {
				if strings.Contains(s, seedA) || strings.Contains(s, seedB) {
					t.Fatal("String() prints a seed")
				}
			}
		})
	}
}
