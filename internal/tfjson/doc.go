// Package tfjson is where plan and state JSON is read: the output of
// `terraform show -json` (and `tofu show -json`) for the `check` and
// `runbook` commands.
package tfjson
