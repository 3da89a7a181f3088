# METADATA
# title: Overlap rules
# description: |
#   Old and new versions must stay valid together long enough for every
#   consumer's cache: ROT020 (overlap longer than the longest consumer cache
#   plus the artifact lifetime), ROT021 (propagation covers the validators'
#   caches), ROT022 (no zero overlap) and ROT023 (propagation + overlap
#   shorter than period).
package rotation.overlap

import data.rotation.lib.duration
import data.rotation.lib.params
import data.rotation.lib.terraform as tf

_overlap := ["schedule", "overlap"]

_propagation := ["schedule", "propagation"]

_period := ["schedule", "period"]

# The consumers of family f: index, name, role and cache_ttl (as tf.dur).
_consumers(f) := [{"path": ["consumer", i], "name": object.get(c, "name", null), "role": tf.field(f, ["consumer", i, "role"]), "cache": tf.dur(f, ["consumer", i, "cache_ttl"])} |
	some i, c in tf.array_or_empty(tf.value(f, ["consumer"]))
]

# The consumers and the required overlap of every family, computed once.
_consumers_of := {a: _consumers(f) | some a, f in tf.families}

_required_of := {a: req | some a, f in tf.families; req := _required(f)}

# _required(f): the overlap family f needs, when every input is known:
# {"cache": longest consumer cache (s), "artifact": artifact_lifetime (dur)}.
_required(f) := {"cache": cache, "artifact": artifact} if {
	not tf.unknown(f, ["consumer"])
	consumers := _consumers_of[f.address]
	every c in consumers {
		c.cache.state == "known"
	}
	artifact := tf.dur(f, ["artifact_lifetime"])
	artifact.state == "known"
	cache := max(array.concat([0], [c.cache.seconds | some c in consumers]))
}

# Why the required overlap of f cannot be computed: messages for secret s.
_required_unchecked(rule, s, f) := _consumers_unchecked(rule, s, f) | {msg |
	msg := tf.unchecked_of(rule, s, f, ["artifact_lifetime"], tf.dur(f, ["artifact_lifetime"]))
}

