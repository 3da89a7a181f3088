# METADATA
# title: Normalized view of the rotation resources
# description: |
#   One object per rotation resource of the input, built once per evaluation
#   from the reader's public API (data.rotation.lib.terraform): what a rule
#   or a report needs to know about a family, a secret or a schedule, with
#   every attribute already resolved to a field (known, unknown until apply,
#   or not set, with the provider's defaults filled in), every duration
#   already parsed, the family already linked and the versions (or slots)
#   already listed with their statuses, timestamps and unknown markers.
#
#   `runbook` decodes `document` into its model (the Terraform JSON is read
#   by this bundle only), and the rules can index `secrets[address]` and
#   `families[address]` instead of calling the field helpers per rule. Built
#   in time linear in the size of the input. Secret material (versions[].secret,
#   active_secret, accepted_secrets) is never copied into the view.
#
#   A field is {"state": "known", "value": v}, {"state": "unknown"} or
#   {"state": "null"} (terraform.field); a duration adds "seconds" when
#   known and is {"state": "invalid", "value": v} when v is not a duration
#   (terraform.dur). A value the input marks sensitive (after_sensitive,
#   sensitive_values) adds "sensitive": true, and a version lists its
#   sensitive keys: a report shows "(sensitive)" instead of such a value.
package rotation.lib.view

import data.rotation.lib.duration
import data.rotation.lib.params
import data.rotation.lib.terraform as tf

# ---------------------------------------------------------------------------
# The whole view of one document, for `runbook`.

document := {
	"kind": kind,
	"timestamp": _timestamp,
	"as_of": tf.rfc3339(tf.as_of),
	"as_of_source": tf.as_of_source,
	"params": params_view,
	"families": families,
	"secrets": secrets,
	"removed": removed,
}

kind := "plan" if tf.is_plan

else := "state"

_timestamp := input.timestamp if is_string(input.timestamp)

else := null

# ---------------------------------------------------------------------------
# Parameters the arithmetic of the rules uses, as the rules see them (the
# given ones merged over the defaults).

params_view := {
	"max_ttl": {cls: _param_dur(v) | some cls, v in params.max_ttl},
	"max_ttl_default": params.max_ttl == params.defaults.max_ttl,
	"overlap_cache_factor": params.overlap_cache_factor,
}

_param_dur(v) := {"state": "known", "value": v, "seconds": duration.seconds(v)} if duration.valid(v)

else := {"state": "invalid", "value": v}

# ---------------------------------------------------------------------------
# Secrets and schedules

secrets := {a: _secret(s) | some a, s in tf.secrets}

_schedule_keys := ["period", "overlap", "propagation", "ttl", "jitter"]

_secret(s) := {
	"address": s.address,
	"module": s.module,
	"type": s.type,
	"rname": s.rname,
	"name": tf.field(s, ["name"]),
	# The family argument (the family's name) and the family found for it
	# (its address, null when none is found).
	"family_value": tf.field(s, ["family"]),
	"family": object.get(tf.family_of, s.address, null),
	"classification": tf.classification(s),
	# rotation_secret's material type; null state for a schedule.
	"secret_type": _secret_type(s),
	"schedule": {k: tf.sdur(s, ["schedule", k]) | some k in _schedule_keys},
	"change_window": _change_window(s),
	"controls": {
		"pin": tf.field(s, ["pin_active_version"]),
		"hold_revocation": tf.field(s, ["hold_revocation"]),
		"hold_reason": tf.field(s, ["hold_reason"]),
		"revoke_versions": tf.field(s, ["revoke_versions"]),
		"revoke_reason": tf.field(s, ["revoke_reason"]),
		"history_limit": tf.field(s, ["history_limit"]),
	},
	"versions": _versions(s),
	# The evidence gates (issue 11) and next_transition, which says what a
	# waiting gate waits for.
	"gates": {
		"revocation": tf.field(s, ["revocation_gate"]),
		"emission": tf.field(s, ["emission_gate"]),
		"next_transition": tf.field(s, ["next_transition"]),
	},
}

_secret_type(s) := tf.field(s, ["type"]) if s.type == "rotation_secret"

else := {"state": "null"}

_change_window_path := ["schedule", "change_window"]

# {"state": "known", "days": [...], "start": s, "end": s, "time_zone": s}
# (absent parts null), or the field's unknown/null state.
_change_window(s) := w if {
	f := tf.field(s, _change_window_path)
	f.state == "known"
	o := _object(f.value)
	w := {
		"state": "known",
		"days": [d | some d in _array(object.get(o, "days", [])); is_string(d)],
		"start": _string_or_null(object.get(o, "start", null)),
		"end": _string_or_null(object.get(o, "end", null)),
		"time_zone": _string_or_null(object.get(o, "time_zone", null)),
	}
} else := {"state": tf.field(s, _change_window_path).state}

