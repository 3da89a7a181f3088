package rotation.overlap_test

import data.rotation.lib.mock_test as mock
import data.rotation.overlap

_deny(doc, params) := x if {
	x := overlap.deny with input as doc with data.rotation.params as params
}

_warn(doc, params) := x if {
	x := overlap.warn with input as doc with data.rotation.params as params
}

_good := [mock.fam({}), mock.sec({})]

_lenient := {"unknown_inputs": "warn"}

_consumers(list) := mock.fam({"consumer": list})

test_good_plan_passes if {
	_deny(mock.plan(_good), {}) == set()
	_warn(mock.plan(_good), {}) == set()
}

# ROT020 -----------------------------------------------------------------

# The done-when pair: overlap equal to the longest consumer cache fails,
# one second longer passes.
test_rot020_overlap_equal_to_cache_fails if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"overlap": "1h"}})])
	_deny(doc, {}) == {"ROT020 rotation_secret.s: overlap 1h must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)"}
}

test_rot020_overlap_one_second_longer_passes if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"overlap": "1h0m1s"}})])
	not "ROT020" in mock.ids(_deny(doc, {}))
	_warn(doc, {}) == set()
}

test_rot020_message_of_the_design if {
	doc := mock.plan([mock.fam({}), object.union(mock.sec({"schedule": {"overlap": "30m", "propagation": "1h"}}), {"address": "rotation_secret.jwt"})])
	"ROT020 rotation_secret.jwt: overlap 30m must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)" in _deny(doc, {})
}

test_rot020_artifact_lifetime_and_longest_consumer_count if {
	f := mock.fam({"artifact_lifetime": "15m", "consumer": [
		{"name": "a", "role": "emitter", "cache_ttl": "2h"},
		{"name": "b", "role": "validator", "cache_ttl": "30m"},
	]})
	doc := mock.plan([f, mock.sec({"schedule": {"overlap": "2h15m"}})])
	mock.only(_deny(doc, {}), "ROT020") == {"ROT020 rotation_secret.s: overlap 2h15m must exceed 2h15m (longest consumer cache 2h + artifact lifetime 15m)"}
	doc2 := mock.plan([f, mock.sec({"schedule": {"overlap": "2h15m1s"}})])
	not "ROT020" in mock.ids(_deny(doc2, {}))
}

test_rot020_no_consumers if {
	doc := mock.plan([_consumers([]), mock.sec({"schedule": {"overlap": "1s"}})])
	not "ROT020" in mock.ids(_deny(doc, {}))
}

test_rot020_computed_required_overlap_is_not_trusted if {
	doc := mock.plan([mock.fam({"required_overlap": "1m"}), mock.sec({"schedule": {"overlap": "30m"}})])
	"ROT020" in mock.ids(_deny(doc, {}))
}

test_rot020_factor if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"overlap": "1h30m"}})])
	not "ROT020" in mock.ids(_deny(doc, {}))
	mock.only(_deny(doc, {"overlap_cache_factor": 1.5}), "ROT020") == {"ROT020 rotation_secret.s: overlap 1h30m must exceed 1h30m (overlap_cache_factor 1.5 x (longest consumer cache 1h + artifact lifetime 0s))"}
	mock.only(_deny(doc, {"overlap_cache_factor": 2}), "ROT020") == {"ROT020 rotation_secret.s: overlap 1h30m must exceed 2h (overlap_cache_factor 2 x (longest consumer cache 1h + artifact lifetime 0s))"}
}

test_rot020_bad_factor_warns if {
	msgs := _warn(mock.plan(_good), {"overlap_cache_factor": "two"})
	`ROT020 params: could not be checked: overlap_cache_factor "two" is not a number >= 0` in msgs
	not "ROT020" in mock.ids(_deny(mock.plan(_good), {"overlap_cache_factor": "two"}))
}

