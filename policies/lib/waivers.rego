# METADATA
# title: Waivers
# description: |
#   params.waivers: accepted findings, each with a rule id, a resource glob,
#   a reason, an approver and an expiry date (UTC, valid through the end of
#   that day). Every rule package filters its deny and warn sets through
#   kept() and reports what a valid waiver covers in its waived set
#   (covered()); the problems of the waivers themselves are ROT090
#   (policies/waivers/waivers.rego), which no waiver covers. See
#   policies/README.md, Waivers.
package rotation.lib.waivers

import data.rotation.lib.params
import data.rotation.lib.terraform as tf

# The fields every waiver must set, in the order messages name them.
required := ["rule", "resource", "reason", "expires", "approver"]

# The rule ids no waiver may name.
unwaivable := {"ROT090"}

_what := {
	"rule": "the rule id it waives, e.g. ROT020",
	"resource": `a resource address or glob, e.g. "module.legacy.rotation_secret.*"`,
	"reason": "why the finding is accepted, e.g. a ticket",
	"expires": "the last day the waiver holds, a UTC date YYYY-MM-DD",
	"approver": "who accepted the risk, e.g. a team",
}

# list is params.waivers when it is a list; [] otherwise (then problems says
# so).
list := params.waivers if is_array(params.waivers)

else := []

# problems: one entry per thing wrong with params.waivers, with the path it
# is at (params.waivers[2].expires), what is wrong and the fix. ROT090
# denies each.
problems contains {"path": "params.waivers", "index": -1, "text": sprintf("params.waivers %s is not a list; write a list of waivers, each {rule, resource, reason, expires, approver}, or [] for none", [_json(params.waivers)])} if {
	not is_array(params.waivers)
}

problems contains {"path": sprintf("params.waivers[%d]", [i]), "index": i, "text": sprintf("params.waivers[%d] %s is not an object; write {rule, resource, reason, expires, approver}", [i, _json(w)])} if {
	some i, w in list
	not is_object(w)
}

problems contains _problem(i, w, f, sprintf("is missing; set it to %s", [_what[f]])) if {
	some i, w in list
	is_object(w)
	some f in required
	_missing(w, f)
}

problems contains _problem(i, w, f, sprintf("%s is not a string; set it to %s", [_json(w[f]), _what[f]])) if {
	some i, w in list
	is_object(w)
	some f in required
	not _missing(w, f)
	not is_string(w[f])
}

problems contains _problem(i, w, "rule", sprintf("%q is not a rule id; set it to the id a finding starts with, e.g. ROT020", [w.rule])) if {
	some i, w in list
	_string(w, "rule")
	not regex.match(`^[A-Z][A-Z0-9_-]*[0-9]$`, w.rule)
}

problems contains _problem(i, w, "rule", sprintf("%q cannot be waived: a broken or expired waiver must be fixed, not waived; remove this waiver", [w.rule])) if {
	some i, w in list
	_string(w, "rule")
	w.rule in unwaivable
}

problems contains _problem(i, w, "resource", sprintf("%q is not a valid glob; use * (any characters), ? (one), [abc] (a class) and \\[ for a literal bracket", [w.resource])) if {
	some i, w in list
	_string(w, "resource")
	not _valid_glob(w.resource)
}

problems contains _problem(i, w, "expires", sprintf("%q is not a UTC date; write YYYY-MM-DD, e.g. 2027-03-01 (the waiver holds through the end of that day, UTC)", [w.expires])) if {
	some i, w in list
	_string(w, "expires")
	not _end_ns(w.expires)
	not _too_late(w.expires)
}

# A well-formed date after 2262-04-10: Rego's clock (nanoseconds since
# 1970 in 64 bits) cannot hold it. A waiver is meant to end; say so.
problems contains _problem(i, w, "expires", sprintf("%q is later than 2262-04-10, the last day the policies can compare; a waiver must end: write a nearer date YYYY-MM-DD, e.g. 2027-03-01", [w.expires])) if {
	some i, w in list
	_string(w, "expires")
	not _end_ns(w.expires)
	_too_late(w.expires)
}

