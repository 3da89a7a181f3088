#!/usr/bin/env bash
# make demo: builds the provider, installs the Terraform CLI if missing, and
# runs the quick start with the real CLI through dev_overrides.
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

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "terraform version (provider loaded from $pdir through dev_overrides)"
"$tf" -chdir="$work" version

export ROTATION_NOW=2026-01-05T09:00:00Z
say "apply at $ROTATION_NOW (rehearsal clock)"
"$tf" -chdir="$work" apply -auto-approve -no-color
say "a second plan changes nothing"
"$tf" -chdir="$work" plan -detailed-exitcode -no-color >/dev/null 2>&1 && echo "no changes"

say "what is coming"
cat <<'MSG'
This build has the provider, its rehearsal clock and rotation_secret_family.
rotation_secret (dual-valid key versions), rotation_schedule (two slots), the
policy checker (check) and the runbook writer arrive with the next issues; the
demo will then walk a rotation through accept -> emit -> revoke.
MSG
