#!/usr/bin/env bash
# make demo: builds the provider, installs the Terraform CLI if missing, and
# walks the quick start's rotation forward in time with the real CLI (provider
# loaded through dev_overrides, clock moved with ROTATION_NOW); then walks a
# derived-mode secret on OpenTofu (no private key in state, the material
# consumed through the ephemeral resource rotation_secret_material).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
bin=$cache/bin
[ -x "$bin/terraform" ] || bash "$root/tools/install-clis.sh" terraform >/dev/null
tf=$bin/terraform

work=$cache/demo
rm -rf "$work"
mkdir -p "$work"
export TF_CLI_CONFIG_FILE=$work/tfrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
pdir=$(bash "$root/tools/dev-overrides.sh" "$TF_CLI_CONFIG_FILE")
cp "$root"/examples/quickstart/*.tf "$work/"

bold=$'\033[1m' off=$'\033[0m'
[ -t 1 ] || { bold=; off=; }
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }

# Plan (showing only the rotation's status changes), then apply, at $1.
step() {
  export ROTATION_NOW=$1
  say "$2 — now = $ROTATION_NOW"
  "$tf" -chdir="$work" plan -no-color -out=tfplan >"$work/plan.txt" 2>&1 || { cat "$work/plan.txt"; exit 1; }
  if grep -q 'No changes' "$work/plan.txt"; then
    echo "plan: no changes"
  else
    grep -E '^\s+[~+-] status|Plan:' "$work/plan.txt" | sed 's/^ */plan: /' || true
  fi
  "$tf" -chdir="$work" apply -no-color tfplan >/dev/null
  "$tf" -chdir="$work" output -raw versions_table
  echo
  echo "jwks kids: $("$tf" -chdir="$work" output -json jwks_kids)"
  echo "next:      $("$tf" -chdir="$work" output -raw next_transition)"
}

say "terraform version (provider loaded from $pdir through dev_overrides)"
"$tf" -chdir="$work" version

# The rehearsal starts 40 days ago, so the versions it makes are as old as
# they say when the policies compare them with the plan's real timestamp.
base=$(( $(date -u -d "$(date -u +%F)T09:00:00Z" +%s) - 40 * 86400 ))
at() { date -u -d "@$((base + $1))" +%FT%TZ; }
h=3600 d=86400
step "$(at 0)" "1. first apply: v1 is issued and active"
step "$(at $((3 * h)))" "2. nothing is due: the plan is empty"
step "$(at $((30 * d)))" "3. period (30d) elapsed: v2 is issued pending — accepted (in the JWKS), not yet emitted"
step "$(at $((30 * d + h)))" "4. propagation (1h) elapsed: v2 becomes active, v1 previous — both verify"
step "$(at $((31 * d + h)))" "5. overlap (1d) elapsed: v1 is revoked and its key wiped from state"

say "6. policy check of the last plan with the built-in checker (passes)"
"$tf" -chdir="$work" plan -no-color -out=tfplan >/dev/null
"$tf" -chdir="$work" show -json tfplan >"$work/plan.json"
"$pdir/terraform-provider-rotation" check "$work/plan.json"
echo "exit code: $?"

say "7. policy check of a broken plan: overlap equal to the longest cache (fails with ROT020, exit 1, on the .tf line)"
set +e
"$pdir/terraform-provider-rotation" check --config "$root/policies/testdata/configs/rot020-overlap-equals-cache" "$root/policies/testdata/fixtures/rot020-overlap-equals-cache/plan.json"
code=$?
set -e
echo "exit code: $code"
[ "$code" -eq 1 ] || { echo "demo: expected exit 1 from check on the broken plan" >&2; exit 1; }

say "8. the credential lifecycle plan for the architecture review"
"$pdir/terraform-provider-rotation" runbook --output "$root/runbook.md" "$work/plan.json"
"$pdir/terraform-provider-rotation" runbook --format html --output "$root/runbook.html" "$work/plan.json"
echo "wrote $root/runbook.md (Markdown with a Mermaid gantt) and $root/runbook.html (one self-contained page with an SVG timeline)"
sed -n '/^## /{p;q}' "$root/runbook.md" || true
grep -m1 -A3 -iE 'rollout order' "$root/runbook.md" || true

# 9. Derived mode on OpenTofu (ephemeral resources need OpenTofu >= 1.11 or
# Terraform >= 1.10): the state keeps no private key; the ephemeral resource
# rotation_secret_material derives it for a local-exec provisioner, which
# writes it to a file standing in for the secret store (no offline-installable
# provider has a write-only argument).
[ -x "$bin/tofu" ] || bash "$root/tools/install-clis.sh" tofu >/dev/null
tofu=$bin/tofu
dwork=$work/derived
store=$dwork/secret-store
mkdir -p "$dwork" "$store"
cat >"$dwork/main.tf" <<'TF'
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}

provider "rotation" {} # the seed comes from ROTATION_MATERIAL_SEED

