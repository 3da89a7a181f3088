# METADATA
# title: Material rules
# description: |
#   Where secret material lives: ROT050 (no secret material in clear in the
#   state, plan files and show -json output, that is, material = "state").
package rotation.material

import data.rotation.lib.params
import data.rotation.lib.terraform as tf
import data.rotation.lib.waivers

# The findings of this package: _deny and _warn (each rule's definitions
# below) minus what a valid params.waivers entry covers, which waived
# reports instead (lib/waivers.rego). conftest reads deny and warn.
deny := waivers.kept(_deny)

warn := waivers.kept(_warn)

waived := waivers.covered(_deny, _warn)

# ---------------------------------------------------------------------------
# ROT050
#
# What "carries material in clear" means (docs/design.md, Rules; issue 12):
#   * a rotation_secret whose material is "state" (an omitted value is the
#     provider's default, "state"; any value other than "derived" counts as
#     state, since only derived mode keeps the material out): its accepted
#     versions, and every version it issues, keep their material in
#     versions[*].secret, active_secret and accepted_secrets;
#   * an accepted (pending, active, previous) version recorded with material
#     "state" under a secret that has switched to "derived": the migration
#     period, until the version is revoked (revocation wipes the material).
# rotation_schedule keeps no material (slot metadata only) and is never
# flagged. The rule judges what a plan leaves (change.after) or what a
# state holds; what a plan deletes is not judged. Messages name addresses,
# version numbers, modes and classifications, never a value of secret,
# active_secret or accepted_secrets.
#
# Severity: warn; deny for the classifications params.require_derived_material
# marks true (an entry that is not false counts as true: fail closed). A
# version still in state during the migration only ever warns: the secret
# already asks for derived mode, the version leaves the state when it is
# revoked, and denying would block the very plan that moves to derived
# mode. Unknown inputs: a material unknown until apply warns "could not be
# checked", except where derived material is required (the classification
# requires it, or the classification is unknown while some classification
# requires it): there it is refused like a safety rule's unknown input
# (params.unknown_inputs = "warn" turns the refusal into the warning).

_material := ["material"]

# The secrets that can hold material (rotation_schedule never does).
_secrets := [s | some s in tf.secrets; s.type == "rotation_secret"]

# The field() of a secret's material (the provider default "state" when
# omitted).
_mode(s) := tf.field(s, _material)

# _in_state(f): a known material field that is not "derived".
_in_state(f) if {
	f.state == "known"
	f.value != "derived"
}

# A version (accepted, with its material in state) as e from tf.versions().
_state_version(s, e) if {
	e.v.status in tf.accepted_statuses
	_in_state(tf.field(s, array.concat(e.path, _material)))
}

# "versions 1 (active), 2 (pending)" of a secret's accepted state-mode
# versions, in version order.
_versions_text(entries) := sprintf("version %s", [_entry_text(entries[0])]) if {
	count(entries) == 1
} else := sprintf("versions %s", [concat(", ", [_entry_text(e) | some e in entries])])

_entry_text(e) := sprintf("%s (%s)", [tf.plain(e.v.version), tf.plain(e.v.status)])

_state_versions(s) := [e | some e in tf.versions(s); _state_version(s, e)]

# Whether derived material is required for secret s: its classification
# is known and params.require_derived_material marks it (anything but false
# counts: an invalid entry fails closed and params.invalid reports it).
_required(s) if {
	cls := tf.classification(s)
	cls.state == "known"
	params.require_derived_material[cls.value] != false
}

# The classification of s is not known, and some classification requires
# derived material: the apply could make s one of them.
_maybe_required(s) if {
	tf.classification(s).state != "known"
	some v in params.require_derived_material
	v != false
}

# "family rotation_secret_family.f, classification high" (or "no family
# found, so classification high"), and the requirement when the rule
# denies.
_context(s) := sprintf("%s, which params.require_derived_material requires to be derived", [_class_note(s)]) if {
	_required(s)
} else := _class_note(s)

_class_note(s) := tf.family_note(s) if {
	not tf.family_of[s.address]
} else := sprintf("%s, classification %s", [tf.family_note(s), tf.text(tf.classification(s))]) if {
	tf.classification(s).state == "known"
} else := tf.family_note(s)

# "material "state" (the default)", "material = "state"", "material =
# (sensitive)".
_mode_text(s) := `material is "state" (the default)` if {
	tf.value(s, _material) == null
} else := sprintf("material = %s", [tf.shown(_mode(s))])

# What the versions of a state-mode secret hold.
_held(s) := sprintf("%s keep%s secret material in clear", [_versions_text(entries), _verb_s(entries)]) if {
	entries := _state_versions(s)
	count(entries) > 0
} else := "every version it issues keeps its secret material in clear"

_verb_s(entries) := "s" if count(entries) == 1

_verb_s(entries) := "" if count(entries) != 1

_where := "in the state, its backups and history, saved plan files and show -json output"

_fix := `set material = "derived": the next apply issues a derived version as a normal rotation, with no flag day, and the versions kept in state leave it when they are revoked`

# The state-mode findings: {"s": secret, "msg": message}.
_state_mode contains {"s": s, "msg": msg} if {
	some s in _secrets
	_in_state(_mode(s))
	msg := sprintf("ROT050 %s: %s: %s %s; %s (%s)", [s.address, _mode_text(s), _held(s), _where, _fix, _context(s)])
}

