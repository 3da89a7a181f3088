# Values, unknowns and defaults of a resource record, and durations
# (package rotation.lib.terraform; see terraform.rego).
package rotation.lib.terraform

import data.rotation.lib.duration

# value(r, path) is the value at path (array of keys) in r's values, null
# when absent.
value(r, path) := object.get(r.values, path, null)

# unknown(r, path) holds when the value at path, or anything containing it,
# is unknown until apply.
unknown(r, path) if _unknown_below(r.unknown[path[0]], path)

# _unknown_below(u, path): u (after_unknown at path[0]) marks path or a prefix
# of it unknown. Most lookups end at path[0], which after_unknown lacks, or
# at path[1]. Each step is one definition with an else branch: the first
# that holds ends the call (a function of several definitions evaluates
# every one of them), and a key after_unknown lacks ends it at once.
_unknown_below(u, path) if {
	u == true
} else if {
	_unknown_below1(u[path[1]], path)
}

_unknown_below1(u, path) if {
	u == true
} else if {
	_unknown_below2(u[path[2]], path)
}

_unknown_below2(u, path) if {
	u == true
} else if {
	_unknown_below3(u[path[3]], path)
}

# u is after_unknown at path[0..3]: a longer prefix of path.
_unknown_below3(u, path) if {
	u == true
} else if {
	count(path) > 4
	some n in numbers.range(4, count(path) - 1)
	object.get(u, array.slice(path, 4, n + 1), false) == true
}

# sensitive(r, path) holds when the plan or state marks the value at path
# sensitive (the configuration wrapped it in sensitive(), or the schema marks
# it): the value itself, anything containing it, or anything inside it
# (a list or map with one marked element counts as a whole). Messages and
# reports show "(sensitive)" instead of such a value (see shown()).
#
# A record of the reader (resources) lists the attributes marked anywhere in
# marked_keys, so an attribute without marks, the common case, costs one set
# lookup; a hand-made record without marked_keys takes the full lookup.
sensitive(r, path) if {
	_may_be_marked(r, path[0])
	marked(r.sensitive, path)
}

_may_be_marked(r, k) if {
	r.marked_keys[k]
} else if {
	r.marked_keys["*"]
} else if {
	not r.marked_keys
}

# marked(marks, path): marks (after_sensitive, before_sensitive or
# sensitive_values) mark the value at path, a prefix of it, or something
# below it. Most lookups end at path[0], which the marks lack.
marked(marks, path) if _marked_at(marks, marks[path[0]], path)

# _marked_at(marks, m, path): m, the marks at path[0], is true, or marks
# mark a longer prefix of path, or something below it.
_marked_at(_, true, _)

_marked_at(marks, m, path) if {
	not is_boolean(m)
	some n in numbers.range(2, count(path))
	object.get(marks, array.slice(path, 0, n), false) == true
}

_marked_at(marks, m, path) if {
	not is_boolean(m)
	below := object.get(marks, path, false)
	not is_boolean(below)
	walk(below, [_, true])
}

# defaults are the attribute defaults the provider fills in, keyed by the
# attribute's name (the last key of its path); a hand-written input that
# omits them means the same thing. They are the constants of the Go package
# internal/defaults (defaults.ByAttribute), and TestDefaultsAgree in
# internal/policy checks that both say the same.
defaults := {
	"propagation": "0s",
	"jitter": "0s",
	"artifact_lifetime": "0s",
	"cache_ttl": "0s",
	"review_interval": "90d",
	"classification": "high",
	"role": "validator",
	"hold_revocation": false,
	# rotation_secret.material, and versions[*].material of a version
	# recorded before derived mode existed: the material is kept in state.
	"material": "state",
}

