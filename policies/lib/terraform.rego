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
package rotation.lib.terraform

import data.rotation.lib.duration
import data.rotation.lib.params

secret_types := {"rotation_secret", "rotation_schedule"}

family_type := "rotation_secret_family"

_rotation_types := secret_types | {family_type}

accepted_statuses := {"pending", "active", "previous"}

# ---------------------------------------------------------------------------
# Input kind

is_plan if input.resource_changes

is_plan if input.planned_values

is_state if {
	not is_plan
	input.values
}

# ---------------------------------------------------------------------------
# Resources of the rotation provider (nothing else is read, so other
# resources cost one type comparison each)
#
# A resource record: address, module ("" in the root module, else e.g.
# module.a["x"].module.b), type, rname (the resource name in the
# configuration), values (planned or current), unknown (after_unknown, {} for
# a state), before (the prior values, null on create and for a state).

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

_module_resources(root) := {r.address: _record(r.address, object.get(m, "address", ""), r, {"after": r.values}) |
	some m in _state_modules(root)
	some r in object.get(m, "resources", [])
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
	"values": _object_or_empty(object.get(change, "after", {})),
	"unknown": _object_or_empty(object.get(change, "after_unknown", {})),
	"before": object.get(change, "before", null),
}

_string_or_empty(s) := s if is_string(s)

_string_or_empty(s) := "" if not is_string(s)

_object_or_empty(o) := o if is_object(o)

_object_or_empty(o) := {} if not is_object(o)

# Modules of a planned_values or values tree: eight levels unrolled (cheap),
# anything deeper found with walk over what is left below them.
_state_modules(root) := array.concat(array.concat(array.concat(l0, l1), array.concat(l2, l3)), array.concat(array.concat(l4, l5), array.concat(array.concat(l6, l7), deeper))) if {
	l0 := [root]
	l1 := _child_modules(l0)
	l2 := _child_modules(l1)
	l3 := _child_modules(l2)
	l4 := _child_modules(l3)
	l5 := _child_modules(l4)
	l6 := _child_modules(l5)
	l7 := _child_modules(l6)
	deeper := [m |
		some parent in l7
		walk(object.get(parent, "child_modules", []), [path, m])
		_module_path(path, "child_modules")
		is_object(m)
	]
}

_child_modules(level) := [c | some m in level; some c in object.get(m, "child_modules", [])]

# path (relative to a child_modules list) leads to a module: [i],
# [i, "child_modules", j], ...
_module_path(path, key) if {
	count(path) % 2 == 1
	every i, p in path {
		_module_path_step(i, p, key)
	}
}

_module_path_step(i, p, _) if {
	i % 2 == 0
	is_number(p)
}

_module_path_step(i, p, key) if {
	i % 2 == 1
	p == key
}

# ---------------------------------------------------------------------------
# Values and unknowns

# value(r, path) is the value at path (array of keys) in r's values, null
# when absent.
value(r, path) := object.get(r.values, path, null)

# unknown(r, path) holds when the value at path, or anything containing it,
# is unknown until apply.
unknown(r, path) if _unknown_below(r.unknown[path[0]], path)

# _unknown_below(u, path): u (after_unknown at path[0]) marks path or a prefix
# of it unknown. Most lookups end at path[0], which after_unknown lacks.
_unknown_below(true, _)

_unknown_below(u, path) if u[path[1]] == true

_unknown_below(u, path) if u[path[1]][path[2]] == true

_unknown_below(u, path) if u[path[1]][path[2]][path[3]] == true

_unknown_below(u, path) if {
	count(path) > 4
	some n in numbers.range(4, count(path) - 1)
	object.get(u, array.slice(path, 1, n + 1), false) == true
}

# Attribute defaults the provider fills in; a hand-written input that omits
# them means the same thing.
_defaults := {
	"propagation": "0s",
	"jitter": "0s",
	"artifact_lifetime": "0s",
	"cache_ttl": "0s",
	"review_interval": "90d",
	"classification": "high",
	"role": "validator",
	"hold_revocation": false,
}

# field(r, path) describes the value at path for the rules:
#   {"state": "unknown"}                    unknown until apply
#   {"state": "null"}                       not set and no default
#   {"state": "known", "value": v}          set (or defaulted)
field(r, path) := {"state": "unknown"} if {
	unknown(r, path)
} else := {"state": "known", "value": v} if {
	v := value(r, path)
	v != null
} else := {"state": "known", "value": v} if {
	v := _defaults[path[count(path) - 1]]
} else := {"state": "null"}

