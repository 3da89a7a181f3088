// Package tfjson is where plan and state JSON is read: the output of
// `terraform show -json` (and `tofu show -json`), for the `check` and
// `runbook` commands (internal/policy.ReadInputFile and ReadInput are thin
// wrappers over ReadFile and Read).
//
// # What it keeps
//
// The reader streams the document once and keeps only what the policy
// bundle (policies/, library in policies/lib/) reads, built directly as an
// OPA value: no Go value of the whole document is ever made. Everything
// else is checked for JSON syntax only, and dropped without being
// allocated. The filter is the table of nodes in filter.go; the paths it
// keeps, and what reads them:
//
//	format_version, terraform_version,       the top-level scalars; timestamp is the
//	timestamp, applyable, complete, errored  instant of the time-based rules (clock.rego)
//	resource_changes[i]                      resources.rego: a plan's resources; an entry is
//	                                         kept whole when its type is one of RotationTypes
//	planned_values.root_module               resources.rego (a plan without resource_changes)
//	values.root_module                       resources.rego (a state)
//	prior_state.values.root_module           (the prior state of a plan, for the runbook and
//	                                         the rules on the record; format_version and
//	                                         terraform_version of prior_state too)
//	  each module: address, resources[i]     modules.rego, resources.rego: the module skeleton,
//	  (rotation types, whole), child_modules  and the rotation resources kept whole
//	configuration.provider_config            providers.rego: every entry, whole
//	configuration.root_module                family.rego, modules.rego: the module skeleton
//	  each module: resources[i] (rotation     (module_calls[name].source and .module) and the
//	  types, whole), module_calls[name]       rotation resources, whole (expressions.family.
//	  .source and .module                     references link a secret to its family)
//
// Dropped: variables, output_changes, resource_drift, relevant_attributes,
// checks, planned_values.outputs, every resource of another type, the
// other keys of the configuration's modules and module calls (variables,
// outputs, expressions, count and for_each expressions), and any key this
// list does not name. The bundle reads planned_values.root_module only
// when a plan has no resource_changes array, but it is kept anyway: its
// resources are equal to change.after and cost almost nothing (see below).
//
// TestBundleReadsOnlyKeptPaths parses every policy file of the bundle and
// fails when one references an `input.` path the filter drops (or the
// whole input); TestRotationTypesMatchBundle compares RotationTypes with the
// bundle's _rotation_types. A rule that starts reading another part of the
// document, or another resource type, must be added to the table and to
// this list.
//
// With ReadOptions.KeepAll the whole document is kept: `check --policy`
// uses it, since extra modules may read anything. Because the bundle reads
// only what is kept, its verdicts are the same either way, and the same as
// conftest's on the whole document (internal/cli's parity test).
//
// # What it checks
//
// The syntax is exactly what encoding/json accepts, including nesting
// depth (MaxDepth, encoding/json's limit; deeper is refused with its own
// message) and invalid UTF-8 in strings (accepted, coerced to U+FFFD when
// kept); the last of duplicate keys wins, as in encoding/json. The parts
// the bundle reads must have the shape Terraform writes, or the document is
// refused naming the JSON path, e.g. "resource_changes[3].change.actions:
// expected an array of strings, found a number": the entries of
// resource_changes and of every module's resources are objects with string
// address, mode, type and name (and module_address when present); a change
// is an object with an array of strings actions; module trees, module calls
// and provider configurations are objects (null is accepted where
// Terraform omits a part). Numbers OPA cannot represent (exponents beyond
// its range) are refused where they are kept, as ast.InterfaceToValue
// refuses them. FuzzReader checks that for any document the reader hands
// Rego exactly what encoding/json (UseNumber), the same filter written over
// map[string]any, and ast.InterfaceToValue would, and refuses the same
// documents.
//
// Errors are one line and name the file, JSON paths, kinds and byte
// offsets: never a value of the document (a state holds secrets in clear).
//
// # Memory
//
// Kept values are built small: keys and short strings are interned, terms
// and string bytes come from slabs, and equal arrays and objects are built
// once (hash consing), which plans repeat a lot (every resource's
// after_unknown and sensitive marks, change windows, planned_values' copy
// of each change.after). A document whose kept part would need more than
// ReadOptions.MaxMemory (estimated from the bytes of JSON kept and the size
// of the value built from them, see MemoryBase) is refused as soon as the
// reader knows it.
//
// # Deferred resources
//
// With ReadOptions.Defer (`check` without --policy), each rotation
// resource is checked as it would be built but kept as its JSON bytes, with
// a Head (what the shard plan of internal/policy reads: address, type,
// actions, the family or name value, the family references); its place in
// Value holds a placeholder. Document.Resolve builds the values of the
// resources in one shard's document, Document.Materialize the whole value (what a read without
// Defer gives, less the parts the bundle never reads: prior_state,
// planned_values beside a resource_changes array, the configuration blocks
// of families). The JSON of a resource takes less memory than its OPA value
// (each OPA object carries its own hash map), and only the shards being
// evaluated are values at any time. A Head is read straight from the JSON
// (scanHead) unless the resource holds a number OPA might refuse (an
// exponent or a long literal: then it is built, which finds the error with
// its path). FuzzReader and FuzzReaderShapes check, for any document, that a
// deferred read refuses what a plain read refuses with the same message,
// that its materialized value is the plain value less those parts, and that
// every Head is the head of the value built.
package tfjson
