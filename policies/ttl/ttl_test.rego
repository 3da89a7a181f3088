package rotation.ttl_test

import data.rotation.lib.mock_test as mock
import data.rotation.ttl

_deny(doc) := x if {
	x := ttl.deny with input as doc with data.rotation.params as {}
}

_warn(doc) := x if {
	x := ttl.warn with input as doc with data.rotation.params as {}
}

_deny_p(doc, params) := x if {
	x := ttl.deny with input as doc with data.rotation.params as params
}

_warn_p(doc, params) := x if {
	x := ttl.warn with input as doc with data.rotation.params as params
}

_lenient := {"unknown_inputs": "warn"}

_good := [mock.fam({}), mock.sec({})]

test_good_plan_passes if {
	_deny(mock.plan(_good)) == set()
	_warn(mock.plan(_good)) == set()
}

test_good_schedule_passes if {
	_deny(mock.plan([mock.fam({}), mock.sched({})])) == set()
}

# ROT001 -----------------------------------------------------------------

test_rot001_ttl_at_max_passes if {
	not "ROT001" in mock.ids(_deny(mock.plan([mock.fam({}), mock.sec({"schedule": {"period": "80d", "ttl": "90d"}})])))
}

test_rot001_ttl_over_max_fails if {
	msgs := _deny(mock.plan([mock.fam({"classification": "critical"}), mock.sec({})]))
	msgs == {"ROT001 rotation_secret.s: ttl 45d exceeds 30d, the max_ttl for classification critical (family rotation_secret_family.f)"}
}

test_rot001_one_second_over_fails if {
	"ROT001" in mock.ids(_deny(mock.plan([mock.fam({"classification": "medium"}), mock.sec({"schedule": {"ttl": "180d1s"}})])))
	not "ROT001" in mock.ids(_deny(mock.plan([mock.fam({"classification": "medium"}), mock.sec({"schedule": {"ttl": "180d"}})])))
}

test_rot001_no_family_is_held_to_high if {
	msgs := _deny(mock.plan([mock.sec({"schedule": {"period": "80d", "ttl": "91d"}})]))
	some m in msgs
	m == "ROT001 rotation_secret.s: ttl 91d exceeds 90d, the max_ttl for classification high (no family found, so classification high)"
}

test_rot001_ttl_not_set_fails if {
	msgs := mock.only(_deny(mock.plan([mock.fam({}), mock.sec({"schedule": {"ttl": null}})])), "ROT001")
	msgs == {"ROT001 rotation_secret.s: schedule.ttl is not set; set it to at most 90d, the max_ttl for classification high (family rotation_secret_family.f)"}
}

test_rot001_params_override_one_class if {
	doc := mock.plan([mock.fam({"classification": "low"}), mock.sec({})])
	"ROT001" in mock.ids(_deny_p(doc, {"max_ttl": {"low": "7d"}}))
	not "ROT001" in mock.ids(_deny_p(doc, {"max_ttl": {"critical": "1d"}}))
}

# Unknown at plan time fails closed; params.unknown_inputs = "warn" only
# warns.
test_rot001_ttl_unknown_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"ttl": null}}), {"schedule": {"ttl": true}})])
	mock.only(_deny(doc), "ROT001") == {"ROT001 rotation_secret.s: refused: schedule.ttl is unknown until apply (the apply could set a ttl above the classification's maximum unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	not "ROT001" in mock.ids(_warn(doc))
}

test_rot001_ttl_unknown_warns_with_unknown_inputs_warn if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"ttl": null}}), {"schedule": {"ttl": true}})])
	mock.only(_warn_p(doc, _lenient), "ROT001") == {"ROT001 rotation_secret.s: could not be checked: schedule.ttl is unknown until apply"}
	not "ROT001" in mock.ids(_deny_p(doc, _lenient))
}

test_rot001_invalid_unknown_inputs_fails_closed if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"ttl": null}}), {"schedule": {"ttl": true}})])
	"ROT001" in mock.ids(_deny_p(doc, {"unknown_inputs": "maybe"}))
}

test_rot001_ttl_not_set_with_unknown_classification_fails if {
	doc := mock.plan([mock.with_unknown(mock.fam({"classification": null}), {"classification": true}), mock.sec({"schedule": {"ttl": null}})])
	msgs := mock.only(_deny(doc), "ROT001")
	"ROT001 rotation_secret.s: schedule.ttl is not set; set it to at most the max_ttl of the family's classification (family rotation_secret_family.f)" in msgs
	count(msgs) == 2 # and the refusal for the unknown classification
	mock.only(_deny_p(doc, _lenient), "ROT001") == {"ROT001 rotation_secret.s: schedule.ttl is not set; set it to at most the max_ttl of the family's classification (family rotation_secret_family.f)"}
}

