# METADATA
# title: TTL rules
# description: |
#   How long a version of a rotation_secret or rotation_schedule may stay
#   accepted: ROT001 (ttl within the classification's maximum), ROT002
#   (ttl covers propagation + period + overlap) and ROT003 (no accepted
#   version past its expiry).
package rotation.ttl

import data.rotation.lib.duration
import data.rotation.lib.params
import data.rotation.lib.terraform as tf
import data.rotation.lib.waivers

# The findings of this package: _deny and _warn (each rule's definitions
# below) minus what a valid params.waivers entry covers, which waived
# reports instead (lib/waivers.rego). conftest reads deny and warn.
deny := waivers.kept(_deny)

warn := waivers.kept(_warn)

waived := waivers.covered(_deny, _warn)

_ttl := ["schedule", "ttl"]

# ---------------------------------------------------------------------------
# ROT001

# METADATA
# title: ttl set and within max_ttl of the family's classification
# description: |
#   Every secret and schedule sets schedule.ttl, and it is at most
#   params.max_ttl[classification] of its family (critical 30d, high 90d,
#   medium 180d, low 365d). A secret without a family is held to high.
# custom:
#   id: ROT001
#   severity: deny
#   remediation: Lower schedule.ttl (and period/overlap with it) to the classification's maximum, or reclassify the family if its blast radius really is smaller.
#   why: >-
#     A long-lived version is a long-lived leak: a copied key keeps working
#     until it expires. Without a ttl a version stays accepted until someone
#     revokes it by hand, and a stalled rotation (a failed apply, a change
#     window never reached, a hold) keeps it valid indefinitely.
#   attributes: [schedule.ttl]
#   parameters:
#     max_ttl: >-
#       the longest schedule.ttl per family classification (critical, high,
#       medium, low)
_deny contains msg if {
	some msg in _rot001_deny
}

_rot001_deny contains msg if {
	some s in tf.secrets
	tf.field(s, _ttl).state == "null"
	msg := sprintf("ROT001 %s: schedule.ttl is not set; set it to at most %s (%s)", [s.address, _max_text(tf.classification(s)), tf.family_note(s)])
}

_rot001_deny contains msg if {
	some s in tf.secrets
	ttl := tf.sdur(s, _ttl)
	ttl.state == "known"
	cls := tf.classification(s)
	cls.state == "known"
	limit := duration.seconds(params.max_ttl[cls.value])
	ttl.seconds > limit
	msg := sprintf("ROT001 %s: ttl %s exceeds %s, the max_ttl for classification %s (%s)", [s.address, tf.text(ttl), duration.format(limit), tf.text(cls), tf.family_note(s)])
}

# "90d, the max_ttl for classification high", for the ttl-not-set message.
_max_text(cls) := sprintf("%s, the max_ttl for classification %s", [duration.format(duration.seconds(params.max_ttl[cls.value])), tf.text(cls)]) if {
	cls.state == "known"
	duration.valid(params.max_ttl[cls.value])
} else := "the max_ttl of the family's classification"

# METADATA
# title: ttl set and within max_ttl (unknown input refused)
# description: |
#   ROT001 cannot show that the ttl is within the classification's maximum
#   because ttl or the family's classification is unknown until apply (or
#   ttl is not a duration): the apply could set a longer ttl unseen, so the
#   plan is refused. With params.unknown_inputs = "warn" it only warns.
# custom:
#   id: ROT001
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make ttl and the family's classification known at plan time (literals or known variables), or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot001_gaps
	msg := tf.refused("ROT001", g, "the apply could set a ttl above the classification's maximum unseen")
}

# METADATA
# title: ttl set and within max_ttl (could not be checked)
# description: ROT001 could not be checked because ttl or the family's classification is unknown until apply (with params.unknown_inputs = "warn"), or params.max_ttl is invalid.
# custom:
#   id: ROT001
#   severity: warn
#   unchecked: true
#   remediation: Make ttl and the family's classification known at plan time (literals or known variables), or fix params.max_ttl.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot001_gaps
	msg := tf.unchecked_gap("ROT001", g)
}

_warn contains msg if {
	some msg in _rot001_unchecked
}

