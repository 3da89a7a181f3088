# The family of each secret or schedule, and its classification (package
# rotation.lib.terraform; see terraform.rego).
#
# 1. Through the configuration: the family argument's references
#    (["rotation_secret_family.f.id", "rotation_secret_family.f"]) name a
#    family resource in the same module instance; with count/for_each the
#    instance whose name equals the secret's family value is taken.
# 2. Failing that (a state, a family passed in through a module variable or
#    output, a literal name): the family whose name equals the secret's family
#    value, preferring one in the same module instance.
package rotation.lib.terraform

family_of := {a: f | some a, s in secrets; f := _resolve(s, _targets(s))}

# members are the addresses of each family's secrets and schedules, by the
# family's address, grouped in one pass (a scan of family_of per family
# would be quadratic). A rule that judges a family's values for each of its
# secrets walks the families with something to say and their members.
members[fa] contains a if {
	some a, fa in family_of
}

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

# _resolve(s, targets): the family of s, from the targets of its family
# argument's references (computed once per secret, see _targets).
_resolve(s, targets) := a if {
	# References naming a family instance: rotation_secret_family.f["k"].
	c := targets.indexed
	count(c) == 1
	a := c[0]
} else := a if {
	c := targets.indexed
	name := value(s, ["family"])
	matches := [x | some x in c; families[x].values.name == name]
	a := matches[0]
} else := a if {
	# A reference to a family resource with a single instance.
	count(targets.unindexed) == 1
	addrs := object.get(_fam_by_conf, sprintf("%s|%s", [s.module, targets.unindexed[0]]), [])
	count(addrs) == 1
	a := addrs[0]
} else := a if {
	# A reference to a family resource with count/for_each: the instance
	# whose name is the secret's family value.
	name := value(s, ["family"])
	is_string(name)
	matches := sort([x |
		some t in targets.unindexed
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

# _targets(s): what the references of s's family argument name:
#   indexed    family instances named with an instance key, in s's module
#              instance
#   unindexed  family resources named without an instance key
# The references are matched once per configuration block (see
# _config_family_targets); only the instances depend on s.
_targets(s) := {
	"indexed": sort({a |
		some t in conf.indexed
		a := _in_module(s.module, t)
		families[a]
	}),
	"unindexed": conf.unindexed,
} if {
	conf := _config_family_targets[_conf_key(s)]
} else := {"indexed": [], "unindexed": []}

_in_module("", t) := t

_in_module(module, t) := sprintf("%s.%s", [module, t]) if module != ""

_ref_pattern := `^(rotation_secret_family\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)(?:\.|$)`

_instance_key_pattern := `\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]`

# The key of s's configuration block in _config_family_targets.
_conf_key(s) := sprintf("%s|%s.%s", [_unkeyed(s.module), s.type, s.rname])

# module.a["x"].module.b[0] -> module.a.module.b (a path without instance
# keys, the common case, as it is).
_unkeyed(module) := module if {
	not contains(module, "[")
} else := regex.replace(module, _instance_key_pattern, "")

# What the references of the family argument of every secret and schedule
# in the configuration name, keyed by module path (without instance keys)
# and resource: rotation_secret_family.f, rotation_secret_family.f["k"] or
# rotation_secret_family.f[0] from each reference, split into those with an
# instance key (indexed) and those without (unindexed), each sorted.
_config_family_targets := {k: {"indexed": sort({t | some t in targets; contains(t, "[")}), "unindexed": sort({t | some t in targets; not contains(t, "[")})} |
	some cm in _config_modules
	some cr in object.get(cm.module, "resources", [])
	cr.type in secret_types
	k := sprintf("%s|%s.%s", [cm.path, cr.type, cr.name])
	targets := {t |
		some ref in object.get(cr, ["expressions", "family", "references"], [])
		is_string(ref)
		some m in regex.find_all_string_submatch_n(_ref_pattern, ref, 1)
		t := m[1]
	}
}

# Modules of the configuration with their paths (module.a.module.b), see
# modules.rego; none without a configuration (a state).
_config_modules := _modules("configuration", input.configuration.root_module) if {
	input.configuration.root_module
} else := []

# consumers are the consumers of each family, by the family's address, in
# the order declared: {"path": ["consumer", i], "name": the name as written
# (null when absent), "role": field() of its role, "cache": dur() of its
# cache_ttl}. Computed once per evaluation for the rules of every package.
consumers := {a: _consumers(f) | some a, f in families}

_consumers(f) := [{"path": ["consumer", i], "name": object.get(c, "name", null), "role": field(f, ["consumer", i, "role"]), "cache": dur(f, ["consumer", i, "cache_ttl"])} |
	some i, c in array_or_empty(value(f, ["consumer"]))
]

# consumers_unknown are the families whose consumer list is unknown until
# apply, by address.
consumers_unknown := {a | some a, f in families; unknown(f, ["consumer"])}

# classification(s) is the field() of the classification of s's family
# (high when s has no family, as the provider defaults it); computed once
# per evaluation for every secret.
classification(s) := classifications[s.address]

classifications := {a: _classification(s) | some a, s in secrets}

_classification(s) := field(f, ["classification"]) if {
	f := families[family_of[s.address]]
} else := {"state": "known", "value": defaults.classification, "no_family": true} if {
	not family_of[s.address]
}