test_rot001_classification_unknown_denies if {
	doc := mock.plan([mock.with_unknown(mock.fam({"classification": null}), {"classification": true}), mock.sec({})])
	some m in mock.only(_deny(doc), "ROT001")
	startswith(m, "ROT001 rotation_secret.s: refused: classification of rotation_secret_family.f is unknown until apply (")
	"ROT001 rotation_secret.s: could not be checked: classification of rotation_secret_family.f is unknown until apply" in _warn_p(doc, _lenient)
}

test_rot001_invalid_param_warns if {
	msgs := ttl.warn with input as mock.plan(_good) with data.rotation.params as {"max_ttl": {"high": "ninety days"}}
	msgs == {`ROT001 rotation_secret.s: could not be checked: no valid params.max_ttl for classification "high" (family rotation_secret_family.f)`}
}

# ROT002 -----------------------------------------------------------------

test_rot002_exact_fit_passes if {
	not "ROT002" in mock.ids(_deny(mock.plan([mock.fam({}), mock.sec({"schedule": {"ttl": "30d2h", "propagation": "0s"}})])))
}

test_rot002_too_short_fails if {
	msgs := mock.only(_deny(mock.plan([mock.fam({}), mock.sec({"schedule": {"ttl": "30d"}})])), "ROT002")
	msgs == {"ROT002 rotation_secret.s: propagation 1h + period 30d + overlap 2h = 30d3h exceeds ttl 30d"}
}

test_rot002_unknown_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"period": null}}), {"schedule": {"period": true}})])
	mock.only(_deny(doc), "ROT002") == {"ROT002 rotation_secret.s: refused: schedule.period is unknown until apply (the apply could give versions a ttl shorter than propagation + period + overlap unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	not "ROT002" in mock.ids(_warn(doc))
	"ROT002 rotation_secret.s: could not be checked: schedule.period is unknown until apply" in _warn_p(doc, _lenient)
	not "ROT002" in mock.ids(_deny_p(doc, _lenient))
}

test_rot002_invalid_duration_denies if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"overlap": "2 h"}})])
	some m in _deny(doc)
	startswith(m, `ROT002 rotation_secret.s: refused: schedule.overlap "2 h" is not a duration`)
	some w in _warn_p(doc, _lenient)
	startswith(w, `ROT002 rotation_secret.s: could not be checked: schedule.overlap "2 h" is not a duration`)
}

# A number where a duration string belongs is printed as a number, not as
# the character with that code (Go's %q of a number).
test_rot002_number_for_a_duration_is_printed_as_json if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"overlap": 3600}})])
	some m in _deny(doc)
	startswith(m, `ROT002 rotation_secret.s: refused: schedule.overlap 3600 is not a duration (`)
}

test_rot002_whole_schedule_unknown_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": null}), {"schedule": true})])
	count(mock.only(_deny(doc), "ROT002")) == 4
	count(mock.only(_warn_p(doc, _lenient), "ROT002")) == 4
}

# ROT003 -----------------------------------------------------------------

test_rot003_unexpired_passes if {
	not "ROT003" in mock.ids(_deny(mock.plan(_good)))
}

test_rot003_expired_previous_fails if {
	old := mock.version(1, "previous", {"expires_at": "2026-01-05T08:59:59Z", "superseded_at": "2026-01-02T09:00:00Z"})
	doc := mock.plan([mock.fam({}), mock.sec({"versions": [old, mock.version(2, "active", {})]})])
	mock.only(_deny(doc), "ROT003") == {"ROT003 rotation_secret.s: version 1 (previous) expired at 2026-01-05T08:59:59Z but is still accepted at 2026-01-05T09:00:00Z (plan timestamp)"}
}

test_rot003_expiring_exactly_now_passes if {
	v := mock.version(1, "active", {"expires_at": mock.now})
	not "ROT003" in mock.ids(_deny(mock.plan([mock.fam({}), mock.sec({"versions": [v]})])))
}

test_rot003_expired_revoked_passes if {
	v := mock.version(1, "revoked", {"expires_at": "2025-01-01T00:00:00Z"})
	not "ROT003" in mock.ids(_deny(mock.plan([mock.fam({}), mock.sec({"versions": [v, mock.version(2, "active", {})]})])))
}

test_rot003_schedule_slot_expired_fails if {
	doc := mock.plan([mock.fam({}), mock.sched({"slots": {"a": {"expires_at": "2026-01-01T00:00:00Z"}}})])
	mock.only(_deny(doc), "ROT003") == {"ROT003 rotation_schedule.s: version 1 (active) expired at 2026-01-01T00:00:00Z but is still accepted at 2026-01-05T09:00:00Z (plan timestamp)"}
}

