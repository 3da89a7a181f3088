#!/usr/bin/env bash
# Generates the policy fixtures: `terraform show -json` of plans and states of
# the small configurations under policies/testdata/configs/<name>/, made with
# the real Terraform CLI and the locally built provider, normalised so that
# they are byte-for-byte reproducible and free of key material.
#
#   tools/gen-policy-fixtures.sh            regenerate policies/testdata/fixtures/
#   tools/gen-policy-fixtures.sh --check    regenerate into a temporary directory and
#                                           diff against the committed fixtures (CI: fails on drift)
#   tools/gen-policy-fixtures.sh --verify   run the real conftest on every case of
#                                           policies/testdata/fixtures/expected.json and compare
#                                           the rule ids it trips (deny and warn) with the expectation
#   tools/gen-policy-fixtures.sh NAME...    regenerate only these configurations
#
# Each configuration directory holds *.tf files (and local modules) and
# optionally:
#   steps      what to run, one step a line ('#' starts a comment):
#                cli tofu                              first step: use OpenTofu (the pinned
#                                                      tofu of the tool cache) instead of
#                                                      Terraform, for what Terraform 1.5 lacks
#                                                      (removed blocks)
#                apply <RFC3339> [terraform args...]   apply at that rehearsal clock
#                mv <FILE> <NEW>                       rename a file of the configuration
#                                                      between steps (a FILE.tf.next becomes
#                                                      FILE.tf: the configuration changes)
#                plan  <RFC3339> [terraform args...]   last step: the fixture is this plan
#                state                                 last step: the fixture is the state
#              Without it the fixture is `plan 2026-01-05T09:00:00Z`.
#   patch.jq   a jq filter applied to the normalised JSON: for the few rules the
#              provider itself refuses to plan (see policies/README.md); such a
#              fixture is a real plan with the documented edit, nothing else.
#
# Output: policies/testdata/fixtures/<name>/plan.json or .../<name>/state.json
# (one directory per fixture: `opa test policies/` loads every JSON file under
# policies/ as data at its directory's path, so two documents in one directory
# would collide; this way each fixture is data.testdata.fixtures["<name>"]).
#
# Normalisation: keys are sorted, and so is relevant_attributes (Terraform
# does not fix its order); the plan's `timestamp` (the wall-clock time of the
# plan) is set to the step's rehearsal clock; secret material (secret, active_secret,
# accepted_secrets) is replaced by "(redacted)"; kids are renamed kid-1,
# kid-2, ... in order of appearance and public keys/JWKs/JWKS, uids and salts by
# placeholders (they are random on every run and no rule reads them). The script fails if
# any generated file still contains a private key, one of the original secret
# values or a path of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
bin=$cache/bin
configs=policies/testdata/configs
fixtures=policies/testdata/fixtures
expected=$fixtures/expected.json

die() { echo "gen-policy-fixtures: $*" >&2; exit 1; }
need() { [ -x "$bin/$1" ] || bash tools/install-clis.sh "$1" >/dev/null; [ -x "$bin/$1" ] || die "$1 not found in $bin"; }
command -v jq >/dev/null || die "jq is required"

mode=generate
names=()
for a in "$@"; do
  case $a in
    --check) mode=check ;;
    --verify) mode=verify ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $a" ;;
    *) names+=("$a") ;;
  esac
done

# ---------------------------------------------------------------------------
# --verify: the real conftest on every case of expected.json. A case's
# "waived" ids (params.waivers) are not compared here: conftest reports only
# deny and warn, from which the bundle has already removed what a valid
# waiver covers, so a waived case must show exactly its remaining deny and
# warn ids (opa test and the Go parity test check the waived ids).

