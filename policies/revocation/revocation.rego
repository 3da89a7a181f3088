# METADATA
# title: Revocation rules
# description: |
#   What happens to versions at the end of their life: ROT030 (early,
#   emergency revocations surfaced for review), ROT031 (a secret always keeps
#   an active version) and ROT032 (holding revocation needs a reason).
package rotation.revocation

import data.rotation.lib.duration
import data.rotation.lib.terraform as tf
import data.rotation.lib.waivers

# The findings of this package: _deny and _warn (each rule's definitions
# below) minus what a valid params.waivers entry covers, which waived
# reports instead (lib/waivers.rego). conftest reads deny and warn.
deny := waivers.kept(_deny)

warn := waivers.kept(_warn)

waived := waivers.covered(_deny, _warn)

_overlap := ["schedule", "overlap"]

_ns := 1000000000

# ---------------------------------------------------------------------------
# ROT030

# Versions revoked in the input: in a plan only those revoked by this plan
# (earlier revocations were reported by earlier plans), in a state all of
# them (an audit).
_revoked contains [s, e] if {
	some s in tf.secrets
	some e in tf.versions(s)
	e.v.status == "revoked"
	not _revoked_before(s, e)
}

_revoked_before(s, e) if tf.prior_status[s.address][e.v.version] == "revoked"

# The reason of an early revocation for a message: the version's recorded
# revoke_reason, else the resource's; "(sensitive)" when the input marks it
# sensitive (the provider marks versions[*].revoke_reason sensitive).
_reason(s, e) := sprintf("revoke_reason %s", [tf.shown(f)]) if {
	f := tf.field(s, array.concat(e.path, ["revoke_reason"]))
	_given(f)
} else := sprintf("revoke_reason %s", [tf.shown(f)]) if {
	f := tf.field(s, ["revoke_reason"])
	_given(f)
} else := "no revoke_reason recorded"

_given(f) if {
	f.state == "known"
	is_string(f.value)
	trim_space(f.value) != ""
}

_in_revoke_versions(s, v) if {
	some x in tf.value(s, ["revoke_versions"])
	x == v
}

_prior(s, e) := tf.prior_status[s.address][e.v.version]

_prior(s, e) := "new" if not tf.prior_status[s.address][e.v.version]

# METADATA
# title: early (emergency) revocation surfaced for review
# description: |
#   A version revoked before its overlap elapsed - revoked_at - superseded_at
#   < overlap, revoked while still active or pending, or planned as revoked
#   because revoke_versions lists it while its overlap is still running - is
#   reported with its revoke_reason, so that the emergency gets a review
#   (consumers still holding it fail). In a plan only revocations made by
#   that plan are reported; in a state all recorded ones. Under a
#   revocation_gate, the message adds the evidence when it shows the version
#   still in use (versions[*].revocation_evidence).
# custom:
#   id: ROT030
#   severity: warn
#   remediation: Confirm the revocation was intended (incident, leaked key) and that its consumers were told; record the reason in revoke_reason.
#   why: >-
#     An early revocation breaks every consumer still holding the version. It is
#     sometimes right (a leaked key) but should never pass unnoticed.
#   attributes: [revoke_versions]
_warn contains msg if {
	some msg in _rot030_warn
}

_rot030_warn contains msg if {
	some [s, e] in _revoked
	revoked := tf.time_ns(e.v.revoked_at)
	superseded := tf.time_ns(e.v.superseded_at)
	overlap := tf.sdur(s, _overlap)
	overlap.state == "known"
	revoked - superseded < overlap.seconds * _ns
	msg := sprintf("ROT030 %s: version %s was revoked at %s, %s after it was superseded at %s, before its overlap %s elapsed (%s)%s", [s.address, tf.quote(e.v.version), e.v.revoked_at, duration.format(_seconds(revoked - superseded)), e.v.superseded_at, tf.text(overlap), _reason(s, e), _in_use(e)])
}

