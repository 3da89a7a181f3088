package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

# Family resolution through the configuration. Two families share the name
# "shared": references decide; a family passed through a module variable is
# found by name, preferring the same module instance.
_resolution_plan := {
	"format_version": "1.2",
	"timestamp": mock.now,
	"resource_changes": [
		_rc("rotation_secret_family.a", "", "rotation_secret_family", "a", _fam_values("shared")),
		_rc("module.m[\"x\"].rotation_secret_family.a", "module.m[\"x\"]", "rotation_secret_family", "a", _fam_values("shared")),
		_rc("rotation_secret_family.each[\"p\"]", "", "rotation_secret_family", "each", _fam_values("p-fam")),
		_rc("rotation_secret_family.each[\"q\"]", "", "rotation_secret_family", "each", _fam_values("q-fam")),
		_rc("rotation_secret.by_ref", "", "rotation_secret", "by_ref", _sec_values("shared")),
		_rc("module.m[\"x\"].rotation_secret.by_ref", "module.m[\"x\"]", "rotation_secret", "by_ref", _sec_values("shared")),
		_rc("rotation_secret.by_index", "", "rotation_secret", "by_index", _sec_values("q-fam")),
		_rc("rotation_secret.by_each[\"p\"]", "", "rotation_secret", "by_each", _sec_values("p-fam")),
		_rc("rotation_secret.by_each[\"q\"]", "", "rotation_secret", "by_each", _sec_values("q-fam")),
		_rc("module.m[\"x\"].module.k.rotation_secret.by_var", "module.m[\"x\"].module.k", "rotation_secret", "by_var", _sec_values("p-fam")),
		_rc("rotation_secret.literal", "", "rotation_secret", "literal", _sec_values("shared")),
		_rc("module.n.rotation_secret.elsewhere", "module.n", "rotation_secret", "elsewhere", _sec_values("shared")),
	],
	"configuration": {"root_module": {
		"resources": [
			_conf("by_ref", ["rotation_secret_family.a.id", "rotation_secret_family.a"]),
			_conf("by_index", ["rotation_secret_family.each[\"q\"].id", "rotation_secret_family.each[\"q\"]", "rotation_secret_family.each"]),
			_conf("by_each", ["rotation_secret_family.each", "each.key"]),
			_conf("literal", []),
		],
		"module_calls": {"m": {"module": {
			"resources": [_conf("by_ref", ["rotation_secret_family.a.id", "rotation_secret_family.a"])],
			"module_calls": {"k": {"module": {"resources": [_conf("by_var", ["var.family"])]}}},
		}}},
	}},
}

test_family_resolution if {
	f := tf.family_of with input as _resolution_plan
	f == {
		"rotation_secret.by_ref": "rotation_secret_family.a",
		"module.m[\"x\"].rotation_secret.by_ref": "module.m[\"x\"].rotation_secret_family.a",
		"rotation_secret.by_index": "rotation_secret_family.each[\"q\"]",
		"rotation_secret.by_each[\"p\"]": "rotation_secret_family.each[\"p\"]",
		"rotation_secret.by_each[\"q\"]": "rotation_secret_family.each[\"q\"]",
		"module.m[\"x\"].module.k.rotation_secret.by_var": "rotation_secret_family.each[\"p\"]",
		# by name: two families are called "shared"; the one in the same module wins
		"rotation_secret.literal": "rotation_secret_family.a",
		# by name, none in the same module: the first by address
		"module.n.rotation_secret.elsewhere": "module.m[\"x\"].rotation_secret_family.a",
	}
}

test_indexed_reference_wins_without_a_known_name if {
	doc := {
		"format_version": "1.2",
		"resource_changes": [
			_rc("rotation_secret_family.each[\"p\"]", "", "rotation_secret_family", "each", _fam_values("p-fam")),
			_rc("rotation_secret_family.each[\"q\"]", "", "rotation_secret_family", "each", _fam_values("q-fam")),
			object.union(
				_rc("rotation_secret.by_index", "", "rotation_secret", "by_index", _sec_values(null)),
				{"change": {"after_unknown": {"family": true}}},
			),
		],
		"configuration": {"root_module": {"resources": [_conf("by_index", ["rotation_secret_family.each[\"q\"].id", "rotation_secret_family.each[\"q\"]", "rotation_secret_family.each"])]}},
	}
	f := tf.family_of with input as doc
	f == {"rotation_secret.by_index": "rotation_secret_family.each[\"q\"]"}
}

test_classification if {
	doc := mock.state([mock.fam({"classification": "critical"}), mock.sec({}), object.union(mock.sec({"family": "none"}), {"address": "rotation_secret.orphan"})])
	c := tf.classifications with input as doc
	c["rotation_secret.s"] == {"state": "known", "value": "critical"}
	c["rotation_secret.orphan"] == {"state": "known", "value": "high", "no_family": true}
	tf.family_note({"address": "rotation_secret.s"}) == "family rotation_secret_family.f" with input as doc
	tf.family_note({"address": "rotation_secret.orphan"}) == "no family found, so classification high" with input as doc
}
