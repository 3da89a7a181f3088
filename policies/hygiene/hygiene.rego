# METADATA
# title: Hygiene rules
# description: |
#   Operational hygiene: ROT040 (plans made with the rehearsal clock) and
#   ROT041 (high and critical secrets rotate inside a change window).
package rotation.hygiene

import data.rotation.lib.terraform as tf
import data.rotation.lib.waivers

# The findings of this package (warnings only): _warn (each rule's
# definitions below) minus what a valid params.waivers entry covers, which
# waived reports instead (lib/waivers.rego). conftest reads warn.
warn := waivers.kept(_warn)

waived := waivers.covered(set(), _warn)

# ---------------------------------------------------------------------------
# ROT040

# METADATA
# title: provider now (rehearsal clock) not set
# description: |
#   A plan made with the provider attribute now evaluates every schedule at
#   that instant instead of the wall clock: fine for game days and tests,
#   wrong for real rotations. Only the attribute is visible in the plan's
#   configuration; the ROTATION_NOW environment variable is not, and a state
#   has no configuration at all.
# custom:
#   id: ROT040
#   severity: warn
#   remediation: Remove now from the provider "rotation" block (and unset ROTATION_NOW) before planning real rotations.
#   why: >-
#     A plan made at a rehearsal clock shows transitions that are not due now,
#     or hides ones that are: applying it rotates on a fictional schedule.
#   attributes: [now]
_warn contains msg if {
	some msg in _rot040_warn
}

_rot040_warn contains msg if {
	some key, cfg in tf.provider_configs
	now := cfg.expressions.now
	_set(now)
	msg := sprintf("ROT040 %s: now %s is set: this plan evaluates every schedule at the rehearsal clock, not the wall clock", [_provider_address(key), _describe(now)])
}

_set(expr) if expr.constant_value != null

_set(expr) if count(object.get(expr, "references", [])) > 0

_describe(expr) := sprintf("= %q", [expr.constant_value]) if is_string(expr.constant_value)

_describe(expr) := sprintf("(from %s)", [concat(", ", expr.references)]) if {
	not is_string(object.get(expr, "constant_value", null))
	count(object.get(expr, "references", [])) > 0
}

_describe(expr) := sprintf("= %s", [json.marshal(expr.constant_value)]) if {
	not is_string(expr.constant_value)
	expr.constant_value != null
	count(object.get(expr, "references", [])) == 0
}

# Configuration keys are "rotation", "rotation.alias", or "module.m:rotation"
# in a module; messages use Terraform's provider address notation.
_provider_address(key) := sprintf("%s.provider[%q]", [module, name]) if {
	[module, name] := split(key, ":")
} else := sprintf("provider[%q]", [key])

# ---------------------------------------------------------------------------
# ROT041

_change_window := ["schedule", "change_window"]

_guarded := {"high", "critical"}

# METADATA
# title: high and critical secrets rotate inside a change_window
# description: |
#   A secret or schedule of a high or critical family (or without a family,
#   which counts as high) sets schedule.change_window, so scheduled issue,
#   activation and revocation happen only when people are around to watch.
# custom:
#   id: ROT041
#   severity: warn
#   remediation: Add schedule { change_window { days = ["mon", "tue", "wed", "thu"], start = "09:00", end = "16:00", time_zone = "UTC" } }.
#   why: >-
#     A scheduled rotation or revocation in the middle of the night fails with
#     nobody watching; a change window keeps transitions to hours when people
#     can react.
#   attributes: [schedule.change_window]
_warn contains msg if {
	some msg in _rot041_warn
}

_rot041_warn contains msg if {
	some s in tf.secrets
	cls := tf.classification(s)
	cls.state == "known"
	cls.value in _guarded
	tf.field(s, _change_window).state == "null"
	msg := sprintf("ROT041 %s: no schedule.change_window although the classification is %s (%s): scheduled rotations and revocations may happen at any hour", [s.address, tf.text(cls), tf.family_note(s)])
}

# METADATA
# title: high and critical secrets rotate inside a change_window (could not be checked)
# description: ROT041 could not be checked because the change_window or the family's classification is unknown until apply.
# custom:
#   id: ROT041
#   severity: warn
#   unchecked: true
#   remediation: Make change_window and classification known at plan time.
_warn contains msg if {
	some msg in _rot041_unchecked
}

_rot041_unchecked contains msg if {
	some s in tf.secrets
	f := tf.field(s, _change_window)
	f.state == "unknown"
	msg := tf.unchecked("ROT041", s, _change_window, f)
}

_rot041_unchecked contains msg if {
	some s in tf.secrets
	cls := tf.classification(s)
	cls.state == "unknown"
	tf.field(s, _change_window).state == "null"
	msg := tf.unchecked_of("ROT041", s, tf.families[tf.family_of[s.address]], ["classification"], cls)
}

# ---------------------------------------------------------------------------
# ROT042

# The recorded timestamps of a version, in the order the engine breaks ties
# (lifecycle.State.AheadOf).
_record_fields := ["issued_at", "activated_at", "superseded_at", "revoked_at"]

# The recorded timestamps of each secret and schedule after the evaluation
# time: [version, field index, field, recorded text, nanoseconds].
_ahead[s.address] := list if {
	some s in tf.secrets
	list := [[e.v.version, i, k, t, ns] |
		some e in tf.versions(s)
		some i, k in _record_fields
		t := object.get(e.v, k, null)
		ns := tf.time_ns(t)
		ns > tf.as_of
	]
	count(list) > 0
}

# The latest of them; on a tie the lowest version, then the earliest field.
_latest(list) := sort([x | some x in list; x[4] == latest])[0] if {
	latest := max([x[4] | some x in list])
}

# METADATA
# title: the record is not ahead of the clock
# description: |
#   No version (slot) of a secret or schedule records a timestamp (issued_at,
#   activated_at, superseded_at or revoked_at) after the evaluation time: the
#   plan's timestamp (params.now when set; the current time for a state).
#   A record ahead of the clock comes from applies made with a rehearsal
#   clock (the provider's now or ROTATION_NOW) later than the real time, or
#   with a wrong clock. While it is, the provider decides no scheduled step:
#   the secret does not rotate, activate or revoke until the latest of those
#   instants.
# custom:
#   id: ROT042
#   severity: warn
#   remediation: >-
#     Restore the state from before the applies made with the future clock
#     (terraform.tfstate.backup or the remote state's history), or accept that
#     nothing is scheduled until the instant named. Never apply with a
#     rehearsal clock against a production state.
#   why: >-
#     A plan at the real time then says "No changes" while rotations are due:
#     versions outlive their period silently until the clock catches up with
#     the record.
#   parameters:
#     now: >-
#       the instant the check evaluates at; empty means the plan's timestamp
#       (the current time for a state)
_warn contains msg if {
	some address, list in _ahead
	[version, _, field, at, _] := _latest(list)
	msg := sprintf("ROT042 %s: the record is ahead of the clock: %d recorded timestamp%s after %s, the latest version %s %s %s; no scheduled step (issue, activate, revoke) is decided before that instant, so nothing rotates until then; restore the state from before the applies made with a future clock", [address, count(list), _plural(list), tf.as_of_text, tf.plain(version), field, at])
}

_plural(list) := " is" if count(list) == 1

_plural(list) := "s are" if count(list) != 1
