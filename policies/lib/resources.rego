# Resources of the rotation provider, as records (package
# rotation.lib.terraform; see terraform.rego). Nothing else is read, so other
# resources cost one type comparison each.
#
# A resource record: address, module ("" in the root module, else e.g.
# module.a["x"].module.b), type, rname (the resource name in the
# configuration), values (planned or current), unknown (after_unknown, {} for
# a state), before (the prior values, null on create and for a state),
# sensitive (after_sensitive of a plan, sensitive_values of planned values
# and states: the same shape as values, true where a value is marked
# sensitive), before_sensitive, marked_keys (the top-level attributes with
# a mark at or below them) and plain_keys (the attributes set, with no mark
# at or below them and not mentioned by after_unknown).
package rotation.lib.terraform

resources := {rc.address: _record(rc.address, object.get(rc, "module_address", ""), rc, rc.change) |
	some rc in input.resource_changes
	_rotation_types[rc.type]
	rc.mode == "managed"
	not _skipped_actions[_actions_key(rc.change.actions)]
} if {
	is_array(input.resource_changes)
} else := _module_resources(input.planned_values.root_module) if {
	is_object(input.planned_values)
} else := _module_resources(input.values.root_module)

families := {a: r | some a, r in resources; r.type == family_type}

secrets := {a: r | some a, r in resources; r.type in secret_types}

_module_resources(root) := {r.address: _record(r.address, m.path, r, {"after": r.values, "after_sensitive": object.get(r, "sensitive_values", {})}) |
	some m in _modules("values", root)
	some r in object.get(m.module, "resources", [])
	_rotation_types[r.type]
	r.mode == "managed"
}

_skipped_actions := {"delete", "forget"}

_actions_key(actions) := concat(",", actions)

_record(address, module, r, change) := {
	"address": address,
	"module": _string_or_empty(module),
	"type": r.type,
	"rname": r.name,
	"values": values,
	"unknown": unknown,
	"before": object.get(change, "before", null),
	"sensitive": object.get(change, "after_sensitive", {}),
	"before_sensitive": object.get(change, "before_sensitive", {}),
	"marked_keys": marked_keys,
	"plain_keys": _plain_keys(values, unknown, marked_keys),
} if {
	values := _object_or_empty(object.get(change, "after", {}))
	unknown := _object_or_empty(object.get(change, "after_unknown", {}))
	marked_keys := _marked_keys(object.get(change, "after_sensitive", {}))
}

# _marked_keys(marks) are the top-level attributes marks (after_sensitive or
# sensitive_values) mark anywhere at or below them, computed once per
# resource: sensitive() asks for the marks of an attribute only when its
# name is in this set, which most are not. Marks that are not an object (a
# hand-written input) give "*", which sends every attribute to the full
# lookup.
_marked_keys(marks) := {p[0] | walk(marks, [p, true]); count(p) > 0} if is_object(marks)

else := {"*"}

# _plain_keys(values, unknown, marked_keys) are the attributes set in values
# that after_unknown does not mention and no mark is at or below, computed
# with three set operations per resource: field() answers an attribute of
# this set in a few steps, the common case. An attribute after_unknown
# mentions only to say that nothing in it is unknown (a block of known
# values) takes the full lookup, which says the same.
_plain_keys(values, unknown, marked_keys) := set() if {
	marked_keys["*"]
} else := (object.keys(values) - object.keys(unknown)) - marked_keys

# removals are the secrets and schedules a plan deletes (plan -destroy, a
# resource gone from the configuration, a for_each key renamed without a
# moved block), replaces (-replace, a changed name) or forgets (a removed
# block), keyed by address: {address, module, type, rname, actions,
# before, before_sensitive}. ROT024 reads them; every other rule reads
# resources, which skips what a plan only deletes or forgets and holds a
# replaced resource with its new values. Empty for a state.
removals := {rc.address: _removal(rc) |
	some rc in input.resource_changes
	rc.type in secret_types
	is_object(rc.change.before)
	rc.mode == "managed"
	some action in rc.change.actions
	action in _skipped_actions
}

_removal(rc) := {
	"address": rc.address,
	"module": _string_or_empty(object.get(rc, "module_address", "")),
	"type": rc.type,
	"rname": rc.name,
	"actions": rc.change.actions,
	"before": rc.change.before,
	"before_sensitive": object.get(rc.change, "before_sensitive", {}),
}
