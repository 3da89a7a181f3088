#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each (default 20s).
#   tools/fuzz.sh [FUZZTIME]
# A crash is saved by `go test` under the package's testdata/fuzz/<Target>/:
# commit it as a seed so the regression test keeps it.
set -euo pipefail
fuzztime=${1:-20s}
cd "$(dirname "$0")/.."
found=0
while IFS= read -r file; do
  dir=$(dirname "$file")
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    found=$((found + 1))
    echo "fuzz: $target in ./$dir for $fuzztime"
    log=$(mktemp)
    # Short minimisation keeps the run near its time budget. Go reports
    # "context deadline exceeded" when the time budget ends while a worker is
    # still busy with an input; that is not a finding. A real finding always
    # says "Failing input written to testdata/fuzz/...", and fails the run.
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "./$dir" 2>&1 | tee "$log"; then
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
echo "fuzz: $found targets ran for $fuzztime each"
