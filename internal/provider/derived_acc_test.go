package provider

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// Acceptance tests of derived material (issue 12) that run on every CLI,
// Terraform 1.5.7 included: there the seed comes from the environment
// (ROTATION_MATERIAL_SEED, read by the provider served in-process), and
// derived mode plans and applies keeping no material in state.

// derivedSecretHCL is a rotation_secret "name" of type typ with material
// set (mode "" leaves it out: the default, state).
func derivedSecretHCL(name, typ, mode string) string {
	m := ""
	if mode != "" {
		m = fmt.Sprintf("material = %q", mode)
	}
	return fmt.Sprintf(`
resource "rotation_secret" %q {
  family = rotation_secret_family.f.id
  name   = %q
  type   = %q
  %s
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
}
`, name, name, typ, m)
}

// derivedNoMaterial is a state check: no rotation_secret of addrs holds
// material (versions[*].secret, active_secret, accepted_secrets null unless
// the version keeps its material in state), and the material of every
// accepted derived version, derived here from seed as a consumer would,
// is nowhere in the state; each derived kid matches.
type derivedNoMaterial struct {
	seed  string
	addrs []string
	// derived counts the derived versions checked, for the test's log.
	derived int
}

func (c *derivedNoMaterial) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	whole := string(raw)
	for _, addr := range c.addrs {
		attrs, err := resourceValues(req.State, addr)
		if err != nil {
			resp.Error = err
			return
		}
		uid, _ := attrs["uid"].(string)
		versions, _ := attrs["versions"].([]any)
		stateMode := false
		for _, e := range versions {
			v, _ := e.(map[string]any)
			if v["material"] != materialDerived {
				stateMode = stateMode || v["secret"] != nil
				continue
			}
			if v["secret"] != nil {
				resp.Error = fmt.Errorf("%s: derived v%v holds material in state", addr, v["version"])
				return
			}
			if v["status"] == "revoked" {
				continue
			}
			m, err := deriveFromJSON(c.seed, uid, v)
			if err != nil {
				resp.Error = fmt.Errorf("%s v%v: %w", addr, v["version"], err)
				return
			}
			c.derived++
			for _, needle := range secretNeedles(m.Secret) {
				if strings.Contains(whole, needle) {
					resp.Error = fmt.Errorf("%s v%v: the state holds its derived material", addr, v["version"])
					return
				}
			}
		}
		if !stateMode {
			for _, a := range []string{"active_secret", "accepted_secrets"} {
				if attrs[a] != nil {
					resp.Error = fmt.Errorf("%s: %s is not null", addr, a)
					return
				}
			}
		}
	}
}

// deriveFromJSON derives a version of a state's JSON with seed and checks
// the kid.
func deriveFromJSON(seed, uid string, v map[string]any) (material.Material, error) {
	salt, err := material.ParseSalt(fmt.Sprint(v["salt"]))
	if err != nil {
		return material.Material{}, err
	}
	opts := material.DefaultOptions()
	num := func(k string) (int, bool) {
		switch x := v[k].(type) {
		case float64:
			return int(x), true
		case json.Number:
			n, err := x.Int64()
			return int(n), err == nil
		}
		return 0, false
	}
	if n, ok := num("length"); ok {
		opts.Length = n
	}
	if b, ok := v["special"].(bool); ok {
		opts.Special = b
	}
	if n, ok := num("hmac_bytes"); ok {
		opts.HMACBytes = n
	}
	ver, _ := num("version")
	m, err := material.Derive([]byte(seed), salt, material.DeriveInfo{SecretID: uid, Version: int64(ver), Type: material.Type(fmt.Sprint(v["type"])), Options: opts})
	if err != nil {
		return m, err
	}
	if m.KID != v["kid"] {
		return m, fmt.Errorf("derived kid %s, stored %v", m.KID, v["kid"])
	}
	return m, nil
}

