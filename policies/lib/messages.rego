# Attribute paths and "could not be checked" messages (package
# rotation.lib.terraform; see terraform.rego).
package rotation.lib.terraform

import data.rotation.lib.duration

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

# family_note(s) names the family whose values a rule used for s.
family_note(s) := sprintf("family %s", [family_of[s.address]])

family_note(s) := sprintf("no family found, so classification %s", [defaults.classification]) if not family_of[s.address]
