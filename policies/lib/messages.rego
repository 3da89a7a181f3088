# Attribute paths, values in messages, and the messages of rules that could
# not be checked (package rotation.lib.terraform; see terraform.rego).
package rotation.lib.terraform

import data.rotation.lib.duration
import data.rotation.lib.params

# path_string(["schedule", "ttl"]) == "schedule.ttl";
# path_string(["consumer", 0, "cache_ttl"]) == "consumer[0].cache_ttl".
path_string(path) := trim_prefix(concat("", [_path_part(p) | some p in path]), ".")

_path_part(p) := sprintf("[%d]", [p]) if is_number(p)

else := sprintf(".%s", [p]) if is_string(p)

# ---------------------------------------------------------------------------
# Values in messages

# sensitive_text replaces every value the input marks sensitive.
sensitive_text := "(sensitive)"

# quote(v) is a value for a message: a string quoted ("team-a"), anything
# else as JSON (3600, null, ["a"]); a hand-made input may hold a number
# where a string belongs, and Go's %q would print a number as a character.
quote(v) := sprintf("%q", [v]) if is_string(v)

else := json.marshal(v)

# plain(v) is a value as it reads in a sentence: a string as it is,
# anything else as JSON.
plain(v) := v if is_string(v)

else := json.marshal(v)

# shown(f) is the value of field f (from field() or dur()) quoted for a
# message, or "(sensitive)" when the input marks it sensitive.
shown(f) := sensitive_text if f.sensitive

else := quote(f.value)

# text(f) is the value of field f as it reads in a sentence (45d, team-a):
# a string as it is, anything else as JSON, "(sensitive)" when marked.
text(f) := sensitive_text if f.sensitive

else := plain(f.value)

# sum_text(fields, seconds) spells a duration computed from fields (a sum,
# a maximum): "(sensitive)" when one of them is marked sensitive, since the
# result would show it.
sum_text(fields, seconds) := sensitive_text if {
	some f in fields
	f.sensitive
	is_number(seconds)
}

else := duration.format(seconds)

# ---------------------------------------------------------------------------
# Values the rules cannot check

# reason(path, f) says why field f (from field() or dur()) at path cannot
# be checked: "schedule.ttl is unknown until apply". Undefined for a known
# value.
#
# reason(), reason_of() and the other helpers below with several cases are
# one definition with else branches: a function of several definitions
# evaluates every one of them on every call.
reason(path, f) := sprintf("%s is unknown until apply", [path_string(path)]) if {
	f.state == "unknown"
} else := sprintf("%s %s is not a duration (%s)", [path_string(path), shown(f), duration.pattern]) if {
	f.state == "invalid"
} else := sprintf("%s is not set", [path_string(path)]) if {
	f.state == "null"
}

# reason_of(r, path, f) is reason() for a value of another resource r (the
# family of a secret): "consumer[0].cache_ttl of rotation_secret_family.f is
# unknown until apply".
reason_of(r, path, f) := sprintf("%s of %s is unknown until apply", [path_string(path), r.address]) if {
	f.state == "unknown"
} else := sprintf("%s of %s %s is not a duration (%s)", [path_string(path), r.address, shown(f), duration.pattern]) if {
	f.state == "invalid"
} else := sprintf("%s of %s is not set", [path_string(path), r.address]) if {
	f.state == "null"
}

# unchecked(rule, r, path, f) is the message of a rule that could not be
# checked because field f (from field() or dur()) at path is unknown, not
# set or not a valid duration. Undefined for a known value.
unchecked(rule, r, path, f) := unchecked_text(rule, r.address, reason(path, f))

# unchecked_of(rule, s, r, path, f) is unchecked() for a value of another
# resource r (the family of s): the message names s and where the value is.
unchecked_of(rule, s, r, path, f) := unchecked_text(rule, s.address, reason_of(r, path, f))

# unchecked_text(rule, address, why): "ROT020 rotation_secret.s: could not
# be checked: <why>", the warning of a rule that could not be checked.
unchecked_text(rule, address, why) := sprintf("%s %s: could not be checked: %s", [rule, address, why])

# ---------------------------------------------------------------------------
# Unknown inputs fail closed (docs/design.md, Rules and their arithmetic)
#
# A safety rule (ROT001-ROT003, ROT020-ROT023, ROT031) whose input is
# unknown until apply, not set or not valid cannot show that the plan is
# safe: the apply could break the rule unseen. With params.unknown_inputs
# "deny" (the default) it denies, saying which value and why; with "warn" it
# warns that it could not be checked. Each rule collects its gaps as
# {"address": a, "reason": why} and reports them through these.

# refuse_unknown holds unless params.unknown_inputs is "warn" (an invalid
# value fails closed too).
refuse_unknown if params.unknown_inputs != "warn"

# gap(address, why) is one input a rule cannot check.
gap(address, why) := {"address": address, "reason": why}

# refused(rule, g, risk): the deny of rule for gap g; risk says what the
# apply could do unseen.
refused(rule, g, risk) := sprintf("%s %s: refused: %s (%s; make the value known at plan time, or set params.unknown_inputs to warn)", [rule, g.address, g.reason, risk])

# unchecked_gap(rule, g): the warning of rule for gap g under
# params.unknown_inputs = "warn".
unchecked_gap(rule, g) := unchecked_text(rule, g.address, g.reason)

# ---------------------------------------------------------------------------

# family_note(s) names the family whose values a rule used for s.
family_note(s) := sprintf("family %s", [f]) if {
	f := family_of[s.address]
} else := sprintf("no family found, so classification %s", [defaults.classification])
