package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// TestAccSecretDerived_leakSearch is the proof that derived mode keeps
// material out of every artifact (issue 12). It needs a CLI with ephemeral
// resources (Terraform >= 1.10, OpenTofu >= 1.11; skipped below 1.10 with
// tfversion; `make testacc-tofu` runs it on OpenTofu 1.11) and drives that
// CLI itself, as a user would, with the provider built into a directory
// that dev_overrides names: terraform-plugin-testing hides the saved plan
// file and runs the provider in-process, outside the CLI's log.
//
// A derived secret of every derivable type goes through issue, activation
// and revocation (four saved plans, each applied), with TF_LOG=trace. The
// ephemeral resource rotation_secret_material gives each secret's keys to a
// local-exec provisioner (an ephemeral-capable path) that writes them to a
// file outside the working directory, standing in for a secret store. The
// test then checks that:
//
//   - the material the store received is what a consumer holding the seed
//     derives from the public record, and every private JWK's RFC 7638
//     thumbprint is its kid and signs what the JWKS verifies (go-jose);
//   - no secret value, no line of a PEM private key, no private JWK member
//     and not the seed occur in terraform.tfstate or its backup after any
//     apply, in any saved plan file (every entry of the zip), in `show
//     -json` of each plan and of the state, or in the trace log; nor does
//     "PRIVATE KEY".
//
// It runs twice: with the seed in ROTATION_MATERIAL_SEED, and with the seed
// in an ephemeral variable (TF_VAR_seed) set as material_seed.
func TestAccSecretDerived_leakSearch(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Skip("set TF_ACC_TERRAFORM_PATH to the Terraform or OpenTofu CLI")
	}
	skipBelowCLI(t, cli, tfversion.SkipBelow(tfversion.Version1_10_0))
	provDir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(provDir, "terraform-provider-rotation"), ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	for _, via := range []string{"environment", "ephemeral variable"} {
		t.Run(via, func(t *testing.T) { leakSearch(t, cli, provDir, via == "ephemeral variable") })
	}
	t.Run("control: a sensitive variable is in the saved plan", func(t *testing.T) { sensitiveVariableControl(t, cli, provDir) })
}

