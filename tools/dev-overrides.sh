#!/usr/bin/env bash
# Builds the provider into the tool cache and writes a Terraform/OpenTofu CLI
# configuration whose dev_overrides load it from there, for both registries.
#   tools/dev-overrides.sh FILE    (prints the provider directory)
set -euo pipefail
out=${1:?usage: dev-overrides.sh CLI-CONFIG-FILE}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
pdir=$cache/provider
mkdir -p "$pdir"
(cd "$root" && go build -o "$pdir/terraform-provider-rotation" .)
cat >"$out" <<TFRC
# Written by tools/dev-overrides.sh: load the locally built provider.
provider_installation {
  dev_overrides {
    "registry.terraform.io/rotationkit/rotation" = "$pdir"
    "registry.opentofu.org/rotationkit/rotation" = "$pdir"
  }
  direct {}
}
TFRC
echo "$pdir"
