#!/usr/bin/env bash
# `make bench`: measures the checker against conftest, the decode floor and
# its own reader alone (tools/bench/decodefloor -reader), the floor of the
# rule evaluation (tools/bench/regofloor), a hostile input,
# the policy test suite, the provider against time_rotating + a password
# stand-in, the state size and engine cost over many rotations, and key
# generation; then rewrites docs/benchmarks.md from the measurements
# (tools/bench/report; no number in that page is typed by hand), with the
# figures of issue 15 side by side at the top and the load average of the
# machine at the start and the end.
#
#   bash tools/bench.sh                 the full run (about 25 minutes on 2 cores)
#   BENCH_RUNS=3 bash tools/bench.sh    runs per measurement (default 5; medians)
#   BENCH_SCALE=quick bash tools/bench.sh
#                                       small sizes only, to try the script (the
#                                       page it writes is not the reference one)
#   BENCH_OUT=FILE                      write the page elsewhere (default docs/benchmarks.md)
#   BENCH_KEEP=1                        keep the work directory (inputs and raw results)
#
# Needs: Go, /usr/bin/time (installed with apt-get when missing), and the
# real CLIs in the tool cache (terraform, conftest; tools/install-clis.sh
# installs them when missing). The time provider is built once with
# `go install` into the cache. Nothing else is downloaded; Terraform runs
# offline (dev_overrides for this provider, a filesystem mirror for time).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
# Other jobs may share the machine: the page says how loaded it was.
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)

cache=${ROTATION_CACHE_DIR:-$HOME/.cache/terraform-provider-rotation}
bin=$cache/bin
runs=${BENCH_RUNS:-5}
scale=${BENCH_SCALE:-full}
out_page=${BENCH_OUT:-docs/benchmarks.md}
time_version=${TIME_PROVIDER_VERSION:-0.14.2}
rotation_now=2026-01-05T09:00:00Z
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

log() { printf 'bench [%4ds]: %s\n' "$(($(date +%s) - start))" "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

case $scale in
  full)  checker_ns=(100 1000 10000); existing_n=1000; foreach_ns=(500 1000); provider_n=200; hostile_mib=50 ;;
  quick) checker_ns=(10 100); existing_n=20; foreach_ns=(50 100); provider_n=20; hostile_mib=5 ;;
  *) die "BENCH_SCALE=$scale: use full or quick" ;;
esac
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=$runs is not a positive number"

work=$(mktemp -d "${TMPDIR:-/tmp}/rotation-bench.XXXXXX")
if [ "${BENCH_KEEP:-}" = 1 ]; then log "work directory: $work (kept)"; else trap 'rm -rf "$work"' EXIT; fi
results=$work/results.tsv
: >"$results"
: >"$work/sizes.tsv"
: >"$work/commands.txt"
: >"$work/exits.tsv"

# ---------------------------------------------------------------------------
# Tools and builds

[ -x "$bin/terraform" ] || bash tools/install-clis.sh terraform >/dev/null
[ -x "$bin/conftest" ] || bash tools/install-clis.sh conftest >/dev/null
[ -x "$bin/opa" ] || bash tools/install-clis.sh opa >/dev/null
if [ ! -x /usr/bin/time ]; then
  log "installing GNU time (apt-get) for peak memory"
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
terraform=$bin/terraform
conftest=$bin/conftest
opa=$bin/opa

log "building the provider, genplan, decodefloor"
mkdir -p "$work/bin" "$work/provider"
go build -o "$work/provider/terraform-provider-rotation" .
go build -o "$work/bin/genplan" ./tools/genplan
go build -o "$work/bin/decodefloor" ./tools/bench/decodefloor
go build -o "$work/bin/regofloor" ./tools/bench/regofloor
provider=$work/provider/terraform-provider-rotation
"$provider" policies --export "$work/bundle" >/dev/null