// sensitiveVariableControl shows that the search finds what is there, and
// why the seed must not come from an ordinary variable: with material_seed
// set from a variable that is only sensitive (not ephemeral), the seed is
// in the saved plan file.
func sensitiveVariableControl(t *testing.T, cli, provDir string) {
	dir := t.TempDir()
	tfrc := filepath.Join(dir, "tfrc")
	writeFile(t, tfrc, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/rotationkit/rotation", provDir, "registry.opentofu.org/rotationkit/rotation", provDir))
	writeFile(t, filepath.Join(dir, "main.tf"), `
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}

variable "seed" {
  type      = string
  sensitive = true
}

provider "rotation" {
  material_seed = var.seed
}
`+familyHCL)
	cmd := exec.Command(cli, "-chdir="+dir, "plan", "-input=false", "-no-color", "-out=tfplan")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+tfrc, "TF_VAR_seed="+seedA, "CHECKPOINT_DISABLE=1", EnvNow+"=2026-01-05T09:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	found := false
	for _, text := range artifactTexts(t, filepath.Join(dir, "tfplan")) {
		found = found || strings.Contains(text, seedA)
	}
	if !found {
		t.Fatal("the seed of a sensitive (not ephemeral) variable is not in the saved plan: the search cannot find what it looks for")
	}
}

// skipBelowCLI applies a tfversion check to the CLI at path.
func skipBelowCLI(t *testing.T, cli string, check tfversion.TerraformVersionCheck) {
	t.Helper()
	out, err := exec.Command(cli, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	ver, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatal(err)
	}
	var resp tfversion.CheckTerraformVersionResponse
	check.CheckTerraformVersion(context.Background(), tfversion.CheckTerraformVersionRequest{TerraformVersion: ver}, &resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp.Skip != "" {
		t.Skip(resp.Skip)
	}
}

// leakTypes are the secrets of the leak search: every derivable type.
var leakTypes = map[string]string{
	"password": "password", "hmac": "hmac", "ed25519": "ed25519", "p256": "ecdsa-p256", "p384": "ecdsa-p384",
}

func leakConfig(store string, viaVariable bool) string {
	seed := ""
	if viaVariable {
		seed = `
variable "seed" {
  type      = string
  ephemeral = true
  sensitive = true
}
`
	}
	provider := `provider "rotation" {}`
	if viaVariable {
		provider = `provider "rotation" {
  material_seed = var.seed
}`
	}
	var types []string
	for k, v := range leakTypes {
		types = append(types, fmt.Sprintf("    %s = %q", k, v))
	}
	sort.Strings(types)
	return fmt.Sprintf(`
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}
%s
%s

locals {
  types = {
%s
  }
}
%s
resource "rotation_secret" "s" {
  for_each = local.types
  family   = rotation_secret_family.f.id
  name     = each.key
  type     = each.value
  material = "derived"
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
}

ephemeral "rotation_secret_material" "s" {
  for_each = local.types
  uid      = rotation_secret.s[each.key].uid
  versions = rotation_secret.s[each.key].versions
}

# The secret store: written whenever the accepted versions change.
resource "terraform_data" "store" {
  for_each         = local.types
  triggers_replace = rotation_secret.s[each.key].material_generation
  provisioner "local-exec" {
    command = "printf '%%s' \"$KEYS\" > '%s/${each.key}-${self.triggers_replace}.json'"
    environment = {
      KEYS = jsonencode(ephemeral.rotation_secret_material.s[each.key].keys)
    }
  }
}
`, seed, provider, strings.Join(types, "\n"), familyHCL, store)
}

// storedKey is one element of rotation_secret_material.keys as the store
// received it.
type storedKey struct {
	Version    int64  `json:"version"`
	Status     string `json:"status"`
	KID        string `json:"kid"`
	Type       string `json:"type"`
	Material   string `json:"material"`
	Secret     string `json:"secret"`
	PrivateJWK string `json:"private_jwk"`
}

func leakSearch(t *testing.T, cli, provDir string, viaVariable bool) {
	dir := t.TempDir()
	work, store, arts := filepath.Join(dir, "work"), filepath.Join(dir, "store"), filepath.Join(dir, "artifacts")
	for _, d := range []string{work, store, arts} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	tfrc := filepath.Join(dir, "tfrc")
	writeFile(t, tfrc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/rotationkit/rotation" = %q
    "registry.opentofu.org/rotationkit/rotation" = %q
  }
  direct {}
}
`, provDir, provDir))
	writeFile(t, filepath.Join(work, "main.tf"), leakConfig(store, viaVariable))
	logPath := filepath.Join(arts, "trace.log")

	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "TF_") && !strings.HasPrefix(e, "ROTATION_") {
			env = append(env, e)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+tfrc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TF_LOG=trace", "TF_LOG_PATH="+logPath)
	if viaVariable {
		env = append(env, "TF_VAR_seed="+seedA)
	} else {
		env = append(env, EnvMaterialSeed+"="+seedA)
	}
	run := func(now string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = append(env, EnvNow+"="+now)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %s at %s: %v\n%s\n%s", filepath.Base(cli), strings.Join(args, " "), now, err, stdout.String(), stderr.String())
		}
		return stdout.Bytes()
	}
	steps := []struct{ name, now string }{
		{"issue", "2026-01-05T09:00:00Z"},
		{"accept", "2026-02-04T09:00:00Z"},
		{"activate", "2026-02-04T10:00:00Z"},
		{"revoke", "2026-02-05T10:00:00Z"},
	}
	var states []map[string]any // show -json of the state after each step
	for i, s := range steps {
		plan := fmt.Sprintf("step%d-%s.tfplan", i+1, s.name)
		run(s.now, "plan", "-input=false", "-no-color", "-out="+plan)
		copyFile(t, filepath.Join(work, plan), filepath.Join(arts, plan))
		writeFile(t, filepath.Join(arts, plan+".json"), string(run(s.now, "show", "-json", plan)))
		run(s.now, "apply", "-input=false", "-no-color", plan)
		stateJSON := run(s.now, "show", "-json")
		writeFile(t, filepath.Join(arts, fmt.Sprintf("step%d-state.json", i+1)), string(stateJSON))
		copyFile(t, filepath.Join(work, "terraform.tfstate"), filepath.Join(arts, fmt.Sprintf("step%d-terraform.tfstate", i+1)))
		if _, err := os.Stat(filepath.Join(work, "terraform.tfstate.backup")); err == nil {
			copyFile(t, filepath.Join(work, "terraform.tfstate.backup"), filepath.Join(arts, fmt.Sprintf("step%d-terraform.tfstate.backup", i+1)))
		}
		var doc map[string]any
		if err := json.Unmarshal(stateJSON, &doc); err != nil {
			t.Fatal(err)
		}
		states = append(states, doc)
	}

	// What a consumer holding the seed derives from each state, by kid.
	derived := map[string]string{}
	var jwks jose.JSONWebKeySet
	for i, doc := range states {
		for _, r := range stateResources(doc) {
			if r["type"] != "rotation_secret" {
				continue
			}
			vals, _ := r["values"].(map[string]any)
			uid, _ := vals["uid"].(string)
			for _, e := range vals["versions"].([]any) {
				v, _ := e.(map[string]any)
				if v["material"] != materialDerived || v["secret"] != nil {
					t.Fatalf("step %d: %v v%v is not derived or holds material", i+1, r["address"], v["version"])
				}
				if v["status"] == "revoked" {
					continue
				}
				m, err := deriveFromJSON(seedA, uid, v)
				if err != nil {
					t.Fatalf("step %d: %v v%v: %v", i+1, r["address"], v["version"], err)
				}
				derived[m.KID] = m.Secret
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal([]byte(vals["jwks"].(string)), &set); err != nil {
				t.Fatal(err)
			}
			for _, k := range set.Keys {
				if len(jwks.Key(k.KeyID)) == 0 {
					jwks.Keys = append(jwks.Keys, k)
				}
			}
		}
	}
	if len(derived) != 2*len(leakTypes) {
		t.Fatalf("derived %d versions, want %d (v1 and v2 of each type)", len(derived), 2*len(leakTypes))
	}

	// What the store received: the ephemeral resource's material.
	files, err := filepath.Glob(filepath.Join(store, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the provisioner wrote nothing to the store: %v", err)
	}
	needles := map[string]string{"the seed": seedA}
	got := map[string]bool{}
	for _, f := range files {
		var keys []storedKey
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &keys); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		for _, k := range keys {
			want, ok := derived[k.KID]
			switch {
			case !ok:
				t.Errorf("%s: kid %s is no version of the state", filepath.Base(f), k.KID)
				continue
			case k.Secret != want:
				t.Errorf("%s: v%d (kid %s): the ephemeral resource's material is not what the seed derives", filepath.Base(f), k.Version, k.KID)
			case k.Material != materialDerived:
				t.Errorf("%s: v%d: material %q", filepath.Base(f), k.Version, k.Material)
			}
			got[k.KID] = true
			for j, n := range secretNeedles(k.Secret) {
				needles[fmt.Sprintf("v%d (kid %s) secret part %d", k.Version, k.KID, j)] = n
			}
			if k.PrivateJWK != "" {
				needles[fmt.Sprintf("v%d (kid %s) private JWK", k.Version, k.KID)] = k.PrivateJWK
				var members map[string]any
				_ = json.Unmarshal([]byte(k.PrivateJWK), &members)
				for _, p := range []string{"d", "k"} {
					if s, ok := members[p].(string); ok {
						needles[fmt.Sprintf("v%d (kid %s) JWK member %s", k.Version, k.KID, p)] = s
					}
				}
			}
			switch k.Type {
			case "password":
			case "hmac":
				if err := verifyHMACJWK(k.PrivateJWK, k.KID, k.Secret); err != nil {
					t.Errorf("%s: v%d: %v", filepath.Base(f), k.Version, err)
				}
			default:
				if err := verifyPrivateJWK(k.PrivateJWK, k.KID, jwks); err != nil {
					t.Errorf("%s: v%d: %v", filepath.Base(f), k.Version, err)
				}
			}
		}
	}
	if len(got) != len(derived) {
		t.Errorf("the store received %d of the %d accepted versions", len(got), len(derived))
	}

	// The search.
	arte, err := os.ReadDir(arts)
	if err != nil {
		t.Fatal(err)
	}
	searched := 0
	for _, e := range arte {
		p := filepath.Join(arts, e.Name())
		for name, text := range artifactTexts(t, p) {
			searched++
			if strings.Contains(text, "PRIVATE KEY") {
				t.Errorf("%s contains \"PRIVATE KEY\"", name)
			}
			for what, n := range needles {
				if strings.Contains(text, n) {
					t.Errorf("%s contains %s", name, what)
				}
			}
		}
	}
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"[TRACE]", "rotation issued key material", "rotation opened secret material", "OpenEphemeralResource"} {
		if !bytes.Contains(raw, []byte(marker)) {
			t.Errorf("the trace log (%d bytes) has no %q: logging was not captured", len(raw), marker)
		}
	}
	t.Logf("searched %d artifacts (states, backups, plan files and their entries, show -json, a %d-byte trace log) for %d needles",
		searched, len(raw), len(needles))
}

// stateResources lists the root module's resources of `show -json`.
func stateResources(doc map[string]any) []map[string]any {
	values, _ := doc["values"].(map[string]any)
	rm, _ := values["root_module"].(map[string]any)
	var out []map[string]any
	for _, r := range rm["resources"].([]any) {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// artifactTexts returns the texts to search in an artifact: a saved plan
// (a zip) gives each of its entries, anything else itself.
func artifactTexts(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	out := map[string]string{name: string(raw)}
	if !strings.HasSuffix(name, "tfplan") {
		return out
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("%s is not a zip: %v", name, err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		_ = rc.Close()
		out[name+"!"+f.Name] = b.String()
	}
	if len(zr.File) < 3 {
		t.Fatalf("%s has only %d entries", name, len(zr.File))
	}
	return out
}

// verifyHMACJWK checks with go-jose that an oct JWK holds the HMAC key and
// that an HS256 signature made with it verifies with the secret.
func verifyHMACJWK(privateJWK, kid, secret string) error {
	var k jose.JSONWebKey
	if err := json.Unmarshal([]byte(privateJWK), &k); err != nil {
		return err
	}
	if k.KeyID != kid {
		return fmt.Errorf("kid %q, want %q", k.KeyID, kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: k}, nil)
	if err != nil {
		return err
	}
	obj, err := signer.Sign([]byte("payload"))
	if err != nil {
		return err
	}
	var validator jose.JSONWebKey
	if err := json.Unmarshal([]byte(fmt.Sprintf(`{"kty":"oct","k":%q}`, secret)), &validator); err != nil {
		return err
	}
	if _, err := obj.Verify(validator.Key); err != nil {
		return fmt.Errorf("an HS256 signature made with the JWK does not verify with the secret: %w", err)
	}
	return nil
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(raw))
}