resource "rotation_secret_family" "jwt" {
  name         = "demo-session-signing"
  purpose      = "Signs the demo's session JWTs"
  owner        = "team-identity"
  backup_owner = "team-platform-security"
  consumer {
    name      = "api-gateway"
    cache_ttl = "15m"
  }
}

resource "rotation_secret" "jwt" {
  family   = rotation_secret_family.jwt.id
  name     = "prod"
  type     = "ed25519"
  material = "derived" # no private key in state or plans
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
}

ephemeral "rotation_secret_material" "jwt" {
  uid      = rotation_secret.jwt.uid
  versions = rotation_secret.jwt.versions
}

# The "secret store": rewritten whenever the accepted keys change.
resource "terraform_data" "secret_store" {
  triggers_replace = rotation_secret.jwt.material_generation
  provisioner "local-exec" {
    command = "printf '%s' \"$SIGNING_KEYS\" > secret-store/signing-keys.json"
    environment = {
      SIGNING_KEYS = jsonencode({
        active_kid = ephemeral.rotation_secret_material.jwt.active_kid
        keys       = ephemeral.rotation_secret_material.jwt.private_jwks
        accepted   = ephemeral.rotation_secret_material.jwt.accepted_secrets
      })
    }
  }
}

output "versions" {
  value = join(", ", [for v in rotation_secret.jwt.versions : "v${v.version} ${v.status} (${v.material})"])
}

output "jwks_kids" {
  value = join(" ", [for k in jsondecode(rotation_secret.jwt.jwks).keys : k.kid])
}
TF
ROTATION_MATERIAL_SEED=$(openssl rand -hex 32 2>/dev/null || od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export ROTATION_MATERIAL_SEED
# The store's kids: the keys of its accepted map (kid => PEM private key).
kids() { grep -oE '"[A-Za-z0-9_-]{43}":"-----BEGIN' "$1" | cut -d'"' -f2 | tr '\n' ' '; }
dstep() {
  export ROTATION_NOW=$1
  say "9.$3 derived mode on OpenTofu: $2 — now = $ROTATION_NOW"
  "$tofu" -chdir="$dwork" plan -no-color -out=tfplan >"$dwork/plan.txt" 2>&1 || { cat "$dwork/plan.txt"; exit 1; }
  "$tofu" -chdir="$dwork" show -json tfplan >"$dwork/plan.json"
  "$tofu" -chdir="$dwork" apply -no-color tfplan >"$dwork/apply.txt" 2>&1 || { cat "$dwork/apply.txt"; exit 1; }
  grep -E 'ephemeral|local-exec' "$dwork/apply.txt" | sed 's/^/apply: /' || true
  "$tofu" -chdir="$dwork" show -json >"$dwork/state.json"
  echo "versions:      $("$tofu" -chdir="$dwork" output -raw versions)"
  echo "state jwks:    $("$tofu" -chdir="$dwork" output -raw jwks_kids)"
  echo "store kids:    $(kids "$store/signing-keys.json")"
  for f in terraform.tfstate terraform.tfstate.backup plan.json state.json; do
    [ -f "$dwork/$f" ] || continue
    printf '%-26s %s\n' "grep -c 'PRIVATE KEY' $f:" "$(grep -c 'PRIVATE KEY' "$dwork/$f" || true)"
  done
  printf '%-26s %s\n' "unzip tfplan | grep -c:" "$(unzip -p "$dwork/tfplan" 2>/dev/null | grep -ac 'PRIVATE KEY' || true)"
  printf '%-26s %s\n' "the store's private keys:" "$(grep -o 'BEGIN PRIVATE KEY' "$store/signing-keys.json" | wc -l | tr -d ' ') PEM, $(grep -o '\\"d\\":' "$store/signing-keys.json" | wc -l | tr -d ' ') JWK (active_kid $(grep -oE '"active_kid":"[^"]+"' "$store/signing-keys.json" | cut -d'"' -f4))"
}
dstep "$(at 0)" "v1 is issued; the provisioner receives it from the ephemeral resource" 1
dstep "$(at $((30 * d)))" "v2 is issued pending: the store holds both keys" 2
dstep "$(at $((30 * d + h)))" "v2 becomes active" 3
dstep "$(at $((31 * d + h)))" "v1 is revoked: the store holds v2 only" 4
for f in terraform.tfstate terraform.tfstate.backup plan.json state.json; do
  if grep -q 'PRIVATE KEY' "$dwork/$f"; then echo "demo: $f holds a private key" >&2; exit 1; fi
done
if ! grep -q 'PRIVATE KEY' "$store/signing-keys.json"; then echo "demo: the store received no key" >&2; exit 1; fi
echo
echo "no private key in the state, its backup, the saved plan or show -json; the store got them from rotation_secret_material."
unset ROTATION_MATERIAL_SEED

say "next steps"
cat <<'MSG'
Open runbook.html in a browser. `terraform-provider-rotation policies --export DIR` writes the
policy bundle for conftest; docs/guides/pull-request-checks.md shows the CI workflow;
docs/guides/keeping-secrets-out-of-state.md explains derived mode (step 9).
MSG
