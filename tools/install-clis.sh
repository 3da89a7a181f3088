#!/usr/bin/env bash
# Installs the real CLIs the project tests against into a cache directory
# outside the repository, reusing whatever is already there.
#
#   tools/install-clis.sh [terraform] [tofu] [conftest] [opa] [tfplugindocs] [golangci-lint] [prometheus] [promtool]
#
# With no arguments every tool is installed. Prints the bin directory last.
# Everything comes from the Go module proxy via `go install` / `go build`;
# nothing is downloaded from anywhere else.
set -euo pipefail

TERRAFORM_VERSION=${TERRAFORM_VERSION:-v1.5.7}
OPENTOFU_VERSION=${OPENTOFU_VERSION:-v1.11.6}
# OpenTofu's own go.mod replaces hcl/v2 with its fork; a module that depends on
# OpenTofu must repeat the replace or the build picks the upstream hcl.
OPENTOFU_HCL_REPLACE=${OPENTOFU_HCL_REPLACE:-github.com/opentofu/hcl/v2@v2.20.2-0.20251021132045-587d123c2828}
CONFTEST_VERSION=${CONFTEST_VERSION:-v0.71.1}
OPA_VERSION=${OPA_VERSION:-v1.22.2}
TFPLUGINDOCS_VERSION=${TFPLUGINDOCS_VERSION:-v0.24.0}
GOLANGCI_LINT_VERSION=${GOLANGCI_LINT_VERSION:-v2.15.0}
# Prometheus and promtool: the evidence source of revocation/emission gates
# (acceptance tests) and the linter of `metrics` output and alert rules.
PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-v0.316.0}

CACHE_DIR=${ROTATION_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-rotation}
BIN_DIR="$CACHE_DIR/bin"
mkdir -p "$BIN_DIR"

# Two runs at once (a test and a benchmark, say) must not build over each
# other: serialise on a lock in the cache.
if command -v flock >/dev/null 2>&1 && [ -z "${ROTATION_INSTALL_LOCKED:-}" ]; then
  export ROTATION_INSTALL_LOCKED=1
  exec flock "$CACHE_DIR/.install.lock" "$0" "$@"
fi