# Unknown at plan time fails closed; params.unknown_inputs = "warn" only
# warns.
test_rot020_unknown_cache_denies if {
	f := mock.with_unknown(_consumers([{"name": "api", "role": "validator"}]), {"consumer": [{"cache_ttl": true}]})
	doc := mock.plan([f, mock.sec({})])
	mock.only(_deny(doc, {}), "ROT020") == {"ROT020 rotation_secret.s: refused: consumer[0].cache_ttl of rotation_secret_family.f is unknown until apply (the apply could revoke the old version while a consumer still caches it, unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	not "ROT020" in mock.ids(_warn(doc, {}))
	not "ROT020" in mock.ids(_deny(doc, _lenient))
	"ROT020 rotation_secret.s: could not be checked: consumer[0].cache_ttl of rotation_secret_family.f is unknown until apply" in _warn(doc, _lenient)
}

test_rot020_unknown_consumers_denies if {
	f := mock.with_unknown(_consumers(null), {"consumer": true})
	doc := mock.plan([f, mock.sec({})])
	some m20 in _deny(doc, {})
	startswith(m20, "ROT020 rotation_secret.s: refused: consumer of rotation_secret_family.f is unknown until apply (")
	some m21 in _deny(doc, {})
	startswith(m21, "ROT021 rotation_secret.s: refused: consumer of rotation_secret_family.f is unknown until apply (")
	"ROT020 rotation_secret.s: could not be checked: consumer of rotation_secret_family.f is unknown until apply" in _warn(doc, _lenient)
	"ROT021 rotation_secret.s: could not be checked: consumer of rotation_secret_family.f is unknown until apply" in _warn(doc, _lenient)
}

test_rot020_unknown_overlap_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"overlap": null}}), {"schedule": {"overlap": true}})])
	mock.ids(_deny(doc, {})) == {"ROT020", "ROT022"}
	"ROT020 rotation_secret.s: could not be checked: schedule.overlap is unknown until apply" in _warn(doc, _lenient)
	_deny(doc, _lenient) == set()
}

test_rot020_no_family_warns if {
	doc := mock.plan([mock.sec({"family": "nope"})])
	"ROT020 rotation_secret.s: could not be checked: no family found, so no consumers to compare the overlap with (see ROT012)" in _warn(doc, {})
}

test_rot020_schedule if {
	doc := mock.plan([mock.fam({}), mock.sched({"schedule": {"overlap": "1h"}})])
	"ROT020 rotation_schedule.s: overlap 1h must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)" in _deny(doc, {})
}

# ROT021 -----------------------------------------------------------------

test_rot021_propagation_equal_to_validator_cache_passes if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"propagation": "1h"}})])
	not "ROT021" in mock.ids(_deny(doc, {}))
}

test_rot021_propagation_short_fails if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"propagation": "59m59s"}})])
	_deny(doc, {}) == {`ROT021 rotation_secret.s: propagation 59m59s is shorter than the longest validator cache 1h (consumer "api" of rotation_secret_family.f)`}
}

test_rot021_emitters_do_not_count if {
	f := _consumers([{"name": "signer", "role": "emitter", "cache_ttl": "1h"}, {"name": "checker", "role": "both", "cache_ttl": "10m"}])
	doc := mock.plan([f, mock.sec({"schedule": {"propagation": "10m"}})])
	not "ROT021" in mock.ids(_deny(doc, {}))
	doc2 := mock.plan([f, mock.sec({"schedule": {"propagation": "5m"}})])
	_deny(doc2, {}) == {`ROT021 rotation_secret.s: propagation 5m is shorter than the longest validator cache 10m (consumer "checker" of rotation_secret_family.f)`}
}

test_rot021_default_role_is_validator if {
	f := _consumers([{"name": "api", "cache_ttl": "1h"}])
	doc := mock.plan([f, mock.sec({"schedule": {"propagation": "0s"}})])
	"ROT021" in mock.ids(_deny(doc, {}))
}

test_rot021_unknown_role_denies if {
	f := mock.with_unknown(_consumers([{"name": "api", "cache_ttl": "1h"}]), {"consumer": [{"role": true}]})
	doc := mock.plan([f, mock.sec({"schedule": {"propagation": "0s"}})])
	mock.only(_deny(doc, {}), "ROT021") == {"ROT021 rotation_secret.s: refused: consumer[0].role of rotation_secret_family.f is unknown until apply (the apply could emit the new version before every validator loaded it, unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	not "ROT021" in mock.ids(_deny(doc, _lenient))
	"ROT021 rotation_secret.s: could not be checked: consumer[0].role of rotation_secret_family.f is unknown until apply" in _warn(doc, _lenient)
}

test_rot021_unknown_propagation_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"propagation": null}}), {"schedule": {"propagation": true}})])
	some m in _deny(doc, {})
	startswith(m, "ROT021 rotation_secret.s: refused: schedule.propagation is unknown until apply (")
	"ROT021 rotation_secret.s: could not be checked: schedule.propagation is unknown until apply" in _warn(doc, _lenient)
}

# A consumer name that is not a string is printed as JSON.
test_rot021_number_as_consumer_name_is_json if {
	f := _consumers([{"name": 7, "role": "validator", "cache_ttl": "1h"}])
	doc := mock.plan([f, mock.sec({"schedule": {"propagation": "0s"}})])
	_deny(doc, {}) == {"ROT021 rotation_secret.s: propagation 0s is shorter than the longest validator cache 1h (consumer 7 of rotation_secret_family.f)"}
}

# ROT022 -----------------------------------------------------------------

