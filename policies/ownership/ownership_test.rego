package rotation.ownership_test

import data.rotation.lib.mock_test as mock
import data.rotation.ownership

_deny(doc, params) := x if {
	x := ownership.deny with input as doc with data.rotation.params as params
}

_warn(doc, params) := x if {
	x := ownership.warn with input as doc with data.rotation.params as params
}

_good := [mock.fam({}), mock.sec({})]

test_good_plan_passes if {
	_deny(mock.plan(_good), {}) == set()
	_warn(mock.plan(_good), {}) == set()
}

# ROT010 -----------------------------------------------------------------

test_rot010_owner_and_backup_pass if {
	not "ROT010" in mock.ids(_deny(mock.plan(_good), {}))
}

test_rot010_missing_backup_owner_fails if {
	msgs := _deny(mock.plan([mock.fam({"backup_owner": null}), mock.sec({})]), {})
	msgs == {`ROT010 rotation_secret_family.f: family "fam" has no backup_owner; name a team`}
}

test_rot010_blank_owner_fails if {
	msgs := _deny(mock.plan([mock.fam({"owner": "  "}), mock.sec({})]), {})
	msgs == {`ROT010 rotation_secret_family.f: family "fam" has no owner; name a team`}
}

test_rot010_same_backup_owner_fails if {
	msgs := _deny(mock.plan([mock.fam({"owner": "team-a", "backup_owner": " Team-A "}), mock.sec({})]), {})
	msgs == {`ROT010 rotation_secret_family.f: family "fam" has backup_owner " Team-A ", the same team as owner "team-a"; name a different team`}
}

test_rot010_unknown_backup_owner_warns if {
	doc := mock.plan([mock.with_unknown(mock.fam({"backup_owner": null}), {"backup_owner": true}), mock.sec({})])
	not "ROT010" in mock.ids(_deny(doc, {}))
	"ROT010 rotation_secret_family.f: could not be checked: backup_owner is unknown until apply" in _warn(doc, {})
}

# ROT011 -----------------------------------------------------------------

test_rot011_any_owner_by_default if {
	not "ROT011" in mock.ids(_deny(mock.plan([mock.fam({"owner": "whoever"}), mock.sec({})]), {}))
}

test_rot011_allowed_owner_passes if {
	not "ROT011" in mock.ids(_deny(mock.plan(_good), {"allowed_owners": ["team-a", "team-b"]}))
}

test_rot011_owner_not_allowed_fails if {
	msgs := _deny(mock.plan(_good), {"allowed_owners": ["team-a", "team-c"]})
	msgs == {`ROT011 rotation_secret_family.f: backup_owner "team-b" is not in allowed_owners ["team-a", "team-c"]`}
}

test_rot011_pattern_match_passes if {
	not "ROT011" in mock.ids(_deny(mock.plan(_good), {"owner_pattern": "team-[a-z]+"}))
}

test_rot011_pattern_is_anchored if {
	msgs := _deny(mock.plan([mock.fam({"owner": "xteam-a"}), mock.sec({})]), {"owner_pattern": "team-[a-z]+"})
	msgs == {`ROT011 rotation_secret_family.f: owner "xteam-a" does not match owner_pattern "team-[a-z]+"`}
}

test_rot011_invalid_pattern_warns if {
	msgs := _warn(mock.plan(_good), {"owner_pattern": "team-("})
	`ROT011 params: could not be checked: owner_pattern "team-(" is not a valid regular expression` in msgs
	not "ROT011" in mock.ids(_deny(mock.plan(_good), {"owner_pattern": "team-("}))
}

test_rot011_unknown_owner_warns_when_restricted if {
	doc := mock.plan([mock.with_unknown(mock.fam({"owner": null}), {"owner": true}), mock.sec({})])
	"ROT011 rotation_secret_family.f: could not be checked: owner is unknown until apply" in _warn(doc, {"allowed_owners": ["team-a"]})
	not "ROT011" in mock.ids(_warn(doc, {}))
}

# ROT012 -----------------------------------------------------------------

test_rot012_family_by_name_passes if {
	not "ROT012" in mock.ids(_deny(mock.plan(_good), {}))
}

test_rot012_undeclared_family_fails if {
	msgs := _deny(mock.plan([mock.fam({}), mock.sec({"family": "other"})]), {})
	msgs == {`ROT012 rotation_secret.s: family "other" is not a rotation_secret_family declared in this plan`}
}

test_rot012_schedule_without_family_fails if {
	msgs := _deny(mock.plan([mock.sched({})]), {})
	msgs == {`ROT012 rotation_schedule.s: family "fam" is not a rotation_secret_family declared in this plan`}
}

