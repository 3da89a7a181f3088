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
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir"
  done
done < <(git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz' | sort)
echo "fuzz: $found targets ran for $fuzztime each"
