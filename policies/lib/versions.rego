# Versions of a secret (versions list) or a schedule (slots a and b), and
# what their statuses were (package rotation.lib.terraform; see
# terraform.rego).
package rotation.lib.terraform

accepted_statuses := {"pending", "active", "previous"}

# versions(r) is a list of {"v": version object, "path": path in values};
# a schedule's slots count once used (status other than "unused").
# These helpers are one definition with an else branch per type: a
# function of several definitions evaluates every one of them.
versions(r) := [{"v": v, "path": ["versions", i]} |
	some i, v in array_or_empty(value(r, ["versions"]))
	is_object(v)
] if {
	r.type == "rotation_secret"
} else := [{"v": v, "path": ["slots", k]} |
	some k, v in _object_or_empty(value(r, ["slots"]))
	is_object(v)
	object.get(v, "status", null) != "unused"
] if {
	r.type == "rotation_schedule"
}

# versions_known(r) holds when the list of versions (or slots) is known.
versions_known(r) if {
	r.type == "rotation_secret"
	not unknown(r, ["versions"])
} else if {
	r.type == "rotation_schedule"
	not unknown(r, ["slots"])
}

# The attribute that holds the versions, for messages.
versions_attr(r) := "versions" if {
	r.type == "rotation_secret"
} else := "slots" if {
	r.type == "rotation_schedule"
}

# prior_status[address][version] is the status a version had before this plan
# (only for plans of resources that already exist).
prior_status[address] := statuses if {
	some address, r in secrets
	is_object(r.before)
	statuses := {v.version: object.get(v, "status", null) |
		some v in _prior_versions(r)
		is_number(v.version)
	}
}

_prior_versions(r) := [v | some v in array_or_empty(object.get(r.before, "versions", []))] if r.type == "rotation_secret"

_prior_versions(r) := [v | some v in _object_or_empty(object.get(r.before, "slots", {})); is_object(v)] if r.type == "rotation_schedule"

# status_before_revocation(v) is the status version (slot) object v had when
# it was revoked, as its timestamps tell: previous if it was superseded
# (superseded_at is a time), else active if it was activated (activated_at
# is a time), else pending. It is v's own status when v is not revoked. The
# Go function lifecycle.Version.StatusBeforeRevocation is the authority;
# TestStatusBeforeRevocationAgrees in internal/policy compares the two over
# every fixture.
status_before_revocation(v) := object.get(v, "status", null) if {
	object.get(v, "status", null) != "revoked"
} else := "previous" if {
	time_ns(object.get(v, "superseded_at", null))
} else := "active" if {
	time_ns(object.get(v, "activated_at", null))
} else := "pending"