_rot030_warn contains msg if {
	some [s, e] in _revoked
	tf.time_ns(e.v.revoked_at)
	object.get(e.v, "superseded_at", null) == null
	not tf.unknown(s, array.concat(e.path, ["superseded_at"]))
	msg := sprintf("ROT030 %s: version %s was revoked at %s while it was still %s (%s)%s", [s.address, tf.quote(e.v.version), e.v.revoked_at, tf.status_before_revocation(e.v), _reason(s, e), _in_use(e)])
}

_rot030_warn contains msg if {
	some [s, e] in _revoked
	tf.unknown(s, array.concat(e.path, ["revoked_at"]))
	_in_revoke_versions(s, e.v.version)
	not _overlap_elapsed(s, e)
	msg := sprintf("ROT030 %s: version %s (%s) is revoked by revoke_versions on this apply, before its overlap %s elapsed (%s)%s", [s.address, tf.quote(e.v.version), _prior(s, e), tf.text(tf.field(s, _overlap)), _reason(s, e), _in_use(e)])
}

# Evidence gates (issue 11): an emergency revocation under a revocation gate
# records what the evidence showed; when it shows the version still in use,
# the message says so (its consumers fail now).
_in_use(e) := sprintf("; the revocation gate's evidence shows it still in use: %s", [ev]) if {
	ev := e.v.revocation_evidence
	is_string(ev)
	contains(ev, "still in use")
} else := ""

_seconds(ns) := (ns - (ns % _ns)) / _ns

# The version was superseded more than overlap before the plan's time, so a
# scheduled revocation was due anyway.
_overlap_elapsed(s, e) if {
	superseded := tf.time_ns(e.v.superseded_at)
	overlap := tf.sdur(s, _overlap)
	overlap.state == "known"
	tf.as_of - superseded >= overlap.seconds * _ns
}

# METADATA
# title: early (emergency) revocation surfaced for review (could not be checked)
# description: ROT030 could not be checked because the versions, a version's status or the overlap are unknown.
# custom:
#   id: ROT030
#   severity: warn
#   unchecked: true
#   remediation: Nothing to change usually; review the next plan.
_warn contains msg if {
	some msg in _rot030_unchecked
}

_rot030_unchecked contains msg if {
	some s in tf.secrets
	not tf.versions_known(s)
	msg := sprintf("ROT030 %s: could not be checked: %s is unknown until apply", [s.address, tf.versions_attr(s)])
}

_rot030_unchecked contains msg if {
	some s in tf.secrets
	some e in tf.versions(s)
	tf.unknown(s, array.concat(e.path, ["status"]))
	msg := sprintf("ROT030 %s: could not be checked: %s is unknown until apply", [s.address, tf.path_string(array.concat(e.path, ["status"]))])
}

_rot030_unchecked contains msg if {
	some [s, e] in _revoked
	tf.time_ns(e.v.superseded_at)
	msg := tf.unchecked("ROT030", s, _overlap, tf.sdur(s, _overlap))
}

# ---------------------------------------------------------------------------
# ROT031

# METADATA
# title: a secret always keeps an active version
# description: |
#   After the plan (or in the state) every rotation_secret and
#   rotation_schedule has a version (slot) with status active; without one,
#   emitters have nothing to sign or log in with.
# custom:
#   id: ROT031
#   severity: deny
#   remediation: Do not revoke the active version without a successor; remove the version from revoke_versions or pin_active_version to an accepted version.
#   why: >-
#     With no active version, emitters have nothing to sign or log in with: the
#     service is down until someone rotates by hand.
#   attributes: [revoke_versions, pin_active_version]
_deny contains msg if {
	some msg in _rot031_deny
}

_rot031_deny contains msg if {
	some s in tf.secrets
	tf.versions_known(s)
	entries := tf.versions(s)
	every e in entries {
		not tf.unknown(s, array.concat(e.path, ["status"]))
		object.get(e.v, "status", null) != "active"
	}
	msg := sprintf("ROT031 %s: %s no active version (%s: %s)", [s.address, _leaves, tf.versions_attr(s), _statuses(entries)])
}

_leaves := "the plan leaves" if tf.is_plan

