// Package ops answers the day-2 questions about the rotations of a state:
// what is due now (the `due` command, [Due]) and what the dashboards show
// (the `metrics` command, [NewCollector] and [WriteMetrics]).
//
// Reading: like the runbook, the package does not read Terraform's JSON
// itself. [Read] evaluates the policy bundle's normalized view of a
// document (policies/lib/view.rego) with [runbook.Evaluate] and turns it
// into the runbook's model with [runbook.Build]: every rotation_secret and
// rotation_schedule becomes the [lifecycle.Spec] and [lifecycle.State] the
// provider builds from the same attributes. That conversion lives in one
// place (internal/runbook); this package only asks the engine.
//
// Deciding: what is due at an instant t is exactly what
// [lifecycle.Decide] decides at t, the call the provider's plan makes; the
// transitions due within a window are those of [lifecycle.Project] (an
// apply at every scheduled transition), and the next one after is
// [lifecycle.NextTransition]. A test in internal/provider drives the real
// provider through its protocol at many instants and holds `due` to what
// each plan actually does.
//
// Limits, from what a state records: a rotate request (a changed
// rotate_triggers) and a type change waiting for a pending version are
// decided from the configuration, which a state does not hold, so `due`
// reports the schedule's transitions only. Secret material is never read:
// the view holds public attributes only (numbers, kids, statuses and
// timestamps).
package ops
