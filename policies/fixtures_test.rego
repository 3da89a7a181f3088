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

# One test per case, so that each test evaluates one document and stays far
# below any per-test timeout (opa test's --timeout, conftest verify's fixed
# 5 s) however slow the machine is. A case added to expected.json needs its
# test line here and its name in _tested; test_every_case_has_a_test says so.
test_case_good if _trips_exactly_its_rules("good")

test_case_good_nested if _trips_exactly_its_rules("good-nested")

test_case_good_state if _trips_exactly_its_rules("good-state")

test_case_rot001_ttl_over_max if _trips_exactly_its_rules("rot001-ttl-over-max")

test_case_rot002_ttl_short if _trips_exactly_its_rules("rot002-ttl-short")

test_case_rot003_expired if _trips_exactly_its_rules("rot003-expired")

test_case_rot010_no_backup_owner if _trips_exactly_its_rules("rot010-no-backup-owner")

test_case_rot011_default_params if _trips_exactly_its_rules("rot011-default-params")

test_case_rot011_owner_not_allowed if _trips_exactly_its_rules("rot011-owner-not-allowed")

test_case_rot011_owner_pattern if _trips_exactly_its_rules("rot011-owner-pattern")

test_case_rot012_no_family if _trips_exactly_its_rules("rot012-no-family")

test_case_rot013_review_overdue if _trips_exactly_its_rules("rot013-review-overdue")

test_case_rot013_review_overdue_enforced if _trips_exactly_its_rules("rot013-review-overdue-enforced")

test_case_rot014_no_validator if _trips_exactly_its_rules("rot014-no-validator")

test_case_rot020_nested if _trips_exactly_its_rules("rot020-nested")

test_case_rot020_overlap_equals_cache if _trips_exactly_its_rules("rot020-overlap-equals-cache")

test_case_rot020_overlap_one_second_longer if _trips_exactly_its_rules("rot020-overlap-one-second-longer")

test_case_rot020_overlap_one_second_longer_factor_2 if _trips_exactly_its_rules("rot020-overlap-one-second-longer-factor-2")

test_case_rot021_propagation_short if _trips_exactly_its_rules("rot021-propagation-short")

test_case_rot022_zero_overlap if _trips_exactly_its_rules("rot022-zero-overlap")

test_case_rot023_pileup if _trips_exactly_its_rules("rot023-pileup")

test_case_rot024_destroy if _trips_exactly_its_rules("rot024-destroy")

test_case_rot024_destroy_decommissioned if _trips_exactly_its_rules("rot024-destroy-decommissioned")

test_case_rot024_removed if _trips_exactly_its_rules("rot024-removed")

test_case_rot024_replace_renamed if _trips_exactly_its_rules("rot024-replace-renamed")

test_case_rot030_emergency_revocation if _trips_exactly_its_rules("rot030-emergency-revocation")

test_case_rot030_emergency_revocation_state if _trips_exactly_its_rules("rot030-emergency-revocation-state")

test_case_rot031_no_active_version if _trips_exactly_its_rules("rot031-no-active-version")

test_case_rot032_hold_without_reason if _trips_exactly_its_rules("rot032-hold-without-reason")

test_case_rot040_provider_now if _trips_exactly_its_rules("rot040-provider-now")

test_case_rot041_no_change_window if _trips_exactly_its_rules("rot041-no-change-window")

test_case_rot042_record_ahead if _trips_exactly_its_rules("rot042-record-ahead")

test_case_sensitive_values if _trips_exactly_its_rules("sensitive-values")

test_case_sensitive_values_allowed_owners if _trips_exactly_its_rules("sensitive-values-allowed-owners")

test_case_unknown_values if _trips_exactly_its_rules("unknown-values")

test_case_unknown_values_warn if _trips_exactly_its_rules("unknown-values-warn")

# Evidence gates (issue 11).

test_case_good_gated if _trips_exactly_its_rules("good-gated")

test_case_rot003_gate_waiting if _trips_exactly_its_rules("rot003-gate-waiting")

test_case_rot003_gate_held if _trips_exactly_its_rules("rot003-gate-held")

test_case_rot030_emergency_in_use if _trips_exactly_its_rules("rot030-emergency-in-use")

test_case_rot033_max_wait if _trips_exactly_its_rules("rot033-max-wait")

test_case_rot033_max_wait_enforced if _trips_exactly_its_rules("rot033-max-wait-enforced")

test_case_rot034_emission_sources if _trips_exactly_its_rules("rot034-emission-sources")

test_case_rot035_no_revocation_gate if _trips_exactly_its_rules("rot035-no-revocation-gate")

