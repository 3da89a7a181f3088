# METADATA
# title: Ownership rules
# description: |
#   Who answers for a secret: ROT010 (owner and a different backup_owner),
#   ROT011 (owners from the allowed list or pattern), ROT012 (every secret and
#   schedule belongs to a family in the plan) and ROT013 (the family's review
#   is not overdue).
package rotation.ownership

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
# ROT010

# METADATA
# title: family has an owner and a different backup_owner
# description: |
#   A secret family names the team that owns it and a second, different team
#   that can act when the owner cannot (compared ignoring case and
#   surrounding spaces).
# custom:
#   id: ROT010
#   severity: deny
#   remediation: Set owner and backup_owner on the rotation_secret_family to two different teams.
#   why: >-
#     A secret whose only owner is unavailable (on leave, reorganised away) is
#     the one nobody rotates after an incident; a second, different team must be
#     able to act.
#   attributes: [backup_owner, owner]
_deny contains msg if {
	some msg in _rot010_deny
}

_rot010_deny contains msg if {
	some f in tf.families
	some attr in ["owner", "backup_owner"]
	v := tf.field(f, [attr])
	_blank(v)
	msg := sprintf("ROT010 %s: family %s has no %s; name a team", [f.address, _name(f), attr])
}

_rot010_deny contains msg if {
	some f in tf.families
	owner := tf.field(f, ["owner"])
	backup := tf.field(f, ["backup_owner"])
	owner.state == "known"
	backup.state == "known"
	not _blank(owner)
	_normal(owner.value) == _normal(backup.value)
	msg := sprintf("ROT010 %s: family %s has backup_owner %s, the same team as owner %s; name a different team", [f.address, _name(f), tf.shown(backup), tf.shown(owner)])
}

_blank(v) if {
	v.state == "null"
} else if {
	v.state == "known"
	trim_space(v.value) == ""
}

_normal(s) := lower(trim_space(s)) if is_string(s)

else := json.marshal(s)

# The family's name for a message: quoted, "(sensitive)" or "(name unknown)".
_name(f) := tf.shown(name) if {
	name := tf.field(f, ["name"])
	name.state == "known"
} else := "(name unknown)"

# METADATA
# title: family has an owner and a different backup_owner (could not be checked)
# description: ROT010 could not be checked because owner or backup_owner is unknown until apply.
# custom:
#   id: ROT010
#   severity: warn
#   unchecked: true
#   remediation: Set owner and backup_owner to values known at plan time.
_warn contains msg if {
	some msg in _rot010_unchecked
}

_rot010_unchecked contains msg if {
	some f in tf.families
	some attr in ["owner", "backup_owner"]
	v := tf.field(f, [attr])
	v.state == "unknown"
	msg := tf.unchecked("ROT010", f, [attr], v)
}

# ---------------------------------------------------------------------------
# ROT011

# METADATA
# title: owners are allowed teams
# description: |
#   When params.allowed_owners is not empty, owner and backup_owner are in it;
#   when params.owner_pattern is not empty, they match it in full (the
#   pattern is anchored).
# custom:
#   id: ROT011
#   severity: deny
#   remediation: Use a team from params.allowed_owners / matching params.owner_pattern, or add the team to the parameters.
#   why: >-
#     Free-text owners drift: a typo or a team that no longer exists leaves the
#     secret with nobody to page.
#   attributes: [owner, backup_owner]
#   parameters:
#     allowed_owners: >-
#       the teams allowed as owner and backup_owner; empty allows any
#     owner_pattern: >-
#       an RE2 pattern every owner and backup_owner must match in full; empty
#       allows any
_deny contains msg if {
	some msg in _rot011_deny
}

_rot011_deny contains msg if {
	count(params.allowed_owners) > 0
	some f in tf.families
	some attr in ["owner", "backup_owner"]
	v := tf.field(f, [attr])
	v.state == "known"
	not v.value in params.allowed_owners
	msg := sprintf("ROT011 %s: %s %s is not in allowed_owners %v", [f.address, attr, tf.shown(v), sort(params.allowed_owners)])
}

