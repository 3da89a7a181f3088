# METADATA
# title: Duration helper
# description: |
#   Parses and formats the provider's duration strings (docs/design.md,
#   Durations) exactly as the Go parser in internal/duration does: one or
#   more <integer><unit> terms, units w (7 days), d (24 h), h, m, s, each at
#   most once and in that order, ASCII digits only, leading zeros allowed, no
#   signs, fractions or spaces, not empty, and a total of at most 9223372036
#   seconds (the largest whole number of seconds in a Go time.Duration). The
#   shared table policies/testdata/durations/data.json is the specification
#   of both; the tests in duration_test.rego run every case of it.
package rotation.lib.duration

# The whole grammar in one regular expression (Go RE2 syntax: [0-9] is ASCII
# only and $ matches only at the very end, so "1h\n" is rejected).
pattern := `^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$`

# The largest valid duration, in seconds ("106751d23h47m16s").
max_seconds := 9223372036

unit_seconds := {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}

# Any term with more significant digits than this is too large whatever its
# unit (max_seconds has 10 digits), so it is never converted to a number.
_max_digits := 10

# valid(s) is true when s is a duration string the provider accepts, and
# undefined otherwise (also for non-strings).
valid(s) if seconds(s) >= 0

# seconds(s) is the length of duration s in seconds; undefined when s is not
# valid.
seconds(s) := n if {
	is_string(s)
	s != ""
	regex.match(pattern, s)
	n := _total(s)
	n <= max_seconds
}

# _total adds the terms of a string that matches pattern. A term too long to
# be exact counts as max_seconds + 1, so the sum is "too large" either way.
_total(s) := sum([_term(t) | some t in regex.find_all_string_submatch_n(`([0-9]+)([wdhms])`, s, -1)])

_term(t) := n if {
	digits := trim_left(t[1], "0")
	count(digits) <= _max_digits
	n := _number(digits) * unit_seconds[t[2]]
} else := max_seconds + 1

_number("") := 0

_number(digits) := to_number(digits) if digits != ""

# format(n) is the canonical spelling of n seconds, as Go's duration.Format
# writes it: d, h, m and s terms in that order (never w), zero terms omitted,
# "0s" for zero. A fractional number of seconds (only from
# overlap_cache_factor arithmetic) keeps its fraction in the s term.
format(n) := "0s" if n == 0

format(n) := concat("", parts) if {
	n > 0
	whole := floor(n)
	frac := n - whole
	d := (whole - (whole % 86400)) / 86400
	h := ((whole % 86400) - (whole % 3600)) / 3600
	m := ((whole % 3600) - (whole % 60)) / 60
	s := (whole % 60) + frac
	parts := [sprintf("%v%s", [v, u]) | some [v, u] in [[d, "d"], [h, "h"], [m, "m"], [s, "s"]]; v > 0]
}

# describe(s) repeats a valid duration as written, or quotes an invalid one
# (a string quoted, anything else as JSON); for messages.
describe(s) := s if valid(s)

describe(s) := sprintf("%q (not a duration)", [s]) if {
	is_string(s)
	not valid(s)
}

describe(s) := sprintf("%s (not a duration)", [json.marshal(s)]) if not is_string(s)