# dur(r, path) is field() for a duration, with the seconds when valid:
#   {"state": "known", "value": "1h", "seconds": 3600}
#   {"state": "invalid", "value": "1 h"}, or field()'s unknown/null states.
dur(r, path) := _dur(field(r, path))

_dur(f) := {"state": "known", "value": f.value, "seconds": n} if {
	f.state == "known"
	n := _seconds(f.value)
} else := {"state": "invalid", "value": f.value} if {
	f.state == "known"
} else := f

# Duration strings repeat (every secret says "30d"), so each distinct one of
# the input is parsed once per evaluation.
_seconds(v) := _parsed[v]

_seconds(v) := duration.seconds(v) if not _parsed[v]

_parsed := {v: n |
	some v in _duration_strings
	n := duration.seconds(v)
}

_duration_strings contains v if {
	some s in secrets
	some v in s.values.schedule
	is_string(v)
}

_duration_strings contains v if {
	some f in families
	some k in ["artifact_lifetime", "review_interval"]
	v := f.values[k]
	is_string(v)
}

_duration_strings contains v if {
	some f in families
	some c in f.values.consumer
	v := c.cache_ttl
	is_string(v)
}

# sdur(s, ["schedule", key]) is dur(s, ["schedule", key]) of a secret or
# schedule, from sched: the rules read the same few durations of every
# secret many times, so they are computed once per evaluation.
sdur(s, path) := sched[s.address][path[1]]

sched := {a: {k: dur(s, ["schedule", k]) | some k in _schedule_keys} | some a, s in secrets}

_schedule_keys := ["period", "overlap", "propagation", "ttl", "jitter"]

# path_string(["schedule", "ttl"]) == "schedule.ttl";
# path_string(["consumer", 0, "cache_ttl"]) == "consumer[0].cache_ttl".
path_string(path) := trim_prefix(concat("", [_path_part(p) | some p in path]), ".")

_path_part(p) := sprintf("[%d]", [p]) if is_number(p)

_path_part(p) := sprintf(".%s", [p]) if is_string(p)

# unchecked(rule, r, path, f) is the message of a rule that could not be
# checked because field f (from field() or dur()) at path is unknown or not
# a valid duration. Undefined for a known value.
unchecked(rule, r, path, f) := sprintf("%s %s: could not be checked: %s is unknown until apply", [rule, r.address, path_string(path)]) if {
	f.state == "unknown"
}

unchecked(rule, r, path, f) := sprintf("%s %s: could not be checked: %s %q is not a duration (%s)", [rule, r.address, path_string(path), f.value, duration.pattern]) if {
	f.state == "invalid"
}

unchecked(rule, r, path, f) := sprintf("%s %s: could not be checked: %s is not set", [rule, r.address, path_string(path)]) if {
	f.state == "null"
}

# unchecked_of(rule, s, r, path, f) is unchecked() for a value of another
# resource r (the family of s): the message names s and where the value is.
unchecked_of(rule, s, r, path, f) := sprintf("%s %s: could not be checked: %s of %s is unknown until apply", [rule, s.address, path_string(path), r.address]) if {
	f.state == "unknown"
}

unchecked_of(rule, s, r, path, f) := sprintf("%s %s: could not be checked: %s of %s %q is not a duration (%s)", [rule, s.address, path_string(path), r.address, f.value, duration.pattern]) if {
	f.state == "invalid"
}

unchecked_of(rule, s, r, path, f) := sprintf("%s %s: could not be checked: %s of %s is not set", [rule, s.address, path_string(path), r.address]) if {
	f.state == "null"
}

# ---------------------------------------------------------------------------
# Versions of a secret (versions list) or a schedule (slots a and b)
#
# versions(r) is a list of {"v": version object, "path": path in values};
# a schedule's slots count once used (status other than "unused").

versions(r) := [{"v": v, "path": ["versions", i]} |
	some i, v in _list(value(r, ["versions"]))
	is_object(v)
] if r.type == "rotation_secret"

versions(r) := [{"v": v, "path": ["slots", k]} |
	some k, v in _obj(value(r, ["slots"]))
	is_object(v)
	object.get(v, "status", null) != "unused"
] if r.type == "rotation_schedule"

# versions_known(r) holds when the list of versions (or slots) is known.
versions_known(r) if {
	r.type == "rotation_secret"
	not unknown(r, ["versions"])
}

versions_known(r) if {
	r.type == "rotation_schedule"
	not unknown(r, ["slots"])
}

# The attribute that holds the versions, for messages.
versions_attr(r) := "versions" if r.type == "rotation_secret"

