#!/usr/bin/env bash
# Generates docs/ from the provider schema, templates/ and examples/ with
# tfplugindocs, offline: the schema comes from the real OpenTofu CLI loading
# the freshly built provider through dev_overrides (Terraform 1.5.7 predates
# ephemeral resources and leaves them out of its schema; the rest of the
# schema JSON is identical); and docs/rules/ (one page
# per policy rule) from the rules' METADATA and the policy fixtures with
# tools/ruledocs.
#   tools/docs.sh generate   rewrite docs/
#   tools/docs.sh check      fail when docs/ differs from what generate writes
set -euo pipefail
mode=${1:-generate}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
bin=$cache/bin
for t in tofu tfplugindocs; do
  [ -x "$bin/$t" ] || bash "$root/tools/install-clis.sh" "$t" >/dev/null
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The provider schema, from the real CLI (OpenTofu: it has ephemeral resources).
bash "$root/tools/dev-overrides.sh" "$work/tfrc" >/dev/null
mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}
TF
TF_CLI_CONFIG_FILE="$work/tfrc" CHECKPOINT_DISABLE=1 \
  "$bin/tofu" -chdir="$work/schema" providers schema -json >"$work/schema.json" 2>"$work/schema.err" || {
  cat "$work/schema.err" >&2
  echo "docs: tofu providers schema -json failed" >&2
  exit 1
}
# tfplugindocs looks the provider up by its short name.
sed -i 's#"registry.opentofu.org/rotationkit/rotation"#"rotation"#' "$work/schema.json"

# 2. Render into a scratch copy, then install or compare.
mkdir -p "$work/site"
cp -R "$root/templates" "$root/examples" "$work/site/"
"$bin/tfplugindocs" generate --provider-dir "$work/site" --provider-name rotation \
  --rendered-provider-name "rotation" --providers-schema "$work/schema.json" >"$work/gen.log" 2>&1 || {
  cat "$work/gen.log" >&2
  echo "docs: tfplugindocs generate failed" >&2
  exit 1
}

# 3. The rule pages (docs/rules/*.md; docs/rules/embed.go is hand-written).
mkdir -p "$work/rules"
(cd "$root" && go run ./tools/ruledocs -root . -out "$work/rules") >"$work/ruledocs.log" 2>&1 || {
  cat "$work/ruledocs.log" >&2
  echo "docs: tools/ruledocs failed" >&2
  exit 1
}

# docs/ also holds hand-written pages (architecture.md, benchmarks.md); only
# the generated parts are compared and replaced.
generated=(index.md resources data-sources ephemeral-resources guides)
case "$mode" in
  generate)
    for g in "${generated[@]}"; do
      rm -rf "${root:?}/docs/$g"
      [ -e "$work/site/docs/$g" ] && cp -R "$work/site/docs/$g" "$root/docs/$g"
    done
    mkdir -p "$root/docs/rules"
    find "$root/docs/rules" -maxdepth 1 -name '*.md' -delete
    cp "$work/rules/"*.md "$root/docs/rules/"
    echo "docs: generated into docs/"
    ;;
  check)
    status=0
    for g in "${generated[@]}"; do
      if [ -e "$work/site/docs/$g" ] || [ -e "$root/docs/$g" ]; then
        diff -ruN "$root/docs/$g" "$work/site/docs/$g" || status=1
      fi
    done
    mkdir -p "$work/rules-committed"
    cp "$root/docs/rules/"*.md "$work/rules-committed/" 2>/dev/null || true
    diff -ruN "$work/rules-committed" "$work/rules" || status=1
    if [ $status -ne 0 ]; then
      echo "docs: docs/ is out of date; run 'make docs' and commit the result" >&2
      exit 1
    fi
    echo "docs: docs/ is up to date"
    ;;
  *) echo "usage: tools/docs.sh generate|check" >&2; exit 2 ;;
esac
