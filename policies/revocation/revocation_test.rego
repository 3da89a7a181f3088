package rotation.revocation_test

import data.rotation.lib.mock_test as mock
import data.rotation.revocation

_deny(doc) := x if {
	x := revocation.deny with input as doc with data.rotation.params as {}
}

_warn(doc) := x if {
	x := revocation.warn with input as doc with data.rotation.params as {}
}

_deny_p(doc, params) := x if {
	x := revocation.deny with input as doc with data.rotation.params as params
}

_warn_p(doc, params) := x if {
	x := revocation.warn with input as doc with data.rotation.params as params
}

_good := [mock.fam({}), mock.sec({})]

test_good_plan_passes if {
	_deny(mock.plan(_good)) == set()
	_warn(mock.plan(_good)) == set()
}

# ROT030 -----------------------------------------------------------------

_v1_previous := mock.version(1, "previous", {"superseded_at": "2026-01-05T08:00:00Z"})

_v2_active := mock.version(2, "active", {"issued_at": "2026-01-05T07:00:00Z", "activated_at": "2026-01-05T08:00:00Z"})

# A plan that revokes version 1 (previous since 08:00, overlap 2h) at 09:00.
_emergency(extra) := mock.plan([mock.fam({}), object.union(
	mock.with_unknown(
		mock.sec(object.union(
			{
				"versions": [object.union(_v1_previous, {"status": "revoked", "revoke_reason": "INC-7"}), _v2_active],
				"revoke_versions": [1],
				"revoke_reason": "INC-7",
			},
			extra,
		)),
		{"versions": [{"revoked_at": true}, {}]},
	),
	{"actions": ["update"], "before": object.union(mock.base_secret, {"versions": [_v1_previous, _v2_active]})},
)])

test_rot030_emergency_revocation_in_plan_warns if {
	_warn(_emergency({})) == {`ROT030 rotation_secret.s: version 1 (previous) is revoked by revoke_versions on this apply, before its overlap 2h elapsed (revoke_reason "INC-7")`}
	_deny(_emergency({})) == set()
}

test_rot030_revocation_after_overlap_passes if {
	doc := _emergency({"schedule": {"overlap": "1h"}})
	not "ROT030" in mock.ids(_warn(doc))
}

test_rot030_scheduled_revocation_passes if {
	doc := _emergency({"revoke_versions": null, "revoke_reason": null})
	not "ROT030" in mock.ids(_warn(doc))
}

test_rot030_revocation_from_an_earlier_plan_is_not_repeated if {
	revoked := object.union(_v1_previous, {"status": "revoked", "revoked_at": "2026-01-05T08:30:00Z", "revoke_reason": "INC-7"})
	s := object.union(mock.sec({"versions": [revoked, _v2_active]}), {"actions": ["no-op"], "before": object.union(mock.base_secret, {"versions": [revoked, _v2_active]})})
	not "ROT030" in mock.ids(_warn(mock.plan([mock.fam({}), s])))
}

test_rot030_early_revocation_in_state_warns if {
	revoked := object.union(_v1_previous, {"status": "revoked", "revoked_at": "2026-01-05T08:30:00Z", "revoke_reason": "INC-7"})
	doc := mock.state([mock.fam({}), mock.sec({"versions": [revoked, _v2_active]})])
	_warn(doc) == {`ROT030 rotation_secret.s: version 1 was revoked at 2026-01-05T08:30:00Z, 30m after it was superseded at 2026-01-05T08:00:00Z, before its overlap 2h elapsed (revoke_reason "INC-7")`}
}

test_rot030_on_time_revocation_in_state_passes if {
	revoked := object.union(_v1_previous, {"status": "revoked", "revoked_at": "2026-01-05T10:00:00Z"})
	doc := mock.state([mock.fam({}), mock.sec({"versions": [revoked, _v2_active]})])
	not "ROT030" in mock.ids(_warn(doc))
}

test_rot030_revoked_while_active_warns if {
	revoked := mock.version(1, "revoked", {"revoked_at": "2026-01-05T08:00:00Z"})
	doc := mock.state([mock.fam({}), mock.sec({"versions": [revoked, _v2_active], "revoke_reason": "leaked"})])
	_warn(doc) == {`ROT030 rotation_secret.s: version 1 was revoked at 2026-01-05T08:00:00Z while it was still active (revoke_reason "leaked")`}
}

test_rot030_revoked_while_pending_warns if {
	revoked := mock.version(3, "revoked", {"activated_at": null, "revoked_at": "2026-01-05T08:00:00Z"})
	doc := mock.state([mock.fam({}), mock.sec({"versions": [_v2_active, revoked]})])
	_warn(doc) == {`ROT030 rotation_secret.s: version 3 was revoked at 2026-01-05T08:00:00Z while it was still pending (no revoke_reason recorded)`}
}

test_rot030_unknown_status_warns if {
	v := object.remove(_v1_previous, ["status"])
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"versions": [v, _v2_active]}), {"versions": [{"status": true}, {}]})])
	"ROT030 rotation_secret.s: could not be checked: versions[0].status is unknown until apply" in _warn(doc)
}

# ROT031 -----------------------------------------------------------------

test_rot031_active_version_passes if {
	not "ROT031" in mock.ids(_deny(mock.plan(_good)))
}

