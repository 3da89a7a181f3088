# METADATA
# title: Overlap rules
# description: |
#   Old and new versions must stay valid together long enough for every
#   consumer's cache: ROT020 (overlap longer than the longest consumer cache
#   plus the artifact lifetime), ROT021 (propagation covers the validators'
#   caches), ROT022 (no zero overlap) and ROT023 (propagation + overlap
#   shorter than period).
package rotation.overlap

import data.rotation.lib.params
import data.rotation.lib.terraform as tf
import data.rotation.lib.waivers

# The findings of this package: _deny and _warn (each rule's definitions
# below) minus what a valid params.waivers entry covers, which waived
# reports instead (lib/waivers.rego). conftest reads deny and warn.
deny := waivers.kept(_deny)

warn := waivers.kept(_warn)

waived := waivers.covered(_deny, _warn)

_overlap := ["schedule", "overlap"]

_propagation := ["schedule", "propagation"]

_period := ["schedule", "period"]

# The required overlap of every family, computed once.
_required_of := {a: req | some a, f in tf.families; req := _required(f)}

# _required(f): the overlap family f needs, when every input is known:
# {"cache": longest consumer cache (s), "fields": the cache_ttl fields that
# long, "artifact": artifact_lifetime (dur)}.
_required(f) := {"cache": cache, "fields": _longest_fields(f, cache), "artifact": artifact} if {
	not tf.consumers_unknown[f.address]
	consumers := tf.consumers[f.address]
	every c in consumers {
		c.cache.state == "known"
	}
	artifact := tf.dur(f, ["artifact_lifetime"])
	artifact.state == "known"
	cache := max(array.concat([0], [c.cache.seconds | some c in consumers]))
}

# The cache_ttl fields of the consumers whose cache is the longest (the
# longest cache is shown as "(sensitive)" when one of them is marked).
_longest_fields(f, cache) := [c.cache | some c in tf.consumers[f.address]; c.cache.seconds == cache]

# Why the required overlap of a family cannot be computed (reason_of()
# texts), by family address, computed once per family; a family whose
# inputs are known is absent. ROT020 reports them for each of the family's
# secrets.
_required_whys[fa] := whys if {
	some fa, f in tf.families
	whys := _consumers_whys(f) | _artifact_whys(f)
	count(whys) > 0
}

_artifact_whys(f) := {why |
	artifact := tf.dur(f, ["artifact_lifetime"])
	artifact.state != "known"
	why := tf.reason_of(f, ["artifact_lifetime"], artifact)
}

_consumers_whys(f) := {tf.reason_of(f, ["consumer"], {"state": "unknown"})} if {
	tf.consumers_unknown[f.address]
} else := {why |
	some c in tf.consumers[f.address]
	c.cache.state != "known"
	why := tf.reason_of(f, array.concat(c.path, ["cache_ttl"]), c.cache)
}

_family(s) := tf.families[tf.family_of[s.address]]

_factor_ok if {
	is_number(params.overlap_cache_factor)
	params.overlap_cache_factor >= 0
}

# ---------------------------------------------------------------------------
# ROT020

# METADATA
# title: overlap longer than the longest consumer cache plus the artifact lifetime
# description: |
#   overlap > required_overlap x params.overlap_cache_factor, where
#   required_overlap = the longest cache_ttl among the family's consumers +
#   the family's artifact_lifetime, computed here from the family's values
#   (the family's computed required_overlap may be unknown in a plan). An
#   overlap equal to the requirement fails: a consumer that fetched the old
#   version just before the switch may still use it when it is revoked.
# custom:
#   id: ROT020
#   severity: deny
#   remediation: Raise schedule.overlap above the longest consumer cache_ttl plus artifact_lifetime (times overlap_cache_factor), or shorten the consumers' caches.
#   why: >-
#     When the old version is revoked while a consumer still holds it in its
#     cache, or while an artifact signed with it is still in use, that consumer
#     fails: rejected tokens and failed logins, an outage caused by the rotation
#     itself.
#   attributes: [schedule.overlap]
#   parameters:
#     overlap_cache_factor: >-
#       a safety factor: the overlap must exceed the longest consumer cache plus
#       the artifact lifetime times this factor
_deny contains msg if {
	some msg in _rot020_deny
}