test_rot003_expiry_from_issued_at_and_ttl if {
	v := object.remove(mock.version(1, "active", {"issued_at": "2025-11-01T00:00:00Z"}), ["expires_at"])
	"ROT003" in mock.ids(_deny(mock.plan([mock.fam({}), mock.sec({"versions": [v]})])))
}

test_rot003_params_now_moves_the_clock if {
	msgs := ttl.deny with input as mock.plan(_good) with data.rotation.params as {"now": "2026-03-01T00:00:00Z"}
	mock.only(msgs, "ROT003") == {"ROT003 rotation_secret.s: version 1 (active) expired at 2026-02-15T09:00:00Z but is still accepted at 2026-03-01T00:00:00Z (params.now)"}
}

test_rot003_state_uses_params_now if {
	doc := mock.state(_good)
	msgs := ttl.deny with input as doc with data.rotation.params as {"now": "2026-02-16T00:00:00Z"}
	"ROT003" in mock.ids(msgs)
	msgs2 := ttl.deny with input as doc with data.rotation.params as {"now": "2026-02-14T00:00:00Z"}
	not "ROT003" in mock.ids(msgs2)
}

test_rot003_new_version_of_this_apply_is_not_expired if {
	v := object.remove(mock.version(1, "active", {}), ["issued_at", "expires_at", "activated_at"])
	r := mock.with_unknown(mock.sec({"versions": [v]}), {"versions": [{"issued_at": true, "expires_at": true, "activated_at": true}]})
	doc := mock.plan([mock.fam({}), r])
	not "ROT003" in mock.ids(_deny(doc))
	not "ROT003" in mock.ids(_warn(doc))
}

test_rot003_unknown_expiry_of_old_version_denies if {
	v := object.remove(mock.version(1, "active", {}), ["expires_at"])
	r := mock.with_unknown(mock.sec({"versions": [v]}), {"versions": [{"expires_at": true}]})
	doc := mock.plan([mock.fam({}), r])
	mock.only(_deny(doc), "ROT003") == {"ROT003 rotation_secret.s: refused: versions[0].expires_at is unknown until apply (the apply could leave an expired version accepted unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	mock.only(_warn_p(doc, _lenient), "ROT003") == {"ROT003 rotation_secret.s: could not be checked: versions[0].expires_at is unknown until apply"}
}

test_rot003_unknown_versions_denies if {
	r := mock.with_unknown(mock.sec({"versions": null}), {"versions": true})
	doc := mock.plan([mock.fam({}), r])
	mock.only(_deny(doc), "ROT003") == {"ROT003 rotation_secret.s: refused: versions is unknown until apply (the apply could leave an expired version accepted unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	mock.only(_warn_p(doc, _lenient), "ROT003") == {"ROT003 rotation_secret.s: could not be checked: versions is unknown until apply"}
	not "ROT003" in mock.ids(_deny_p(doc, _lenient))
}

test_rot003_unknown_status_denies if {
	v := object.remove(mock.version(1, "active", {}), ["status"])
	r := mock.with_unknown(mock.sec({"versions": [v]}), {"versions": [{"status": true}]})
	doc := mock.plan([mock.fam({}), r])
	some m in mock.only(_deny(doc), "ROT003")
	startswith(m, "ROT003 rotation_secret.s: refused: versions[0].status is unknown until apply (")
	"ROT003 rotation_secret.s: could not be checked: versions[0].status is unknown until apply" in _warn_p(doc, _lenient)
}

test_deleted_resources_are_skipped if {
	r := object.union(mock.sec({"schedule": {"ttl": "1000d"}}), {"actions": ["delete"]})
	_deny(mock.plan([mock.fam({}), r])) == set()
}

test_sensitive_durations_are_not_printed if {
	s := mock.with_sensitive(mock.sec({"schedule": {"ttl": "30d"}}), {"schedule": {"ttl": true}})
	mock.only(_deny(mock.plan([mock.fam({}), s])), "ROT002") == {"ROT002 rotation_secret.s: propagation 1h + period 30d + overlap 2h = 30d3h exceeds ttl (sensitive)"}
	p := mock.with_sensitive(mock.sec({"schedule": {"ttl": "100d", "period": "90d"}}), {"schedule": {"period": true, "ttl": true}})
	mock.only(_deny(mock.plan([mock.fam({}), p])), "ROT001") == {"ROT001 rotation_secret.s: ttl (sensitive) exceeds 90d, the max_ttl for classification high (family rotation_secret_family.f)"}
	q := mock.with_sensitive(mock.sec({"schedule": {"ttl": "30d", "period": "30d"}}), {"schedule": {"period": true}})
	mock.only(_deny(mock.plan([mock.fam({}), q])), "ROT002") == {"ROT002 rotation_secret.s: propagation 1h + period (sensitive) + overlap 2h = (sensitive) exceeds ttl 30d"}
}