# The versions of a secret (versions) or the used slots of a schedule
# (slots), in the order of the attribute:
#   attr        "versions" or "slots"
#   known       false when the list itself is unknown until apply
#   list        [version]
#   generation  a schedule's generation (null for a secret or when unknown)
#   prior       when a plan leaves the list unknown and the resource exists:
#               the versions before the plan ({"list", "generation"}), the
#               best record there is; null otherwise
_versions(s) := {
	"attr": tf.versions_attr(s),
	"known": known,
	"list": [_version(s, e) | some e in tf.versions(s)],
	"generation": _number_or_null(tf.value(s, ["generation"])),
	"prior": _prior(s, known),
} if {
	known := _versions_known(s)
}

_versions_known(s) if tf.versions_known(s)

else := false

# What of a version the rules may need to know is unknown until apply.
_unknown_keys := ["status", "issued_at", "activated_at", "superseded_at", "revoked_at", "expires_at"]

# A version: its number, slot ("a"/"b" for a schedule, else null), status,
# kid, timestamps and revoke_reason (each a string or null), which of them
# the input marks sensitive, its path in the resource's values, and which of
# status and the timestamps are unknown until apply.
_version(s, e) := object.union(_version_values(e.v, _slot(e.path), s.sensitive, e.path), {
	"path": e.path,
	"unknown": _version_unknown(s.unknown, e.path),
})

# The keys of the version at path [attr, i] that are unknown until apply,
# with after_unknown looked up once per version (what tf.unknown says of
# each key): all of them when the list or the version is unknown as a whole.
_version_unknown(u, [a, i]) := _unknown_keys if {
	_whole(u, a, i)
} else := [k | some k in _unknown_keys; object.get(u, [a, i, k], false) == true]

# _whole(marks, a, i): marks (after_unknown or sensitive marks) are true for
# the list a or for its element i as a whole.
_whole(marks, a, _) if marks[a] == true

_whole(marks, a, i) if marks[a][i] == true

# The keys of a version that can be marked sensitive (the provider marks
# revoke_reason; kid and the timestamps only a hand-made input would).
_markable := ["kid", "issued_at", "activated_at", "superseded_at", "revoked_at", "expires_at", "revoke_reason"]

_version_values(v, slot, marks, path) := object.union(_version_fields(v, slot), {"sensitive": _version_marked(marks, path)})

# The keys of the version at path [attr, i] the marks mark (what tf.marked
# says of each key), with the marks looked up once per version: all of them
# when the list or the version is marked as a whole.
_version_marked(marks, [a, i]) := _markable if {
	_whole(marks, a, i)
} else := [k | some k in _markable; _marked_below(object.get(marks, [a, i, k], false))]

_marked_below(true)

_marked_below(m) if {
	not is_boolean(m)
	walk(m, [_, true])
}

_version_fields(v, slot) := {
	"version": _number_or_null(object.get(v, "version", null)),
	"slot": slot,
	"status": _string_or_null(object.get(v, "status", null)),
	"kid": _string_or_null(object.get(v, "kid", null)),
	"issued_at": _string_or_null(object.get(v, "issued_at", null)),
	"activated_at": _string_or_null(object.get(v, "activated_at", null)),
	"superseded_at": _string_or_null(object.get(v, "superseded_at", null)),
	"revoked_at": _string_or_null(object.get(v, "revoked_at", null)),
	"expires_at": _string_or_null(object.get(v, "expires_at", null)),
	"revoke_reason": _string_or_null(object.get(v, "revoke_reason", null)),
}

_slot(["slots", k]) := k

_slot(["versions", _]) := null

_prior(_, true) := null

_prior(s, false) := {
	"list": _prior_list(s),
	"generation": _number_or_null(object.get(s.before, "generation", null)),
} if is_object(s.before)

else := null

_prior_list(s) := [_version_values(v, null, s.before_sensitive, ["versions", i]) | some i, v in _array(object.get(s.before, "versions", [])); is_object(v)] if s.type == "rotation_secret"

_prior_list(s) := [_version_values(v, k, s.before_sensitive, ["slots", k]) |
	some k, v in _object(object.get(s.before, "slots", {}))
	is_object(v)
	object.get(v, "status", null) != "unused"
] if s.type == "rotation_schedule"

# ---------------------------------------------------------------------------
# Secrets and schedules the plan deletes, replaces or forgets (ROT024 judges
# them): the actions and the versions before the plan. A replaced resource
# is also in secrets, with its new values.

removed := {a: _removed(r) | some a, r in tf.removals}