versions_attr(r) := "slots" if r.type == "rotation_schedule"

_list(x) := x if is_array(x)

_list(x) := [] if not is_array(x)

_obj(x) := x if is_object(x)

_obj(x) := {} if not is_object(x)

# prior_status[address][version] is the status a version had before this plan
# (only for plans of resources that already exist).
prior_status[address] := statuses if {
	some address, r in secrets
	is_object(r.before)
	statuses := {v.version: object.get(v, "status", null) |
		some v in _prior_versions(r)
		is_number(v.version)
	}
}

_prior_versions(r) := [v | some v in _list(object.get(r.before, "versions", []))] if r.type == "rotation_secret"

_prior_versions(r) := [v | some v in _obj(object.get(r.before, "slots", {})); is_object(v)] if r.type == "rotation_schedule"

# ---------------------------------------------------------------------------
# The family of each secret or schedule
#
# 1. Through the configuration: the family argument's references
#    (["rotation_secret_family.f.id", "rotation_secret_family.f"]) name a
#    family resource in the same module instance; with count/for_each the
#    instance whose name equals the secret's family value is taken.
# 2. Failing that (a state, a family passed in through a module variable or
#    output, a literal name): the family whose name equals the secret's family
#    value, preferring one in the same module instance.

family_of := {a: f | some a, s in secrets; f := _resolve(s)}

# Family addresses grouped by name, by configuration resource, and by
# configuration resource and name. Every lookup below goes through these
# maps, so matching N secrets to N families stays linear, also when the
# families are one resource with count or for_each.
_fam_keys := [{"address": a, "name": n, "conf": c, "conf_name": sprintf("%s|%s", [c, n])} |
	some a, f in families
	n := object.get(f.values, "name", null)
	c := _fam_conf(f.module, f.rname)
]

_fam_by_name := {n: addrs |
	some k in _fam_keys
	n := k.name
	addrs := sort([j.address | some j in _fam_keys; j.name == n])
}

_fam_by_conf := {c: addrs |
	some k in _fam_keys
	c := k.conf
	addrs := sort([j.address | some j in _fam_keys; j.conf == c])
}

_fam_by_conf_name := {c: addrs |
	some k in _fam_keys
	c := k.conf_name
	addrs := sort([j.address | some j in _fam_keys; j.conf_name == c])
}

_fam_conf(module, rname) := sprintf("%s|%s.%s", [module, family_type, rname])

_resolve(s) := a if {
	# References naming a family instance: rotation_secret_family.f["k"].
	c := _indexed_candidates(s)
	count(c) == 1
	a := c[0]
} else := a if {
	c := _indexed_candidates(s)
	name := value(s, ["family"])
	matches := [x | some x in c; families[x].values.name == name]
	a := matches[0]
} else := a if {
	# A reference to a family resource with a single instance.
	targets := _unindexed_targets(s)
	count(targets) == 1
	addrs := object.get(_fam_by_conf, sprintf("%s|%s", [s.module, targets[0]]), [])
	count(addrs) == 1
	a := addrs[0]
} else := a if {
	# A reference to a family resource with count/for_each: the instance
	# whose name is the secret's family value.
	name := value(s, ["family"])
	is_string(name)
	matches := sort([x |
		some t in _unindexed_targets(s)
		some x in object.get(_fam_by_conf_name, sprintf("%s|%s|%s", [s.module, t, name]), [])
	])
	a := matches[0]
} else := a if {
	name := value(s, ["family"])
	is_string(name)
	addrs := _fam_by_name[name]
	same := [x | some x in addrs; families[x].module == s.module]
	a := array.concat(same, addrs)[0]
}

# Family instances the configuration of s names with an instance key, in
# s's module instance.
_indexed_candidates(s) := sort({a |
	some t in _ref_targets(s)
	contains(t, "[")
	a := _in_module(s.module, t)
	families[a]
})

# Family resources the configuration of s refers to without an instance key.
_unindexed_targets(s) := sort({t | some t in _ref_targets(s); not contains(t, "[")})

_in_module("", t) := t

_in_module(module, t) := sprintf("%s.%s", [module, t]) if module != ""

# rotation_secret_family.f, rotation_secret_family.f["k"] or
# rotation_secret_family.f[0] from each reference of the family argument.
_ref_targets(s) := {t |
	some ref in object.get(_config_family_refs, _conf_key(s), [])
	is_string(ref)
	some m in regex.find_all_string_submatch_n(_ref_pattern, ref, 1)
	t := m[1]
}

_ref_pattern := `^(rotation_secret_family\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)(?:\.|$)`

