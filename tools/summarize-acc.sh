#!/usr/bin/env bash
# Reads `go test -v` output of the acceptance tests on stdin, echoes it, and
# fails when any acceptance test was skipped or none ran: in `make test` the
# acceptance tests must really run against the named CLI.
#   go test -v -run '^TestAcc' ./internal/provider/... | tools/summarize-acc.sh terraform
set -uo pipefail
cli=${1:?usage: summarize-acc.sh CLI-NAME}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tee "$log"
passed=$(grep -cE '^\s*--- PASS: TestAcc' "$log")
failed=$(grep -cE '^\s*--- FAIL: TestAcc' "$log")
skipped=$(grep -cE '^\s*--- SKIP: TestAcc' "$log")
# Tests that reproduce a documented known issue skip themselves with a
# message starting "known issue"; every other skip is a failure here.
known=$(grep -cE '^\s+\S+_test.go:[0-9]+: known issue' "$log")
# Tests of features the CLI does not have (ephemeral resources on Terraform
# 1.5.7) skip themselves through tfversion; they run on the other CLI.
newer=$(grep -cE '^\s+\S+_test.go:[0-9]+: Terraform CLI version \S+ is below minimum version' "$log")
steps=$(grep -oE 'acceptance steps: [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
echo "acceptance on $cli: $passed passed, $failed failed, $skipped skipped ($known known issues, $newer need a newer CLI), $steps steps"
if [ "$skipped" -gt $((known + newer)) ]; then
  echo "acceptance on $cli: tests were skipped; in make test every acceptance test must run (is TF_ACC set?)" >&2
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "acceptance on $cli: no acceptance test ran" >&2
  exit 1
fi
[ "$failed" -eq 0 ]
