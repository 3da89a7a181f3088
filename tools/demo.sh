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

# Revoking on evidence: the same rotation with a revocation_gate fed by the
# static last_used form (the evidence any monitoring system can produce;
# docs/guides/revoking-on-evidence.md shows the Prometheus form). A batch job
# still uses v1 when its overlap ends: the revocation waits, and happens on
# the first apply after v1 has gone unused for quiet_period.
gw=$work/gated
mkdir -p "$gw"
cat >"$gw/main.tf" <<'TF'
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}

variable "v1_last_used" {
  type    = string
  default = "2000-01-01T00:00:00Z"
}

variable "observed_at" {
  type    = string
  default = "2000-01-01T00:00:00Z"
}

resource "rotation_secret_family" "batch" {
  name         = "reports-db"
  purpose      = "The reporting database's login"
  owner        = "team-data"
  backup_owner = "team-platform"

  consumer {
    name   = "nightly-export"
    reload = "restart"
  }
}

resource "rotation_secret" "db" {
  family = rotation_secret_family.batch.id
  name   = "prod"
  type   = "password"

  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }

  revocation_gate {
    quiet_period = "2h"
    max_wait     = "7d"
    # v1 by the export job; v2 by the application, seen at every observation.
    last_used = { "1" = var.v1_last_used, "2" = var.observed_at }
    observed_at  = var.observed_at
  }
}

output "statuses" {
  value = join(" ", [for v in rotation_secret.db.versions : "v${v.version}:${v.status}"])
}

output "next_transition" {
  value = rotation_secret.db.next_transition
}

output "v1_revocation_evidence" {
  value = coalesce(rotation_secret.db.versions[0].revocation_evidence, "-")
}
TF
# Plan with the evidence given ($2 = v1's last use, $3 = when it was
# observed), show what the gate says, apply.
gstep() {
  export ROTATION_NOW=$1
  say "$4 — now = $ROTATION_NOW"
  "$tf" -chdir="$gw" plan -no-color -out=tfplan -var "v1_last_used=$2" -var "observed_at=$3" >"$gw/plan.txt" 2>&1 || { cat "$gw/plan.txt"; exit 1; }
  echo "evidence: v1 last used $2, observed $3"
  grep -E '^\s+[~+-] status|Plan:' "$gw/plan.txt" | sed 's/^ */plan: /' || true
  sed -n '/Warning: Rotation: reports-db/,/╵/p' "$gw/plan.txt" | sed -e 's/^│ *//' -e '/^╵/d' -e '/^$/d' -e '/^ *with \|^ *on \|^ *[0-9]*:/d' -e 's/^/  /'
  "$tf" -chdir="$gw" apply -no-color tfplan >/dev/null
  echo "statuses: $("$tf" -chdir="$gw" output -raw statuses)"
  echo "next:     $("$tf" -chdir="$gw" output -raw next_transition)"
  echo "evidence: $("$tf" -chdir="$gw" output -raw v1_revocation_evidence)"
}
say "9. revoking on evidence (revocation_gate): first apply, v2 issued, v2 active"
for t in 0 $((30 * d)) $((30 * d + h)); do
  ROTATION_NOW=$(at "$t") "$tf" -chdir="$gw" apply -no-color -auto-approve >/dev/null
done
echo "statuses: $("$tf" -chdir="$gw" output -raw statuses)"
gstep "$(at $((31 * d + h)))" "$(at $((31 * d + h - 15 * 60)))" "$(at $((31 * d + h)))" "9a. overlap (1d) elapsed, but the export used v1 15 minutes ago: the revocation waits"
gstep "$(at $((31 * d + 2 * h)))" "$(at $((31 * d + 2 * h - 5 * 60)))" "$(at $((31 * d + 2 * h)))" "9b. still in use an hour later: it keeps waiting"
gstep "$(at $((31 * d + 4 * h)))" "$(at $((31 * d + 2 * h - 5 * 60)))" "$(at $((31 * d + 4 * h)))" "9c. unused for 2h (quiet_period): the next apply revokes v1, recording the evidence"
[ "$("$tf" -chdir="$gw" output -raw statuses)" = "v1:revoked v2:active" ] || { echo "demo: the gated revocation did not happen" >&2; exit 1; }

# 10. Derived mode on OpenTofu (ephemeral resources need OpenTofu >= 1.11 or
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
  say "10.$3 derived mode on OpenTofu: $2 — now = $ROTATION_NOW"
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

say "11. day 2: what is due now, and what comes within 30 days (the scheduled workflow's question)"
"$tf" -chdir="$work" show -json >"$work/state.json"
set +e
"$pdir/terraform-provider-rotation" due "demo=$work/state.json"
code=$?
"$pdir/terraform-provider-rotation" due --within 30d "demo=$work/state.json"
set -e
echo "exit code of due (now): $code (0 nothing due, 1 something due)"
[ "$code" -le 1 ] || { echo "demo: due failed" >&2; exit 1; }

say "12. the rotation metrics of the same state (Prometheus text format; --format openmetrics for OpenMetrics)"
"$pdir/terraform-provider-rotation" metrics --output "$work/rotation.prom" "demo=$work/state.json"
grep -E '^rotation_(active_version_age_seconds|versions|next_transition_seconds|ttl_remaining_seconds|transition_overdue_seconds)\{' "$work/rotation.prom" |
  sed -E 's/(action|status)="([^"]*)"/@\2@/; s/\{[^@}]*\}//; s/\{[^@}]*@([^@]*)@[^}]*\}/{\1}/' # one resource: labels but status and action left out
echo "wrote $work/rotation.prom ($(grep -c '^# TYPE' "$work/rotation.prom") metrics; docs/metrics.md lists them)"
rm -f "$work/state.json" "$work/plan.json" # they hold the material in clear

say "next steps"
cat <<'MSG'
Open runbook.html in a browser. `terraform-provider-rotation policies --export DIR` writes the
policy bundle for conftest; docs/guides/pull-request-checks.md shows the CI workflow and the
scheduled rotation (due, approved apply, metrics, alerts: examples/prometheus);
docs/guides/keeping-secrets-out-of-state.md explains derived mode (step 10).
MSG