_removed(r) := {
	"address": r.address,
	"module": r.module,
	"type": r.type,
	"actions": r.actions,
	"versions": _removed_versions(r),
}

_removed_versions(r) := [_version_values(v, null, r.before_sensitive, ["versions", i]) | some i, v in _array(object.get(r.before, "versions", [])); is_object(v)] if r.type == "rotation_secret"

_removed_versions(r) := [_version_values(v, k, r.before_sensitive, ["slots", k]) |
	some k, v in _object(object.get(r.before, "slots", {}))
	is_object(v)
	object.get(v, "status", null) != "unused"
] if r.type == "rotation_schedule"

# ---------------------------------------------------------------------------
# Families

families := {a: _family(f) | some a, f in tf.families}

_family_fields := ["name", "purpose", "owner", "backup_owner", "classification", "storage", "runbook_url", "reviewed_at", "tags"]

_family(f) := object.union({k: tf.field(f, [k]) | some k in _family_fields}, {
	"address": f.address,
	"module": f.module,
	"type": f.type,
	"rname": f.rname,
	"artifact_lifetime": tf.dur(f, ["artifact_lifetime"]),
	"review_interval": tf.dur(f, ["review_interval"]),
	"consumers": _consumers(f),
	"caches": _caches_of[f.address],
	"required_overlap": _required_overlap(f),
})

# {"state": "unknown"} when the consumer list is unknown until apply, else
# {"state": "known", "list": [consumer]}: index, name, role, cache_ttl
# (a duration), reload, owner and third_party, each a field.
_consumers(f) := {"state": "unknown"} if {
	tf.unknown(f, ["consumer"])
} else := {"state": "known", "list": _consumer_list[f.address]}

_consumer_list[a] := [_consumer(f, i) | some i, _ in _array(tf.value(f, ["consumer"]))] if {
	some a, f in tf.families
}

_consumer_fields := ["name", "role", "reload", "owner", "third_party"]

_consumer(f, i) := object.union({k: tf.field(f, ["consumer", i, k]) | some k in _consumer_fields}, {
	"index": i,
	"cache_ttl": tf.dur(f, ["consumer", i, "cache_ttl"]),
})

_validator_roles := {"validator", "both"}

# The caches the overlap rules compare with (ROT020, ROT021):
#   known                  the consumer list and every cache_ttl are known
#                          and valid
#   longest                the longest known cache_ttl (seconds, 0 without
#                          consumers) and longest_from the consumers that
#                          have it (by name, "(unnamed)" without one)
#   longest_validator      the same among validators (role validator or
#                          both), null without a validator, and
#                          longest_validator_from
_caches(f) := {
	"known": _caches_known(f),
	"longest": longest,
	"longest_from": [_consumer_name(c) | some c in known; c.cache_ttl.seconds == longest],
	"longest_validator": longest_validator,
	"longest_validator_from": [_consumer_name(c) | some c in validators; c.cache_ttl.seconds == longest_validator],
} if {
	known := [c | some c in _known_consumers(f); c.cache_ttl.state == "known"]
	longest := max(array.concat([0], [c.cache_ttl.seconds | some c in known]))
	validators := [c | some c in known; c.role.state == "known"; c.role.value in _validator_roles]
	longest_validator := _longest(validators)
}

_caches_of[a] := _caches(f) if {
	some a, f in tf.families
}

_known_consumers(f) := _consumer_list[f.address] if not tf.unknown(f, ["consumer"])

else := []

_caches_known(f) if {
	not tf.unknown(f, ["consumer"])
	every c in _consumer_list[f.address] {
		c.cache_ttl.state == "known"
	}
}

else := false

_longest(consumers) := max([c.cache_ttl.seconds | some c in consumers]) if count(consumers) > 0

else := null

_consumer_name(c) := tf.sensitive_text if c.name.sensitive

else := c.name.value if {
	c.name.state == "known"
	is_string(c.name.value)
} else := "(unnamed)"

# The family's required overlap: longest consumer cache + artifact_lifetime
# ({"state": "known", "seconds": n}), or {"state": "unknown"} when a cache
# or the artifact lifetime is not known.
_required_overlap(f) := {"state": "known", "seconds": _caches_of[f.address].longest + artifact.seconds} if {
	_caches_known(f)
	artifact := tf.dur(f, ["artifact_lifetime"])
	artifact.state == "known"
} else := {"state": "unknown"}

# ---------------------------------------------------------------------------
# Helpers

_array(x) := x if is_array(x)

else := []

_object(x) := x if is_object(x)

else := {}

_string_or_null(x) := x if is_string(x)

else := null

_number_or_null(x) := x if is_number(x)

else := null