_rot011_deny contains msg if {
	is_string(params.owner_pattern)
	params.owner_pattern != ""
	regex.is_valid(params.owner_pattern)
	some f in tf.families
	some attr in ["owner", "backup_owner"]
	v := tf.field(f, [attr])
	v.state == "known"
	is_string(v.value)
	not regex.match(_anchored, v.value)
	msg := sprintf("ROT011 %s: %s %s does not match owner_pattern %q", [f.address, attr, tf.shown(v), params.owner_pattern])
}

_anchored := sprintf("^(?:%s)$", [params.owner_pattern])

_owner_params_set if count(params.allowed_owners) > 0

_owner_params_set if {
	is_string(params.owner_pattern)
	params.owner_pattern != ""
}

# METADATA
# title: owners are allowed teams (could not be checked)
# description: ROT011 could not be checked because an owner is unknown until apply or params.owner_pattern is not a valid regular expression.
# custom:
#   id: ROT011
#   severity: warn
#   unchecked: true
#   remediation: Set owners to values known at plan time; fix params.owner_pattern.
_warn contains msg if {
	some msg in _rot011_unchecked
}

_rot011_unchecked contains msg if {
	_owner_params_set
	some f in tf.families
	some attr in ["owner", "backup_owner"]
	v := tf.field(f, [attr])
	v.state == "unknown"
	msg := tf.unchecked("ROT011", f, [attr], v)
}

_rot011_unchecked contains msg if {
	some p in params.invalid
	regex.match(`^params\.(allowed_owners|owner_pattern) `, p)
	count(tf.families) > 0
	msg := sprintf("ROT011 params: could not be checked: %s", [p])
}

_rot011_unchecked contains msg if {
	is_string(params.owner_pattern)
	params.owner_pattern != ""
	not regex.is_valid(params.owner_pattern)
	count(tf.families) > 0
	msg := sprintf("ROT011 params: could not be checked: owner_pattern %q is not a valid regular expression", [params.owner_pattern])
}

# ---------------------------------------------------------------------------
# ROT012

# METADATA
# title: every secret and schedule belongs to a family in the plan
# description: |
#   The family of each rotation_secret and rotation_schedule is a
#   rotation_secret_family of the same plan (or state): found through the
#   configuration's references, else by name.
# custom:
#   id: ROT012
#   severity: deny
#   remediation: Declare a rotation_secret_family for the secret and set family = rotation_secret_family.<name>.id.
#   why: >-
#     Without a family a secret has no owner, no classification (it is held to
#     high) and no consumers, so the ownership and overlap rules (ROT010,
#     ROT011, ROT020, ROT021) cannot judge it.
#   attributes: [family]
_deny contains msg if {
	some msg in _rot012_deny
}

_rot012_deny contains msg if {
	some s in tf.secrets
	not tf.family_of[s.address]
	fam := tf.field(s, ["family"])
	fam.state != "unknown"
	msg := sprintf("ROT012 %s: family %s is not a rotation_secret_family declared in this plan", [s.address, _quoted(fam)])
}

_quoted(f) := tf.shown(f) if f.state == "known"

_quoted(f) := "(not set)" if f.state == "null"

# METADATA
# title: every secret and schedule belongs to a family in the plan (could not be checked)
# description: ROT012 could not be checked because the secret's family is unknown until apply and the configuration does not reference a family resource.
# custom:
#   id: ROT012
#   severity: warn
#   unchecked: true
#   remediation: Set family = rotation_secret_family.<name>.id, or a value known at plan time.
_warn contains msg if {
	some msg in _rot012_unchecked
}

_rot012_unchecked contains msg if {
	some s in tf.secrets
	not tf.family_of[s.address]
	fam := tf.field(s, ["family"])
	fam.state == "unknown"
	msg := tf.unchecked("ROT012", s, ["family"], fam)
}