# The real hashicorp/time provider, built once into the cache and laid out
# as a filesystem mirror.
time_bin=$cache/bench/terraform-provider-time_v$time_version
if [ ! -x "$time_bin" ]; then
  log "building hashicorp/time v$time_version (go install; once)"
  mkdir -p "$cache/bench/gobin"
  (cd "$work" && GOBIN="$cache/bench/gobin" GOFLAGS=-mod=mod go install "github.com/hashicorp/terraform-provider-time@v$time_version") ||
    die "go install github.com/hashicorp/terraform-provider-time@v$time_version failed"
  cp "$cache/bench/gobin/terraform-provider-time" "$time_bin"
fi
mirror=$work/mirror/registry.terraform.io/hashicorp/time/$time_version/linux_amd64
mkdir -p "$mirror"
cp "$time_bin" "$mirror/terraform-provider-time_v$time_version"
cat >"$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/rotationkit/rotation" = "$work/provider"
  }
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/hashicorp/time"]
  }
}
RC
export TF_CLI_CONFIG_FILE=$work/terraform.rc

# ---------------------------------------------------------------------------
# Measurement

# measure SECTION CASE TOOL RUN COMMAND...: wall time (bash's clock) and
# peak RSS (GNU time) of one run; any failure stops the bench.
measure() {
  local section=$1 cas=$2 tool=$3 run=$4 t0 t1 rc=0
  shift 4
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" -ne 0 ]; then
    tail -n 20 "$work/stdout" "$work/stderr" >&2 || true
    die "$section / $cas / $tool (run $run) exited with $rc: $*"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$cas" "$tool" "$run" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')" "$(tail -n 1 "$work/rss")" >>"$results"
}

# measure_exit SECTION CASE TOOL RUN COMMAND...: as measure, but any exit
# code is a result (recorded in exits.tsv with the first line the command
# wrote), not a failure of the bench.
measure_exit() {
  local section=$1 cas=$2 tool=$3 run=$4 t0 t1 rc=0
  shift 4
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  t1=$EPOCHREALTIME
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$cas" "$tool" "$run" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')" "$(awk '/^[0-9]+$/ { m = $1 } END { print m + 0 }' "$work/rss")" >>"$results"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$cas" "$tool" "$run" "$rc" \
    "$(cat "$work/stdout" "$work/stderr" | grep -v '^Command exited' | head -n 1 | sed "s#$work/##g" | tr '\t' ' ' | cut -c1-200)" >>"$work/exits.tsv"
}

# cmd SECTION TEXT: the command as the page shows it.
cmd() { printf '%s\t%s\n' "$1" "$2" >>"$work/commands.txt"; }

# plan SECTION CASE FILE GENPLAN-ARGS...: generate one input plan.
plan() {
  local section=$1 cas=$2 file=$3
  shift 3
  "$work/bin/genplan" -q "$@" -o "$file"
  local resources
  resources=$(grep -o '"address":' "$file" | wc -l || true)
  printf '%s %s\t%s\t%s\n' "$section" "$cas" "$(stat -c %s "$file")" "$resources" >>"$work/sizes.tsv"
}

# ---------------------------------------------------------------------------
# 1. The checker against conftest

log "generating the checker's input plans"
mkdir -p "$work/plans"
checker_cases=("n=0 m=0")
plan checker "n=0 m=0" "$work/plans/n0-m0.json" -mode create -families 0 -unrelated 0
for n in "${checker_ns[@]}"; do
  for m in 0 $((10 * n)); do
    checker_cases+=("n=$n m=$m")
    plan checker "n=$n m=$m" "$work/plans/n$n-m$m.json" -mode create -families "$n" -unrelated "$m"
  done
done
existing_cases=()
for m in $((10 * existing_n)); do
  existing_cases+=("n=$existing_n m=$m")
  plan checker-existing "n=$existing_n m=$m" "$work/plans/existing-n$existing_n-m$m.json" -mode existing -families "$existing_n" -unrelated "$m"
done
for n in "${foreach_ns[@]}"; do
  plan checker-foreach "n=$n" "$work/plans/foreach-n$n.json" -mode create -layout for_each -families "$n"
  if [ ! -f "$work/plans/n$n-m0.json" ]; then
    plan checker-foreach-flat "n=$n" "$work/plans/flat-n$n.json" -mode create -families "$n"
  fi
