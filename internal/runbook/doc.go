// Package runbook writes the credential lifecycle plan of an architecture
// review (the `runbook` command of docs/design.md): from the
// `terraform show -json` output of a plan or of a state, one page per
// secret family (purpose, storage, owners, blast radius, consumers and
// their caches, the overlap arithmetic against those caches, the rollout
// order with the concrete dates of the next accept, emit and revoke,
// verification steps, rollback with pin_active_version, the schedule and
// the next review) and a timeline of every version's pending, active and
// previous spans.
//
// Reading: the package does not read Terraform's JSON itself. The document
// is read by the `check` command's reader (policy.ReadInputFile, with the
// same one-line errors) and [Evaluate] evaluates, in one query of the
// policy engine, the bundle's rules and its normalized view of the document
// (policies/lib/view.rego, data.rotation.lib.view.document): every
// rotation resource with its fields (defaults filled in, unknown values
// marked), parsed durations, family, consumers and caches, controls and
// versions. The Rego library is the single interpreter of plan and state
// JSON, so the runbook sees the resources, the family matching and the
// unknown values exactly as the rules do.
//
// Verdicts: the runbook judges nothing itself. The ✓/✗/⚠ of the overlap
// arithmetic, the notes that name a rule and the lists of other findings
// come from the findings of that same evaluation (with `check`'s
// --params and --policy), and [Report.Verdicts] lists them per resource;
// a test holds them equal to `check`'s over every fixture. The numbers of
// the arithmetic come from the view and the parameters as the rules see
// them.
//
// The dates come from the lifecycle engine itself: each rotation_secret and
// rotation_schedule is turned into a [lifecycle.Spec] and [lifecycle.State]
// exactly as the provider does, and [lifecycle.Project] simulates an apply at
// every scheduled transition over the horizon. What the runbook shows is
// therefore what the provider will plan, provided someone applies on time.
// Recorded history comes from [lifecycle.Version.History].
//
// Secret material is never read: the view holds only named, public
// attributes (versions' numbers, kids, statuses and timestamps), so
// versions[].secret, active_secret and accepted_secrets cannot reach the
// output.
//
// Rendering: [Report.WriteMarkdown] embeds a Mermaid gantt chart per family;
// [Report.WriteHTML] writes one self-contained page (inline CSS, inline SVG
// timelines, no scripts and no external resources) that is also well-formed
// XML, so tests can parse it with encoding/xml.
package runbook
