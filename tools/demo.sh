#!/usr/bin/env bash
# make demo: builds the provider, installs the Terraform CLI if missing, and
# walks the quick start's rotation forward in time with the real CLI (provider
# loaded through dev_overrides, clock moved with ROTATION_NOW).
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

step 2026-01-05T09:00:00Z "1. first apply: v1 is issued and active"
step 2026-01-05T12:00:00Z "2. nothing is due: the plan is empty"
step 2026-02-04T09:00:00Z "3. period (30d) elapsed: v2 is issued pending — accepted (in the JWKS), not yet emitted"
step 2026-02-04T10:00:00Z "4. propagation (1h) elapsed: v2 becomes active, v1 previous — both verify"
step 2026-02-05T10:00:00Z "5. overlap (1d) elapsed: v1 is revoked and its key wiped from state"

say "what is next"
cat <<'MSG'
The bundled policies, the `check` command and the runbook writer are the next
issues; this demo will then end with a policy check of its plan.
MSG