verify() {
  need conftest
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  local fail=0 n=0 case input want_deny want_warn got_deny got_warn args
  # Every fixture has at least one case, every case an existing input.
  for d in "$fixtures"/*/; do
    local f; f=$(basename "$d")
    jq -e --arg f "$f" '[.cases[].input | split("/")[-2]] | index($f) != null' "$expected" >/dev/null ||
      { echo "FAIL fixture $f has no case in $expected"; fail=1; }
  done
  while IFS= read -r case; do
    n=$((n + 1))
    input=$(jq -r --arg c "$case" '.cases[$c].input' "$expected")
    [ -f "$input" ] || { echo "FAIL $case: input $input does not exist"; fail=1; continue; }
    args=()
    if jq -e --arg c "$case" '.cases[$c] | has("params")' "$expected" >/dev/null; then
      jq --arg c "$case" '{rotation: {params: .cases[$c].params}}' "$expected" >"$tmp/$case.params.json"
      args=(--data "$tmp/$case.params.json")
    fi
    "$bin/conftest" test --all-namespaces --no-color --output json -p policies "${args[@]}" "$input" >"$tmp/out.json" || true
    jq -e 'type == "array"' "$tmp/out.json" >/dev/null 2>&1 || { echo "FAIL $case: conftest did not produce JSON:"; cat "$tmp/out.json"; fail=1; continue; }
    got_deny=$(jq -c '[.[] | (.failures // [])[] | .msg[0:6]] | unique' "$tmp/out.json")
    got_warn=$(jq -c '[.[] | (.warnings // [])[] | .msg[0:6]] | unique' "$tmp/out.json")
    want_deny=$(jq -c --arg c "$case" '.cases[$c].deny | unique' "$expected")
    want_warn=$(jq -c --arg c "$case" '.cases[$c].warn | unique' "$expected")
    if [ "$got_deny" = "$want_deny" ] && [ "$got_warn" = "$want_warn" ]; then
      echo "ok   $case: deny $got_deny warn $got_warn"
    else
      echo "FAIL $case ($input): deny $got_deny (want $want_deny), warn $got_warn (want $want_warn)"
      jq -r '.[] | ((.failures // [])[] | "       deny: " + .msg), ((.warnings // [])[] | "       warn: " + .msg)' "$tmp/out.json"
      fail=1
    fi
  done < <(jq -r '.cases | keys[]' "$expected")
  [ "$n" -gt 0 ] || die "no cases in $expected"
  if [ "$fail" -ne 0 ]; then echo "conftest verdicts: $n cases, FAILED"; return 1; fi
  echo "conftest verdicts: $n cases, all as expected"
}

if [ "$mode" = verify ]; then
  verify
  exit
fi

# ---------------------------------------------------------------------------
# Generation

need terraform
# Always the pinned CLI from the tool cache, never whatever PATH finds first:
# plan JSON differs between versions (and the fixtures record the version).
tf=$bin/terraform
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cliconfig=$tmp/cli.tfrc
bash tools/dev-overrides.sh "$cliconfig" >/dev/null

# Nothing from the caller's environment may change the output.
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(TF_|ROTATION_)' || true)
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0 TF_CLI_CONFIG_FILE=$cliconfig
# The material seed of the configurations with material = "derived" (the
# good fixtures; ROT050). A fixed, public test seed, never a real one: a
# derived version records only a salt (normalised below) and the seed's
# fingerprint, which this fixed seed makes reproducible; no material is
# written either way.
export ROTATION_MATERIAL_SEED=policy-fixtures-public-test-seed-not-a-secret-0123456789

# The jq program that normalises one document ($now and $kids are jq's).
# shellcheck disable=SC2016
normalise='
  def redact: "(redacted)";
  ([.. | objects | select(has("kid") and (.kid | type) == "string") | .kid]
   + [.. | objects | .accepted_kids? // empty | arrays | .[] | strings]
   + [.. | objects | .active_kid? // empty | strings]) as $all
  | (reduce $all[] as $k ({}; if has($k) then . else . + {($k): "kid-\(length + 1)"} end)) as $kids
  | walk(
      if type == "object" then
        with_entries(
          .key |= ($kids[.] // .)
          | if (.key == "secret" or .key == "active_secret") and (.value | type) == "string" then .value = redact
            elif .key == "accepted_secrets" and (.value | type) == "object" then .value |= map_values(if type == "string" then redact else . end)
            elif (.key == "public_key_pem" or .key == "active_public_key_pem") and (.value | type) == "string" then .value = "(public key PEM, normalised)"
            elif .key == "public_jwk" and (.value | type) == "string" then .value = "(public JWK, normalised)"
            elif .key == "jwks" and (.value | type) == "string" then .value = "(JWKS, normalised)"
            elif (.key == "uid" or .key == "salt") and (.value | type) == "string" then .value = "(\(.key), normalised)"
            else . end)
      elif type == "string" then ($kids[.] // .)
      else . end)
  | if has("timestamp") then .timestamp = $now else . end
  | if has("relevant_attributes") then .relevant_attributes |= sort_by(.resource, (.attribute | tojson)) else . end
'
# The original secret values, to prove none survives.
secrets_of='[.. | objects | ((.secret?, .active_secret?) | strings), (.accepted_secrets? | objects | .[] | strings)] | unique | map(select(length >= 8))'

generate() { # name outdir
  local name=$1 out=$2 src=$configs/$1 work=$tmp/work/$1 kind="" now="" line verb when rest
  [ -d "$src" ] || die "no configuration $src"
  mkdir -p "$work"
  cp -R "$src/." "$work/"
  rm -f "$work/steps" "$work/patch.jq"
  local steps=("plan 2026-01-05T09:00:00Z")
  if [ -f "$src/steps" ]; then
    mapfile -t steps < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$src/steps" | grep -v '^$')
  fi
  (
    cd "$work"
    if grep -rqs '^[[:space:]]*module[[:space:]]' --include='*.tf' .; then
      "$tf" get -no-color >get.log 2>&1 || { cat get.log; exit 1; }
    fi
    for line in "${steps[@]}"; do
      read -r verb when rest <<<"$line"
      # shellcheck disable=SC2206 # the rest of a step line is a list of terraform arguments
      local extra=($rest)
      case $verb in
        cli)
          [ "$when" = tofu ] || { echo "$src/steps: cli must be tofu" >&2; exit 1; }
          need tofu
          tf=$bin/tofu ;;
        mv)
          [ ${#extra[@]} -eq 1 ] || { echo "$src/steps: mv needs FILE and NEW" >&2; exit 1; }
          mv -- "$when" "${extra[0]}" ;;
        apply)
          ROTATION_NOW=$when "$tf" apply -no-color -auto-approve "${extra[@]}" >>run.log 2>&1 ||
            { cat run.log; echo "apply at $when failed" >&2; exit 1; } ;;
        plan)
          ROTATION_NOW=$when "$tf" plan -no-color -out=fixture.tfplan "${extra[@]}" >>run.log 2>&1 ||
            { cat run.log; echo "plan at $when failed" >&2; exit 1; }
          "$tf" show -json fixture.tfplan >raw.json
          echo "plan $when" >kind ;;
        state)
          "$tf" show -json >raw.json
          echo "state -" >kind ;;
        *) echo "$src/steps: unknown step '$line'" >&2; exit 1 ;;
      esac
    done
  ) || die "$name: terraform failed"
  read -r kind now <"$work/kind" || die "$name: the last step must be plan or state"
  [ "$kind" = plan ] || now=""
  local dst=$out/$name/$kind.json
  mkdir -p "$out/$name"
  jq -S --arg now "$now" "$normalise" "$work/raw.json" >"$work/norm.json"
  if [ -f "$src/patch.jq" ]; then
    jq -f "$src/patch.jq" "$work/norm.json" >"$dst"
  else
    cp "$work/norm.json" "$dst"
  fi
  # Nothing secret and nothing of this machine may be left.
  if grep -q 'PRIVATE KEY' "$dst"; then die "$name: private key material left in $dst"; fi
  if ! jq -e --argjson s "$(jq -c "$secrets_of" "$work/raw.json")" '[.. | strings] as $all | all($s[]; . as $x | all($all[]; contains($x) | not))' "$dst" >/dev/null; then
    die "$name: a secret value survived normalisation in $dst"
  fi
  if grep -Fq -e "$tmp" -e "$root" -e "$HOME" "$dst"; then die "$name: a local path is left in $dst"; fi
  echo "generated $dst"
}

if [ ${#names[@]} -eq 0 ]; then
  for d in "$configs"/*/; do names+=("$(basename "$d")"); done
fi

if [ "$mode" = check ]; then
  out=$tmp/fixtures
  mkdir -p "$out"
  for n in "${names[@]}"; do generate "$n" "$out" >/dev/null; done
  drift=0
  for n in "${names[@]}"; do
    if ! diff -ru "$fixtures/$n" "$out/$n"; then drift=1; fi
  done
  for d in "$fixtures"/*/; do
    n=$(basename "$d")
    [ -d "$configs/$n" ] || { echo "fixture $n has no configuration in $configs"; drift=1; }
  done
  if [ "$drift" -ne 0 ]; then die "fixtures drifted from their configurations; run: bash tools/gen-policy-fixtures.sh"; fi
  echo "policy fixtures: ${#names[@]} regenerated, no drift"
  exit 0
fi

for n in "${names[@]}"; do
  rm -rf "${fixtures:?}/$n"
  generate "$n" "$fixtures"
done
# Fixtures whose configuration is gone.
for d in "$fixtures"/*/; do
  [ -d "$d" ] || continue
  n=$(basename "$d")
  [ -d "$configs/$n" ] || { rm -rf "${fixtures:?}/$n"; echo "removed $fixtures/$n (no configuration)"; }
done