// secretNeedles are the strings no artifact may contain for one secret:
// the secret itself and, for a PEM private key, each base64 line of its
// body (a partial leak).
func secretNeedles(secret string) []string {
	out := []string{secret}
	if strings.HasPrefix(secret, "-----BEGIN") {
		for _, line := range strings.Split(secret, "\n") {
			if len(line) >= 24 && !strings.HasPrefix(line, "-----") {
				out = append(out, line)
			}
		}
	}
	return out
}

// TestAccSecretDerived_noMaterialInState runs on every CLI, Terraform 1.5.7
// included, with the seed in ROTATION_MATERIAL_SEED: a derived secret of
// each derivable type goes through issue, activation and revocation, and a
// state-mode secret migrates to derived mode through a normal rotation (v2
// issued derived at once, v1 keeps its material until revoked). Plans show
// derived material as null, never unknown; the state holds none of the
// material a consumer derives from the seed; a wrong seed stops the plan
// naming the versions.
func TestAccSecretDerived_noMaterialInState(t *testing.T) {
	t.Setenv(EnvMaterialSeed, seedA)
	t.Setenv(EnvPreviousMaterialSeeds, "")
	const (
		t0     = "2026-01-05T09:00:00Z"
		t1     = "2026-01-05T10:00:00Z" // the migration's v2 active
		t2     = "2026-01-06T10:00:00Z" // the migration's v1 revoked
		due    = "2026-02-04T09:00:00Z"
		emit   = "2026-02-04T10:00:00Z"
		revoke = "2026-02-05T10:00:00Z"
	)
	types := []string{"password", "hmac", "ed25519", "ecdsa-p256", "ecdsa-p384"}
	var addrs []string
	cfg := func(now string, migrated bool) string {
		s := providerBlock(now) + familyHCL
		for _, ty := range types {
			s += derivedSecretHCL(strings.ReplaceAll(ty, "-", "_"), ty, materialDerived)
		}
		mode := ""
		if migrated {
			mode = materialDerived
		}
		return s + derivedSecretHCL("migrating", "ed25519", mode)
	}
	for _, ty := range types {
		addrs = append(addrs, "rotation_secret."+strings.ReplaceAll(ty, "-", "_"))
	}
	check := &derivedNoMaterial{seed: seedA, addrs: append(addrs, "rotation_secret.migrating")}
	const mig = "rotation_secret.migrating"
	migIs := func(i int, name string, v knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(mig, vpath(i, name), v)
	}
	nullPlan := func(addr string, i int) plancheck.PlanCheck {
		return plancheck.ExpectKnownValue(addr, vpath(i, "secret"), knownvalue.Null())
	}
	var planNull []plancheck.PlanCheck
	for _, a := range addrs {
		planNull = append(planNull, nullPlan(a, 0), plancheck.ExpectKnownValue(a, root("accepted_secrets"), knownvalue.Null()))
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:            cfg(t0, false),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: planNull},
				ConfigStateChecks: []statecheck.StateCheck{check, migIs(0, "material", str("state")), statecheck.ExpectKnownValue(addrs[2], root("material_generation"), knownvalue.Int64Exact(1))},
			},
			{
				// The migration: v2 is issued derived at once; v1 keeps its material.
				Config: cfg(t0, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					notReplaced(mig), nullPlan(mig, 1),
					plancheck.ExpectKnownValue(mig, vpath(1, "status"), str("pending")),
					plancheck.ExpectKnownValue(mig, vpath(1, "material"), str("derived")),
					plancheck.ExpectKnownValue(mig, vpath(1, "seed_fingerprint"), str(material.SeedFingerprint([]byte(seedA)))),
					plancheck.ExpectKnownValue(mig, root("accepted_secrets"), knownvalue.Null()),
					plancheck.ExpectKnownValue(mig, root("material_generation"), knownvalue.Int64Exact(2)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{check, migIs(0, "status", str("active")), migIs(1, "status", str("pending")),
					migIs(0, "secret", knownvalue.StringRegexp(regexp.MustCompile("PRIVATE KEY")))},
			},
			{
				// A wrong seed stops the plan, naming the versions.
				PreConfig:   func() { t.Setenv(EnvMaterialSeed, seedB) },
				Config:      cfg(t1, true),
				ExpectError: regexp.MustCompile(`(?s)Material seed does not reproduce the derived versions.*version 1 was derived`),
			},
			{
				PreConfig: func() { t.Setenv(EnvMaterialSeed, seedA) },
				Config:    cfg(t1, true),
				ConfigStateChecks: []statecheck.StateCheck{check, migIs(1, "status", str("active")),
					statecheck.ExpectKnownValue(mig, root("active_secret"), knownvalue.Null())},
			},
			{
				// The migration is over: no private key is left in state.
				Config: cfg(t2, true),
				ConfigStateChecks: []statecheck.StateCheck{check, migIs(0, "status", str("revoked")), migIs(0, "secret", knownvalue.Null()),
					noPrivateKeyInState{}},
			},
			{Config: cfg(due, true), ConfigStateChecks: []statecheck.StateCheck{check, statecheck.ExpectKnownValue(addrs[2], vpath(1, "status"), str("pending"))}},
			{Config: cfg(emit, true), ConfigStateChecks: []statecheck.StateCheck{check, statecheck.ExpectKnownValue(addrs[2], vpath(1, "status"), str("active"))}},
			{
				Config: cfg(revoke, true),
				ConfigStateChecks: []statecheck.StateCheck{check,
					statecheck.ExpectKnownValue(addrs[2], vpath(0, "status"), str("revoked")),
					statecheck.ExpectKnownValue(addrs[2], vpath(0, "salt"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addrs[2], root("material_generation"), knownvalue.Int64Exact(4)),
					noPrivateKeyInState{}},
			},
			{Config: cfg(revoke, true), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
	if !t.Failed() && !t.Skipped() {
		t.Logf("derived versions checked against the state: %d", check.derived)
	}
}

// noPrivateKeyInState fails when "PRIVATE KEY" is anywhere in the state.
type noPrivateKeyInState struct{}

func (noPrivateKeyInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), "PRIVATE KEY") {
		resp.Error = fmt.Errorf("the state holds a private key")
	}
}

// TestAccSecretMaterial_echo (Terraform >= 1.10, OpenTofu >= 1.11: skipped
// below with tfversion) opens rotation_secret_material for a derived
// secret and copies its result into state with the echo provider (which
// exists for this, in tests only): the active kid is the secret's, every
// private JWK's RFC 7638 thumbprint is its kid, and a token signed with the
// active key verifies against the secret's JWKS with go-jose.
func TestAccSecretMaterial_echo(t *testing.T) {
	t.Setenv(EnvMaterialSeed, seedA)
	t.Setenv(EnvPreviousMaterialSeeds, "")
	cfg := func(now string) string {
		return fmt.Sprintf(`
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
    echo     = { source = "rotationkit/echo" }
  }
}

provider "rotation" {
  now = %q
}
`, now) + familyHCL + derivedSecretHCL("s", "ecdsa-p256", materialDerived) + `
ephemeral "rotation_secret_material" "s" {
  uid      = rotation_secret.s.uid
  versions = rotation_secret.s.versions
}

provider "echo" {
  data = ephemeral.rotation_secret_material.s
}

# echo copies the data when it is created: re-create it whenever the
# accepted versions change, as a write-only consumer would write again.
resource "echo" "material" {
  lifecycle {
    replace_triggered_by = [rotation_secret.s.material_generation]
  }
}
`
	}
	check := echoMatchesJWKS{}
	accTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"rotation": testAccProtoV6ProviderFactories["rotation"],
			"echo":     echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{
			// The first apply creates the secret; the ephemeral resource's
			// arguments are unknown in that plan, so it opens at apply time.
			{Config: cfg("2026-01-05T09:00:00Z"), ConfigStateChecks: []statecheck.StateCheck{check},
				ExpectNonEmptyPlan: openTofu(), ConfigPlanChecks: onlyEphemeralOpens},
			{Config: cfg("2026-02-04T09:00:00Z"), ConfigStateChecks: []statecheck.StateCheck{check,
				statecheck.ExpectKnownValue("echo.material", tfjsonpath.New("data").AtMapKey("accepted_kids"), knownvalue.ListSizeExact(2))},
				ExpectNonEmptyPlan: openTofu(), ConfigPlanChecks: onlyEphemeralOpens},
		},
	})
}

