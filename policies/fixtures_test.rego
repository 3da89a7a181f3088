# The cases of policies/testdata/fixtures/expected.json, on the real plan and
# state JSON that tools/gen-policy-fixtures.sh made with the Terraform CLI:
# each must trip exactly the expected rule ids. (opa test loads each fixture
# as data.testdata.fixtures["<name>"]; the same cases run through the real
# conftest in tools/gen-policy-fixtures.sh --verify.)
package rotation.fixtures_test

fixtures := data.testdata.fixtures

cases := fixtures.cases

test_every_fixture_is_loaded_and_has_a_case if {
	names := {n | some n, doc in fixtures; doc.format_version}
	count(names) >= 20
	used := {_fixture_name(c.input) | some c in cases}
	missing := names - used
	print("fixtures without a case:", missing)
	missing == set()
}

test_every_case_trips_exactly_its_rules if {
	count(cases) >= 20
	bad := [sprintf("%s: got %v, want %v", [name, got, want]) |
		some name, c in cases
		want := {"deny": {id | some id in c.deny}, "warn": {id | some id in c.warn}}
		got := _verdict(fixtures[_fixture_name(c.input)], object.get(c, "params", {}))
		got != want
	]
	print("cases with other verdicts:", bad)
	bad == []
}

test_every_case_input_exists if {
	count(cases) > 0
	missing := [c.input | some c in cases; not fixtures[_fixture_name(c.input)]]
	print("case inputs that are not loaded:", missing)
	missing == []
}

# The done-when pair on real plans: overlap equal to the longest consumer
# cache fails with ROT020, one second longer passes it.
test_done_when_overlap_equal_fails_one_second_longer_passes if {
	equal := _verdict(fixtures["rot020-overlap-equals-cache"], {})
	"ROT020" in equal.deny
	longer := _verdict(fixtures["rot020-overlap-one-second-longer"], {})
	not "ROT020" in longer.deny
	not "ROT020" in longer.warn
}

# policies/testdata/fixtures/<name>/plan.json -> <name>
_fixture_name(path) := parts[count(parts) - 2] if parts := split(path, "/")

_packages := ["ttl", "ownership", "overlap", "revocation", "hygiene"]

_verdict(doc, params) := {"deny": _ids(d), "warn": _ids(w)} if {
	d := {m | some p in _packages; some m in data.rotation[p].deny} with input as doc with data.rotation.params as params
	w := {m | some p in _packages; some m in data.rotation[p].warn} with input as doc with data.rotation.params as params
}

_ids(messages) := {substring(m, 0, 6) | some m in messages}
