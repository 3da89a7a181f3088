package rotation.gates_test

import data.rotation.gates
import data.rotation.lib.mock_test as mock

_deny(doc, params) := x if {
	x := gates.deny with input as doc with data.rotation.params as params
}

_warn(doc, params) := x if {
	x := gates.warn with input as doc with data.rotation.params as params
}

test_good_plan_passes if {
	doc := mock.plan([mock.fam({}), mock.sec({})])
	_deny(doc, {}) == set()
	_warn(doc, {}) == set()
}

# ROT033 -----------------------------------------------------------------

_gate := {"quiet_period": "1h", "max_wait": "1d", "require_successor_use": null, "last_used": {"1": "2026-01-05T08:30:00Z"}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}

_v2 := mock.version(2, "active", {"issued_at": "2026-01-02T07:00:00Z", "activated_at": "2026-01-02T08:00:00Z"})

# v1 previous since superseded (overlap 2h), its revocation gated.
_waiting(superseded, extra) := mock.plan([mock.fam({}), mock.sec(object.union(
	{
		"revocation_gate": _gate,
		"versions": [mock.version(1, "previous", {"superseded_at": superseded}), _v2],
		"next_transition": "revoke v1: last used 08:30, quiet until 09:30",
	},
	extra,
))])

test_rot033_waiting_past_max_wait_warns if {
	# overlap ended 2026-01-03T10:00, max_wait 1d ended 2026-01-04T10:00.
	_warn(_waiting("2026-01-03T08:00:00Z", {}), {}) == {`ROT033 rotation_secret.s: the revocation of version 1 has waited past max_wait 1d: its overlap 2h ended at 2026-01-03T10:00:00Z, max_wait at 2026-01-04T10:00:00Z, and at 2026-01-05T09:00:00Z (plan timestamp) its revocation gate still waits (next_transition: "revoke v1: last used 08:30, quiet until 09:30"); find the consumer still using it, or decide: revoke it with revoke_versions and revoke_reason, or set hold_revocation with a hold_reason`}
	_deny(_waiting("2026-01-03T08:00:00Z", {}), {}) == set()
}

test_rot033_enforced_denies if {
	"ROT033" in mock.ids(_deny(_waiting("2026-01-03T08:00:00Z", {}), {"enforce_max_wait": true}))
	not "ROT033" in mock.ids(_warn(_waiting("2026-01-03T08:00:00Z", {}), {"enforce_max_wait": true}))
}

test_rot033_within_max_wait_passes if {
	# overlap ended 2026-01-04T10:00, max_wait ends 2026-01-05T10:00.
	_warn(_waiting("2026-01-04T08:00:00Z", {}), {}) == set()
}

test_rot033_held_or_pinned_passes if {
	_warn(_waiting("2026-01-03T08:00:00Z", {"hold_revocation": true, "hold_reason": "CHG-1"}), {}) == set()
	_warn(_waiting("2026-01-03T08:00:00Z", {"pin_active_version": 1}), {}) == set()
}

test_rot033_without_gate_passes if {
	_warn(_waiting("2026-01-03T08:00:00Z", {"revocation_gate": null}), {}) == set()
}

test_rot033_without_evidence_says_so if {
	msgs := _warn(_waiting("2026-01-03T08:00:00Z", {"next_transition": "revoke v1"}), {})
	some m in msgs
	contains(m, "its revocation gate still waits (no evidence at hand in this plan)")
}

test_rot033_unknown_max_wait_is_unchecked if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(
		mock.sec({"revocation_gate": object.union(_gate, {"max_wait": null})}),
		{"revocation_gate": {"max_wait": true}},
	)])
	_warn(doc, {}) == {"ROT033 rotation_secret.s: could not be checked: revocation_gate.max_wait is unknown until apply"}
}

# ROT034 -----------------------------------------------------------------

_two_validators := mock.fam({"consumer": [
	{"name": "api", "role": "validator", "cache_ttl": "1h", "reload": "hot", "owner": null, "third_party": false},
	{"name": "worker", "role": "both", "cache_ttl": "1h", "reload": "hot", "owner": null, "third_party": false},
	{"name": "login", "role": "emitter", "cache_ttl": "5m", "reload": "hot", "owner": null, "third_party": false},
]})

_emission(gate) := mock.plan([_two_validators, mock.sec({"emission_gate": gate})])

test_rot034_validator_not_a_source_warns if {
	_warn(_emission({"sources": ["api"], "accepted": {"api": ["1"]}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}), {}) == {`ROT034 rotation_secret_family.f: validators "worker" of family "fam" are not a source of any emission gate of its secrets (rotation_secret.s lists api), so the new version may be emitted before they load it`}
}

test_rot034_every_validator_listed_passes if {
	_warn(_emission({"sources": ["api", "worker"], "accepted": null, "observed_at": null, "prometheus": {"query": "q", "label": "kid"}}), {}) == set()
}