test_case_rot036_used_after_revocation if _trips_exactly_its_rules("rot036-used-after-revocation")

# Material kept in clear (issue 12).

test_case_rot050_state_material if _trips_exactly_its_rules("rot050-state-material")

test_case_rot050_state_material_required if _trips_exactly_its_rules("rot050-state-material-required")

test_case_rot050_state_versions_migrating if _trips_exactly_its_rules("rot050-state-versions-migrating")

test_case_rot050_derived_material if _trips_exactly_its_rules("rot050-derived-material")

test_case_rot050_state_versions_migrating_required if _trips_exactly_its_rules("rot050-state-versions-migrating-required")

test_case_rot090_expired_waiver if _trips_exactly_its_rules("rot090-expired-waiver")

test_case_rot090_incomplete_waiver if _trips_exactly_its_rules("rot090-incomplete-waiver")

test_case_rot090_waived if _trips_exactly_its_rules("rot090-waived")

test_case_rot090_waived_module_glob if _trips_exactly_its_rules("rot090-waived-module-glob")

test_case_rot090_waived_warn if _trips_exactly_its_rules("rot090-waived-warn")

test_case_rot090_waiver_glob_not_matching if _trips_exactly_its_rules("rot090-waiver-glob-not-matching")

_tested := {
	"good",
	"good-nested",
	"good-state",
	"rot001-ttl-over-max",
	"rot002-ttl-short",
	"rot003-expired",
	"rot010-no-backup-owner",
	"rot011-default-params",
	"rot011-owner-not-allowed",
	"rot011-owner-pattern",
	"rot012-no-family",
	"rot013-review-overdue",
	"rot013-review-overdue-enforced",
	"rot014-no-validator",
	"rot020-nested",
	"rot020-overlap-equals-cache",
	"rot020-overlap-one-second-longer",
	"rot020-overlap-one-second-longer-factor-2",
	"rot021-propagation-short",
	"rot022-zero-overlap",
	"rot023-pileup",
	"rot024-destroy",
	"rot024-destroy-decommissioned",
	"rot024-removed",
	"rot024-replace-renamed",
	"rot030-emergency-revocation",
	"rot030-emergency-revocation-state",
	"rot031-no-active-version",
	"rot032-hold-without-reason",
	"rot040-provider-now",
	"rot041-no-change-window",
	"rot042-record-ahead",
	"sensitive-values",
	"sensitive-values-allowed-owners",
	"unknown-values",
	"unknown-values-warn",
	"good-gated",
	"rot003-gate-waiting",
	"rot003-gate-held",
	"rot030-emergency-in-use",
	"rot033-max-wait",
	"rot033-max-wait-enforced",
	"rot034-emission-sources",
	"rot035-no-revocation-gate",
	"rot036-used-after-revocation",
	"rot050-state-material",
	"rot050-derived-material",
	"rot050-state-material-required",
	"rot050-state-versions-migrating",
	"rot050-state-versions-migrating-required",
	"rot090-expired-waiver",
	"rot090-incomplete-waiver",
	"rot090-waived",
	"rot090-waived-module-glob",
	"rot090-waived-warn",
	"rot090-waiver-glob-not-matching",
}

test_every_case_has_a_test if {
	untested := {name | some name, _ in cases} - _tested
	print("cases in expected.json without a test_case_ rule here:", untested)
	untested == set()
}

# _trips_exactly_its_rules(name): case name of expected.json trips exactly
# its deny and warn rule ids on its fixture, and its params.waivers waive
# exactly its waived ids (none when the case has no waived).
_trips_exactly_its_rules(name) if {
	c := cases[name]
	want := {"deny": {id | some id in c.deny}, "warn": {id | some id in c.warn}, "waived": {id | some id in object.get(c, "waived", [])}}
	got := _verdict(fixtures[_fixture_name(c.input)], object.get(c, "params", {}))
	print(name, "got", got, "want", want)
	got == want
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

_packages := ["ttl", "ownership", "overlap", "revocation", "hygiene", "gates", "material", "waivers"]

# One evaluation per document: deny and warn together, so the library reads
# the document once.
_verdict(doc, params) := v if {
	v := _verdict_of_input with input as doc with data.rotation.params as params
}

_verdict_of_input := {"deny": _ids(d), "warn": _ids(w), "waived": {x.rule | some x in wv}} if {
	d := {m | some p in _packages; some m in data.rotation[p].deny}
	w := {m | some p in _packages; some m in data.rotation[p].warn}
	wv := {x | some p in _packages; some x in data.rotation[p].waived}
}

_ids(messages) := {substring(m, 0, 6) | some m in messages}