test_rot022_nonzero_overlap_passes if {
	not "ROT022" in mock.ids(_deny(mock.plan(_good), {}))
}

test_rot022_zero_overlap_fails if {
	doc := mock.plan([_consumers([]), mock.sec({"schedule": {"overlap": "0w0d0h0m0s"}})])
	mock.only(_deny(doc, {}), "ROT022") == {"ROT022 rotation_secret.s: overlap 0w0d0h0m0s is zero: the old version is revoked the moment the new one becomes active (a flag-day swap)"}
}

test_rot022_unknown_overlap_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"overlap": null}}), {"schedule": {"overlap": true}})])
	"ROT022 rotation_secret.s: refused: schedule.overlap is unknown until apply (the apply could swap versions with no overlap, a flag day, unseen; make the value known at plan time, or set params.unknown_inputs to warn)" in _deny(doc, {})
	"ROT022 rotation_secret.s: could not be checked: schedule.overlap is unknown until apply" in _warn(doc, _lenient)
	not "ROT022" in mock.ids(_deny(doc, _lenient))
}

# ROT023 -----------------------------------------------------------------

test_rot023_short_enough_passes if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"period": "3h0m1s", "propagation": "1h", "overlap": "2h"}})])
	not "ROT023" in mock.ids(_warn(doc, {}))
}

test_rot023_secret_warns if {
	doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"period": "3h", "propagation": "1h", "overlap": "2h"}})])
	_warn(doc, {}) == {"ROT023 rotation_secret.s: propagation 1h + overlap 2h = 3h is not shorter than period 3h: the next version is issued before the previous one is revoked, so more than two versions are accepted at once"}
	not "ROT023" in mock.ids(_deny(doc, {}))
}

test_rot023_schedule_denies if {
	doc := mock.plan([mock.fam({}), mock.sched({"schedule": {"period": "3h", "propagation": "1h", "overlap": "2h"}})])
	_deny(doc, {}) == {"ROT023 rotation_schedule.s: propagation 1h + overlap 2h = 3h is not shorter than period 3h: the two slots collide: the version after next is due in a slot whose occupant is not revoked yet"}
	not "ROT023" in mock.ids(_warn(doc, {}))
}

test_rot023_schedule_passes if {
	doc := mock.plan([mock.fam({}), mock.sched({})])
	not "ROT023" in mock.ids(_deny(doc, {}))
}

test_rot023_unknown_period_of_schedule_denies if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sched({"schedule": {"period": null}}), {"schedule": {"period": true}})])
	mock.only(_deny(doc, {}), "ROT023") == {"ROT023 rotation_schedule.s: refused: schedule.period is unknown until apply (the apply could make the two slots collide, unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	not "ROT023" in mock.ids(_warn(doc, {}))
	"ROT023 rotation_schedule.s: could not be checked: schedule.period is unknown until apply" in _warn(doc, _lenient)
	not "ROT023" in mock.ids(_deny(doc, _lenient))
}

# ROT023 on a rotation_secret only warns, also when it cannot be checked.
test_rot023_unknown_period_of_secret_warns if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"schedule": {"period": null}}), {"schedule": {"period": true}})])
	mock.only(_warn(doc, {}), "ROT023") == {"ROT023 rotation_secret.s: could not be checked: schedule.period is unknown until apply"}
	not "ROT023" in mock.ids(_deny(doc, {}))
	mock.only(_warn(doc, _lenient), "ROT023") == {"ROT023 rotation_secret.s: could not be checked: schedule.period is unknown until apply"}
}

# ROT024 -----------------------------------------------------------------

_v1_previous := mock.version(1, "previous", {"kid": "kid-1", "superseded_at": "2026-01-04T09:00:00Z"})

_v2_active := mock.version(2, "active", {"kid": "kid-2", "issued_at": "2026-01-03T09:00:00Z"})

_v0_revoked := mock.version(0, "revoked", {"kid": null})

_live := mock.sec({"versions": [_v0_revoked, _v1_previous, _v2_active]})

test_rot024_destroy_fails if {
	doc := mock.plan([mock.removal(mock.fam({}), ["delete"]), mock.removal(_live, ["delete"])])
	_deny(doc, {}) == {"ROT024 rotation_secret.s: this plan destroys it (plan -destroy, its block or module removed, or its for_each or count key renamed without a moved block): v1 (previous, kid kid-1), v2 (active, kid kid-2) stop being accepted at once, a flag day for every consumer still using them; keep the resource (a moved block for a renamed key), or list the address in params.decommission to allow a deliberate decommission"}
	_warn(doc, {}) == set()
}

