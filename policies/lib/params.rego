# METADATA
# title: Policy parameters
# description: |
#   The parameters of the rotation policies, read from data.rotation.params
#   (conftest --data FILE with a top-level `rotation: {params: {...}}`, or the
#   checker's --params) and merged key by key over the defaults below, so a
#   params file only needs the keys it changes. See policies/README.md.
package rotation.lib.params

import data.rotation.lib.duration

defaults := {
	# Longest schedule.ttl per family classification (ROT001).
	"max_ttl": {"critical": "30d", "high": "90d", "medium": "180d", "low": "365d"},
	# Teams allowed as owner/backup_owner (ROT011); empty allows any.
	"allowed_owners": [],
	# RE2 pattern every owner/backup_owner must match in full (ROT011); empty allows any.
	"owner_pattern": "",
	# overlap must exceed required_overlap times this factor (ROT020).
	"overlap_cache_factor": 1,
	# false: an overdue review (ROT013) warns; true: it denies.
	"enforce_review": false,
	# false: a gated revocation waiting past max_wait (ROT033) warns; true:
	# it denies.
	"enforce_max_wait": false,
	# RFC 3339 instant the time-based rules (ROT003, ROT013, ROT042)
	# evaluate at; empty means the plan's timestamp (or, for a state, the
	# current time).
	"now": "",
	# "deny": a safety rule whose input is unknown until apply (or not set,
	# or invalid) denies, since the apply could break it unseen; "warn":
	# it only warns that it could not be checked (ROT001-ROT003,
	# ROT020-ROT023, ROT031).
	"unknown_inputs": "deny",
	# Addresses (or globs: * any characters, ? one, [abc] a class, \[ a
	# literal bracket) of secrets and schedules a plan may delete, replace
	# or forget on purpose: ROT024 warns instead of denying for them.
	"decommission": [],
	# Per family classification: true makes ROT050 (secret material kept in
	# clear in state and plans, material = "state") deny instead of warn
	# for secrets of that classification, i.e. requires material =
	# "derived".
	"require_derived_material": {"critical": false, "high": false, "medium": false, "low": false},
	# Accepted findings: a list of {rule, resource (an address or a glob),
	# reason, expires (a UTC date YYYY-MM-DD, valid through the end of that
	# day), approver}. A covered deny or warn is reported as waived; a
	# waiver with a problem, or expired, is itself a deny (ROT090). See
	# lib/waivers.rego.
	"waivers": [],
}

# The parameters as given; {} when data.rotation.params is absent or not an
# object (a YAML file with an empty `params:` key gives null).
given := p if {
	p := data.rotation.params
	is_object(p)
} else := {}

_get(key) := v if {
	v := given[key]
	v != null
} else := defaults[key]

# The classification -> duration map, the given entries over the defaults.
max_ttl := object.union(defaults.max_ttl, m) if {
	m := given.max_ttl
	is_object(m)
} else := defaults.max_ttl

# The classification -> boolean map of require_derived_material, the given
# entries over the defaults (a null entry keeps the default).
require_derived_material := object.union(defaults.require_derived_material, {k: v | some k, v in m; v != null}) if {
	m := given.require_derived_material
	is_object(m)
} else := defaults.require_derived_material

allowed_owners := {o | some o in _get("allowed_owners")} if is_array(_get("allowed_owners"))

else := set()

# A parameter given with the wrong type is reported in invalid (and makes
# the rules that read it "could not be checked") instead of being ignored.
_wrong_type contains ["allowed_owners", "a list of team names"] if {
	not is_array(_get("allowed_owners"))
}

_wrong_type contains ["owner_pattern", "a string"] if {
	not is_string(_get("owner_pattern"))
}

_wrong_type contains ["enforce_review", "true or false"] if {
	not is_boolean(_get("enforce_review"))
}

_wrong_type contains ["enforce_max_wait", "true or false"] if {
	not is_boolean(_get("enforce_max_wait"))
}

_wrong_type contains ["max_ttl", "a map of classification to duration"] if {
	m := given.max_ttl
	m != null
	not is_object(m)
}

_wrong_type contains ["require_derived_material", "a map of classification to true or false"] if {
	m := given.require_derived_material
	m != null
	not is_object(m)
}

_wrong_type contains ["now", "an RFC 3339 string"] if {
	not is_string(_get("now"))
}

_wrong_type contains ["unknown_inputs", `"deny" or "warn"`] if {
	not _get("unknown_inputs") in {"deny", "warn"}
}

_wrong_type contains ["decommission", "a list of resource addresses or globs"] if {
	not is_array(_get("decommission"))
}

invalid contains sprintf("params.%s %s is not %s", [key, json.marshal(given[key]), want]) if {
	some [key, want] in _wrong_type
}

owner_pattern := _get("owner_pattern")

overlap_cache_factor := _get("overlap_cache_factor")

enforce_review := _get("enforce_review") == true

enforce_max_wait := _get("enforce_max_wait") == true

now := _get("now")

unknown_inputs := _get("unknown_inputs")

# waivers is the list as given (lib/waivers.rego checks it: its problems
# are ROT090 findings, not invalid parameters, so that check reports them
# with the other findings).
waivers := _get("waivers")

# decommission is the list of address patterns that are valid strings
# (the others are reported in invalid).
decommission := [p | some p in _get("decommission"); _valid_glob(p)] if is_array(_get("decommission"))

else := []

# A glob OPA can compile (glob.match is undefined for one it cannot).
_valid_glob(p) if {
	is_string(p)
	is_boolean(glob.match(p, null, ""))
}

# Problems with the parameters themselves; the rules that use a broken
# parameter report them as "could not be checked" warnings.
invalid contains sprintf("params.max_ttl.%s %s is not a duration", [k, _quote(v)]) if {
	some k, v in max_ttl
	not duration.valid(v)
}

invalid contains sprintf("params.require_derived_material.%s %s is not true or false", [k, json.marshal(v)]) if {
	some k, v in require_derived_material
	not is_boolean(v)
}

invalid contains sprintf("params.owner_pattern %q is not a valid regular expression", [owner_pattern]) if {
	is_string(owner_pattern)
	not regex.is_valid(owner_pattern)
}

invalid contains sprintf("params.overlap_cache_factor %s is not a number >= 0", [json.marshal(overlap_cache_factor)]) if {
	not _nonneg_number(overlap_cache_factor)
}

invalid contains sprintf("params.now %q is not an RFC 3339 time", [now]) if {
	is_string(now)
	now != ""
	not time.parse_rfc3339_ns(now)
}

invalid contains sprintf("params.allowed_owners %s is not a list of strings", [json.marshal(_get("allowed_owners"))]) if {
	is_array(_get("allowed_owners"))
	some o in _get("allowed_owners")
	not is_string(o)
}

invalid contains sprintf("params.decommission[%d] %s is not an address or a valid glob", [i, json.marshal(p)]) if {
	is_array(_get("decommission"))
	some i, p in _get("decommission")
	not _valid_glob(p)
}

# A value for a message: a string quoted, anything else as JSON.
_quote(v) := sprintf("%q", [v]) if is_string(v)

_quote(v) := json.marshal(v) if not is_string(v)

_nonneg_number(x) if {
	is_number(x)
	x >= 0
}
