// Package runbook writes the credential lifecycle plan of an architecture
// review (DESIGN.md §6, `terraform-provider-rotation runbook`): from the
// `terraform show -json` output of a plan or of a state, one page per secret
// family (purpose, storage, owners, blast radius, consumers and their caches,
// the overlap arithmetic against those caches, the rollout order with the
// concrete dates of the next accept, emit and revoke, verification steps,
// rollback with pin_active_version, the schedule and the next review) and a
// timeline of every version's pending, active and previous spans.
//
// The dates come from the lifecycle engine itself: each rotation_secret and
// rotation_schedule is turned into a [lifecycle.Spec] and [lifecycle.State]
// exactly as the provider does, and [lifecycle.Project] simulates an apply at
// every scheduled transition over the horizon. What the runbook shows is
// therefore what the provider will plan, provided someone applies on time.
//
// Reading: [Read] checks the document with the same rules (and the same
// one-line errors) as the `check` command (internal/policy), then collects
// the rotation resources of every module at any depth: from resource_changes
// (planned values; delete-only changes skipped) for a plan, from values for a
// state. Secrets and schedules are matched to their family through the
// configuration's references and, failing that, by the family name, as
// policies/lib/terraform.rego does.
//
// Secret material is never read: the reader only looks at named, public
// attributes (versions' numbers, kids, statuses and timestamps), so
// versions[].secret, active_secret and accepted_secrets cannot reach the
// output.
//
// Rendering: [Report.WriteMarkdown] embeds a Mermaid gantt chart per family;
// [Report.WriteHTML] writes one self-contained page (inline CSS, inline SVG
// timelines, no scripts and no external resources) that is also well-formed
// XML, so tests can parse it with encoding/xml.
package runbook