test_rot012_unknown_family_warns if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"family": null}), {"family": true})])
	not "ROT012" in mock.ids(_deny(doc, {}))
	"ROT012 rotation_secret.s: could not be checked: family is unknown until apply" in _warn(doc, {})
}

test_rot012_family_by_reference_passes_even_if_unknown if {
	doc := object.union(
		mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"family": null}), {"family": true})]),
		{"configuration": {"root_module": {"resources": [{
			"address": "rotation_secret.s",
			"type": "rotation_secret",
			"name": "s",
			"expressions": {"family": {"references": ["rotation_secret_family.f.id", "rotation_secret_family.f"]}},
		}]}}},
	)
	not "ROT012" in mock.ids(_deny(doc, {}))
	not "ROT012" in mock.ids(_warn(doc, {}))
}

# ROT013 -----------------------------------------------------------------

test_rot013_recent_review_passes if {
	not "ROT013" in mock.ids(_warn(mock.plan(_good), {}))
}

test_rot013_due_exactly_now_passes if {
	doc := mock.plan([mock.fam({"reviewed_at": "2025-10-07T09:00:00Z"}), mock.sec({})])
	not "ROT013" in mock.ids(_warn(doc, {}))
}

test_rot013_overdue_warns if {
	doc := mock.plan([mock.fam({"reviewed_at": "2025-10-07T08:59:59Z"}), mock.sec({})])
	_warn(doc, {}) == {`ROT013 rotation_secret_family.f: review of family "fam" is overdue: reviewed_at 2025-10-07T08:59:59Z + review_interval 90d = 2026-01-05T08:59:59Z, before 2026-01-05T09:00:00Z (plan timestamp)`}
	not "ROT013" in mock.ids(_deny(doc, {}))
}

test_rot013_never_reviewed_warns if {
	doc := mock.plan([mock.fam({"reviewed_at": null}), mock.sec({})])
	_warn(doc, {}) == {`ROT013 rotation_secret_family.f: family "fam" has never been reviewed (reviewed_at is not set)`}
}

test_rot013_enforced_denies if {
	doc := mock.plan([mock.fam({"reviewed_at": "2025-01-01T00:00:00Z"}), mock.sec({})])
	"ROT013" in mock.ids(_deny(doc, {"enforce_review": true}))
	not "ROT013" in mock.ids(_warn(doc, {"enforce_review": true}))
}

test_rot013_custom_interval if {
	doc := mock.plan([mock.fam({"reviewed_at": "2025-12-01T00:00:00Z", "review_interval": "30d"}), mock.sec({})])
	"ROT013" in mock.ids(_warn(doc, {}))
}

test_rot013_unknown_reviewed_at_warns if {
	doc := mock.plan([mock.with_unknown(mock.fam({"reviewed_at": null}), {"reviewed_at": true}), mock.sec({})])
	_warn(doc, {}) == {"ROT013 rotation_secret_family.f: could not be checked: reviewed_at is unknown until apply"}
	_deny(doc, {"enforce_review": true}) == set()
}

test_rot013_unparsable_reviewed_at_warns if {
	doc := mock.plan([mock.fam({"reviewed_at": "yesterday"}), mock.sec({})])
	_warn(doc, {}) == {`ROT013 rotation_secret_family.f: could not be checked: reviewed_at "yesterday" is not an RFC 3339 time`}
}

# ROT014 -----------------------------------------------------------------

test_rot014_family_with_a_validator_passes if {
	not "ROT014" in mock.ids(_deny(mock.plan(_good), {}))
}

test_rot014_role_both_counts if {
	f := mock.fam({"consumer": [{"name": "api", "role": "both", "cache_ttl": "1h"}]})
	not "ROT014" in mock.ids(_deny(mock.plan([f, mock.sec({})]), {}))
}

test_rot014_default_role_is_validator if {
	f := mock.fam({"consumer": [{"name": "api", "cache_ttl": "1h"}]})
	not "ROT014" in mock.ids(_deny(mock.plan([f, mock.sec({})]), {}))
}

test_rot014_no_consumer_fails if {
	doc := mock.plan([mock.fam({"consumer": []}), mock.sec({})])
	mock.only(_deny(doc, {}), "ROT014") == {`ROT014 rotation_secret_family.f: family "fam" declares no consumer, yet rotation_secret.s belongs to it: with no validator cache to compare with, ROT020 and ROT021 pass whatever the schedule; declare the services that verify or accept the secret (role validator or both, with their cache_ttl)`}
}

