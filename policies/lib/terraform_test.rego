# Tests of the Terraform reader, one file per file of the library
# (terraform.rego: here; resources.rego: resources_test.rego; ...). The
# builders below are shared by them.
package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

_fam_values(name) := object.union(mock.base_family, {"name": name})

_sec_values(family) := object.union(mock.base_secret, {"family": family})

# _rc: one resource_changes entry, created by the plan.
_rc(address, module, type, name, values) := {"address": address, "module_address": module, "mode": "managed", "type": type, "name": name, "change": {"actions": ["create"], "before": null, "after": values, "after_unknown": {}}}

# _conf: a rotation_secret of the configuration whose family argument has
# these references.
_conf(name, refs) := {"address": sprintf("rotation_secret.%s", [name]), "mode": "managed", "type": "rotation_secret", "name": name, "expressions": {"family": {"references": refs}}}

test_input_kind if {
	tf.is_plan with input as mock.plan([])
	not tf.is_state with input as mock.plan([])
	tf.is_state with input as mock.state([])
	not tf.is_plan with input as mock.state([])
	not tf.is_plan with input as {}
	not tf.is_state with input as {}
}

test_array_or_empty if {
	tf.array_or_empty([1]) == [1]
	tf.array_or_empty(null) == []
	tf.array_or_empty({"a": 1}) == []
}