_rot001_gaps contains tf.gap(a, gaps.ttl) if {
	some a, gaps in tf.sched_gaps
	tf.sched[a].ttl.state in {"unknown", "invalid"}
}

_rot001_gaps contains tf.gap(s.address, tf.reason_of(f, ["classification"], tf.classification(s))) if {
	some s in tf.secrets
	tf.classification(s).state != "known"
	f := tf.families[tf.family_of[s.address]]
}

_rot001_unchecked contains msg if {
	some s in tf.secrets
	cls := tf.classification(s)
	cls.state == "known"
	not duration.valid(params.max_ttl[cls.value])
	msg := sprintf("ROT001 %s: could not be checked: no valid params.max_ttl for classification %s (%s)", [s.address, tf.shown(cls), tf.family_note(s)])
}

# ---------------------------------------------------------------------------
# ROT002

_lifetime := [["schedule", "propagation"], ["schedule", "period"], ["schedule", "overlap"], _ttl]

# METADATA
# title: propagation + period + overlap <= ttl
# description: |
#   A version must be able to live through its propagation (pending), its
#   period as the newest version and the overlap after it without outliving
#   its ttl.
# custom:
#   id: ROT002
#   severity: deny
#   remediation: Raise schedule.ttl to at least propagation + period + overlap, or shorten period or overlap.
#   why: >-
#     A version whose ttl is shorter than propagation + period + overlap expires
#     while it is still active or inside its overlap: consumers are handed an
#     expired credential before the next version takes over.
#   attributes: [schedule.ttl, schedule.period, schedule.overlap, schedule.propagation]
_deny contains msg if {
	some msg in _rot002_deny
}

_rot002_deny contains msg if {
	some a, ds in tf.sched
	p := ds.propagation
	p.state == "known"
	per := ds.period
	per.state == "known"
	o := ds.overlap
	o.state == "known"
	ttl := ds.ttl
	ttl.state == "known"
	need := (p.seconds + per.seconds) + o.seconds
	need > ttl.seconds
	msg := sprintf("ROT002 %s: propagation %s + period %s + overlap %s = %s exceeds ttl %s", [a, tf.text(p), tf.text(per), tf.text(o), tf.sum_text([p, per, o], need), tf.text(ttl)])
}

# METADATA
# title: propagation + period + overlap <= ttl (unknown input refused)
# description: |
#   ROT002 cannot show that a version's ttl covers its propagation, period
#   and overlap because one of them is unknown until apply, not set or not a
#   duration: the plan is refused. With params.unknown_inputs = "warn" it
#   only warns.
# custom:
#   id: ROT002
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
	some g in _rot002_gaps
	msg := tf.refused("ROT002", g, "the apply could give versions a ttl shorter than propagation + period + overlap unseen")
}

# METADATA
# title: propagation + period + overlap <= ttl (could not be checked)
# description: ROT002 could not be checked because a schedule duration is unknown until apply, not set, or not a duration (with params.unknown_inputs = "warn").
# custom:
#   id: ROT002
#   severity: warn
#   unchecked: true
#   remediation: Make the schedule durations known at plan time.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot002_gaps
	msg := tf.unchecked_gap("ROT002", g)
}

_rot002_gaps contains tf.gap(a, why) if {
	some a, gaps in tf.sched_gaps
	some path in _lifetime
	why := gaps[path[1]]
}

# ---------------------------------------------------------------------------
# ROT003

# METADATA
# title: no accepted version past its ttl
# description: |
#   No pending, active or previous version has an expires_at (issued_at + ttl)
#   before the plan's timestamp (params.now when set; the current time for a
#   state). A version issued by this very apply (issued_at unknown) cannot
#   have expired yet. A previous version whose revocation_gate still waits
#   is denied too, with what the gate waits for, until someone decides: an
#   emergency revoke_versions, or hold_revocation with a hold_reason (which
#   ends the deny for such a version).
# custom:
#   id: ROT003
#   severity: deny
#   remediation: Apply so the schedule rotates (check the change_window lets it), release hold_revocation, or revoke the expired version with revoke_versions and revoke_reason.
#   why: >-
#     An expired version that is still accepted means rotation has stalled (no
#     apply since it was due, a closed change window, a held revocation): the
#     credential lives longer than its ttl allows, and validators that check
#     expiry start rejecting it.
#   parameters:
#     now: >-
#       the instant the check evaluates at; empty means the plan's timestamp
#       (the current time for a state)
_deny contains msg if {
	some msg in _rot003_deny
}