# ---------------------------------------------------------------------------
# ROT013

_review_findings contains msg if {
	some f in tf.families
	reviewed := tf.field(f, ["reviewed_at"])
	reviewed.state == "null"
	msg := sprintf("ROT013 %s: family %s has never been reviewed (reviewed_at is not set)", [f.address, _name(f)])
}

_review_findings contains msg if {
	some f in tf.families
	reviewed := tf.field(f, ["reviewed_at"])
	reviewed.state == "known"
	at := tf.time_ns(reviewed.value)
	interval := tf.dur(f, ["review_interval"])
	interval.state == "known"
	due := at + (interval.seconds * 1000000000)
	due < tf.as_of
	msg := sprintf("ROT013 %s: review of family %s is overdue: reviewed_at %s + review_interval %s = %s, before %s", [f.address, _name(f), tf.text(reviewed), tf.text(interval), _due_text([reviewed, interval], due), tf.as_of_text])
}

# The due date of a review, "(sensitive)" when it would show a sensitive
# reviewed_at or review_interval.
_due_text(fields, due) := tf.sensitive_text if {
	some f in fields
	f.sensitive
	is_number(due)
} else := tf.rfc3339(due)

# METADATA
# title: family review not overdue
# description: |
#   reviewed_at + review_interval is not before the plan's timestamp
#   (params.now when set; the current time for a state), and the family has
#   been reviewed at all. Warns; denies when params.enforce_review is true.
# custom:
#   id: ROT013
#   severity: warn
#   remediation: Review the family's runbook and set reviewed_at to the review's time.
#   why: >-
#     Consumers, caches and owners change; a family whose review is long overdue
#     may describe a system that no longer exists, and the overlap and
#     propagation computed from it may be too short.
#   attributes: [reviewed_at, review_interval]
#   parameters:
#     enforce_review: >-
#       true makes an overdue review a deny instead of a warning
#     now: >-
#       the instant the check evaluates at; empty means the plan's timestamp
#       (the current time for a state)
_warn contains msg if {
	not params.enforce_review
	some msg in _review_findings
}

# METADATA
# title: family review not overdue (enforced)
# description: ROT013 with params.enforce_review = true denies an overdue or missing review.
# custom:
#   id: ROT013
#   severity: deny
#   remediation: Review the family's runbook and set reviewed_at to the review's time.
_deny contains msg if {
	params.enforce_review
	some msg in _review_findings
}

# METADATA
# title: family review not overdue (could not be checked)
# description: ROT013 could not be checked because reviewed_at or review_interval is unknown or invalid.
# custom:
#   id: ROT013
#   severity: warn
#   unchecked: true
#   remediation: Set reviewed_at (RFC 3339) and review_interval to values known at plan time.
_warn contains msg if {
	some msg in _rot013_unchecked
}

_rot013_unchecked contains msg if {
	some f in tf.families
	tf.field(f, ["reviewed_at"]).state == "known"
	msg := tf.unchecked("ROT013", f, ["review_interval"], tf.dur(f, ["review_interval"]))
}

_rot013_unchecked contains msg if {
	some f in tf.families
	reviewed := tf.field(f, ["reviewed_at"])
	reviewed.state == "unknown"
	msg := tf.unchecked("ROT013", f, ["reviewed_at"], reviewed)
}

_rot013_unchecked contains msg if {
	some f in tf.families
	reviewed := tf.field(f, ["reviewed_at"])
	reviewed.state == "known"
	not tf.time_ns(reviewed.value)
	msg := sprintf("ROT013 %s: could not be checked: reviewed_at %s is not an RFC 3339 time", [f.address, tf.shown(reviewed)])
}

# ---------------------------------------------------------------------------
# ROT014

_validator_roles := {"validator", "both"}

# The secrets and schedules of each family, by the family's address.
_credentials_of := {fa: sort([a | some a in members]) | some fa, members in tf.members}