test_rot014_only_emitters_fail if {
	f := mock.fam({"consumer": [{"name": "signer", "role": "emitter", "cache_ttl": "5m"}, {"name": "login", "role": "emitter"}]})
	doc := mock.plan([f, mock.sec({}), object.union(mock.sched({}), {"address": "rotation_schedule.t"})])
	mock.only(_deny(doc, {}), "ROT014") == {`ROT014 rotation_secret_family.f: family "fam" declares no consumer with role validator or both (roles: emitter, emitter), yet rotation_schedule.t, rotation_secret.s belong to it: with no validator cache to compare with, ROT020 and ROT021 pass whatever the schedule; declare the services that verify or accept the secret (role validator or both, with their cache_ttl)`}
}

test_rot014_family_without_secrets_passes if {
	doc := mock.plan([mock.fam({"consumer": []})])
	not "ROT014" in mock.ids(_deny(doc, {}))
}

test_rot014_unknown_consumers_denies if {
	f := mock.with_unknown(mock.fam({"consumer": null}), {"consumer": true})
	doc := mock.plan([f, mock.sec({})])
	mock.only(_deny(doc, {}), "ROT014") == {"ROT014 rotation_secret_family.f: refused: consumer is unknown until apply (the apply could leave the family without a validator, so the overlap rules pass vacuously; make the value known at plan time, or set params.unknown_inputs to warn)"}
	mock.only(_warn(doc, {"unknown_inputs": "warn"}), "ROT014") == {"ROT014 rotation_secret_family.f: could not be checked: consumer is unknown until apply"}
	not "ROT014" in mock.ids(_deny(doc, {"unknown_inputs": "warn"}))
}

test_rot014_unknown_role_denies_unless_a_validator_is_known if {
	unknown_role := mock.with_unknown(mock.fam({"consumer": [{"name": "a", "role": null}, {"name": "b", "role": "emitter"}]}), {"consumer": [{"role": true}, {}]})
	doc := mock.plan([unknown_role, mock.sec({})])
	some m in mock.only(_deny(doc, {}), "ROT014")
	startswith(m, "ROT014 rotation_secret_family.f: refused: consumer[0].role is unknown until apply (")
	known := mock.with_unknown(mock.fam({"consumer": [{"name": "a", "role": null}, {"name": "b", "role": "validator"}]}), {"consumer": [{"role": true}, {}]})
	not "ROT014" in mock.ids(_deny(mock.plan([known, mock.sec({})]), {}))
}

# Values the input marks sensitive -----------------------------------------

test_sensitive_owners_are_not_printed if {
	f := mock.with_sensitive(mock.fam({"owner": "team-secret", "backup_owner": "TEAM-SECRET"}), {"owner": true, "backup_owner": true})
	msgs := _deny(mock.plan([f, mock.sec({})]), {"allowed_owners": ["team-a"]})
	msgs == {
		`ROT010 rotation_secret_family.f: family "fam" has backup_owner (sensitive), the same team as owner (sensitive); name a different team`,
		`ROT011 rotation_secret_family.f: owner (sensitive) is not in allowed_owners ["team-a"]`,
		`ROT011 rotation_secret_family.f: backup_owner (sensitive) is not in allowed_owners ["team-a"]`,
	}
}

test_sensitive_family_name_is_not_printed if {
	f := mock.with_sensitive(mock.fam({"owner": "team-a", "backup_owner": "team-a"}), {"name": true})
	_deny(mock.plan([f, mock.sec({})]), {}) == {`ROT010 rotation_secret_family.f: family (sensitive) has backup_owner "team-a", the same team as owner "team-a"; name a different team`}
	s := mock.with_sensitive(mock.sec({"family": "nope"}), {"family": true})
	_deny(mock.plan([s]), {}) == {"ROT012 rotation_secret.s: family (sensitive) is not a rotation_secret_family declared in this plan"}
}

test_sensitive_review_dates_are_not_printed if {
	f := mock.with_sensitive(mock.fam({"reviewed_at": "2025-01-01T00:00:00Z"}), {"reviewed_at": true})
	_warn(mock.plan([f, mock.sec({})]), {}) == {`ROT013 rotation_secret_family.f: review of family "fam" is overdue: reviewed_at (sensitive) + review_interval 90d = (sensitive), before 2026-01-05T09:00:00Z (plan timestamp)`}
}

# Values that are not strings are printed as JSON, not with %q.
test_numbers_are_printed_as_json if {
	f := mock.fam({"owner": 7, "backup_owner": 7, "name": 12})
	mock.only(_deny(mock.plan([f, mock.sec({})]), {}), "ROT010") == {`ROT010 rotation_secret_family.f: family 12 has backup_owner 7, the same team as owner 7; name a different team`}
	r := mock.fam({"reviewed_at": 1700000000})
	_warn(mock.plan([r, mock.sec({})]), {}) == {`ROT013 rotation_secret_family.f: could not be checked: reviewed_at 1700000000 is not an RFC 3339 time`}
}
