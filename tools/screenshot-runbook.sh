#!/usr/bin/env bash
# Writes runbook.html and takes a headless Chromium screenshot of it, to look
# at the page as a reviewer would.
#
#   bash tools/screenshot-runbook.sh [PLAN_OR_STATE.json] [runbook flags...]
#
# Input: the given file; else the quick start's state that `make demo` leaves
# in $CACHE/demo (read with `terraform show -json`); else the hand-made
# two-slot state of the runbook tests. Chromium: Debian's `chromium`, installed
# with apt-get when missing and running as root; otherwise the script says so
# and exits 0 (nothing to screenshot with).
#
# Output: $CACHE/screenshots/runbook.html and runbook.png (paths printed),
# CACHE being $ROTATION_CACHE_DIR or ~/.cache/terraform-provider-rotation.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
out=$cache/screenshots
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "screenshot-runbook: building the binary"
(cd "$root" && go build -o "$work/terraform-provider-rotation" .)

input=
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  input=$1
  shift
fi
if [ -z "$input" ] && [ -f "$cache/demo/terraform.tfstate" ]; then
  tf=$cache/bin/terraform
  [ -x "$tf" ] || tf=$(command -v terraform || true)
  if [ -n "$tf" ] && TF_CLI_CONFIG_FILE=$cache/demo/tfrc CHECKPOINT_DISABLE=1 \
      "$tf" -chdir="$cache/demo" show -json >"$work/state.json" 2>"$work/show.err"; then
    input=$work/state.json
    echo "screenshot-runbook: input is the quick start's state ($cache/demo)"
  else
    echo "screenshot-runbook: could not read the quick start's state; using the test input" >&2
  fi
fi
if [ -z "$input" ]; then
  input=$root/internal/runbook/testdata/two-slot-state.json
  set -- --now 2026-01-10T12:00:00Z "$@"
  echo "screenshot-runbook: input is $input"
fi

"$work/terraform-provider-rotation" runbook --format html --output "$out/runbook.html" "$@" "$input"
"$work/terraform-provider-rotation" runbook --format markdown --output "$out/runbook.md" "$@" "$input"
echo "screenshot-runbook: wrote $out/runbook.html and $out/runbook.md"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "screenshot-runbook: installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    chromium=$(command -v chromium)
  else
    echo "screenshot-runbook: chromium is not installed (install Debian's chromium package, or run as root with apt-get); no screenshot taken"
    exit 0
  fi
fi

png=$out/runbook.png
rm -f "$png"
timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$work/profile" \
  --screenshot="$png" --window-size=1400,2400 "file://$out/runbook.html" >"$work/chromium.log" 2>&1 || {
  echo "screenshot-runbook: chromium failed:" >&2
  tail -n 20 "$work/chromium.log" >&2
  exit 1
}
[ -s "$png" ] || { echo "screenshot-runbook: chromium wrote no screenshot" >&2; tail -n 20 "$work/chromium.log" >&2; exit 1; }
echo "screenshot-runbook: screenshot $png"