done
cmd "inputs" "go run ./tools/genplan -mode create -families N -unrelated M -o plan.json            # N = ${checker_ns[*]}, M = 0 and 10 × N"
cmd "inputs" "go run ./tools/genplan -mode existing -families $existing_n -unrelated $((10 * existing_n)) -o plan.json   # 3 rotations done, no-op plan"
cmd "inputs" "go run ./tools/genplan -mode create -layout for_each -families N -o plan.json      # N = ${foreach_ns[*]}"
cmd "inputs" "terraform-provider-rotation policies --export bundle"
cmd "checker" "terraform-provider-rotation check plan.json"
cmd "checker" "conftest test --all-namespaces --no-color -p bundle plan.json"
cmd "checker" "go run ./tools/bench/decodefloor plan.json            # the floor: decode only"
cmd "checker" "go run ./tools/bench/decodefloor -convert plan.json   # decode + convert to an OPA value"
cmd "checker" "go run ./tools/bench/decodefloor -reader plan.json    # read alone: check's reader (internal/tfjson), then exit"

checker_run() { # SECTION CASE FILE RUN
  measure "$1" "$2" check "$4" "$provider" check "$3"
  measure "$1" "$2" conftest "$4" "$conftest" test --all-namespaces --no-color -p "$work/bundle" "$3"
  measure "$1" "$2" decode "$4" "$work/bin/decodefloor" "$3"
  measure "$1" "$2" convert "$4" "$work/bin/decodefloor" -convert "$3"
  measure "$1" "$2" read "$4" "$work/bin/decodefloor" -reader "$3"
}

nmax=${checker_ns[-1]}
cmd "checker" "GOMAXPROCS=1 terraform-provider-rotation check plan.json   # N = $nmax, pure: one core"
for run in $(seq 1 "$runs"); do
  log "checker: run $run of $runs"
  measure checker "n=0 m=0" check "$run" "$provider" check "$work/plans/n0-m0.json"
  for c in "${checker_cases[@]:1}"; do
    n=${c%% *}; n=${n#n=}; m=${c##*m=}
    checker_run checker "$c" "$work/plans/n$n-m$m.json" "$run"
  done
  for c in "${existing_cases[@]}"; do
    m=${c##*m=}
    checker_run checker-existing "$c" "$work/plans/existing-n$existing_n-m$m.json" "$run"
  done
  # The same plan of the largest size on one core: the CPU the rules take
  # per family, and how far the shards scale with the cores.
  measure checker-1core "n=$nmax m=0" check "$run" env GOMAXPROCS=1 "$provider" check "$work/plans/n$nmax-m0.json"
  for n in "${foreach_ns[@]}"; do
    measure checker-foreach "n=$n" check "$run" "$provider" check "$work/plans/foreach-n$n.json"
    if [ -f "$work/plans/flat-n$n.json" ]; then
      measure checker-foreach-flat "n=$n" check "$run" "$provider" check "$work/plans/flat-n$n.json"
    fi
  done
done
# The floor under the per-family target: what the records, the family links
# and one read of each attribute cost in OPA's evaluator, stage by stage, on
# one core (tools/bench/regofloor), on the plan of the middle size.
floor_n=${checker_ns[1]}
log "rule evaluation floor (regofloor) on $floor_n families"
cmd "floor" "go run ./tools/bench/regofloor -bundle bundle -runs $runs plan.json   # plan of $floor_n families, pure"
"$work/bin/regofloor" -bundle "$work/bundle" -runs "$runs" "$work/plans/n$floor_n-m0.json" >"$work/regofloor.tsv" ||
  die "regofloor failed on $work/plans/n$floor_n-m0.json"
rm -rf "$work/plans"

# ---------------------------------------------------------------------------
# 1b. A hostile or odd input: a valid document whose only big part is an
# array of small objects under a key no policy reads. encoding/json alone
# takes about a minute on the 50 MiB file, so the floor is not run here.

log "hostile input: $hostile_mib MiB of {\"a\":1} under an unknown key"
hostile=$work/hostile.json
{
  printf '{"format_version":"1.2","x":['
  { yes '{"a":1}' || true; } | head -n $((hostile_mib * 1048576 / 8)) | paste -sd, - | tr -d '\n'
  printf ']}\n'
} >"$hostile"
printf 'hostile\t%s\t0\n' "$(stat -c %s "$hostile")" >>"$work/sizes.tsv"
cmd "hostile" "{ printf '{\"format_version\":\"1.2\",\"x\":['; yes '{\"a\":1}' | head -n $((hostile_mib * 1048576 / 8)) | paste -sd, - | tr -d '\\n'; printf ']}\\n'; } >hostile.json   # $hostile_mib MiB"
cmd "hostile" "terraform-provider-rotation check hostile.json            # any exit code is recorded"
cmd "hostile" "go run ./tools/bench/decodefloor -reader hostile.json     # read alone"
for run in $(seq 1 "$runs"); do
  log "hostile: run $run of $runs"
  measure_exit hostile "x" check "$run" "$provider" check "$hostile"
  measure_exit hostile "x" read "$run" "$work/bin/decodefloor" -reader "$hostile"
done
rm -f "$hostile"

# ---------------------------------------------------------------------------
# 1c. The policy test suite, as tools/policy-test.sh runs it (no -v)

log "policy tests (opa test)"
cmd "policy-tests" "opa test --timeout 120s --format json policies   # as tools/policy-test.sh; each test's duration from the JSON"
for run in $(seq 1 "$runs"); do
  log "policy tests: run $run of $runs"
  measure_exit policy-tests "opa test" opa "$run" "$opa" test --timeout 120s --format json policies
  cp "$work/stdout" "$work/opa-test-$run.json"
done

# ---------------------------------------------------------------------------
# 2. The provider against time_rotating + terraform_data

log "provider: $provider_n rotation_secret vs $provider_n time_rotating + terraform_data"
mkdir -p "$work/rotation" "$work/alternative"
cat >"$work/rotation/main.tf" <<TF
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

resource "rotation_secret_family" "bench" {
  name         = "bench"
  purpose      = "Benchmark secrets."
  owner        = "team-a"
  backup_owner = "team-b"
}

resource "rotation_secret" "s" {
  count  = $provider_n
  family = rotation_secret_family.bench.id
  name   = "s\${count.index}"
  type   = "ed25519"

  schedule {
    period  = "30d"
    overlap = "1d"
    ttl     = "90d"
  }
}
TF
cat >"$work/alternative/main.tf" <<TF
terraform {
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "$time_version"
    }
  }
}

