# ROT030 with evidence gates (issue 11): an emergency revocation under a
# revocation gate whose evidence shows the version still in use says so.
package rotation.revocation_gates_test

import data.rotation.lib.mock_test as mock
import data.rotation.revocation

_warn(doc) := x if {
	x := revocation.warn with input as doc with data.rotation.params as {}
}

_v1_previous := mock.version(1, "previous", {"superseded_at": "2026-01-05T08:00:00Z"})

_v2_active := mock.version(2, "active", {"issued_at": "2026-01-05T07:00:00Z", "activated_at": "2026-01-05T08:00:00Z"})

_emergency(evidence) := mock.plan([mock.fam({}), object.union(
	mock.with_unknown(
		mock.sec({
			"versions": [object.union(_v1_previous, {"status": "revoked", "revoke_reason": "INC-7", "revocation_evidence": evidence}), _v2_active],
			"revoke_versions": [1],
			"revoke_reason": "INC-7",
		}),
		{"versions": [{"revoked_at": true}, {}]},
	),
	{"actions": ["update"], "before": object.union(mock.base_secret, {"versions": [_v1_previous, _v2_active]})},
)])

test_rot030_adds_the_evidence_when_still_in_use if {
	_warn(_emergency("prometheus observed 2026-01-05T09:00:00Z: v1 still in use, last used 2026-01-05T08:55:00Z (within quiet_period 1h)")) == {`ROT030 rotation_secret.s: version 1 (previous) is revoked by revoke_versions on this apply, before its overlap 2h elapsed (revoke_reason "INC-7"); the revocation gate's evidence shows it still in use: prometheus observed 2026-01-05T09:00:00Z: v1 still in use, last used 2026-01-05T08:55:00Z (within quiet_period 1h)`}
}

test_rot030_evidence_of_no_use_adds_nothing if {
	_warn(_emergency("prometheus observed 2026-01-05T09:00:00Z: v1 not seen in use")) == {`ROT030 rotation_secret.s: version 1 (previous) is revoked by revoke_versions on this apply, before its overlap 2h elapsed (revoke_reason "INC-7")`}
}

test_rot030_in_a_state_adds_the_evidence if {
	revoked := object.union(_v1_previous, {"status": "revoked", "revoked_at": "2026-01-05T08:30:00Z", "revoke_reason": "INC-7", "revocation_evidence": "last_used observed 2026-01-05T08:30:00Z: v1 still in use, last used 2026-01-05T08:29:00Z (within quiet_period 1h)"})
	msgs := _warn(mock.state([mock.fam({}), mock.sec({"versions": [revoked, _v2_active]})]))
	some m in msgs
	endswith(m, "; the revocation gate's evidence shows it still in use: last_used observed 2026-01-05T08:30:00Z: v1 still in use, last used 2026-01-05T08:29:00Z (within quiet_period 1h)")
}