test_rot031_no_active_version_fails if {
	doc := mock.plan([mock.fam({}), mock.sec({"versions": [mock.version(1, "revoked", {}), mock.version(2, "pending", {})]})])
	_deny(doc) == {"ROT031 rotation_secret.s: the plan leaves no active version (versions: v1 revoked, v2 pending)"}
}

test_rot031_no_versions_fails if {
	doc := mock.plan([mock.fam({}), mock.sec({"versions": []})])
	_deny(doc) == {"ROT031 rotation_secret.s: the plan leaves no active version (versions: none)"}
}

test_rot031_state if {
	doc := mock.state([mock.fam({}), mock.sec({"versions": [mock.version(1, "previous", {})]})])
	_deny(doc) == {"ROT031 rotation_secret.s: the state has no active version (versions: v1 previous)"}
}

test_rot031_schedule_without_active_slot_fails if {
	doc := mock.plan([mock.fam({}), mock.sched({"slots": {"a": {"status": "revoked"}}})])
	_deny(doc) == {"ROT031 rotation_schedule.s: the plan leaves no active version (slots: v1 revoked)"}
}

test_rot031_schedule_with_active_slot_passes if {
	not "ROT031" in mock.ids(_deny(mock.plan([mock.fam({}), mock.sched({})])))
}

# Unknown at plan time fails closed; params.unknown_inputs = "warn" only
# warns.
test_rot031_unknown_versions_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"versions": null}), {"versions": true})])
	_deny(doc) == {"ROT031 rotation_secret.s: refused: versions is unknown until apply (the apply could leave no active version, unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	not "ROT031" in mock.ids(_warn(doc))
	"ROT031 rotation_secret.s: could not be checked: versions is unknown until apply" in _warn_p(doc, {"unknown_inputs": "warn"})
	_deny_p(doc, {"unknown_inputs": "warn"}) == set()
}

test_rot031_unknown_status_denies if {
	v := object.remove(mock.version(1, "active", {}), ["status"])
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"versions": [v]}), {"versions": [{"status": true}]})])
	_deny(doc) == {"ROT031 rotation_secret.s: refused: versions[0].status is unknown until apply (the apply could leave no active version, unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	"ROT031 rotation_secret.s: could not be checked: versions[0].status is unknown until apply" in _warn_p(doc, {"unknown_inputs": "warn"})
	_deny_p(doc, {"unknown_inputs": "warn"}) == set()
}

# ROT032 -----------------------------------------------------------------

test_rot032_hold_with_reason_passes if {
	doc := mock.plan([mock.fam({}), mock.sec({"hold_revocation": true, "hold_reason": "CHG-1"})])
	not "ROT032" in mock.ids(_deny(doc))
}

test_rot032_hold_without_reason_fails if {
	doc := mock.plan([mock.fam({}), mock.sec({"hold_revocation": true, "hold_reason": " "})])
	_deny(doc) == {"ROT032 rotation_secret.s: hold_revocation is true without a hold_reason; previous versions stay valid past their overlap 2h with no recorded reason"}
}

test_rot032_schedule if {
	doc := mock.plan([mock.fam({}), mock.sched({"hold_revocation": true})])
	"ROT032" in mock.ids(_deny(doc))
}

test_rot032_unknown_reason_warns if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"hold_revocation": true}), {"hold_reason": true})])
	_deny(doc) == set()
	"ROT032 rotation_secret.s: could not be checked: hold_reason is unknown until apply" in _warn(doc)
}

test_rot032_unknown_hold_warns if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"hold_revocation": null}), {"hold_revocation": true})])
	"ROT032 rotation_secret.s: could not be checked: hold_revocation is unknown until apply" in _warn(doc)
}

# The provider marks versions[*].revoke_reason sensitive, and a
# configuration may mark revoke_reason sensitive: the reason is not printed.
test_rot030_sensitive_reason_is_not_printed if {
	revoked := mock.version(1, "revoked", {"revoked_at": "2026-01-05T08:00:00Z", "revoke_reason": "leaked by Mallory"})
	s := mock.with_sensitive(mock.sec({"versions": [revoked, _v2_active], "revoke_reason": "leaked by Mallory"}), {"versions": [{"revoke_reason": true}, {}], "revoke_reason": true})
	_warn(mock.state([mock.fam({}), s])) == {`ROT030 rotation_secret.s: version 1 was revoked at 2026-01-05T08:00:00Z while it was still active (revoke_reason (sensitive))`}
	plain := mock.with_sensitive(mock.sec({"versions": [object.remove(revoked, ["revoke_reason"]), _v2_active], "revoke_reason": "leaked by Mallory"}), {"revoke_reason": true})
	_warn(mock.state([mock.fam({}), plain])) == {`ROT030 rotation_secret.s: version 1 was revoked at 2026-01-05T08:00:00Z while it was still active (revoke_reason (sensitive))`}
}

test_rot030_sensitive_overlap_is_not_printed if {
	doc := _emergency({})
	doc.resource_changes[1].type == "rotation_secret"
	marked := json.patch(doc, [{"op": "add", "path": "/resource_changes/1/change/after_sensitive", "value": {"schedule": {"overlap": true}}}])
	_warn(marked) == {`ROT030 rotation_secret.s: version 1 (previous) is revoked by revoke_versions on this apply, before its overlap (sensitive) elapsed (revoke_reason "INC-7")`}
}