resource "time_rotating" "r" {
  count         = $provider_n
  rotation_days = 30
}

# Stands in for random_password, which cannot be installed from the Go
# module proxy: replaced whenever its time_rotating rotates (like keepers).
resource "terraform_data" "password" {
  count            = $provider_n
  triggers_replace = time_rotating.r[count.index].id
}
TF
(cd "$work/alternative" && "$terraform" init -input=false -no-color >/dev/null) || die "terraform init of the alternative failed (offline, filesystem mirror)"
cmd "provider" "cd alternative && terraform init -input=false        # offline: filesystem_mirror with hashicorp/time $time_version"
cmd "provider" "rm -f terraform.tfstate && terraform plan -input=false -no-color                 # plan"
cmd "provider" "rm -f terraform.tfstate && terraform apply -auto-approve -input=false -no-color  # apply"
cmd "provider" "terraform plan -input=false -no-color                                            # plan-steady"
cmd "provider" "# rotation: TF_CLI_CONFIG_FILE with dev_overrides, ROTATION_NOW=$rotation_now"

# Terraform runs in each directory through `env -C`, so that GNU time
# measures terraform itself.
for cfg in rotation alternative; do # warm-up, not measured
  env -C "$work/$cfg" ROTATION_NOW=$rotation_now "$terraform" plan -input=false -no-color >/dev/null
done
for run in $(seq 1 "$runs"); do
  log "provider: run $run of $runs"
  for cfg in rotation alternative; do
    rm -f "$work/$cfg"/terraform.tfstate*
    measure provider plan "$cfg" "$run" env -C "$work/$cfg" ROTATION_NOW=$rotation_now "$terraform" plan -input=false -no-color
    measure provider apply "$cfg" "$run" env -C "$work/$cfg" ROTATION_NOW=$rotation_now "$terraform" apply -auto-approve -input=false -no-color
    measure provider plan-steady "$cfg" "$run" env -C "$work/$cfg" ROTATION_NOW=$rotation_now "$terraform" plan -input=false -no-color
  done