_instance_key_pattern := `\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]`

# module.a["x"].module.b[0] -> module.a.module.b
_conf_key(s) := sprintf("%s|%s.%s", [regex.replace(s.module, _instance_key_pattern, ""), s.type, s.rname])

# References of the family argument of every secret and schedule in the
# configuration, keyed by module path (without instance keys) and resource.
_config_family_refs := {k: refs |
	some cm in _config_modules
	some cr in object.get(cm.module, "resources", [])
	cr.type in secret_types
	k := sprintf("%s|%s.%s", [cm.path, cr.type, cr.name])
	refs := object.get(cr, ["expressions", "family", "references"], [])
}

# Modules of the configuration with their paths (module.a.module.b): eight
# levels unrolled, anything deeper found with walk.
_config_modules := array.concat(array.concat(array.concat(l0, l1), array.concat(l2, l3)), array.concat(array.concat(l4, l5), array.concat(array.concat(l6, l7), deeper))) if {
	l0 := [{"path": "", "module": r} | r := input.configuration.root_module]
	l1 := _config_children(l0)
	l2 := _config_children(l1)
	l3 := _config_children(l2)
	l4 := _config_children(l3)
	l5 := _config_children(l4)
	l6 := _config_children(l5)
	l7 := _config_children(l6)
	deeper := [{"path": concat(".", [parent.path, _config_walk_path(path)]), "module": m} |
		some parent in l7
		walk(object.get(parent.module, "module_calls", {}), [path, m])
		_config_module_path(path)
		is_object(m)
	]
} else := []

_config_children(level) := [{"path": trim_prefix(concat(".", [parent.path, sprintf("module.%s", [name])]), "."), "module": call.module} |
	some parent in level
	some name, call in object.get(parent.module, "module_calls", {})
	is_object(call.module)
]

# A walk path below module_calls that leads to a module:
# [name, "module"], [name, "module", "module_calls", name2, "module"], ...
_config_module_path(path) if {
	count(path) % 3 == 2
	every i, p in path {
		_config_path_step(i % 3, p)
	}
}

_config_path_step(0, p) if is_string(p)

_config_path_step(1, "module")

_config_path_step(2, "module_calls")

_config_walk_path(path) := concat(".", [sprintf("module.%s", [p]) | some i, p in path; i % 3 == 0])

# ---------------------------------------------------------------------------
# Classification and the clock

# classification(s) is the field() of the classification of s's family
# (high when s has no family, as the provider defaults it); computed once
# per evaluation for every secret.
classification(s) := classifications[s.address]

classifications := {a: _classification(s) | some a, s in secrets}

_classification(s) := field(families[family_of[s.address]], ["classification"])

_classification(s) := {"state": "known", "value": "high", "no_family": true} if not family_of[s.address]

# as_of is the instant the time-based rules evaluate at, in nanoseconds, and
# as_of_source says where it came from: params.now, else the plan's
# timestamp, else (a state, or a plan from Terraform before 1.5) the current
# time.
as_of := time.parse_rfc3339_ns(params.now) if {
	params.now != ""
} else := time.parse_rfc3339_ns(input.timestamp) if {
	is_string(input.timestamp)
} else := time.now_ns()

as_of_source := "params.now" if {
	params.now != ""
} else := "plan timestamp" if {
	is_string(input.timestamp)
} else := "current time"

# as_of_text is as_of in RFC 3339 with its source, for messages.
as_of_text := sprintf("%s (%s)", [rfc3339(as_of), as_of_source])

# rfc3339(ns) formats nanoseconds since the epoch as RFC 3339 in UTC, to the
# second.
rfc3339(ns) := time.format([ns, "UTC", "2006-01-02T15:04:05Z07:00"])

# time_ns(x) parses an RFC 3339 string; undefined for anything else.
time_ns(x) := time.parse_rfc3339_ns(x) if is_string(x)

# family_note(s) names the family whose values a rule used for s.
family_note(s) := sprintf("family %s", [family_of[s.address]])

family_note(s) := "no family found, so classification high" if not family_of[s.address]

# ---------------------------------------------------------------------------
# Provider configurations of the rotation provider (plans only)

# provider_configs[key] is the configuration of the rotation provider under
# key ("rotation", "rotation.alias", "module.m:rotation").
provider_configs[key] := cfg if {
	some key, cfg in input.configuration.provider_config
	_is_rotation_provider(cfg)
}

_is_rotation_provider(cfg) if cfg.name == "rotation"

_is_rotation_provider(cfg) if endswith(object.get(cfg, "full_name", ""), "/rotation")
