# ROT003 with evidence gates (issue 11): a gated revocation still waiting
# past the ttl is denied, saying what the gate waits for, until someone
# decides; a hold with a reason is such a decision.
package rotation.ttl_gates_test

import data.rotation.lib.mock_test as mock
import data.rotation.ttl

_deny(doc) := x if {
	x := ttl.deny with input as doc with data.rotation.params as {}
}

_gate := {"quiet_period": "1h", "max_wait": "30d", "require_successor_use": null, "last_used": {"1": "2026-01-05T08:30:00Z"}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}

# v1 previous and expired at 2026-01-04T09:00 (the plan is at 2026-01-05T09:00).
_expired(extra) := mock.plan([mock.fam({}), mock.sec(object.union(
	{
		"versions": [
			mock.version(1, "previous", {"superseded_at": "2026-01-02T08:00:00Z", "expires_at": "2026-01-04T09:00:00Z"}),
			mock.version(2, "active", {"issued_at": "2026-01-02T07:00:00Z", "activated_at": "2026-01-02T08:00:00Z", "expires_at": "2026-02-16T07:00:00Z"}),
		],
		"next_transition": "revoke v1: last used 08:30, quiet until 09:30",
	},
	extra,
))])

test_rot003_gate_waiting_past_ttl_denies_and_says_why if {
	_deny(_expired({"revocation_gate": _gate})) == {`ROT003 rotation_secret.s: version 1 (previous) expired at 2026-01-04T09:00:00Z but is still accepted at 2026-01-05T09:00:00Z (plan timestamp); its revocation gate still waits (next_transition: "revoke v1: last used 08:30, quiet until 09:30") and keeps waiting, because revoking a credential in use is an outage: decide, either revoke it with revoke_versions and revoke_reason, or set hold_revocation with a hold_reason`}
}

test_rot003_gate_held_with_reason_passes if {
	_deny(_expired({"revocation_gate": _gate, "hold_revocation": true, "hold_reason": "CHG-7: export moves on Monday"})) == set()
}

test_rot003_gate_held_without_reason_denies if {
	"ROT003" in mock.ids(_deny(_expired({"revocation_gate": _gate, "hold_revocation": true, "hold_reason": "  "})))
}

test_rot003_hold_without_gate_still_denies if {
	_deny(_expired({"hold_revocation": true, "hold_reason": "CHG-7"})) == {"ROT003 rotation_secret.s: version 1 (previous) expired at 2026-01-04T09:00:00Z but is still accepted at 2026-01-05T09:00:00Z (plan timestamp)"}
}