// echoMatchesJWKS checks the ephemeral material copied by the echo
// provider against rotation_secret.s.
type echoMatchesJWKS struct{}

func (echoMatchesJWKS) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = checkEchoMaterial(req.State)
}

func checkEchoMaterial(state *tfjson.State) error {
	sec, err := resourceValues(state, "rotation_secret.s")
	if err != nil {
		return err
	}
	echo, err := resourceValues(state, "echo.material")
	if err != nil {
		return err
	}
	data, ok := echo["data"].(map[string]any)
	if !ok {
		return fmt.Errorf("echo.material.data is %T", echo["data"])
	}
	if data["active_kid"] != sec["active_kid"] {
		return fmt.Errorf("active_kid %v, the secret's is %v", data["active_kid"], sec["active_kid"])
	}
	keys, _ := data["keys"].([]any)
	if len(keys) != len(sec["accepted_kids"].([]any)) {
		return fmt.Errorf("%d keys for %d accepted kids", len(keys), len(sec["accepted_kids"].([]any)))
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(sec["jwks"].(string)), &set); err != nil {
		return err
	}
	for _, k := range keys {
		km, _ := k.(map[string]any)
		if err := verifyPrivateJWK(fmt.Sprint(km["private_jwk"]), fmt.Sprint(km["kid"]), set); err != nil {
			return fmt.Errorf("v%v: %w", km["version"], err)
		}
	}
	return nil
}

