#!/usr/bin/env bash
# Policy checks: `opa fmt`, `opa check --strict` and `opa test` on policies/,
# and `conftest verify`. Runs the real opa and conftest from the tool cache.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}/bin
[ -x "$bin/opa" ] || bash tools/install-clis.sh opa >/dev/null
[ -x "$bin/conftest" ] || bash tools/install-clis.sh conftest >/dev/null
bad=$("$bin/opa" fmt --list policies)
if [ -n "$bad" ]; then echo "policy-test: opa fmt would change: $bad (run: opa fmt -w policies)"; exit 1; fi
"$bin/opa" check --strict policies
"$bin/opa" test -v policies
# conftest loads only .rego from --policy; give it the same data documents
# (the duration table and the fixtures) that `opa test` loads from policies/.
data=$(mktemp --suffix=.json)
trap 'rm -f "$data"' EXIT
"$bin/opa" eval -d policies --format raw '{"testdata": data.testdata}' >"$data"
"$bin/conftest" verify --policy policies --data "$data"
command -v jq >/dev/null 2>&1 || { echo "policy-test: installing jq (apt-get)"; apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
# The fixtures are real `terraform show -json` output: regenerate and fail on
# drift, then assert the rule ids the real conftest reports for each.
bash tools/gen-policy-fixtures.sh --check
bash tools/gen-policy-fixtures.sh --verify
