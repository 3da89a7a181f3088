package rotation.hygiene_test

import data.rotation.hygiene
import data.rotation.lib.mock_test as mock

_warn(doc) := x if {
	x := hygiene.warn with input as doc with data.rotation.params as {}
}

_good := [mock.fam({}), mock.sec({})]

_with_provider(doc, key, cfg) := object.union(doc, {"configuration": {"provider_config": {key: cfg}}})

test_good_plan_passes if {
	_warn(mock.plan(_good)) == set()
}

# ROT040 -----------------------------------------------------------------

test_rot040_no_now_passes if {
	doc := _with_provider(mock.plan(_good), "rotation", {"name": "rotation", "full_name": "registry.terraform.io/rotationkit/rotation", "expressions": {}})
	_warn(doc) == set()
}

test_rot040_now_set_warns if {
	doc := _with_provider(mock.plan(_good), "rotation", {"name": "rotation", "expressions": {"now": {"constant_value": "2026-01-05T09:00:00Z"}}})
	_warn(doc) == {`ROT040 provider["rotation"]: now = "2026-01-05T09:00:00Z" is set: this plan evaluates every schedule at the rehearsal clock, not the wall clock`}
}

test_rot040_now_from_variable_in_module_warns if {
	doc := _with_provider(mock.plan(_good), "module.game_day:rotation.rehearsal", {"name": "rotation", "alias": "rehearsal", "full_name": "registry.opentofu.org/rotationkit/rotation", "expressions": {"now": {"references": ["var.now"]}}})
	_warn(doc) == {`ROT040 module.game_day.provider["rotation.rehearsal"]: now (from var.now) is set: this plan evaluates every schedule at the rehearsal clock, not the wall clock`}
}

test_rot040_other_providers_ignored if {
	doc := _with_provider(mock.plan(_good), "time", {"name": "time", "full_name": "registry.terraform.io/hashicorp/time", "expressions": {"now": {"constant_value": "x"}}})
	_warn(doc) == set()
}

test_rot040_null_now_passes if {
	doc := _with_provider(mock.plan(_good), "rotation", {"name": "rotation", "expressions": {"now": {"constant_value": null}}})
	_warn(doc) == set()
}

# ROT041 -----------------------------------------------------------------

test_rot041_window_passes if {
	_warn(mock.plan(_good)) == set()
}

test_rot041_no_window_on_high_warns if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"change_window": null}})])
	_warn(doc) == {"ROT041 rotation_secret.s: no schedule.change_window although the classification is high (family rotation_secret_family.f): scheduled rotations and revocations may happen at any hour"}
}

test_rot041_no_window_on_critical_schedule_warns if {
	doc := mock.plan([mock.fam({"classification": "critical"}), mock.sched({"schedule": {"change_window": null}})])
	"ROT041" in mock.ids(_warn(doc))
}

test_rot041_no_window_on_medium_passes if {
	doc := mock.plan([mock.fam({"classification": "medium"}), mock.sec({"schedule": {"change_window": null}})])
	_warn(doc) == set()
}

test_rot041_no_family_counts_as_high if {
	doc := mock.plan([mock.sec({"schedule": {"change_window": null}})])
	_warn(doc) == {"ROT041 rotation_secret.s: no schedule.change_window although the classification is high (no family found, so classification high): scheduled rotations and revocations may happen at any hour"}
}

test_rot041_unknown_window_warns if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"change_window": null}}), {"schedule": {"change_window": true}})])
	_warn(doc) == {"ROT041 rotation_secret.s: could not be checked: schedule.change_window is unknown until apply"}
}

test_rot041_unknown_classification_warns if {
	doc := mock.plan([mock.with_unknown(mock.fam({"classification": null}), {"classification": true}), mock.sec({"schedule": {"change_window": null}})])
	_warn(doc) == {"ROT041 rotation_secret.s: could not be checked: classification of rotation_secret_family.f is unknown until apply"}
}

# ROT042 -----------------------------------------------------------------

_warn_p(doc, params) := x if {
	x := hygiene.warn with input as doc with data.rotation.params as params
}

# Versions applied with a rehearsal clock in 2030, planned at the real time
# (mock.now, 2026-01-05T09:00:00Z).
_ahead := mock.sec({"versions": [
	mock.version(1, "previous", {"superseded_at": "2030-01-06T09:00:00Z"}),
	mock.version(2, "active", {"issued_at": "2030-01-01T09:00:00Z", "activated_at": "2030-01-06T09:00:00Z"}),
]})

test_rot042_record_ahead_of_the_clock_warns if {
	_warn(mock.plan([mock.fam({}), _ahead])) == {"ROT042 rotation_secret.s: the record is ahead of the clock: 3 recorded timestamps are after 2026-01-05T09:00:00Z (plan timestamp), the latest version 1 superseded_at 2030-01-06T09:00:00Z; no scheduled step (issue, activate, revoke) is decided before that instant, so nothing rotates until then; restore the state from before the applies made with a future clock"}
}

test_rot042_latest_wins_then_lowest_version_then_earliest_field if {
	s := mock.sec({"versions": [
		mock.version(1, "previous", {"superseded_at": "2030-01-06T09:00:00Z"}),
		mock.version(2, "active", {"issued_at": "2031-01-01T00:00:00Z", "activated_at": "2031-01-01T00:00:00Z"}),
	]})
	some m in _warn(mock.plan([mock.fam({}), s]))
	contains(m, "the latest version 2 issued_at 2031-01-01T00:00:00Z;")
}

test_rot042_timestamp_at_the_evaluation_time_passes if {
	s := mock.sec({"versions": [mock.version(1, "active", {"issued_at": mock.now, "activated_at": mock.now})]})
	not "ROT042" in mock.ids(_warn(mock.plan([mock.fam({}), s])))
}

test_rot042_state_and_params_now if {
	doc := mock.state([mock.fam({}), _ahead])
	some m in _warn_p(doc, {"now": "2026-01-05T09:00:00Z"})
	startswith(m, "ROT042 rotation_secret.s: the record is ahead of the clock: 3 recorded timestamps are after 2026-01-05T09:00:00Z (params.now), ")
	not "ROT042" in mock.ids(_warn_p(doc, {"now": "2030-01-06T09:00:00Z"}))
}

test_rot042_schedule_slots if {
	s := mock.sched({"slots": {"a": {"activated_at": "2029-12-31T00:00:00Z"}}})
	_warn(mock.plan([mock.fam({}), s])) == {"ROT042 rotation_schedule.s: the record is ahead of the clock: 1 recorded timestamp is after 2026-01-05T09:00:00Z (plan timestamp), the latest version 1 activated_at 2029-12-31T00:00:00Z; no scheduled step (issue, activate, revoke) is decided before that instant, so nothing rotates until then; restore the state from before the applies made with a future clock"}
}

# Unknown timestamps (this apply's own transitions) are not ahead.
test_rot042_unknown_timestamps_pass if {
	v := object.remove(mock.version(2, "pending", {}), ["issued_at"])
	s := mock.with_unknown(mock.sec({"versions": [mock.version(1, "active", {}), v]}), {"versions": [{}, {"issued_at": true}]})
	not "ROT042" in mock.ids(_warn(mock.plan([mock.fam({}), s])))
}
