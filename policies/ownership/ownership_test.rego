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