test_rot024_replace_fails if {
	some actions in [["delete", "create"], ["create", "delete"]]
	doc := mock.plan([mock.fam({}), mock.removal(_live, actions)])
	some m in mock.only(_deny(doc, {}), "ROT024")
	startswith(m, "ROT024 rotation_secret.s: this plan replaces it (-replace or a changed name): the new resource starts over with a new version 1: v1 (previous, kid kid-1), v2 (active, kid kid-2) stop being accepted at once")
}

# The other rules see the new values of a replaced resource, and nothing of a
# deleted one.
test_rot024_replacement_is_judged_with_its_new_values if {
	r := object.union(mock.removal(_live, ["delete", "create"]), {"values": mock.sec({"schedule": {"overlap": "0s"}}).values})
	ids := mock.ids(_deny(mock.plan([mock.fam({}), r]), {}))
	"ROT024" in ids
	"ROT022" in ids
	mock.ids(_deny(mock.plan([mock.fam({}), mock.removal(mock.sec({"schedule": {"overlap": "0s"}}), ["delete"])]), {})) == {"ROT024"}
}

test_rot024_forget_fails if {
	doc := mock.plan([mock.fam({}), mock.removal(mock.sec({}), ["forget"])])
	_deny(doc, {}) == {"ROT024 rotation_secret.s: this plan forgets it (a removed block): its record leaves the state: v1 (active) stops being accepted at once, a flag day for every consumer still using it; keep the resource (a moved block for a renamed key), or list the address in params.decommission to allow a deliberate decommission"}
}

test_rot024_schedule_names_slots if {
	doc := mock.plan([mock.fam({}), mock.removal(mock.sched({}), ["delete"])])
	some m in _deny(doc, {})
	startswith(m, "ROT024 rotation_schedule.s: this plan destroys it (")
	contains(m, ": v1 (active, slot a) stops being accepted at once")
}

test_rot024_nothing_accepted_passes if {
	revoked := mock.sec({"versions": [_v0_revoked]})
	doc := mock.plan([mock.fam({}), mock.removal(revoked, ["delete"])])
	not "ROT024" in mock.ids(_deny(doc, {}))
}

test_rot024_family_and_state_are_not_judged if {
	not "ROT024" in mock.ids(_deny(mock.plan([mock.removal(mock.fam({}), ["delete"])]), {}))
	not "ROT024" in mock.ids(_deny(mock.state([mock.fam({}), _live]), {}))
	not "ROT024" in mock.ids(_deny(mock.plan([mock.fam({}), object.union(_live, {"actions": ["update"], "before": _live.values})]), {}))
}

test_rot024_decommission_warns if {
	doc := mock.plan([mock.fam({}), mock.removal(_live, ["delete"])])
	some pattern in ["rotation_secret.s", "rotation_secret.*", "*", "rotation_secret.[st]"]
	_deny(doc, {"decommission": [pattern]}) == set()
	_warn(doc, {"decommission": [pattern]}) == {sprintf("ROT024 rotation_secret.s: decommissioned (params.decommission %q): this plan destroys it (plan -destroy, its block or module removed, or its for_each or count key renamed without a moved block): v1 (previous, kid kid-1), v2 (active, kid kid-2) stop being accepted at once", [pattern])}
}

test_rot024_decommission_of_another_address_still_fails if {
	doc := mock.plan([mock.fam({}), mock.removal(_live, ["delete"])])
	some pattern in ["rotation_secret.t", "module.*", "rotation_secret.s[*]", 7, "["]
	"ROT024" in mock.ids(_deny(doc, {"decommission": [pattern]}))
}

test_rot024_decommission_with_keys_matches_exactly if {
	r := object.union(_live, {"address": `rotation_secret.s["a.b"]`})
	doc := mock.plan([mock.fam({}), mock.removal(r, ["delete"])])
	_deny(doc, {"decommission": [`rotation_secret.s["a.b"]`]}) == set()
	_deny(doc, {"decommission": [`rotation_secret.s\["a*"\]`]}) == set()
	"ROT024" in mock.ids(_deny(doc, {"decommission": [`rotation_secret.s["a"]`]}))
}

test_sensitive_caches_and_names_are_not_printed if {
	f := mock.with_sensitive(mock.fam({}), {"consumer": [{"cache_ttl": true, "name": true}]})
	doc := mock.plan([f, mock.sec({"schedule": {"overlap": "1h", "propagation": "30m"}})])
	_deny(doc, {}) == {
		"ROT020 rotation_secret.s: overlap 1h must exceed (sensitive) (longest consumer cache (sensitive) + artifact lifetime 0s)",
		"ROT021 rotation_secret.s: propagation 30m is shorter than the longest validator cache (sensitive) (consumer (sensitive) of rotation_secret_family.f)",
	}
}
