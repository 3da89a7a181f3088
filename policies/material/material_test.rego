package rotation.material_test

import data.rotation.lib.mock_test as mock
import data.rotation.material

_verdict(doc, p) := x if {
	x := {
		"deny": material.deny,
		"warn": material.warn,
	} with input as doc
		with data.rotation.params as p
}

_derived_version(n, status) := mock.version(n, status, {"material": "derived", "salt": "c2FsdA", "seed_fingerprint": "fp", "secret": null})

_state_version(n, status) := mock.version(n, status, {"material": "state", "secret": "(redacted)"})

_derived := mock.sec({"material": "derived", "versions": [_derived_version(1, "active")]})

_critical := mock.fam({"classification": "critical"})

_require_critical := {"require_derived_material": {"critical": true}}

_msg_state := `ROT050 rotation_secret.s: material = "state": version 1 (active) keeps secret material in clear in the state, its backups and history, saved plan files and show -json output; set material = "derived": the next apply issues a derived version as a normal rotation, with no flag day, and the versions kept in state leave it when they are revoked (family rotation_secret_family.f, classification high)`

# State mode -------------------------------------------------------------

test_state_default_warns if {
	# The mock secret sets no material: the provider default, state.
	v := _verdict(mock.plan([mock.fam({}), mock.sec({})]), {})
	v.deny == set()
	v.warn == {`ROT050 rotation_secret.s: material is "state" (the default): version 1 (active) keeps secret material in clear in the state, its backups and history, saved plan files and show -json output; set material = "derived": the next apply issues a derived version as a normal rotation, with no flag day, and the versions kept in state leave it when they are revoked (family rotation_secret_family.f, classification high)`}
}

test_state_explicit_warns if {
	v := _verdict(mock.plan([mock.fam({}), mock.sec({"material": "state", "versions": [_state_version(1, "active")]})]), {})
	v.deny == set()
	v.warn == {_msg_state}
}

test_state_in_a_state_document_warns if {
	v := _verdict(mock.state([mock.fam({}), mock.sec({"material": "state", "versions": [_state_version(1, "active")]})]), {})
	v.deny == set()
	v.warn == {_msg_state}
}

test_state_names_every_accepted_version_not_revoked_ones if {
	versions := [
		object.union(_state_version(1, "revoked"), {"secret": null}),
		_state_version(2, "previous"),
		_state_version(3, "active"),
		_state_version(4, "pending"),
	]
	v := _verdict(mock.plan([mock.fam({}), mock.sec({"material": "state", "versions": versions})]), {})
	[m] := [m | some m in v.warn]
	contains(m, ": versions 2 (previous), 3 (active), 4 (pending) keep secret material in clear")
	not contains(m, "1 (revoked)")
}

test_state_unknown_versions_says_what_it_issues if {
	doc := mock.plan([mock.fam({}), mock.with_unknown(mock.sec({"material": "state", "versions": null}), {"versions": true})])
	[m] := [m | some m in _verdict(doc, {}).warn]
	contains(m, `material = "state": every version it issues keeps its secret material in clear`)
}

test_other_value_counts_as_state if {
	v := _verdict(mock.plan([mock.fam({}), mock.sec({"material": "vault"})]), {})
	[m] := [m | some m in v.warn]
	startswith(m, `ROT050 rotation_secret.s: material = "vault": `)
}

# Derived mode -----------------------------------------------------------

test_derived_passes if {
	v := _verdict(mock.plan([mock.fam({}), _derived]), {})
	v == {"deny": set(), "warn": set()}
}

test_derived_passes_when_required if {
	v := _verdict(mock.plan([_critical, _derived]), _require_critical)
	v == {"deny": set(), "warn": set()}
}

test_derived_revoked_state_version_passes if {
	# A revoked version's material is wiped: nothing left in state.
	versions := [object.union(_state_version(1, "revoked"), {"secret": null}), _derived_version(2, "active")]
	v := _verdict(mock.state([mock.fam({}), mock.sec({"material": "derived", "versions": versions})]), {})
	v == {"deny": set(), "warn": set()}
}

# Migration: state versions under a derived secret -------------------------

