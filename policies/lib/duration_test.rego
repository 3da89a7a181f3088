package rotation.lib.duration_test

import data.rotation.lib.duration

# The shared table of cases (policies/testdata/durations/data.json), also read
# by internal/duration's Go tests. opa test and conftest verify --data policies
# load it here; without it the table tests fail rather than pass vacuously.
cases := data.testdata.durations.cases

test_table_is_loaded if {
	count(cases) >= 80
	count([c | some c in cases; c.valid]) >= 30
	count([c | some c in cases; not c.valid]) >= 30
}

test_table_valid_cases_agree if {
	bad := [sprintf("%q: want %v seconds (%s), got %v", [c.input, c.seconds, c.canonical, _got(c.input)]) |
		some c in cases
		c.valid
		not _valid_case_agrees(c)
	]
	print("valid cases the helper disagrees with:", bad)
	count(cases) > 0
	bad == []
}

test_table_invalid_cases_agree if {
	bad := [sprintf("%q (%s): accepted as %v seconds", [c.input, object.get(c, "reason", ""), duration.seconds(c.input)]) |
		some c in cases
		not c.valid
		duration.valid(c.input)
	]
	print("invalid cases the helper accepts:", bad)
	count(cases) > 0
	bad == []
}

test_table_canonical_spellings_are_fixed_points if {
	bad := [c.canonical |
		some c in cases
		c.valid
		not duration.seconds(c.canonical) == c.seconds
	]
	print("canonical spellings that do not parse back:", bad)
	count(cases) > 0
	bad == []
}

_got(s) := duration.seconds(s)

_got(s) := "invalid" if not duration.valid(s)

_valid_case_agrees(c) if {
	duration.seconds(c.input) == c.seconds
	duration.format(c.seconds) == c.canonical
}

test_non_strings_are_invalid if {
	not duration.valid(3600)
	not duration.valid(null)
	not duration.valid(["1h"])
	not duration.seconds(true)
}

test_boundary if {
	duration.seconds("9223372036s") == duration.max_seconds
	not duration.valid("9223372037s")
	duration.format(duration.max_seconds) == "106751d23h47m16s"
}

test_format_fraction if {
	duration.format(5400.5) == "1h30m0.5s"
	duration.format(0.25) == "0.25s"
}

test_describe if {
	duration.describe("1h") == "1h"
	duration.describe("1 h") == `"1 h" (not a duration)`
}