# The roles of a family's consumers, each a field (role defaults to
# validator).
_roles(f) := [c.role | some c in tf.consumers[f.address]]

_validates(role) if {
	role.state == "known"
	role.value in _validator_roles
}

# METADATA
# title: a family with secrets declares a validator
# description: |
#   A family that secrets or schedules belong to declares at least one
#   consumer with role validator or both. The overlap (ROT020) and
#   propagation (ROT021) rules compare the schedule with the consumers'
#   caches; with no validator declared, the longest cache counts as zero and
#   both pass whatever the schedule, so the overlap is justified by nothing.
# custom:
#   id: ROT014
#   severity: deny
#   remediation: Declare every service that verifies or accepts the secret as a consumer block with role = "validator" (or "both") and its cache_ttl.
#   why: >-
#     Without an inventory of who validates, no overlap can be shown to be long
#     enough: any overlap above the artifact lifetime passes ROT020 and any
#     propagation passes ROT021, and the first rotation breaks the validator
#     nobody declared.
#   attributes: [consumer]
_deny contains msg if {
	some msg in _rot014_deny
}

_rot014_deny contains msg if {
	some fa, creds in _credentials_of
	f := tf.families[fa]
	not tf.consumers_unknown[f.address]
	roles := _roles(f)
	every role in roles {
		role.state == "known"
		not _validates(role)
	}
	msg := sprintf("ROT014 %s: family %s declares %s, yet %s belong%s to it: with no validator cache to compare with, ROT020 and ROT021 pass whatever the schedule; declare the services that verify or accept the secret (role validator or both, with their cache_ttl)", [f.address, _name(f), _consumers_text(roles), concat(", ", creds), _s(creds)])
}

_consumers_text([]) := "no consumer"

_consumers_text(roles) := sprintf("no consumer with role validator or both (roles: %s)", [concat(", ", sort([tf.text(r) | some r in roles]))]) if count(roles) > 0

_s(list) := "s" if count(list) == 1

_s(list) := "" if count(list) != 1

# METADATA
# title: a family with secrets declares a validator (unknown input refused)
# description: |
#   ROT014 cannot show that the family declares a validator because its
#   consumer list, or the role of every consumer that could be one, is
#   unknown until apply: the plan is refused. With params.unknown_inputs =
#   "warn" it only warns.
# custom:
#   id: ROT014
#   severity: deny
#   unknown_input: true
#   parameters:
#     unknown_inputs: >-
#       "deny" (the default): an input unknown until apply, not set or not
#       valid denies the plan; "warn": the rule only warns that it could not
#       be checked
#   remediation: Make the consumer blocks and their roles known at plan time, or set params.unknown_inputs to warn.
_deny contains msg if {
	tf.refuse_unknown
	some g in _rot014_gaps
	msg := tf.refused("ROT014", g, "the apply could leave the family without a validator, so the overlap rules pass vacuously")
}

# METADATA
# title: a family with secrets declares a validator (could not be checked)
# description: ROT014 could not be checked because the consumer list or the roles are unknown until apply (with params.unknown_inputs = "warn").
# custom:
#   id: ROT014
#   severity: warn
#   unchecked: true
#   remediation: Make the consumer blocks and their roles known at plan time.
_warn contains msg if {
	not tf.refuse_unknown
	some g in _rot014_gaps
	msg := tf.unchecked_gap("ROT014", g)
}

_rot014_gaps contains tf.gap(fa, tf.reason(["consumer"], {"state": "unknown"})) if {
	some fa, _ in _credentials_of
	tf.consumers_unknown[fa]
}

_rot014_gaps contains tf.gap(fa, tf.reason(["consumer", i, "role"], role)) if {
	some fa, _ in _credentials_of
	f := tf.families[fa]
	not tf.consumers_unknown[f.address]
	roles := _roles(f)
	not _any_validates(roles)
	some i, role in roles
	role.state != "known"
}

_any_validates(roles) if {
	some role in roles
	_validates(role)
}