_rot020_deny contains msg if {
	_factor_ok
	some s in tf.secrets
	overlap := tf.sdur(s, _overlap)
	overlap.state == "known"
	req := _required_of[tf.family_of[s.address]]
	need := (req.cache + req.artifact.seconds) * params.overlap_cache_factor
	overlap.seconds <= need
	msg := sprintf("ROT020 %s: overlap %s must exceed %s (%s)", [s.address, tf.text(overlap), tf.sum_text(array.concat(req.fields, [req.artifact]), need), _required_text(req)])
}

_required_text(req) := text if {
	params.overlap_cache_factor == 1
	text := sprintf("longest consumer cache %s + artifact lifetime %s", [tf.sum_text(req.fields, req.cache), tf.text(req.artifact)])
} else := sprintf("overlap_cache_factor %s x (longest consumer cache %s + artifact lifetime %s)", [json.marshal(params.overlap_cache_factor), tf.sum_text(req.fields, req.cache), tf.text(req.artifact)])

# METADATA
# title: overlap longer than the longest consumer cache plus the artifact lifetime (unknown input refused)
# description: |
#   ROT020 cannot show that the overlap outlasts the consumers' caches and
#   the artifact lifetime because the overlap, a consumer's cache_ttl, the
#   consumer list or the artifact_lifetime is unknown until apply, not set or
#   not a duration: the plan is refused. With params.unknown_inputs = "warn"
#   it only warns.
# custom:
#   id: ROT020
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make the overlap, the consumers and their caches and the artifact lifetime known at plan time, or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot020_gaps
	msg := tf.refused("ROT020", g, "the apply could revoke the old version while a consumer still caches it, unseen")
}

# METADATA
# title: overlap longer than the longest consumer cache plus the artifact lifetime (could not be checked)
# description: ROT020 could not be checked because the secret has no family, params.overlap_cache_factor is invalid, or (with params.unknown_inputs = "warn") an input is unknown or invalid.
# custom:
#   id: ROT020
#   severity: warn
#   unchecked: true
#   remediation: Declare the family (see ROT012); fix params.overlap_cache_factor; make the values known at plan time.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot020_gaps
	msg := tf.unchecked_gap("ROT020", g)
}

_warn contains msg if {
	some msg in _rot020_unchecked
}

_rot020_gaps contains tf.gap(a, gaps.overlap) if {
	some a, gaps in tf.sched_gaps
}

_rot020_gaps contains tf.gap(a, why) if {
	some fa, whys in _required_whys
	some a in tf.members[fa]
	some why in whys
}

_rot020_unchecked contains msg if {
	some s in tf.secrets
	not tf.family_of[s.address]
	msg := sprintf("ROT020 %s: could not be checked: no family found, so no consumers to compare the overlap with (see ROT012)", [s.address])
}

_rot020_unchecked contains msg if {
	not _factor_ok
	count(tf.secrets) > 0
	msg := sprintf("ROT020 params: could not be checked: overlap_cache_factor %s is not a number >= 0", [json.marshal(params.overlap_cache_factor)])
}

# ---------------------------------------------------------------------------
# ROT021

_validator_roles := {"validator", "both"}

# METADATA
# title: propagation covers the longest validator cache
# description: |
#   A new version stays pending (accepted, not yet emitted) for propagation,
#   which must be at least the longest cache_ttl among the family's consumers
#   with role validator or both; otherwise a validator with a stale cache
#   rejects what the new version signs.
# custom:
#   id: ROT021
#   severity: deny
#   remediation: Raise schedule.propagation to at least the longest validator cache_ttl, or shorten that cache.
#   why: >-
#     A validator that cached the accepted versions before the new one was
#     published rejects everything signed with the new version until its cache
#     expires.
#   attributes: [schedule.propagation]
_deny contains msg if {
	some msg in _rot021_deny
}

_rot021_deny contains msg if {
	some s in tf.secrets
	prop := tf.sdur(s, _propagation)
	prop.state == "known"
	f := _family(s)
	not tf.consumers_unknown[f.address]
	validators := [c | some c in tf.consumers[f.address]; c.role.state == "known"; c.role.value in _validator_roles; c.cache.state == "known"]
	longest := max([c.cache.seconds | some c in validators])
	prop.seconds < longest
	some c in validators
	c.cache.seconds == longest
	msg := sprintf("ROT021 %s: propagation %s is shorter than the longest validator cache %s (consumer %s of %s)", [s.address, tf.text(prop), tf.sum_text([c.cache], longest), _consumer_name(f, c), f.address])
}

