# METADATA
# title: Evidence gate rules
# description: |
#   Revoking on evidence and emitting once validators accept
#   (docs/design.md, Evidence gates): ROT033 (a gated revocation waited past
#   max_wait), ROT034 (every validator is a source of the family's emission
#   gates), ROT035 (third-party and restart-to-reload consumers need a
#   revocation gate) and ROT036 (a revoked version used after its
#   revocation).
package rotation.gates

import data.rotation.lib.params
import data.rotation.lib.terraform as tf
import data.rotation.lib.waivers

# The findings of this package: _deny and _warn (each rule's definitions
# below) minus what a valid params.waivers entry covers, which waived
# reports instead (lib/waivers.rego). conftest reads deny and warn.
deny := waivers.kept(_deny)

warn := waivers.kept(_warn)

waived := waivers.covered(_deny, _warn)

_ns := 1000000000

_revocation_gate(s) := g if {
	g := tf.value(s, ["revocation_gate"])
	is_object(g)
}

_emission_gate(s) := g if {
	g := tf.value(s, ["emission_gate"])
	is_object(g)
}

# ---------------------------------------------------------------------------
# ROT033

# Revocation is held (a decision someone took), so the gate is not what
# keeps the version.
_held(s) if tf.field(s, ["hold_revocation"]).value == true

_pinned(s, v) if tf.value(s, ["pin_active_version"]) == v

# What the gate waits for, as next_transition says it.
_waits_for(s) := sprintf("next_transition: %q", [n]) if {
	n := tf.value(s, ["next_transition"])
	is_string(n)
	contains(n, ": ")
} else := "no evidence at hand in this plan"

_max_wait_findings contains msg if {
	some s in tf.secrets
	_revocation_gate(s)
	not _held(s)
	wait := tf.dur(s, ["revocation_gate", "max_wait"])
	wait.state == "known"
	overlap := tf.sdur(s, ["schedule", "overlap"])
	overlap.state == "known"
	some e in tf.versions(s)
	e.v.status == "previous"
	not _pinned(s, e.v.version)
	superseded := tf.time_ns(e.v.superseded_at)
	ended := superseded + (overlap.seconds * _ns)
	limit := ended + (wait.seconds * _ns)
	limit < tf.as_of
	msg := sprintf("ROT033 %s: the revocation of version %s has waited past max_wait %s: its overlap %s ended at %s, max_wait at %s, and at %s its revocation gate still waits (%s); find the consumer still using it, or decide: revoke it with revoke_versions and revoke_reason, or set hold_revocation with a hold_reason", [s.address, tf.quote(e.v.version), tf.text(wait), tf.text(overlap), tf.rfc3339(ended), tf.rfc3339(limit), tf.as_of_text, _waits_for(s)])
}

# METADATA
# title: a gated revocation did not wait past max_wait
# description: |
#   A previous version of a secret or schedule with a revocation_gate is still
#   previous at the evaluation time more than max_wait after its overlap
#   ended (superseded_at + overlap + max_wait), while revocation is not held
#   and the version is not pinned: the gate keeps waiting, because the
#   evidence does not show it unused (or there is none). Warns; denies when
#   params.enforce_max_wait is true.
# custom:
#   id: ROT033
#   severity: warn
#   remediation: Find the consumer still using the version (the plan's warning and next_transition say what the gate saw) and move it to the active version; or decide - revoke it with revoke_versions and revoke_reason, or set hold_revocation with hold_reason.
#   why: >-
#     A gate waits rather than revoke a credential in use, which is the safe
#     side; but a consumer that never lets go keeps an old credential valid
#     indefinitely, and someone has to decide.
#   attributes: [revocation_gate.max_wait, revocation_gate.quiet_period]
#   parameters:
#     enforce_max_wait: >-
#       true makes a revocation waiting past max_wait a deny instead of a
#       warning
#     now: >-
#       the instant the check evaluates at; empty means the plan's timestamp
#       (the current time for a state)
_warn contains msg if {
	not params.enforce_max_wait
	some msg in _max_wait_findings
}

# METADATA
# title: a gated revocation did not wait past max_wait (enforced)
# description: ROT033 with params.enforce_max_wait = true denies a gated revocation waiting past max_wait.
# custom:
#   id: ROT033
#   severity: deny
#   remediation: Find the consumer still using the version and move it to the active version; or decide - revoke it with revoke_versions and revoke_reason, or set hold_revocation with hold_reason.
_deny contains msg if {
	params.enforce_max_wait
	some msg in _max_wait_findings
}

