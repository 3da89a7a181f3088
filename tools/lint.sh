#!/usr/bin/env bash
# golangci-lint (installed into the tool cache by tools/install-clis.sh) with
# the project's .golangci.yml: depguard keeps Terraform types out of
# internal/lifecycle and the old SDK out of the provider.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}/bin
bash tools/install-clis.sh golangci-lint >/dev/null
"$bin/golangci-lint" run --timeout 30m ./...