done

# ---------------------------------------------------------------------------
# 3. Cost over time

log "state size over 100 rotations (provider protocol)"
ROTATION_BENCH_STATE_OUT=$work/state.json go test -count=1 -run '^TestBenchStateSize$' ./internal/provider >"$work/state-test.txt" ||
  { cat "$work/state-test.txt" >&2; die "TestBenchStateSize failed"; }
cmd "state" "ROTATION_BENCH_STATE_OUT=state.json go test -count=1 -run '^TestBenchStateSize\$' ./internal/provider"

log "state size after 5 rotations with the real Terraform CLI"
mkdir -p "$work/state"
cat >"$work/state/main.tf" <<'TF'
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

resource "rotation_secret" "s" {
  family = "unit"
  name   = "prod"
  type   = "ed25519"

  schedule {
    period      = "30d"
    overlap     = "1d"
    propagation = "1h"
    ttl         = "90d"
  }
}
TF
while read -r at; do
  [ -n "$at" ] || continue
  (cd "$work/state" && ROTATION_NOW=$at "$terraform" apply -auto-approve -input=false -no-color >/dev/null) || die "terraform apply at $at failed"
done <"$work/state.json.times"
cp "$work/state/terraform.tfstate" "$work/state-real.tfstate"
cmd "state" "for t in \$(cat state.json.times); do ROTATION_NOW=\$t terraform apply -auto-approve; done   # then read terraform.tfstate"

log "engine cost per plan (go test -bench BenchmarkDecide)"
go test -run '^$' -bench '^BenchmarkDecide$' -benchtime 200ms -count "$runs" ./internal/lifecycle >"$work/decide.txt"
cmd "engine" "go test -run '^\$' -bench '^BenchmarkDecide\$' -benchtime 200ms -count $runs ./internal/lifecycle"

# ---------------------------------------------------------------------------
# 4. Key generation

log "key generation (go test -bench BenchmarkGenerate)"
go test -run '^$' -bench '^BenchmarkGenerate$' -benchtime 500ms -count "$runs" ./internal/material >"$work/keygen.txt"
go test -run '^$' -bench '^BenchmarkGenerateRSA$' -benchtime 5x -count "$runs" ./internal/material >>"$work/keygen.txt"
cmd "keygen" "go test -run '^\$' -bench '^BenchmarkGenerate\$' -benchtime 500ms -count $runs ./internal/material"
cmd "keygen" "go test -run '^\$' -bench '^BenchmarkGenerateRSA\$' -benchtime 5x -count $runs ./internal/material   # 5 keys per run"

# ---------------------------------------------------------------------------
# Report

mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
{
  echo "date=$(date -u +'%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "nproc=$(nproc)"
  echo "memory=$(awk -v k="$mem_kb" 'BEGIN { printf "%.1f GiB", k / 1048576 }')"
  echo "os=$(uname -sr)$( [ -r /etc/os-release ] && . /etc/os-release && printf ', %s' "$PRETTY_NAME")"
  echo "go_version=$(go version | awk '{ print $3 }')"
  echo "terraform_version=$("$terraform" version | head -n 1 | awk '{ print $2 }')"
  echo "opa_version=$("$opa" version | awk '/^Version:/ { print $2 }')"
  echo "conftest_version=conftest $("$conftest" --version | awk '/^Conftest/ { c = $2 } /^OPA/ { o = $2 } END { printf "%s (OPA %s)", c, o }')"
  echo "check_opa=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)"
  echo "time_provider=$time_version"
  echo "runs=$runs"
  echo "scale=$scale"
  echo "existing_rotations=3"
  echo "provider_n=$provider_n"
  echo "elapsed_seconds=$(($(date +%s) - start))"
  echo "loadavg_start=$loadavg_start"
  echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "hostile_mib=$hostile_mib"
} >"$work/meta.txt"
go run ./tools/bench/report -dir "$work" -o "$out_page"
log "wrote $out_page (whole run: $(($(date +%s) - start)) s)"