# METADATA
# title: a gated revocation did not wait past max_wait (could not be checked)
# description: ROT033 could not be checked because the revocation gate's max_wait or the overlap is unknown or invalid.
# custom:
#   id: ROT033
#   severity: warn
#   unchecked: true
#   remediation: Set revocation_gate.max_wait and schedule.overlap to durations known at plan time.
_warn contains msg if {
	some msg in _rot033_unchecked
}

_rot033_unchecked contains msg if {
	some s in tf.secrets
	_revocation_gate(s)
	wait := tf.dur(s, ["revocation_gate", "max_wait"])
	wait.state != "known"
	msg := tf.unchecked("ROT033", s, ["revocation_gate", "max_wait"], wait)
}

_rot033_unchecked contains msg if {
	some s in tf.secrets
	tf.unknown(s, ["revocation_gate"])
	msg := tf.unchecked("ROT033", s, ["revocation_gate"], {"state": "unknown"})
}

# ---------------------------------------------------------------------------
# ROT034

_validator_roles := {"validator", "both"}

# The family's validators by name.
# A family's name and a consumer's name as messages print them: quoted, or
# "(sensitive)" when the input marks them so.
_family_name(f) := tf.shown(tf.field(f, ["name"]))

_consumer_text(f, name) := tf.sensitive_text if {
	some i, c in tf.array_or_empty(tf.value(f, ["consumer"]))
	c.name == name
	tf.field(f, ["consumer", i, "name"]).sensitive
} else := tf.quote(name)

_validators(f) := {c.name |
	some c in tf.array_or_empty(tf.value(f, ["consumer"]))
	is_string(c.name)
	object.get(c, "role", tf.defaults.role) in _validator_roles
}

# The sources an emission gate lists: sources, else the keys of accepted.
_sources(g) := {x | some x in g.sources; is_string(x)} if is_array(g.sources)

else := {k | some k, _ in g.accepted} if is_object(g.accepted)

else := set()

# The emission gates of each family's secrets, by the family's address,
# built once (a loop over every secret per family would be quadratic).
_emission_gates_of[fa] contains [s.address, g] if {
	some s in tf.secrets
	g := _emission_gate(s)
	fa := tf.family_of[s.address]
}

# The whole of _emission_gates_of is referenced (evaluated once and cached):
# a lookup with the key bound would run its body again for every family.
_gated_secrets(f) := {a: g | some [a, g] in object.get(_emission_gates_of, f.address, set())}

_sources_text(gated) := concat("; ", [sprintf("%s lists %s", [a, _list(_sources(g))]) | some a, g in gated])

_list(xs) := concat(", ", sort(xs)) if count(xs) > 0

else := "none (a Prometheus gate without sources counts only what reports; set emission_gate.sources)"

# METADATA
# title: every validator is a source of an emission gate
# description: |
#   In a family where a secret or schedule has an emission_gate, every
#   validator consumer (role validator or both) is listed as a source by an
#   emission gate of the family's secrets (emission_gate.sources, else the
#   keys of accepted). A validator no gate lists is not waited for: the new
#   version may be emitted before it loaded it.
# custom:
#   id: ROT034
#   severity: warn
#   remediation: Add the validator to emission_gate.sources (and make it report the versions it has loaded), or correct the family's consumer list.
#   why: >-
#     An emission gate proves acceptance only for the sources it asks; a
#     validator left out rejects what the new version signs until it reloads,
#     exactly the outage the gate is there to prevent.
#   attributes: [emission_gate.sources, emission_gate.accepted]
_warn contains msg if {
	some msg in _rot034_warn
}

_rot034_warn contains msg if {
	some f in tf.families
	not tf.consumers_unknown[f.address]
	gated := _gated_secrets(f)
	count(gated) > 0
	not _gate_unknown(f)
	listed := {x | some _, g in gated; some x in _sources(g)}
	missing := _validators(f) - listed
	count(missing) > 0
	msg := sprintf("ROT034 %s: validators %s of family %s are not a source of any emission gate of its secrets (%s), so the new version may be emitted before they load it", [f.address, concat(", ", sort({_consumer_text(f, n) | some n in missing})), _family_name(f), _sources_text(gated)])
}

_gate_unknown(f) if f.address in _unknown_emission_gate_families

_unknown_emission_gate_families contains fa if {
	some s in tf.secrets
	some p in [["emission_gate", "sources"], ["emission_gate", "accepted"]]
	tf.unknown(s, p)
	fa := tf.family_of[s.address]
}

# METADATA
# title: every validator is a source of an emission gate (could not be checked)
# description: ROT034 could not be checked because the family's consumers or an emission gate's sources are unknown until apply.
# custom:
#   id: ROT034
#   severity: warn
#   unchecked: true
#   remediation: Set the family's consumers and emission_gate.sources to values known at plan time.
_warn contains msg if {
	some msg in _rot034_unchecked
}