_rot003_deny contains msg if {
	some s in tf.secrets
	some e in tf.versions(s)
	e.v.status in tf.accepted_statuses
	exp := _expiry(s, e)
	exp < tf.as_of
	not _gate_decided(s, e)
	msg := sprintf("ROT003 %s: version %s (%s) expired at %s but is still accepted at %s%s", [s.address, tf.quote(e.v.version), e.v.status, tf.rfc3339(exp), tf.as_of_text, _gate_waiting(s, e)])
}

# Evidence gates (issue 11; see policies/gates). A previous version whose
# revocation gate still waits past its ttl keeps waiting, since revoking a
# credential in use is an outage: ROT003 denies until someone decides. A
# hold with a reason is such a decision (an emergency revoke_versions is the
# other, and revokes it).
_gate_decided(s, e) if {
	e.v.status == "previous"
	is_object(tf.value(s, ["revocation_gate"]))
	tf.field(s, ["hold_revocation"]).value == true
	reason := tf.value(s, ["hold_reason"])
	is_string(reason)
	trim_space(reason) != ""
}

_gate_waiting(s, e) := sprintf("; its revocation gate still waits (%s) and keeps waiting, because revoking a credential in use is an outage: decide, either revoke it with revoke_versions and revoke_reason, or set hold_revocation with a hold_reason", [_gate_next(s)]) if {
	e.v.status == "previous"
	is_object(tf.value(s, ["revocation_gate"]))
} else := ""

_gate_next(s) := sprintf("next_transition: %q", [n]) if {
	n := tf.value(s, ["next_transition"])
	is_string(n)
	contains(n, ": ")
} else := "no evidence at hand in this plan"

# The expiry of a version: expires_at, else issued_at + ttl.
_expiry(s, e) := t if {
	t := tf.time_ns(e.v.expires_at)
} else := exp if {
	not tf.time_ns(object.get(e.v, "expires_at", null))
	issued := tf.time_ns(e.v.issued_at)
	ttl := tf.sdur(s, _ttl)
	ttl.state == "known"
	exp := issued + (ttl.seconds * 1000000000)
}

# METADATA
# title: no accepted version past its ttl (unknown input refused)
# description: |
#   ROT003 cannot show that no expired version stays accepted because the
#   versions, a version's status or its expires_at are unknown until apply
#   (the provider leaves them unknown when something it reads is unknown):
#   the plan is refused. With params.unknown_inputs = "warn" it only warns.
# custom:
#   id: ROT003
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make every value the resource reads known at plan time (a rotate_triggers or schedule value computed by another resource leaves the versions unknown), or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot003_gaps
	msg := tf.refused("ROT003", g, "the apply could leave an expired version accepted unseen")
}

# METADATA
# title: no accepted version past its ttl (could not be checked)
# description: ROT003 could not be checked because the versions, a version's status or its expires_at are unknown until apply (with params.unknown_inputs = "warn").
# custom:
#   id: ROT003
#   severity: warn
#   unchecked: true
#   remediation: Nothing to change in the configuration usually; review the plan after the unknown values are known (e.g. on the next plan).
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot003_gaps
	msg := tf.unchecked_gap("ROT003", g)
}

_rot003_gaps contains tf.gap(s.address, sprintf("%s is unknown until apply", [tf.versions_attr(s)])) if {
	some s in tf.secrets
	not tf.versions_known(s)
}

_rot003_gaps contains tf.gap(s.address, sprintf("%s is unknown until apply", [tf.path_string(array.concat(e.path, ["status"]))])) if {
	some s in tf.secrets
	some e in tf.versions(s)
	tf.unknown(s, array.concat(e.path, ["status"]))
}

_rot003_gaps contains tf.gap(s.address, sprintf("%s is unknown until apply", [tf.path_string(array.concat(e.path, ["expires_at"]))])) if {
	some s in tf.secrets
	some e in tf.versions(s)
	e.v.status in tf.accepted_statuses
	tf.unknown(s, array.concat(e.path, ["expires_at"]))
	not tf.unknown(s, array.concat(e.path, ["issued_at"]))
}
