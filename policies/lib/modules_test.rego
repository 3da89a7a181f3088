package rotation.lib.terraform_test

import data.rotation.lib.terraform as tf

# A state with a family and a secret ten modules down (deeper than the
# unrolled levels, so found through walk).
_deep_state := {"format_version": "1.0", "values": {"root_module": _deep_module(10)}}

_deep_module(depth) := m if {
	addresses := [concat(".", [sprintf("module.m%d", [i]) | some i in numbers.range(1, d)]) | some d in numbers.range(0, depth)]
	leaf := {
		"address": addresses[depth],
		"resources": [
			{"address": sprintf("%s.rotation_secret_family.f", [addresses[depth]]), "mode": "managed", "type": "rotation_secret_family", "name": "f", "values": _fam_values("deep")},
			{"address": sprintf("%s.rotation_secret.s", [addresses[depth]]), "mode": "managed", "type": "rotation_secret", "name": "s", "values": _sec_values("deep")},
			{"address": sprintf("%s.data.rotation_secret.x", [addresses[depth]]), "mode": "data", "type": "rotation_secret", "name": "x", "values": {}},
		],
	}
	m := _wrap(leaf, addresses, depth)
}

# Nest leaf in ten parents (Rego has no recursion, so the ten levels are
# written out).
_wrap(leaf, a, 10) := {"child_modules": [{"address": a[1], "child_modules": [{"address": a[2], "child_modules": [{"address": a[3], "child_modules": [{"address": a[4], "child_modules": [{"address": a[5], "child_modules": [{"address": a[6], "child_modules": [{"address": a[7], "child_modules": [{"address": a[8], "child_modules": [{"address": a[9], "child_modules": [leaf]}]}]}]}]}]}]}]}]}]}

test_state_modules_at_any_depth if {
	r := tf.resources with input as _deep_state
	object.keys(r) == {
		"module.m1.module.m2.module.m3.module.m4.module.m5.module.m6.module.m7.module.m8.module.m9.module.m10.rotation_secret_family.f",
		"module.m1.module.m2.module.m3.module.m4.module.m5.module.m6.module.m7.module.m8.module.m9.module.m10.rotation_secret.s",
	}
	f := tf.family_of with input as _deep_state
	f["module.m1.module.m2.module.m3.module.m4.module.m5.module.m6.module.m7.module.m8.module.m9.module.m10.rotation_secret.s"] == "module.m1.module.m2.module.m3.module.m4.module.m5.module.m6.module.m7.module.m8.module.m9.module.m10.rotation_secret_family.f"
	tf.is_state with input as _deep_state
}

test_state_module_paths if {
	paths := [m.path | some m in tf._modules("values", _deep_state.values.root_module)]
	count(paths) == 11
	paths[0] == ""
	paths[1] == "module.m1"
	paths[10] == "module.m1.module.m2.module.m3.module.m4.module.m5.module.m6.module.m7.module.m8.module.m9.module.m10"
}

test_planned_values_without_resource_changes if {
	doc := {"format_version": "1.2", "planned_values": _deep_state.values}
	r := tf.resources with input as doc
	count(r) == 2
	tf.is_plan with input as doc
}

test_config_modules_at_any_depth if {
	deep := {"configuration": {"root_module": {"module_calls": {"a": {"module": {"module_calls": {"b": {"module": {"module_calls": {"c": {"module": {"module_calls": {"d": {"module": {"module_calls": {"e": {"module": {"module_calls": {"f": {"module": {"module_calls": {"g": {"module": {"module_calls": {"h": {"module": {"module_calls": {"i": {"module": {"module_calls": {"j": {"module": {"resources": [_conf("s", ["rotation_secret_family.f.id"])]}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}
	paths := {m.path | some m in tf._config_modules} with input as deep
	"module.a.module.b.module.c.module.d.module.e.module.f.module.g.module.h.module.i.module.j" in paths
	count(paths) == 11
	targets := tf._config_family_targets with input as deep
	targets["module.a.module.b.module.c.module.d.module.e.module.f.module.g.module.h.module.i.module.j|rotation_secret.s"] == {"indexed": [], "unindexed": ["rotation_secret_family.f"]}
}

test_config_modules_siblings_and_no_configuration if {
	doc := {"configuration": {"root_module": {"module_calls": {
		"a": {"module": {"module_calls": {"x": {"module": {}}}}},
		"b": {"module": {}},
		"broken": {"source": "./gone"},
	}}}}
	paths := {m.path | some m in tf._config_modules} with input as doc
	paths == {"", "module.a", "module.a.module.x", "module.b"}
	tf._config_modules == [] with input as {"values": {"root_module": {}}}
}
