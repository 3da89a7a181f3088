# Builders of small plan and state documents for the rule tests.
package rotation.lib.mock_test

now := "2026-01-05T09:00:00Z"

base_family := {
	"name": "fam",
	"purpose": "signs tokens",
	"owner": "team-a",
	"backup_owner": "team-b",
	"classification": "high",
	"artifact_lifetime": "0s",
	"review_interval": "90d",
	"reviewed_at": "2025-12-01T00:00:00Z",
	"consumer": [{"name": "api", "role": "validator", "cache_ttl": "1h", "reload": "hot", "owner": null, "third_party": false}],
}

base_secret := {
	"family": "fam",
	"name": "prod",
	"type": "hmac",
	"schedule": {
		"period": "30d",
		"overlap": "2h",
		"propagation": "1h",
		"ttl": "45d",
		"jitter": "0s",
		"change_window": {"days": ["mon"], "start": "08:00", "end": "17:00", "time_zone": "UTC"},
	},
	"hold_revocation": false,
	"hold_reason": null,
	"revoke_versions": null,
	"revoke_reason": null,
	"versions": [version(1, "active", {})],
}

# version(n, status, overrides): version n issued 2026-01-01T09:00:00Z.
version(n, status, overrides) := object.union(
	{
		"version": n,
		"status": status,
		"issued_at": "2026-01-01T09:00:00Z",
		"activated_at": "2026-01-01T09:00:00Z",
		"superseded_at": null,
		"revoked_at": null,
		"expires_at": "2026-02-15T09:00:00Z",
		"revoke_reason": null,
	},
	overrides,
)

# fam(overrides) and sec(overrides): resources rotation_secret_family.f and
# rotation_secret.s with values merged (deeply) over the bases.
fam(overrides) := {"address": "rotation_secret_family.f", "type": "rotation_secret_family", "values": object.union(base_family, overrides)}

sec(overrides) := {"address": "rotation_secret.s", "type": "rotation_secret", "values": object.union(base_secret, overrides)}

# sched(overrides): a rotation_schedule with two slots.
sched(overrides) := {"address": "rotation_schedule.s", "type": "rotation_schedule", "values": object.union(
	object.union(object.remove(base_secret, ["versions", "type"]), {
		"generation": 1,
		"active_slot": "a",
		"slots": {
			"a": object.union(version(1, "active", {}), {"enabled": true, "keeper": "k1"}),
			"b": {"version": null, "status": "unused", "enabled": false, "keeper": null},
		},
	}),
	overrides,
)}

# with_unknown(r, unknown): r with change.after_unknown.
with_unknown(r, unknown) := object.union(r, {"unknown": unknown})

# with_sensitive(r, marks): r with change.after_sensitive (and the
# sensitive_values of a state).
with_sensitive(r, marks) := object.union(r, {"sensitive": marks})

# plan(resources): a plan document whose resource_changes hold resources,
# each {address, type, values[, unknown][, sensitive][, before]
# [, before_sensitive][, actions][, module]}.
plan(resources) := {
	"format_version": "1.2",
	"terraform_version": "1.5.7",
	"timestamp": now,
	"planned_values": {"root_module": {}},
	"resource_changes": [_change(r) | some r in resources],
	"configuration": {"provider_config": {"rotation": {"name": "rotation", "full_name": "registry.terraform.io/rotationkit/rotation"}}, "root_module": {}},
}

_change(r) := {
	"address": r.address,
	"module_address": object.get(r, "module", null),
	"mode": "managed",
	"type": r.type,
	"name": _name(r.address),
	"change": {
		"actions": object.get(r, "actions", ["create"]),
		"before": object.get(r, "before", null),
		"after": r.values,
		"after_unknown": object.get(r, "unknown", {}),
		"after_sensitive": object.get(r, "sensitive", {}),
		"before_sensitive": object.get(r, "before_sensitive", {}),
	},
}

# removal(r, actions): r deleted, replaced or forgotten by the plan: its
# values become the prior values (after is null for a delete or forget).
removal(r, actions) := object.union(r, {"actions": actions, "before": r.values, "values": _after_of(r, actions)})

_after_of(r, actions) := r.values if "create" in actions

_after_of(_, actions) := null if not "create" in actions

_name(address) := regex.find_all_string_submatch_n(`([A-Za-z0-9_-]+)(\[[^\]]*\])?$`, address, 1)[0][1]

# state(resources): a state document with resources in the root module.
state(resources) := {
	"format_version": "1.0",
	"terraform_version": "1.5.7",
	"values": {"root_module": {"resources": [{
		"address": r.address,
		"mode": "managed",
		"type": r.type,
		"name": _name(r.address),
		"values": r.values,
		"sensitive_values": object.get(r, "sensitive", {}),
	} |
		some r in resources
	]}},
}

# ids(messages): the rule ids that messages start with.
ids(messages) := {substring(m, 0, 6) | some m in messages}

# only(messages, id): the messages of one rule.
only(messages, id) := {m | some m in messages; startswith(m, id)}