log() { printf 'install-clis: %s\n' "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || fail "go is not on PATH; install Go 1.24+ first"

# have NAME PATTERN: true when $BIN_DIR/NAME exists and its version output
# matches PATTERN (so a version bump in this script re-installs).
have() {
  local bin="$BIN_DIR/$1" pattern=$2 flag=version
  [ "$1" = conftest ] && flag=--version
  [ -x "$bin" ] || return 1
  # An empty CLI config keeps a missing ~/.terraformrc from adding warnings.
  TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$bin" "$flag" 2>/dev/null | grep -q -- "$pattern"
}

# stamp NAME VERSION: for tools whose binary does not print the module version.
stamped() { [ -x "$BIN_DIR/$1" ] && [ "$(cat "$BIN_DIR/.$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { printf '%s\n' "$2" >"$BIN_DIR/.$1.version"; }

gobin_install() { # NAME MODULE@VERSION [LDFLAGS]
  local name=$1 pkg=$2 ldflags=${3:-}
  log "building $name from $pkg (go install; this can take a few minutes)"
  GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install -ldflags "$ldflags" "$pkg" \
    || fail "go install $pkg failed; check that the Go module proxy is reachable (go env GOPROXY)"
}

install_terraform() {
  if have terraform "Terraform ${TERRAFORM_VERSION}"; then log "terraform ${TERRAFORM_VERSION} already in $BIN_DIR"; return; fi
  gobin_install terraform "github.com/hashicorp/terraform@${TERRAFORM_VERSION}"
  have terraform "Terraform ${TERRAFORM_VERSION}" || fail "terraform built but 'terraform version' does not report ${TERRAFORM_VERSION}"
}

install_tofu() {
  local want="OpenTofu v${OPENTOFU_VERSION#v}"
  if have tofu "$want\$"; then log "tofu ${OPENTOFU_VERSION} already in $BIN_DIR"; return; fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  log "building tofu ${OPENTOFU_VERSION} in a throw-away module (this can take a few minutes)"
  (
    cd "$work"
    go mod init rotation.local/build-tofu >/dev/null 2>&1
    go mod edit -require="github.com/opentofu/opentofu@${OPENTOFU_VERSION}"
    go mod edit -replace="github.com/hashicorp/hcl/v2=${OPENTOFU_HCL_REPLACE}"
    # go 1.24+ `go mod tidy` needs an import to keep the requirement.
    cat >tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
GO
    GOFLAGS=-mod=mod go mod tidy >/dev/null
    # version.dev=no drops the "-dev" suffix so `tofu version` reports the release.
    GOFLAGS=-mod=mod go build -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$BIN_DIR/tofu.new" github.com/opentofu/opentofu/cmd/tofu
    mv -f "$BIN_DIR/tofu.new" "$BIN_DIR/tofu" # atomic: a running tofu is never half-written
  ) || fail "building OpenTofu ${OPENTOFU_VERSION} failed (see the go output above)"
  have tofu "$want\$" || fail "tofu built but 'tofu version' does not report $want"
}

install_conftest() {
  if have conftest "Conftest: ${CONFTEST_VERSION#v}"; then log "conftest ${CONFTEST_VERSION} already in $BIN_DIR"; return; fi
  # go install leaves the version "dev"; stamp the real one as releases do.
  gobin_install conftest "github.com/open-policy-agent/conftest@${CONFTEST_VERSION}" \
    "-X github.com/open-policy-agent/conftest/internal/version.Version=${CONFTEST_VERSION#v}"
  have conftest "Conftest: ${CONFTEST_VERSION#v}" || fail "conftest built but 'conftest version' does not report ${CONFTEST_VERSION}"
}

install_opa() {
  if have opa "Version: ${OPA_VERSION#v}"; then log "opa ${OPA_VERSION} already in $BIN_DIR"; return; fi
  gobin_install opa "github.com/open-policy-agent/opa@${OPA_VERSION}"
}

install_tfplugindocs() {
  if stamped tfplugindocs "$TFPLUGINDOCS_VERSION"; then log "tfplugindocs ${TFPLUGINDOCS_VERSION} already in $BIN_DIR"; return; fi
  gobin_install tfplugindocs "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@${TFPLUGINDOCS_VERSION}"
  stamp tfplugindocs "$TFPLUGINDOCS_VERSION"
}

install_golangci_lint() {
  if stamped golangci-lint "$GOLANGCI_LINT_VERSION"; then log "golangci-lint ${GOLANGCI_LINT_VERSION} already in $BIN_DIR"; return; fi
  gobin_install golangci-lint "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}"
  stamp golangci-lint "$GOLANGCI_LINT_VERSION"
}

install_prometheus() {
  if stamped prometheus "$PROMETHEUS_VERSION"; then log "prometheus ${PROMETHEUS_VERSION} already in $BIN_DIR"; return; fi
  gobin_install prometheus "github.com/prometheus/prometheus/cmd/prometheus@${PROMETHEUS_VERSION}"
  stamp prometheus "$PROMETHEUS_VERSION"
}

install_promtool() {
  if stamped promtool "$PROMETHEUS_VERSION"; then log "promtool ${PROMETHEUS_VERSION} already in $BIN_DIR"; return; fi
  gobin_install promtool "github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS_VERSION}"
  stamp promtool "$PROMETHEUS_VERSION"
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(terraform tofu conftest opa tfplugindocs golangci-lint prometheus promtool)
for t in "${tools[@]}"; do
  case "$t" in
    terraform|tofu|conftest|opa|tfplugindocs) "install_$t" ;;
    golangci-lint) install_golangci_lint ;;
    prometheus|promtool) "install_$t" ;;
    *) fail "unknown tool '$t' (known: terraform tofu conftest opa tfplugindocs golangci-lint prometheus promtool)" ;;
  esac
done
echo "$BIN_DIR"