# METADATA
# title: propagation covers the longest validator cache (unknown input refused)
# description: |
#   ROT021 cannot show that the propagation covers every validator's cache
#   because the propagation, the consumer list, or a consumer's role or
#   cache_ttl is unknown until apply, not set or not a duration: the plan is
#   refused. With params.unknown_inputs = "warn" it only warns.
# custom:
#   id: ROT021
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make the propagation and the consumers' roles and caches known at plan time, or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot021_gaps
	msg := tf.refused("ROT021", g, "the apply could emit the new version before every validator loaded it, unseen")
}

# METADATA
# title: propagation covers the longest validator cache (could not be checked)
# description: ROT021 could not be checked because the propagation or a consumer's role or cache_ttl is unknown or invalid (with params.unknown_inputs = "warn").
# custom:
#   id: ROT021
#   severity: warn
#   unchecked: true
#   remediation: Make the values known at plan time.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot021_gaps
	msg := tf.unchecked_gap("ROT021", g)
}

_rot021_gaps contains tf.gap(a, gaps.propagation) if {
	some a, gaps in tf.sched_gaps
}

_rot021_gaps contains tf.gap(a, why) if {
	some fa, whys in _validator_whys
	some a in tf.members[fa]
	some why in whys
}

# Why the validators' caches of a family cannot be compared (reason_of()
# texts), by family address, computed once per family; a family whose
# consumer list and validators' roles and caches are known is absent.
_validator_whys[fa] := whys if {
	some fa, f in tf.families
	whys := _consumer_list_whys(f) | _validator_field_whys(f)
	count(whys) > 0
}

_consumer_list_whys(f) := {tf.reason_of(f, ["consumer"], {"state": "unknown"}) | tf.consumers_unknown[f.address]}

_validator_field_whys(f) := {why |
	some c in tf.consumers[f.address]
	_maybe_validator(c)
	some field in [["role", c.role], ["cache_ttl", c.cache]]
	field[1].state != "known"
	why := tf.reason_of(f, array.concat(c.path, [field[0]]), field[1])
}

# A consumer's name for a message: quoted, "(sensitive)" or "(unnamed)".
_consumer_name(f, c) := tf.shown(name) if {
	name := tf.field(f, array.concat(c.path, ["name"]))
	name.state == "known"
} else := "(unnamed)"

_maybe_validator(c) if {
	c.role.state != "known"
} else if {
	c.role.value in _validator_roles
}

# ---------------------------------------------------------------------------
# ROT022

# METADATA
# title: overlap is not zero
# description: |
#   overlap = 0s revokes the old version the moment the new one becomes
#   active: a flag-day swap that breaks every consumer still holding the old
#   version.
# custom:
#   id: ROT022
#   severity: deny
#   remediation: Set schedule.overlap to more than the family's required_overlap (see ROT020).
#   why: >-
#     Every consumer that has not yet picked up the new version fails at the
#     moment of the swap, on every rotation.
#   attributes: [schedule.overlap]
_deny contains msg if {
	some msg in _rot022_deny
}

_rot022_deny contains msg if {
	some s in tf.secrets
	overlap := tf.sdur(s, _overlap)
	overlap.state == "known"
	overlap.seconds == 0
	msg := sprintf("ROT022 %s: overlap %s is zero: the old version is revoked the moment the new one becomes active (a flag-day swap)", [s.address, tf.text(overlap)])
}

# METADATA
# title: overlap is not zero (unknown input refused)
# description: |
#   ROT022 cannot show that the overlap is not zero because it is unknown
#   until apply, not set or not a duration: the plan is refused. With
#   params.unknown_inputs = "warn" it only warns.
# custom:
#   id: ROT022
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make schedule.overlap known at plan time, or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot022_gaps
	msg := tf.refused("ROT022", g, "the apply could swap versions with no overlap, a flag day, unseen")
}

# METADATA
# title: overlap is not zero (could not be checked)
# description: ROT022 could not be checked because the overlap is unknown or invalid (with params.unknown_inputs = "warn").
# custom:
#   id: ROT022
#   severity: warn
#   unchecked: true
#   remediation: Make schedule.overlap known at plan time.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot022_gaps
	msg := tf.unchecked_gap("ROT022", g)
}