_leaves := "the state has" if not tf.is_plan

_statuses([]) := "none"

_statuses(entries) := concat(", ", [sprintf("v%s %s", [tf.plain(e.v.version), tf.plain(object.get(e.v, "status", null))]) | some e in entries]) if count(entries) > 0

# METADATA
# title: a secret always keeps an active version (unknown input refused)
# description: |
#   ROT031 cannot show that the secret keeps an active version because the
#   versions or their statuses are unknown until apply (the provider leaves
#   them unknown when something it reads is unknown): the plan is refused.
#   With params.unknown_inputs = "warn" it only warns.
# custom:
#   id: ROT031
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
	some g in _rot031_gaps
	msg := tf.refused("ROT031", g, "the apply could leave no active version, unseen")
}

# METADATA
# title: a secret always keeps an active version (could not be checked)
# description: ROT031 could not be checked because the versions or their statuses are unknown until apply (with params.unknown_inputs = "warn").
# custom:
#   id: ROT031
#   severity: warn
#   unchecked: true
#   remediation: Nothing to change usually; review the next plan.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot031_gaps
	msg := tf.unchecked_gap("ROT031", g)
}

_rot031_gaps contains tf.gap(s.address, sprintf("%s is unknown until apply", [tf.versions_attr(s)])) if {
	some s in tf.secrets
	not tf.versions_known(s)
}

_rot031_gaps contains tf.gap(s.address, sprintf("%s is unknown until apply", [tf.path_string(array.concat(e.path, ["status"]))])) if {
	some s in tf.secrets
	tf.versions_known(s)
	entries := tf.versions(s)
	every e in entries {
		object.get(e.v, "status", null) != "active"
	}
	some e in entries
	tf.unknown(s, array.concat(e.path, ["status"]))
}

# ---------------------------------------------------------------------------
# ROT032

# METADATA
# title: hold_revocation has a hold_reason
# description: |
#   hold_revocation keeps previous versions valid past their overlap; it needs
#   a hold_reason saying why (and so until when).
# custom:
#   id: ROT032
#   severity: deny
#   remediation: Set hold_reason (an incident or change id), or set hold_revocation = false.
#   why: >-
#     A hold keeps old versions valid past their overlap; without a recorded
#     reason nobody knows when it may be released, and holds become permanent.
#   attributes: [hold_reason, hold_revocation]
_deny contains msg if {
	some msg in _rot032_deny
}

_rot032_deny contains msg if {
	some s in tf.secrets
	hold := tf.field(s, ["hold_revocation"])
	hold.state == "known"
	hold.value == true
	reason := tf.field(s, ["hold_reason"])
	_blank(reason)
	msg := sprintf("ROT032 %s: hold_revocation is true without a hold_reason; previous versions stay valid past their overlap %s with no recorded reason", [s.address, _overlap_text(s)])
}

_blank(f) if {
	f.state == "null"
} else if {
	f.state == "known"
	trim_space(f.value) == ""
}

_overlap_text(s) := tf.text(f) if {
	f := tf.field(s, _overlap)
	f.state == "known"
} else := "(unknown)"

# METADATA
# title: hold_revocation has a hold_reason (could not be checked)
# description: ROT032 could not be checked because hold_revocation, or hold_reason while revocation is held, is unknown until apply.
# custom:
#   id: ROT032
#   severity: warn
#   unchecked: true
#   remediation: Set hold_revocation and hold_reason to values known at plan time.
_warn contains msg if {
	some msg in _rot032_unchecked
}

_rot032_unchecked contains msg if {
	some s in tf.secrets
	hold := tf.field(s, ["hold_revocation"])
	hold.state == "unknown"
	msg := tf.unchecked("ROT032", s, ["hold_revocation"], hold)
}

_rot032_unchecked contains msg if {
	some s in tf.secrets
	tf.field(s, ["hold_revocation"]).value == true
	reason := tf.field(s, ["hold_reason"])
	reason.state == "unknown"
	msg := tf.unchecked("ROT032", s, ["hold_reason"], reason)
}