_rot034_unchecked contains msg if {
	some s in tf.secrets
	_emission_gate(s)
	some p in [["emission_gate", "sources"], ["emission_gate", "accepted"]]
	tf.unknown(s, p)
	msg := tf.unchecked("ROT034", s, p, {"state": "unknown"})
}

# ---------------------------------------------------------------------------
# ROT035

# Consumers whose use the overlap arithmetic cannot see.
_unseen(f) := [sprintf("%s (%s)", [tf.shown(tf.field(f, ["consumer", i, "name"])), concat(", ", why)]) |
	some i, c in tf.array_or_empty(tf.value(f, ["consumer"]))
	why := [w |
		some w in ["third party", "reload = \"restart\""]
		_unseen_because(c, w)
	]
	count(why) > 0
]

_unseen_because(c, "third party") if c.third_party == true

_unseen_because(c, "reload = \"restart\"") if c.reload == "restart"

# The families with a consumer whose use the overlap arithmetic cannot see,
# with those consumers for the message, by address. One look at each
# consumer finds them, so a family without one costs a few steps.
_unseen_of[fa] := unseen if {
	some fa, f in tf.families
	_has_unseen(f)
	unseen := _unseen(f)
	count(unseen) > 0
}

_has_unseen(f) if {
	some c in tf.array_or_empty(tf.value(f, ["consumer"]))
	_maybe_unseen(c)
}

_maybe_unseen(c) if {
	c.third_party == true
} else if {
	c.reload == "restart"
}

# METADATA
# title: third-party and restart-to-reload consumers need a revocation gate
# description: |
#   A family with a third_party consumer or a consumer with reload =
#   "restart" has every secret and schedule gated by a revocation_gate. Their
#   caches are not what the family declares: a partner or a process that
#   reloads only on restart keeps an old version past any overlap, so only
#   evidence of its use tells when revoking it is safe.
# custom:
#   id: ROT035
#   severity: warn
#   remediation: Add a revocation_gate to the secret (evidence of use from Prometheus, or last_used with observed_at), so that the old version is revoked only once it is no longer used.
#   why: >-
#     The overlap arithmetic (ROT020) trusts declared caches; a third party or a
#     consumer that reloads only on restart breaks it, and revoking on the
#     calendar then fails that consumer.
#   attributes: [revocation_gate]
_warn contains msg if {
	some msg in _rot035_warn
}

_rot035_warn contains msg if {
	some fa, unseen in _unseen_of
	f := tf.families[fa]
	not tf.consumers_unknown[f.address]
	some a in tf.members[fa]
	s := tf.secrets[a]
	not tf.unknown(s, ["revocation_gate"])
	not _revocation_gate(s)
	msg := sprintf("ROT035 %s: family %s has consumers whose use the overlap cannot predict (%s), but this secret has no revocation_gate: old versions are revoked on the calendar, whether they are still used or not", [s.address, _family_name(f), concat("; ", unseen)])
}

# METADATA
# title: third-party and restart-to-reload consumers need a revocation gate (could not be checked)
# description: ROT035 could not be checked because the family's consumers are unknown until apply.
# custom:
#   id: ROT035
#   severity: warn
#   unchecked: true
#   remediation: Set the family's consumers to values known at plan time.
_warn contains msg if {
	some msg in _rot035_unchecked
}

_rot035_unchecked contains msg if {
	some s in tf.secrets
	not _revocation_gate(s)
	f := tf.families[tf.family_of[s.address]]
	tf.consumers_unknown[f.address]
	msg := tf.unchecked_of("ROT035", s, f, ["consumer"], {"state": "unknown"})
}

# ---------------------------------------------------------------------------
# ROT036

# METADATA
# title: no revoked version used after its revocation
# description: |
#   used_after_revocation lists the revoked versions the revocation gate's
#   evidence shows in use after their revoked_at (the provider fills it in
#   plans that have evidence). Each one means a consumer still presents a
#   revoked credential and is failing right now.
# custom:
#   id: ROT036
#   severity: warn
#   remediation: Find the consumer still presenting the revoked version (the gate's query names the kid or version) and move it to the active version; the version itself cannot be brought back.
#   why: >-
#     A revoked version in use is an outage in progress for that consumer;
#     nothing else in a plan shows it.
#   attributes: [used_after_revocation]
_warn contains msg if {
	some msg in _rot036_warn
}

_rot036_warn contains msg if {
	some s in tf.secrets
	some u in tf.array_or_empty(tf.value(s, ["used_after_revocation"]))
	is_object(u)
	msg := sprintf("ROT036 %s: version %s was used at %s, after its revocation at %s: a consumer still presents it and is failing right now", [s.address, tf.quote(u.version), u.last_used, u.revoked_at])
}