_rot022_gaps contains tf.gap(a, gaps.overlap) if {
	some a, gaps in tf.sched_gaps
}

# ---------------------------------------------------------------------------
# ROT024

# The versions (slots) a removed secret (schedule) had accepted before the
# plan, in version order: {"version", "status", "kid", "slot"}.
_accepted_before(r) := [v |
	some x in tf.array_or_empty(object.get(r.before, "versions", []))
	v := _before_version(x, null)
] if r.type == "rotation_secret"

_accepted_before(r) := [v |
	some slot in ["a", "b"]
	v := _before_version(object.get(object.get(r.before, "slots", {}), slot, null), slot)
] if r.type == "rotation_schedule"

_before_version(x, slot) := {"version": x.version, "status": x.status, "kid": object.get(x, "kid", null), "slot": slot} if {
	is_object(x)
	x.status in tf.accepted_statuses
}

_version_text(v) := sprintf("v%s (%s, kid %s)", [tf.plain(v.version), v.status, v.kid]) if is_string(v.kid)

_version_text(v) := sprintf("v%s (%s, slot %s)", [tf.plain(v.version), v.status, v.slot]) if {
	not is_string(v.kid)
	is_string(v.slot)
}

_version_text(v) := sprintf("v%s (%s)", [tf.plain(v.version), v.status]) if {
	not is_string(v.kid)
	not is_string(v.slot)
}

# What the plan does to the resource, for the message.
_removal_text(["delete"]) := "this plan destroys it (plan -destroy, its block or module removed, or its for_each or count key renamed without a moved block)"

_removal_text(["forget"]) := "this plan forgets it (a removed block): its record leaves the state"

_removal_text(actions) := "this plan replaces it (-replace or a changed name): the new resource starts over with a new version 1" if {
	actions in {["delete", "create"], ["create", "delete"]}
}

_removal_text(actions) := sprintf("this plan removes it (actions %s)", [concat(", ", actions)]) if {
	not actions in {["delete"], ["forget"], ["delete", "create"], ["create", "delete"]}
}

# Removals of resources that had accepted versions, with the
# params.decommission pattern that allows each (null when none does).
_rot024 contains {"r": r, "accepted": accepted, "allowed_by": _decommissioned(r.address)} if {
	some r in tf.removals
	accepted := _sort_by_version(_accepted_before(r))
	count(accepted) > 0
}

_sort_by_version(list) := [v | some n in sort({x.version | some x in list; is_number(x.version)}); some v in list; v.version == n]

_decommissioned(address) := p if {
	some p in params.decommission
	_matches(p, address)
} else := null

_matches(p, address) if p == address

_matches(p, address) if glob.match(p, null, address)

_rot024_text(f) := sprintf("%s: %s stop%s being accepted at once", [_removal_text(f.r.actions), concat(", ", [_version_text(v) | some v in f.accepted]), _plural(f.accepted)])

_plural(list) := "s" if count(list) == 1

_plural(list) := "" if count(list) != 1

_them(list) := "it" if count(list) == 1

_them(list) := "them" if count(list) != 1

# METADATA
# title: no plan deletes or replaces a secret that has accepted versions
# description: |
#   A plan that deletes a rotation_secret or rotation_schedule with accepted
#   (pending, active or previous) versions, replaces it, or forgets it drops
#   every one of those versions in one apply: plan -destroy, -replace, a
#   changed name, a for_each key renamed without a moved block, a resource
#   removed from the configuration or a removed block. State documents are
#   not judged. params.decommission lists the addresses (or globs) whose
#   removal is deliberate: those only warn.
# custom:
#   id: ROT024
#   severity: deny
#   remediation: >-
#     Keep the resource: add a moved block for a renamed key or module, drop
#     -replace. To replace a secret, create the new one beside it, move the
#     consumers over through a normal rotation, then remove the old one with
#     its address in params.decommission.
#   why: >-
#     Deleting or replacing a secret revokes all its versions at once, without
#     any overlap: every consumer still holding one of them fails, the same
#     flag day the rotation exists to prevent.
#   parameters:
#     decommission: >-
#       addresses, or globs (* any characters, ? one character, [...] a class,
#       \[ a literal bracket), of secrets and schedules whose deletion,
#       replacement or removal is deliberate: ROT024 warns instead of denying
_deny contains msg if {
	some f in _rot024
	f.allowed_by == null
	msg := sprintf("ROT024 %s: %s, a flag day for every consumer still using %s; keep the resource (a moved block for a renamed key), or list the address in params.decommission to allow a deliberate decommission", [f.r.address, _rot024_text(f), _them(f.accepted)])
}