// verifyPrivateJWK checks with go-jose that a private JWK's thumbprint is
// kid and that a signature made with it verifies against the JWKS key of
// that kid.
func verifyPrivateJWK(privateJWK, kid string, set jose.JSONWebKeySet) error {
	var k jose.JSONWebKey
	if err := json.Unmarshal([]byte(privateJWK), &k); err != nil {
		return fmt.Errorf("go-jose cannot read the private JWK: %w", err)
	}
	if k.IsPublic() || !k.Valid() {
		return fmt.Errorf("not a valid private JWK")
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return err
	}
	if got := base64.RawURLEncoding.EncodeToString(tp); got != kid {
		return fmt.Errorf("thumbprint %s, kid %s", got, kid)
	}
	pub := set.Key(kid)
	if len(pub) != 1 {
		return fmt.Errorf("kid %s is not in the JWKS", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Algorithm), Key: k},
		(&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), kid))
	if err != nil {
		return err
	}
	obj, err := signer.Sign([]byte(`{"sub":"rotation-test"}`))
	if err != nil {
		return err
	}
	if _, err := obj.Verify(pub[0].Key); err != nil {
		return fmt.Errorf("a signature made with the private JWK does not verify against the JWKS: %w", err)
	}
	return nil
}

// openTofu reports whether the acceptance tests run on OpenTofu, whose
// plan JSON lists every ephemeral resource with the action "open", so
// terraform-plugin-testing takes a plan that changes nothing for a
// non-empty one. Steps that open an ephemeral resource set
// ExpectNonEmptyPlan on OpenTofu and check with onlyEphemeralOpens that
// nothing else is planned.
func openTofu() bool {
	return os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" || filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")) == "tofu"
}

// onlyEphemeralOpens checks the plans after an apply: nothing but opening
// ephemeral resources.
var onlyEphemeralOpens = resource.ConfigPlanChecks{
	PostApplyPreRefresh:  []plancheck.PlanCheck{ephemeralOpensOnly{}},
	PostApplyPostRefresh: []plancheck.PlanCheck{ephemeralOpensOnly{}},
}

type ephemeralOpensOnly struct{}

func (ephemeralOpensOnly) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		for _, a := range rc.Change.Actions {
			if a != tfjson.ActionNoop && (rc.Mode != "ephemeral" || a != "open") {
				resp.Error = fmt.Errorf("%s: planned %s, want no change", rc.Address, a)
				return
			}
		}
	}
}