test_rot034_accepted_keys_are_the_sources if {
	_warn(_emission({"sources": null, "accepted": {"api": ["1"], "worker": ["1"]}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}), {}) == set()
	"ROT034" in mock.ids(_warn(_emission({"sources": null, "accepted": {"api": ["1"]}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}), {}))
}

test_rot034_prometheus_without_sources_warns if {
	msgs := _warn(_emission({"sources": null, "accepted": null, "observed_at": null, "prometheus": {"query": "q", "label": "kid"}}), {})
	some m in msgs
	contains(m, `validators "api", "worker"`)
	contains(m, "rotation_secret.s lists none (a Prometheus gate without sources counts only what reports; set emission_gate.sources)")
}

test_rot034_without_emission_gate_passes if {
	_warn(mock.plan([_two_validators, mock.sec({})]), {}) == set()
}

test_rot034_unknown_sources_is_unchecked if {
	doc := mock.plan([_two_validators, mock.with_unknown(
		mock.sec({"emission_gate": {"sources": null, "accepted": {"api": ["1"]}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}}),
		{"emission_gate": {"sources": true}},
	)])
	_warn(doc, {}) == {"ROT034 rotation_secret.s: could not be checked: emission_gate.sources is unknown until apply"}
}

# ROT035 -----------------------------------------------------------------

_unseen_family := mock.fam({"consumer": [
	{"name": "api", "role": "validator", "cache_ttl": "1h", "reload": "hot", "owner": null, "third_party": false},
	{"name": "partner", "role": "validator", "cache_ttl": "1h", "reload": "restart", "owner": null, "third_party": true},
	{"name": "legacy", "role": "validator", "cache_ttl": "1h", "reload": "restart", "owner": null, "third_party": false},
]})

test_rot035_third_party_without_gate_warns if {
	_warn(mock.plan([_unseen_family, mock.sec({})]), {}) == {`ROT035 rotation_secret.s: family "fam" has consumers whose use the overlap cannot predict ("partner" (third party, reload = "restart"); "legacy" (reload = "restart")), but this secret has no revocation_gate: old versions are revoked on the calendar, whether they are still used or not`}
}

# Names the input marks sensitive are not printed (issue 10: sensitive marks).
test_rot035_sensitive_names_are_not_printed if {
	f := mock.with_sensitive(_unseen_family, {"name": true, "consumer": [{}, {"name": true}, {}]})
	_warn(mock.plan([f, mock.sec({})]), {}) == {`ROT035 rotation_secret.s: family (sensitive) has consumers whose use the overlap cannot predict ((sensitive) (third party, reload = "restart"); "legacy" (reload = "restart")), but this secret has no revocation_gate: old versions are revoked on the calendar, whether they are still used or not`}
}

test_rot034_sensitive_validator_is_not_printed if {
	f := mock.with_sensitive(_two_validators, {"consumer": [{}, {"name": true}]})
	msgs := _warn(mock.plan([f, mock.sec({"emission_gate": {"sources": ["api"], "accepted": {"api": ["1"]}, "observed_at": "2026-01-05T09:00:00Z", "prometheus": null}})]), {})
	some m in msgs
	contains(m, "validators (sensitive) of family")
	not contains(m, "worker")
}

test_rot035_with_gate_passes if {
	_warn(mock.plan([_unseen_family, mock.sec({"revocation_gate": _gate})]), {}) == set()
}

test_rot035_schedule_without_gate_warns if {
	"ROT035" in mock.ids(_warn(mock.plan([_unseen_family, mock.sched({})]), {}))
}

test_rot035_ordinary_consumers_pass if {
	_warn(mock.plan([mock.fam({}), mock.sec({})]), {}) == set()
}

# ROT036 -----------------------------------------------------------------

test_rot036_used_after_revocation_warns if {
	doc := mock.plan([mock.fam({}), mock.sec({"used_after_revocation": [{"version": 1, "last_used": "2026-01-05T08:00:00Z", "revoked_at": "2026-01-04T12:00:00Z"}]})])
	_warn(doc, {}) == {"ROT036 rotation_secret.s: version 1 was used at 2026-01-05T08:00:00Z, after its revocation at 2026-01-04T12:00:00Z: a consumer still presents it and is failing right now"}
}

test_rot036_in_a_state_warns if {
	doc := mock.state([mock.fam({}), mock.sec({"used_after_revocation": [{"version": 3, "last_used": "2026-01-05T08:00:00Z", "revoked_at": "2026-01-04T12:00:00Z"}]})])
	"ROT036" in mock.ids(_warn(doc, {}))
}

test_rot036_none_passes if {
	_warn(mock.plan([mock.fam({}), mock.sec({"used_after_revocation": null})]), {}) == set()
	_warn(mock.plan([mock.fam({}), mock.sec({"used_after_revocation": []})]), {}) == set()
}