# METADATA
# title: no plan deletes or replaces a secret that has accepted versions (decommission)
# description: |
#   A deletion, replacement or removal that params.decommission allows
#   still warns, naming the versions that stop being accepted.
# custom:
#   id: ROT024
#   severity: warn
#   remediation: Confirm that no consumer still uses the versions named, then remove the address from params.decommission after the apply.
_warn contains msg if {
	some f in _rot024
	f.allowed_by != null
	msg := sprintf("ROT024 %s: decommissioned (params.decommission %s): %s", [f.r.address, tf.quote(f.allowed_by), _rot024_text(f)])
}

# ---------------------------------------------------------------------------
# ROT023

_rot023 contains {"s": s, "msg": msg} if {
	some a, ds in tf.sched
	prop := ds.propagation
	prop.state == "known"
	overlap := ds.overlap
	overlap.state == "known"
	period := ds.period
	period.state == "known"
	s := tf.secrets[a]
	busy := prop.seconds + overlap.seconds
	busy >= period.seconds
	msg := sprintf("ROT023 %s: propagation %s + overlap %s = %s is not shorter than period %s: %s", [s.address, tf.text(prop), tf.text(overlap), tf.sum_text([prop, overlap], busy), tf.text(period), _rot023_effect[s.type]])
}

_rot023_effect := {
	"rotation_secret": "the next version is issued before the previous one is revoked, so more than two versions are accepted at once",
	"rotation_schedule": "the two slots collide: the version after next is due in a slot whose occupant is not revoked yet",
}

# METADATA
# title: propagation + overlap shorter than period (secrets)
# description: |
#   For a rotation_secret, propagation + overlap >= period means versions pile
#   up: more than two are accepted at once. Warns.
# custom:
#   id: ROT023
#   severity: warn
#   remediation: Lengthen schedule.period or shorten propagation/overlap.
#   why: >-
#     When the next version is issued before the previous one is revoked, more
#     versions are accepted at once than the design expects (secrets), or a slot
#     is reused while still in use and rotations stall (schedules).
#   attributes: [schedule.period, schedule.overlap, schedule.propagation]
_warn contains f.msg if {
	some f in _rot023
	f.s.type == "rotation_secret"
}

# METADATA
# title: propagation + overlap shorter than period (schedules)
# description: |
#   For a rotation_schedule (two slots), propagation + overlap >= period means
#   the slots collide and rotations stall. Denies.
# custom:
#   id: ROT023
#   severity: deny
#   remediation: Lengthen schedule.period or shorten propagation/overlap.
_deny contains f.msg if {
	some f in _rot023
	f.s.type == "rotation_schedule"
}

# METADATA
# title: propagation + overlap shorter than period (unknown input refused)
# description: |
#   For a rotation_schedule, ROT023 cannot show that the two slots do not
#   collide because propagation, overlap or period is unknown until apply,
#   not set or not a duration: the plan is refused. With
#   params.unknown_inputs = "warn" it only warns. For a rotation_secret,
#   where ROT023 only warns, it warns that it could not be checked.
# custom:
#   id: ROT023
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make the schedule durations known at plan time, or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot023_gaps
	g.type == "rotation_schedule"
	msg := tf.refused("ROT023", g, "the apply could make the two slots collide, unseen")
}

# METADATA
# title: propagation + overlap shorter than period (could not be checked)
# description: ROT023 could not be checked because propagation, overlap or period is unknown, not set or invalid (for a schedule only with params.unknown_inputs = "warn").
# custom:
#   id: ROT023
#   severity: warn
#   unchecked: true
#   remediation: Make the schedule durations known at plan time.
_warn contains msg if {
	some g in _rot023_gaps
	_rot023_only_warns(g)
	msg := tf.unchecked_gap("ROT023", g)
}

_rot023_only_warns(g) if g.type == "rotation_secret"

_rot023_only_warns(_) if not tf.refuse_unknown

_rot023_gaps contains {"address": a, "reason": why, "type": tf.secrets[a].type} if {
	some a, gaps in tf.sched_gaps
	some k in ["propagation", "overlap", "period"]
	why := gaps[k]
}