# The migration findings: a derived secret whose accepted versions issued
# in state mode still keep their material there.
_migrating contains msg if {
	some s in _secrets
	f := _mode(s)
	f.state == "known"
	f.value == "derived"
	entries := _state_versions(s)
	count(entries) > 0
	msg := sprintf("ROT050 %s: material = %s, but %s, issued before the switch, still keep%s secret material in clear %s until revoked; nothing to change: they leave the state when the schedule revokes them (revoke_versions with a revoke_reason does it sooner, once no consumer uses them) (%s)", [s.address, tf.shown(f), _versions_text(entries), _verb_s(entries), _where, _context(s)])
}

# METADATA
# title: no secret material in clear in state and plans
# description: |
#   A rotation_secret keeps no private or symmetric material in the state,
#   its backups, saved plan files or show -json output: its material is
#   "derived", not "state" (the provider's default, which an omitted
#   material means). Warns; denies for the classifications that
#   params.require_derived_material marks true. Also warns, whatever the
#   parameter, while accepted versions issued in state mode remain under a
#   secret that has switched to derived (the migration: they leave the state
#   when revoked; denying would block the plan that makes the switch).
#   rotation_schedule keeps no material and is never flagged. Messages
#   never show material.
# custom:
#   id: ROT050
#   severity: warn
#   remediation: >-
#     Set material = "derived" on the rotation_secret (and provide the
#     material seed: ROTATION_MATERIAL_SEED, or material_seed from an
#     ephemeral source on Terraform >= 1.10 / OpenTofu 1.11); consumers read
#     the material from the ephemeral resource rotation_secret_material. The
#     switch is a rotation, not a replacement: no flag day, and the state-mode
#     versions leave the state when they are revoked.
#     See docs/guides/keeping-secrets-out-of-state.md.
#   why: >-
#     Material kept in state is marked sensitive but is still written in clear
#     to terraform.tfstate and its backups, every remote-state history, the
#     saved plan file and the show -json output that CI feeds to policy checks:
#     anyone who can read one of them holds every accepted credential.
#   attributes: [material]
#   parameters:
#     require_derived_material: >-
#       per family classification (critical, high, medium, low): true makes a
#       secret of that classification with material = "state" a deny instead
#       of a warning, i.e. requires derived material
_warn contains msg if {
	some x in _state_mode
	not _required(x.s)
	msg := x.msg
}

_warn contains msg if {
	some msg in _migrating
}

# METADATA
# title: no secret material in clear in state and plans (required)
# description: ROT050 with params.require_derived_material true for the secret's classification denies material = "state" (the migration's state-mode versions under a derived secret still only warn).
# custom:
#   id: ROT050
#   severity: deny
#   remediation: Set material = "derived" on the rotation_secret (an rsa secret changes its type to ed25519 or ecdsa in the same step, since RSA cannot be derived); see docs/guides/keeping-secrets-out-of-state.md.
_deny contains msg if {
	some x in _state_mode
	_required(x.s)
	msg := x.msg
}

# METADATA
# title: no secret material in clear (unknown input refused)
# description: |
#   ROT050 cannot show that a secret whose classification requires derived
#   material (params.require_derived_material) keeps its material out of
#   state, because material (or the family's classification, while some
#   classification requires derived material) is unknown until apply: the
#   apply could keep the material in state unseen, so the plan is refused.
#   With params.unknown_inputs = "warn" it only warns.
# custom:
#   id: ROT050
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make material and the family's classification known at plan time (literals or known variables), or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _gaps
	msg := tf.refused("ROT050", g, "the apply could keep secret material in state unseen")
}

# METADATA
# title: no secret material in clear in state and plans (could not be checked)
# description: ROT050 could not be checked because material (or a version's material) is unknown until apply.
# custom:
#   id: ROT050
#   severity: warn
#   unchecked: true
#   remediation: Make material known at plan time (a literal or a known variable).
_warn contains msg if {
	not tf.refuse_unknown
	some g in _gaps
	msg := tf.unchecked_gap("ROT050", g)
}

_warn contains msg if {
	some msg in _unchecked
}

# Unknown inputs where derived material is required: refused.
_gaps contains tf.gap(s.address, tf.reason(_material, f)) if {
	some s in _secrets
	f := _mode(s)
	f.state == "unknown"
	_required_or_maybe(s)
}

_gaps contains tf.gap(s.address, tf.reason_of(fam, ["classification"], tf.classification(s))) if {
	some s in _secrets
	_in_state(_mode(s))
	_maybe_required(s)
	fam := tf.families[tf.family_of[s.address]]
}

_required_or_maybe(s) if {
	_required(s)
} else if {
	_maybe_required(s)
}

# Unknown inputs elsewhere: could not be checked.
_unchecked contains tf.unchecked("ROT050", s, _material, f) if {
	some s in _secrets
	f := _mode(s)
	f.state == "unknown"
	not _required_or_maybe(s)
}

_unchecked contains tf.unchecked("ROT050", s, path, f) if {
	some s in _secrets
	mode := _mode(s)
	mode.state == "known"
	mode.value == "derived"
	some e in tf.versions(s)
	object.get(e.v, "status", null) in tf.accepted_statuses
	path := array.concat(e.path, _material)
	f := tf.field(s, path)
	f.state == "unknown"
}