_consumers_unchecked(rule, s, f) := {tf.unchecked_of(rule, s, f, ["consumer"], {"state": "unknown"})} if {
	tf.unknown(f, ["consumer"])
} else := {msg |
	some c in _consumers_of[f.address]
	msg := tf.unchecked_of(rule, s, f, array.concat(c.path, ["cache_ttl"]), c.cache)
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
deny contains msg if {
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
	msg := sprintf("ROT020 %s: overlap %s must exceed %s (%s)", [s.address, overlap.value, duration.format(need), _required_text(req)])
}

_required_text(req) := text if {
	params.overlap_cache_factor == 1
	text := sprintf("longest consumer cache %s + artifact lifetime %s", [duration.format(req.cache), duration.format(req.artifact.seconds)])
} else := sprintf("overlap_cache_factor %v x (longest consumer cache %s + artifact lifetime %s)", [params.overlap_cache_factor, duration.format(req.cache), duration.format(req.artifact.seconds)])

# METADATA
# title: overlap longer than the longest consumer cache plus the artifact lifetime (could not be checked)
# description: ROT020 could not be checked because the overlap, a consumer's cache_ttl or the artifact_lifetime is unknown or invalid, the secret has no family, or params.overlap_cache_factor is invalid.
# custom:
#   id: ROT020
#   severity: warn
#   unchecked: true
#   remediation: Make the values known at plan time; declare the family (see ROT012); fix params.overlap_cache_factor.
warn contains msg if {
	some msg in _rot020_unchecked
}

_rot020_unchecked contains msg if {
	some s in tf.secrets
	msg := tf.unchecked("ROT020", s, _overlap, tf.sdur(s, _overlap))
}

_rot020_unchecked contains msg if {
	some s in tf.secrets
	some msg in _required_unchecked("ROT020", s, _family(s))
}

_rot020_unchecked contains msg if {
	some s in tf.secrets
	not tf.family_of[s.address]
	msg := sprintf("ROT020 %s: could not be checked: no family found, so no consumers to compare the overlap with (see ROT012)", [s.address])
}

_rot020_unchecked contains msg if {
	not _factor_ok
	count(tf.secrets) > 0
	msg := sprintf("ROT020 params: could not be checked: overlap_cache_factor %v is not a number >= 0", [params.overlap_cache_factor])
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
deny contains msg if {
	some msg in _rot021_deny
}

_rot021_deny contains msg if {
	some s in tf.secrets
	prop := tf.sdur(s, _propagation)
	prop.state == "known"
	f := _family(s)
	not tf.unknown(f, ["consumer"])
	validators := [c | some c in _consumers_of[f.address]; c.role.state == "known"; c.role.value in _validator_roles; c.cache.state == "known"]
	longest := max([c.cache.seconds | some c in validators])
	prop.seconds < longest
	some c in validators
	c.cache.seconds == longest
	msg := sprintf("ROT021 %s: propagation %s is shorter than the longest validator cache %s (consumer %q of %s)", [s.address, prop.value, duration.format(longest), c.name, f.address])
}

# METADATA
# title: propagation covers the longest validator cache (could not be checked)
# description: ROT021 could not be checked because the propagation or a consumer's role or cache_ttl is unknown or invalid.
# custom:
#   id: ROT021
#   severity: warn
#   unchecked: true
#   remediation: Make the values known at plan time.
warn contains msg if {
	some msg in _rot021_unchecked
}

_rot021_unchecked contains msg if {
	some s in tf.secrets
	msg := tf.unchecked("ROT021", s, _propagation, tf.sdur(s, _propagation))
}

_rot021_unchecked contains msg if {
	some s in tf.secrets
	f := _family(s)
	tf.unknown(f, ["consumer"])
	msg := tf.unchecked_of("ROT021", s, f, ["consumer"], {"state": "unknown"})
}

_rot021_unchecked contains msg if {
	some s in tf.secrets
	f := _family(s)
	some c in _consumers_of[f.address]
	_maybe_validator(c)
	some field in [["role", c.role], ["cache_ttl", c.cache]]
	msg := tf.unchecked_of("ROT021", s, f, array.concat(c.path, [field[0]]), field[1])
}

_maybe_validator(c) if c.role.state != "known"

_maybe_validator(c) if c.role.value in _validator_roles

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
deny contains msg if {
	some msg in _rot022_deny
}

_rot022_deny contains msg if {
	some s in tf.secrets
	overlap := tf.sdur(s, _overlap)
	overlap.state == "known"
	overlap.seconds == 0
	msg := sprintf("ROT022 %s: overlap %s is zero: the old version is revoked the moment the new one becomes active (a flag-day swap)", [s.address, overlap.value])
}

# METADATA
# title: overlap is not zero (could not be checked)
# description: ROT022 could not be checked because the overlap is unknown or invalid.
# custom:
#   id: ROT022
#   severity: warn
#   unchecked: true
#   remediation: Make schedule.overlap known at plan time.
warn contains msg if {
	some msg in _rot022_unchecked
}

_rot022_unchecked contains msg if {
	some s in tf.secrets
	msg := tf.unchecked("ROT022", s, _overlap, tf.sdur(s, _overlap))
}

# ---------------------------------------------------------------------------
# ROT023

_rot023 contains {"s": s, "msg": msg} if {
	some s in tf.secrets
	prop := tf.sdur(s, _propagation)
	overlap := tf.sdur(s, _overlap)
	period := tf.sdur(s, _period)
	every d in [prop, overlap, period] {
		d.state == "known"
	}
	busy := prop.seconds + overlap.seconds
	busy >= period.seconds
	msg := sprintf("ROT023 %s: propagation %s + overlap %s = %s is not shorter than period %s: %s", [s.address, prop.value, overlap.value, duration.format(busy), period.value, _rot023_effect[s.type]])
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
warn contains f.msg if {
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
deny contains f.msg if {
	some f in _rot023
	f.s.type == "rotation_schedule"
}

# METADATA
# title: propagation + overlap shorter than period (could not be checked)
# description: ROT023 could not be checked because propagation, overlap or period is unknown, not set or invalid.
# custom:
#   id: ROT023
#   severity: warn
#   unchecked: true
#   remediation: Make the schedule durations known at plan time.
warn contains msg if {
	some msg in _rot023_unchecked
}

_rot023_unchecked contains msg if {
	some s in tf.secrets
	some path in [_propagation, _overlap, _period]
	msg := tf.unchecked("ROT023", s, path, tf.sdur(s, path))
}