test_migration_warns if {
	versions := [_state_version(1, "active"), _derived_version(2, "pending")]
	v := _verdict(mock.plan([mock.fam({}), mock.sec({"material": "derived", "versions": versions})]), {})
	v.deny == set()
	v.warn == {`ROT050 rotation_secret.s: material = "derived", but version 1 (active), issued before the switch, still keeps secret material in clear in the state, its backups and history, saved plan files and show -json output until revoked; nothing to change: they leave the state when the schedule revokes them (revoke_versions with a revoke_reason does it sooner, once no consumer uses them) (family rotation_secret_family.f, classification high)`}
}

test_migration_only_warns_when_required if {
	# Denying would block the very plan that moves to derived material.
	versions := [_state_version(1, "previous"), _derived_version(2, "active")]
	v := _verdict(mock.plan([_critical, mock.sec({"material": "derived", "versions": versions})]), _require_critical)
	v.deny == set()
	[m] := [m | some m in v.warn]
	contains(m, "version 1 (previous), issued before the switch")
	contains(m, "classification critical, which params.require_derived_material requires to be derived")
}

test_migration_version_without_material_counts_as_state if {
	# A version recorded before derived mode existed has no material field.
	versions := [mock.version(1, "previous", {"secret": "(redacted)"}), _derived_version(2, "active")]
	v := _verdict(mock.state([mock.fam({}), mock.sec({"material": "derived", "versions": versions})]), {})
	[m] := [m | some m in v.warn]
	contains(m, "version 1 (previous), issued before the switch")
}

# Deny per classification --------------------------------------------------

test_required_classification_denies if {
	v := _verdict(mock.plan([_critical, mock.sec({"material": "state", "versions": [_state_version(1, "active")]})]), _require_critical)
	v.warn == set()
	v.deny == {`ROT050 rotation_secret.s: material = "state": version 1 (active) keeps secret material in clear in the state, its backups and history, saved plan files and show -json output; set material = "derived": the next apply issues a derived version as a normal rotation, with no flag day, and the versions kept in state leave it when they are revoked (family rotation_secret_family.f, classification critical, which params.require_derived_material requires to be derived)`}
}

test_other_classification_still_warns if {
	v := _verdict(mock.plan([mock.fam({}), mock.sec({})]), _require_critical)
	v.deny == set()
	"ROT050" in mock.ids(v.warn)
}

test_no_family_counts_as_high if {
	v := _verdict(mock.plan([mock.sec({})]), {"require_derived_material": {"high": true}})
	v.warn == set()
	[m] := [m | some m in v.deny]
	contains(m, "(no family found, so classification high, which params.require_derived_material requires to be derived)")
}

test_invalid_entry_fails_closed if {
	v := _verdict(mock.plan([_critical, mock.sec({})]), {"require_derived_material": {"critical": "yes"}})
	"ROT050" in mock.ids(v.deny)
}

test_null_entry_keeps_default if {
	v := _verdict(mock.plan([_critical, mock.sec({})]), {"require_derived_material": {"critical": null}})
	v.deny == set()
	"ROT050" in mock.ids(v.warn)
}

# Unknown material ---------------------------------------------------------

_unknown_material := mock.with_unknown(mock.sec({"material": null, "versions": null}), {"material": true, "versions": true})

test_unknown_material_warns_could_not_be_checked if {
	v := _verdict(mock.plan([mock.fam({}), _unknown_material]), {})
	v == {"deny": set(), "warn": {"ROT050 rotation_secret.s: could not be checked: material is unknown until apply"}}
}

