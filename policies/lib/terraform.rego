# METADATA
# title: Terraform plan and state reader
# description: |
#   Reads `terraform show -json` output of a plan or of a state (OpenTofu
#   writes the same format) into flat maps the rules join through:
#   resources by address, families, secrets and schedules, and the family of
#   each secret. Everything is computed once per evaluation, in time linear in
#   the size of the input.
#
#   Plan: the resources are resource_changes (every managed resource, no-ops
#   included); a resource whose only action is delete (or forget) is skipped;
#   values are change.after (the planned values) and change.after_unknown
#   marks what is unknown until apply. A plan without resource_changes is read
#   from planned_values. State: values.root_module. Child modules count at any
#   depth.
#
#   The package is split by concern, one file each (all package
#   rotation.lib.terraform):
#     terraform.rego  resource types, the kind of input, value coercions
#     resources.rego  the rotation resources of the input, as records
#     modules.rego    the module trees of values and of the configuration
#     fields.rego     values, unknowns, provider defaults, durations, the
#                     schedule durations of every secret (sched, sched_gaps)
#     messages.rego   attribute paths and "could not be checked" messages
#     versions.rego   versions (slots) of a secret (schedule), prior statuses
#     family.rego     the family of each secret, each family's members, the
#                     classification
#     clock.rego      the instant the time-based rules evaluate at
#     providers.rego  configurations of the rotation provider
package rotation.lib.terraform

secret_types := {"rotation_secret", "rotation_schedule"}

family_type := "rotation_secret_family"

_rotation_types := secret_types | {family_type}

# ---------------------------------------------------------------------------
# Input kind

is_plan if input.resource_changes

is_plan if input.planned_values

is_state if {
	not is_plan
	input.values
}

# ---------------------------------------------------------------------------
# Value coercions

# array_or_empty(x) is x when it is an array, else [] (null, absent or
# unknown lists read as empty).
array_or_empty(x) := x if is_array(x)

else := []

_object_or_empty(o) := o if is_object(o)

else := {}

_string_or_empty(s) := s if is_string(s)

else := ""
