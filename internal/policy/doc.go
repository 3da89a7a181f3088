// Package policy evaluates the bundled Rego policies (and any extra policy
// directories) against Terraform plan and state JSON with OPA embedded.
//
// The engine follows conftest's conventions so that `check` and
// `conftest test --all-namespaces` give the same verdicts on the same input:
// every package may define rules named deny, violation, warn or those names
// followed by _suffix (conftest's patterns); deny and violation rules fail,
// warn rules warn; their values are sets (or arrays) of strings or of objects
// with a string "msg"; an `exception` rule in a package drops the results of
// the rules it names. The bundle's messages start with the rule id and the
// resource address ("ROT020 rotation_secret.jwt: ..."), which is how a
// finding gets its Rule and Resource.
//
// Evaluation is done with one prepared query for the whole policy set
// (compiled once by New) and one parsed input value per document: see
// Engine.Evaluate.
package policy