test_unknown_material_refused_when_required if {
	v := _verdict(mock.plan([_critical, _unknown_material]), _require_critical)
	v.warn == set()
	v.deny == {"ROT050 rotation_secret.s: refused: material is unknown until apply (the apply could keep secret material in state unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
}

test_unknown_material_required_warns_with_unknown_inputs_warn if {
	v := _verdict(mock.plan([_critical, _unknown_material]), {"require_derived_material": {"critical": true}, "unknown_inputs": "warn"})
	v == {"deny": set(), "warn": {"ROT050 rotation_secret.s: could not be checked: material is unknown until apply"}}
}

test_unknown_classification_refused_when_some_class_requires if {
	fam := mock.with_unknown(mock.fam({"classification": null}), {"classification": true})
	v := _verdict(mock.plan([fam, mock.sec({})]), _require_critical)
	v.deny == {"ROT050 rotation_secret.s: refused: classification of rotation_secret_family.f is unknown until apply (the apply could keep secret material in state unseen; make the value known at plan time, or set params.unknown_inputs to warn)"}
	"ROT050" in mock.ids(v.warn)
}

test_unknown_classification_only_warns_when_nothing_required if {
	fam := mock.with_unknown(mock.fam({"classification": null}), {"classification": true})
	v := _verdict(mock.plan([fam, mock.sec({})]), {})
	v.deny == set()
	[m] := [m | some m in v.warn]
	endswith(m, "(family rotation_secret_family.f)")
}

test_unknown_version_material_under_derived_warns if {
	versions := [_derived_version(1, "active"), _derived_version(2, "pending")]
	sec := mock.with_unknown(mock.sec({"material": "derived", "versions": versions}), {"versions": [{}, {"material": true}]})
	v := _verdict(mock.plan([mock.fam({}), sec]), _require_critical)
	v == {"deny": set(), "warn": {"ROT050 rotation_secret.s: could not be checked: versions[1].material is unknown until apply"}}
}

# rotation_schedule --------------------------------------------------------

test_schedule_never_flagged if {
	doc := mock.plan([_critical, mock.sched({})])
	_verdict(doc, _require_critical) == {"deny": set(), "warn": set()}
	_verdict(mock.state([mock.fam({}), mock.sched({"material": "state"})]), {}) == {"deny": set(), "warn": set()}
}

test_schedule_unknown_material_not_checked if {
	doc := mock.plan([_critical, mock.with_unknown(mock.sched({}), {"material": true})])
	_verdict(doc, _require_critical) == {"deny": set(), "warn": set()}
}

# Sensitive marks and material ---------------------------------------------

test_sensitive_material_value_is_not_shown if {
	doc := mock.plan([mock.fam({}), mock.with_sensitive(mock.sec({"material": "state"}), {"material": true})])
	[m] := [m | some m in _verdict(doc, {}).warn]
	startswith(m, "ROT050 rotation_secret.s: material = (sensitive): ")
	not contains(m, `"state"`)
}

test_sensitive_classification_is_not_shown if {
	doc := mock.plan([mock.with_sensitive(_critical, {"classification": true}), mock.sec({})])
	[m] := [m | some m in _verdict(doc, _require_critical).deny]
	contains(m, "classification (sensitive), which params.require_derived_material requires")
	not contains(m, "critical")
}

test_messages_never_show_secret_values if {
	secret := "s3cr3t-hmac-key-never-printed"
	versions := [
		object.union(_state_version(1, "previous"), {"secret": secret}),
		object.union(_state_version(2, "active"), {"secret": secret}),
	]
	sec := mock.sec({"material": "state", "versions": versions, "active_secret": secret, "accepted_secrets": {"kid-1": secret, "kid-2": secret}})
	migrating := mock.sec({"material": "derived", "versions": versions, "active_secret": secret, "accepted_secrets": {"kid-1": secret}})
	every doc in [mock.plan([mock.fam({}), sec]), mock.state([mock.fam({}), sec]), mock.plan([mock.fam({}), migrating])] {
		every p in [{}, {"require_derived_material": {"high": true}}] {
			v := _verdict(doc, p)
			count(v.deny | v.warn) > 0
			every m in v.deny | v.warn {
				not contains(m, secret)
			}
		}
	}
}

# A waiver moves ROT050 out of warn (and deny) into waived, as for every
# rule of the bundle.
test_state_default_can_be_waived if {
	doc := mock.plan([mock.fam({}), mock.sec({})])
	w := {"waivers": [{"rule": "ROT050", "resource": "rotation_secret.s", "reason": "INC-9: derived mode after the Q1 freeze", "expires": "2026-03-01", "approver": "team-security"}]}
	material.warn == set() with input as doc with data.rotation.params as w
	some x in material.waived with input as doc with data.rotation.params as w
	x.rule == "ROT050"
	x.resource == "rotation_secret.s"
	count(material.warn) == 1 with input as doc with data.rotation.params as {}
}
