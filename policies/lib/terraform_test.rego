package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

_fam_values(name) := object.union(mock.base_family, {"name": name})

_sec_values(family) := object.union(mock.base_secret, {"family": family})

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

test_planned_values_without_resource_changes if {
	doc := {"format_version": "1.2", "planned_values": _deep_state.values}
	r := tf.resources with input as doc
	count(r) == 2
	tf.is_plan with input as doc
}

test_deleted_and_forgotten_resources_are_skipped if {
	doc := mock.plan([
		object.union(mock.fam({}), {"actions": ["delete"]}),
		object.union(mock.sec({}), {"actions": ["forget"]}),
		object.union(object.union(mock.sec({}), {"address": "rotation_secret.r"}), {"actions": ["delete", "create"]}),
	])
	r := tf.resources with input as doc
	object.keys(r) == {"rotation_secret.r"}
}

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

_rc(address, module, type, name, values) := {"address": address, "module_address": module, "mode": "managed", "type": type, "name": name, "change": {"actions": ["create"], "before": null, "after": values, "after_unknown": {}}}

_conf(name, refs) := {"address": sprintf("rotation_secret.%s", [name]), "mode": "managed", "type": "rotation_secret", "name": name, "expressions": {"family": {"references": refs}}}

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

test_config_modules_at_any_depth if {
	deep := {"configuration": {"root_module": {"module_calls": {"a": {"module": {"module_calls": {"b": {"module": {"module_calls": {"c": {"module": {"module_calls": {"d": {"module": {"module_calls": {"e": {"module": {"module_calls": {"f": {"module": {"module_calls": {"g": {"module": {"module_calls": {"h": {"module": {"module_calls": {"i": {"module": {"module_calls": {"j": {"module": {"resources": [_conf("s", ["rotation_secret_family.f.id"])]}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}
	paths := {m.path | some m in tf._config_modules} with input as deep
	"module.a.module.b.module.c.module.d.module.e.module.f.module.g.module.h.module.i.module.j" in paths
	count(paths) == 11
	refs := tf._config_family_refs with input as deep
	refs["module.a.module.b.module.c.module.d.module.e.module.f.module.g.module.h.module.i.module.j|rotation_secret.s"] == ["rotation_secret_family.f.id"]
}

test_unknown_paths if {
	r := {"unknown": {"schedule": {"ttl": true}, "versions": [{"expires_at": true}], "consumer": true}}
	tf.unknown(r, ["schedule", "ttl"])
	not tf.unknown(r, ["schedule", "period"])
	tf.unknown(r, ["versions", 0, "expires_at"])
	not tf.unknown(r, ["versions", 0, "status"])
	tf.unknown(r, ["consumer", 3, "cache_ttl"])
}

test_field_and_dur if {
	r := {"values": {"schedule": {"ttl": "45d", "overlap": "2 h", "period": null}}, "unknown": {"schedule": {"jitter": true}}}
	tf.dur(r, ["schedule", "ttl"]) == {"state": "known", "value": "45d", "seconds": 3888000}
	tf.dur(r, ["schedule", "overlap"]) == {"state": "invalid", "value": "2 h"}
	tf.dur(r, ["schedule", "period"]) == {"state": "null"}
	tf.dur(r, ["schedule", "jitter"]) == {"state": "unknown"}
	tf.dur(r, ["schedule", "propagation"]) == {"state": "known", "value": "0s", "seconds": 0}
}

test_path_string if {
	tf.path_string(["consumer", 0, "cache_ttl"]) == "consumer[0].cache_ttl"
	tf.path_string(["schedule", "ttl"]) == "schedule.ttl"
}

test_as_of if {
	t := tf.as_of_text with input as mock.plan([])
	t == "2026-01-05T09:00:00Z (plan timestamp)"
	t2 := tf.as_of_text with input as mock.plan([]) with data.rotation.params as {"now": "2027-01-01T00:00:00Z"}
	t2 == "2027-01-01T00:00:00Z (params.now)"
	s := tf.as_of_source with input as mock.state([]) with data.rotation.params as {}
	s == "current time"
}

test_provider_configs if {
	doc := {"configuration": {"provider_config": {
		"rotation": {"name": "rotation"},
		"module.m:rotation.x": {"name": "rotation", "full_name": "registry.opentofu.org/rotationkit/rotation"},
		"aws": {"name": "aws"},
	}}}
	keys := object.keys(tf.provider_configs) with input as doc
	keys == {"rotation", "module.m:rotation.x"}
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

test_unknown_deep_paths if {
	r := {"unknown": {"a": {"b": {"c": {"d": {"e": {"f": true}}}}}}}
	tf.unknown(r, ["a", "b", "c", "d", "e", "f"])
	tf.unknown(r, ["a", "b", "c", "d", "e", "f", "g"])
	not tf.unknown(r, ["a", "b", "c", "d", "e", "x"])
	not tf.unknown(r, ["a", "b", "c", "d", "e"])
	tf.unknown({"unknown": {"a": {"b": {"c": {"d": true}}}}}, ["a", "b", "c", "d", "e"])
}
