#!/usr/bin/env bash
# Runs every Go fuzz target in the module on a fixed number of generated
# inputs each (the budgets below, about 20 s apiece on the 2-core machine).
#   tools/fuzz.sh [BUDGET]
# BUDGET, when given, replaces every target's: a count of inputs ("50000x")
# or a duration ("5m") for a longer search by hand. A count, not a time, so
# that whether a run finds something does not depend on the machine's
# speed: a slow machine takes longer to try the same number of inputs.
# A crash is saved by `go test` under the package's testdata/fuzz/<Target>/:
# commit it as a seed so the regression test keeps it.
set -euo pipefail
override=${1:-}
cd "$(dirname "$0")/.."

# Inputs per target. A new target needs a line here: the run refuses one
# without it.
budget_of() {
  case "$1" in
    FuzzParse) echo 1000000x ;;
    FuzzEngine) echo 25000x ;;
    FuzzThumbprint | FuzzPublicFromSecret) echo 600000x ;;
    FuzzDerive) echo 400000x ;;
    FuzzRunbook) echo 1500x ;;
    FuzzReader) echo 30000x ;;
    FuzzReaderShapes) echo 10000x ;;
    *) return 1 ;;
  esac
}

found=0
while IFS= read -r file; do
  dir=$(dirname "$file")
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    found=$((found + 1))
    budget=$override
    if [ -z "$budget" ] && ! budget=$(budget_of "$target"); then
      echo "fuzz: $target in ./$dir has no budget: add it to budget_of in tools/fuzz.sh (a count of inputs that takes about 20 s, e.g. 10000x)" >&2
      exit 2
    fi
    echo "fuzz: $target in ./$dir for $budget"
    log=$(mktemp)
    # Short minimisation keeps the run near its budget. -timeout is wide: a
    # count of inputs takes as long as the machine needs. Go reports "context
    # deadline exceeded" when a duration budget ends while a worker is still
    # busy with an input; that is not a finding. A real finding always says
    # "Failing input written to testdata/fuzz/...", and fails the run.
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" -fuzzminimizetime 5s -timeout 60m "./$dir" 2>&1 | tee "$log"; then
      if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
        echo "fuzz: $target: the time budget ended mid-input (context deadline exceeded); no failing input, not a finding"
      else
        rm -f "$log"
        exit 1
      fi
    fi
    rm -f "$log"
  done
done < <(git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz' | sort)
echo "fuzz: $found targets ran"
