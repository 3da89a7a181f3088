#!/usr/bin/env bash
# golangci-lint (installed into the tool cache with go install) with the
# project's .golangci.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}/bin
version=${GOLANGCI_LINT_VERSION:-v2.6.2}
if ! "$bin/golangci-lint" version 2>/dev/null | grep -q "${version#v}"; then
  echo "lint: installing golangci-lint $version into $bin"
  GOBIN="$bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
fi
"$bin/golangci-lint" run ./...
