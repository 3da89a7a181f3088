#!/usr/bin/env bash
# Checks examples/: every .tf is `terraform fmt` clean, and every example that
# needs only the rotation provider is planned for real with Terraform and
# OpenTofu (provider loaded through dev_overrides, rehearsal clock fixed).
# Examples that need providers that cannot be installed offline (random, aws)
# are only format-checked; templates/guides/two-slot-rotation.md.tmpl says so.
# Examples with ephemeral blocks (Terraform >= 1.10, OpenTofu >= 1.11) are
# planned with OpenTofu only. Derived material needs a seed: a test seed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
bin=$cache/bin
for t in terraform tofu; do [ -x "$bin/$t" ] || bash "$root/tools/install-clis.sh" "$t" >/dev/null; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 ROTATION_NOW=2026-01-05T09:00:00Z
export ROTATION_MATERIAL_SEED=check-examples-seed-0123456789abcdef0123456789abcdef
export TF_CLI_CONFIG_FILE=$work/tfrc
bash "$root/tools/dev-overrides.sh" "$TF_CLI_CONFIG_FILE" >/dev/null

"$bin/terraform" fmt -check -recursive -diff "$root/examples" || { echo "examples: run 'terraform fmt -recursive examples'" >&2; exit 1; }

planned=0 skipped=0
while IFS= read -r dir; do
  rel=${dir#"$root"/}
  if grep -hoE 'source\s*=\s*"[^"]+"' "$dir"/*.tf | grep -vq 'rotationkit/rotation'; then
    echo "examples: $rel needs providers that cannot be installed offline: fmt-checked only"
    skipped=$((skipped + 1))
    continue
  fi
  clis=(terraform tofu)
  if grep -qE '^\s*ephemeral\s+"' "$dir"/*.tf; then
    clis=(tofu)
    echo "examples: $rel has ephemeral blocks (Terraform >= 1.10, OpenTofu >= 1.11): planned with tofu only"
  fi
  for cli in "${clis[@]}"; do
    d=$work/$cli/$rel
    mkdir -p "$d"
    cp "$dir"/*.tf "$d/"
    # Fragments under resources/ have no required_providers block: add it.
    if ! grep -q required_providers "$d"/*.tf; then
      printf 'terraform {\n  required_providers {\n    rotation = { source = "rotationkit/rotation" }\n  }\n}\n' >"$d/zz_providers.tf"
    fi
    if ! "$bin/$cli" -chdir="$d" plan -input=false -no-color >"$d.log" 2>&1; then
      cat "$d.log" >&2
      echo "examples: $cli plan failed for $rel" >&2
      exit 1
    fi
    planned=$((planned + 1))
  done
done < <(find "$root/examples" -name '*.tf' -not -path '*/.terraform/*' -exec dirname {} \; | sort -u | grep -v '/examples/ci')
echo "examples: $planned plans passed (terraform and tofu), $skipped examples fmt-checked only"