_too_late(date) if {
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, date)
	date > "2262-04-10"
}

problems contains _problem(i, w, "expires", sprintf("%q has passed: the waiver held through %s and the evaluation time is %s; it waives nothing now. Fix the finding and remove the waiver, or renew it with a new expires and approval", [w.expires, tf.rfc3339(_end_ns(w.expires) - 1000000000), tf.as_of_text])) if {
	some i, w in list
	_string(w, "expires")
	tf.as_of >= _end_ns(w.expires)
}

_problem(i, w, f, text) := {
	"path": sprintf("params.waivers[%d].%s", [i, f]),
	"index": i,
	"text": sprintf("params.waivers[%d]%s: %s %s", [i, _label(w), f, text]),
}

# " (ROT020 on "module.legacy.*")" when the waiver names both, for messages.
_label(w) := sprintf(" (%s on %q)", [w.rule, w.resource]) if {
	_string(w, "rule")
	_string(w, "resource")
} else := ""

_missing(w, f) if not f in object.keys(w)

_missing(w, f) if w[f] == null

_missing(w, f) if {
	is_string(w[f])
	trim_space(w[f]) == ""
}

_string(w, f) if {
	is_object(w)
	is_string(w[f])
	trim_space(w[f]) != ""
}

_valid_glob(p) if is_boolean(glob.match(p, null, ""))

# _end_ns(date): the first instant after the day date (YYYY-MM-DD, UTC), in
# nanoseconds; undefined for anything else. time.parse_ns rejects
# impossible dates (2027-02-30).
_end_ns(date) := time.add_date(time.parse_ns("2006-01-02", date), 0, 0, 1) if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, date)
}

_json(x) := json.marshal(x)

# valid: the waivers with no problem, by index.
valid[i] := w if {
	some i, w in list
	not _has_problem(i)
}

_has_problem(i) if {
	some p in problems
	p.index == i
}

# parse(msg): the rule id and resource of a message "ROT020 rotation_secret.jwt:
# ..." (the resource is "" when the message names none), as
# internal/policy.ParseMessage reads them.
parse(msg) := {"rule": m[1], "resource": m[2]} if {
	m := regex.find_all_string_submatch_n(`^([A-Z][A-Z0-9_-]*[0-9]) ((?:[^\s:"\[\]]|\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\])+):(?: |$)`, msg, 1)[0]
} else := {"rule": m[1], "resource": ""} if {
	m := regex.find_all_string_submatch_n(`^([A-Z][A-Z0-9_-]*[0-9])(?:[ \t:]|$)`, msg, 1)[0]
}

# covering(msg): the index of the first valid waiver that covers the
# message; undefined when none does.
covering(msg) := min(ids) if {
	is_string(msg)
	f := parse(msg)
	not f.rule in unwaivable
	ids := {i |
		some i, w in valid
		w.rule == f.rule
		_matches(w.resource, f.resource)
	}
	count(ids) > 0
}

_matches(p, address) if p == address

_matches(p, address) if glob.match(p, null, address)

# kept(msgs): the messages no valid waiver covers (all of them when there
# are no valid waivers).
kept(msgs) := msgs if {
	count(valid) == 0
} else := {m | some m in msgs; not covering(m)}

# covered(deny, warn): the findings valid waivers cover, with the waiver.
covered(deny, warn) := set() if {
	count(valid) == 0
} else := _waived(deny, "deny") | _waived(warn, "warn")

_waived(msgs, severity) := {x |
	some m in msgs
	i := covering(m)
	w := valid[i]
	f := parse(m)
	x := {
		"rule": f.rule,
		"resource": f.resource,
		"severity": severity,
		"message": m,
		"waiver": i,
		"reason": w.reason,
		"approver": w.approver,
		"expires": w.expires,
	}
}