# field(r, path) describes the value at path for the rules:
#   {"state": "unknown"}                    unknown until apply
#   {"state": "null"}                       not set and no default
#   {"state": "known", "value": v}          set (or defaulted)
# A known value marked sensitive carries "sensitive": true (see sensitive()).
#
# The first two branches are the common cases, answered in a few steps:
# nothing about the attribute is unknown or marked (it is one of the
# record's plain_keys), and the value is set, or not.
field(r, path) := {"state": "known", "value": v} if {
	r.plain_keys[path[0]]
	v := object.get(r.values, path, null)
	v != null
} else := _default(path) if {
	# Not set, and nothing about it unknown or marked: the provider's
	# default, or null.
	r.plain_keys[path[0]]
} else := {"state": "unknown"} if {
	unknown(r, path)
} else := _known(r, path, v) if {
	v := value(r, path)
	v != null
} else := _default(path)

# The provider's default of the attribute at path, or null.
_default(path) := {"state": "known", "value": v} if {
	v := defaults[path[count(path) - 1]]
} else := {"state": "null"}

_known(r, path, v) := {"state": "known", "value": v, "sensitive": true} if {
	sensitive(r, path)
} else := {"state": "known", "value": v}

# dur(r, path) is field() for a duration, with the seconds when valid:
#   {"state": "known", "value": "1h", "seconds": 3600}
#   {"state": "invalid", "value": "1 h"}, or field()'s unknown/null states.
dur(r, path) := _dur(field(r, path))

_dur(f) := {"state": "known", "value": f.value, "seconds": n} if {
	f.state == "known"
	not f.sensitive
	n := _seconds(f.value)
} else := {"state": "known", "value": f.value, "seconds": n, "sensitive": true} if {
	f.state == "known"
	n := _seconds(f.value)
} else := {"state": "invalid", "value": f.value} if {
	f.state == "known"
	not f.sensitive
} else := {"state": "invalid", "value": f.value, "sensitive": true} if {
	f.state == "known"
} else := f

# Duration strings repeat (every secret says "30d"): OPA keeps the result
# of a function call for the rest of the evaluation, keyed by its
# arguments, so each distinct string is parsed once.
_seconds(v) := duration.seconds(v)

# sdur(s, ["schedule", key]) is dur(s, ["schedule", key]) of a secret or
# schedule, from sched: the rules read the same few durations of every
# secret many times, so they are computed once per evaluation.
sdur(s, path) := sched[s.address][path[1]]

sched := {a: _sched(s) | some a, s in secrets}

# _sched(s) is {key: dur(s, ["schedule", key])} for the five durations. In
# a plan, after_unknown mentions the schedule block of every secret (its
# change window's days), so field() would take its full lookup for every
# duration. When nothing at or below the block is marked and after_unknown
# names none of the five keys, each duration is its value (or the
# provider's default) and is resolved from the value alone: the same
# "30d" of many secrets is resolved once.
_sched(s) := {k: _plain_dur(k, object.get(s.values, ["schedule", k], null)) | some k in _schedule_keys} if {
	keys := s.marked_keys
	not keys.schedule
	not keys["*"]
	u := object.get(s.unknown, "schedule", {})
	is_object(u)
	count(object.keys(u) & _schedule_key_set) == 0
} else := {k: dur(s, ["schedule", k]) | some k in _schedule_keys}

_schedule_key_set := {k | some k in _schedule_keys}

# dur() of the duration k whose value is v, neither marked nor unknown.
_plain_dur(k, v) := _dur({"state": "known", "value": v}) if {
	v != null
} else := _dur({"state": "known", "value": d}) if {
	d := defaults[k]
} else := {"state": "null"}

# sched_gaps are the schedule durations the rules cannot check, by secret
# (or schedule) and key: {address: {key: reason()}}, for a duration unknown
# until apply, not set or not a duration; a secret whose five durations
# are known is absent. The rules' gaps come from here, so a plan whose
# durations are known pays for them once per secret, not once per rule.
sched_gaps := {a: gaps |
	some a, ds in sched
	gaps := {k: reason(["schedule", k], d) | some k, d in ds; d.state != "known"}
	count(gaps) > 0
}

_schedule_keys := ["period", "overlap", "propagation", "ttl", "jitter"]
