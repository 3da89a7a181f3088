package rotation.lib.view_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf
import data.rotation.lib.view

_plan := mock.plan([mock.fam({}), mock.sec({})])

test_secret_fields_durations_and_family if {
	s := view.secrets["rotation_secret.s"] with input as _plan
	s.address == "rotation_secret.s"
	s.module == ""
	s.type == "rotation_secret"
	s.rname == "s"
	s.name == {"state": "known", "value": "prod"}
	s.family == "rotation_secret_family.f"
	s.family_value == {"state": "known", "value": "fam"}
	s.classification == {"state": "known", "value": "high"}
	s.secret_type == {"state": "known", "value": "hmac"}
	s.schedule.ttl == {"state": "known", "value": "45d", "seconds": 3888000}
	s.schedule.overlap == {"state": "known", "value": "2h", "seconds": 7200}
	s.change_window == {"state": "known", "days": ["mon"], "start": "08:00", "end": "17:00", "time_zone": "UTC"}
	s.controls.hold_revocation == {"state": "known", "value": false}
	s.controls.pin == {"state": "null"}
}

test_defaults_and_missing_values if {
	values := object.union(object.remove(mock.base_secret, ["schedule", "hold_revocation"]), {"schedule": {"period": "30d", "overlap": "2h", "ttl": "45d"}})
	doc := mock.plan([mock.fam({}), {"address": "rotation_secret.s", "type": "rotation_secret", "values": values}])
	s := view.secrets["rotation_secret.s"] with input as doc

	# propagation and jitter default to 0s; hold_revocation to false; a
	# missing change_window is not set.
	s.schedule.propagation == {"state": "known", "value": "0s", "seconds": 0}
	s.schedule.jitter == {"state": "known", "value": "0s", "seconds": 0}
	s.controls.hold_revocation == {"state": "known", "value": false}
	s.change_window == {"state": "null"}
}

test_unknown_and_invalid_values if {
	r := mock.with_unknown(
		mock.sec({"schedule": {"ttl": null, "period": "1 h"}}),
		{"schedule": {"ttl": true}, "versions": [{"issued_at": true, "kid": true}]},
	)
	doc := mock.plan([mock.fam({}), r])
	s := view.secrets["rotation_secret.s"] with input as doc
	s.schedule.ttl == {"state": "unknown"}
	s.schedule.period == {"state": "invalid", "value": "1 h"}
	s.versions.known == true
	v := s.versions.list[0]
	v.version == 1
	v.status == "active"
	v.path == ["versions", 0]
	v.unknown == ["issued_at"] # kid is unknown too, but no rule needs to know
}

test_unknown_version_list if {
	r := mock.with_unknown(mock.sec({"versions": null}), {"versions": true})
	s := view.secrets["rotation_secret.s"] with input as mock.plan([mock.fam({}), r])
	s.versions.known == false
	s.versions.list == []
	s.versions.prior == null
}

test_versions_keep_only_public_metadata if {
	v := mock.version(2, "previous", {"superseded_at": "2026-01-31T09:00:00Z", "secret": "TOPSECRET", "kid": "k2"})
	doc := mock.plan([mock.fam({}), mock.sec({"versions": [v], "active_secret": "TOPSECRET", "accepted_secrets": {"k2": "TOPSECRET"}})])
	d := view.document with input as doc
	got := d.secrets["rotation_secret.s"].versions.list[0]
	got == {
		"version": 2, "slot": null, "status": "previous", "kid": "k2",
		"issued_at": "2026-01-01T09:00:00Z", "activated_at": "2026-01-01T09:00:00Z",
		"superseded_at": "2026-01-31T09:00:00Z", "revoked_at": null, "expires_at": "2026-02-15T09:00:00Z",
		"revoke_reason": null, "path": ["versions", 0], "unknown": [], "sensitive": [],
	}
	not contains(json.marshal(d), "TOPSECRET")
}

# Marks of the input reach the view: fields carry "sensitive": true, versions
# list their sensitive keys (also the prior versions of a plan).
test_sensitive_marks_reach_the_view if {
	f := mock.with_sensitive(mock.fam({"purpose": "project X", "consumer": [{"name": "api", "owner": "team-x"}]}), {"purpose": true, "consumer": [{"owner": true}]})
	v := mock.version(1, "active", {"revoke_reason": "why"})
	s := mock.with_sensitive(mock.sec({"versions": [v], "revoke_reason": "why"}), {"revoke_reason": true, "versions": [{"revoke_reason": true}]})
	d := view.document with input as mock.plan([f, s])
	d.families["rotation_secret_family.f"].purpose == {"state": "known", "value": "project X", "sensitive": true}
	d.families["rotation_secret_family.f"].consumers.list[0].owner.sensitive == true
	not d.families["rotation_secret_family.f"].consumers.list[0].name.sensitive
	d.secrets["rotation_secret.s"].controls.revoke_reason.sensitive == true
	d.secrets["rotation_secret.s"].versions.list[0].sensitive == ["revoke_reason"]

	before := object.union(mock.base_secret, {"versions": [v]})
	r := object.union(mock.sec({"versions": null}), {"before": before, "before_sensitive": {"versions": [{"revoke_reason": true}]}, "actions": ["update"], "unknown": {"versions": true}})
	p := view.secrets["rotation_secret.s"] with input as mock.plan([mock.fam({}), r])
	p.versions.prior.list[0].sensitive == ["revoke_reason"]
}

test_schedule_slots_and_generation if {
	d := view.secrets["rotation_schedule.s"] with input as mock.plan([mock.fam({}), mock.sched({})])
	d.versions.attr == "slots"
	d.versions.generation == 1
	count(d.versions.list) == 1 # slot b is unused
	d.versions.list[0].slot == "a"
	d.versions.list[0].path == ["slots", "a"]
	d.secret_type == {"state": "null"}
}

test_prior_versions_when_the_plan_leaves_them_unknown if {
	before := object.union(mock.base_secret, {"versions": [mock.version(1, "active", {"secret": "TOPSECRET"})]})
	r := object.union(mock.sec({"versions": null}), {"before": before, "actions": ["update"], "unknown": {"versions": true}})
	s := view.secrets["rotation_secret.s"] with input as mock.plan([mock.fam({}), r])
	s.versions.known == false
	s.versions.list == []
	[[v.version, v.status] | some v in s.versions.prior.list] == [[1, "active"]]
	s.versions.prior.generation == null

	# Known versions need no prior record.
	known := object.union(mock.sec({"versions": [mock.version(1, "previous", {}), mock.version(2, "active", {})]}), {"before": before, "actions": ["update"]})
	k := view.secrets["rotation_secret.s"] with input as mock.plan([mock.fam({}), known])
	[v.status | some v in k.versions.list] == ["previous", "active"]
	k.versions.prior == null
}

test_secret_without_family if {
	s := view.secrets["rotation_secret.s"] with input as mock.plan([mock.sec({"family": "nowhere"})])
	s.family == null
	s.classification.value == "high"
	s.classification.no_family == true
}

test_family_fields_consumers_and_caches if {
	consumers := [
		{"name": "a", "role": "validator", "cache_ttl": "1h"},
		{"name": "b", "role": "both", "cache_ttl": "1h"},
		{"name": "c", "role": "emitter", "cache_ttl": "2h"},
		{"role": "validator"},
	]
	doc := mock.plan([mock.fam({"consumer": consumers, "artifact_lifetime": "15m", "tags": {"env": "prod"}})])
	f := view.families["rotation_secret_family.f"] with input as doc
	f.name == {"state": "known", "value": "fam"}
	f.owner == {"state": "known", "value": "team-a"}
	f.storage == {"state": "null"}
	f.tags == {"state": "known", "value": {"env": "prod"}}
	f.artifact_lifetime.seconds == 900
	f.review_interval.seconds == 7776000
	f.consumers.state == "known"
	[c.index | some c in f.consumers.list] == [0, 1, 2, 3]

	# The fourth consumer has no name and the default cache_ttl 0s.
	f.consumers.list[3].cache_ttl == {"state": "known", "value": "0s", "seconds": 0}
	f.caches == {
		"known": true,
		"longest": 7200, "longest_from": ["c"],
		"longest_validator": 3600, "longest_validator_from": ["a", "b"],
	}
	f.required_overlap == {"state": "known", "seconds": 8100}
}

test_family_with_unknown_caches if {
	doc := mock.plan([mock.with_unknown(mock.fam({"consumer": [{"name": "a", "role": "emitter", "cache_ttl": null}]}), {"consumer": [{"cache_ttl": true}]})])
	f := view.families["rotation_secret_family.f"] with input as doc
	f.consumers.list[0].cache_ttl == {"state": "unknown"}
	f.caches.known == false
	f.caches.longest_validator == null
	f.required_overlap == {"state": "unknown"}

	whole := view.families["rotation_secret_family.f"] with input as mock.plan([mock.with_unknown(mock.fam({"consumer": null}), {"consumer": true})])
	whole.consumers == {"state": "unknown"}
	whole.caches.known == false
}

test_params_view_follows_the_parameters if {
	p := view.params_view with input as _plan
	p.max_ttl.high == {"state": "known", "value": "90d", "seconds": 7776000}
	p.max_ttl_default == true
	p.overlap_cache_factor == 1

	q := view.params_view with input as _plan with data.rotation.params as {"max_ttl": {"high": "30d", "low": "soon"}, "overlap_cache_factor": 2.5}
	q.max_ttl.high.seconds == 2592000
	q.max_ttl.critical.seconds == 2592000
	q.max_ttl.low == {"state": "invalid", "value": "soon"}
	q.max_ttl_default == false
	q.overlap_cache_factor == 2.5
}

test_document_of_a_plan_and_a_state if {
	p := view.document with input as _plan
	p.kind == "plan"
	p.timestamp == mock.now
	p.as_of == mock.now
	p.as_of_source == "plan timestamp"

	st := view.document with input as mock.state([mock.fam({}), mock.sec({})]) with data.rotation.params as {"now": "2026-02-01T00:00:00Z"}
	st.kind == "state"
	st.timestamp == null
	st.as_of == "2026-02-01T00:00:00Z"
	st.as_of_source == "params.now"
	object.keys(st.secrets) == {"rotation_secret.s"}
	st.secrets["rotation_secret.s"].family == "rotation_secret_family.f"
}

# On real plans and states of every shape (modules at any depth and
# for_each families, a state, unknown values, a secret without a family,
# revoked versions): one view per resource the reader finds, linked to the
# family the reader finds, with the durations the rules read. (The Go tests
# run every fixture through the view; a few keep this test fast.)
test_view_of_real_plans_matches_the_reader if {
	names := ["good-nested", "good-state", "unknown-values", "rot012-no-family", "rot020-nested", "rot031-no-active-version"]
	bad := [n |
		some n in names
		not _agrees(data.testdata.fixtures[n])
	]
	print("fixtures whose view disagrees with the reader:", bad)
	bad == []
}

# One evaluation per fixture: the view and the reader's maps in one
# expression share the reader's cache.
_agrees(doc) if {
	[d, secrets, families, family_of, ttls] := [
		view.document,
		object.keys(tf.secrets),
		object.keys(tf.families),
		tf.family_of,
		{a: tf.sdur(s, ["schedule", "ttl"]) | some a, s in tf.secrets},
	] with input as doc
	object.keys(d.secrets) == secrets
	object.keys(d.families) == families
	every a, s in d.secrets {
		s.family == object.get(family_of, a, null)
		s.schedule.ttl == ttls[a]
	}
}

# What a plan deletes, replaces or forgets is in the view, with the
# versions it had; a replaced resource is also among the secrets.
test_removed if {
	before := mock.sec({"versions": [mock.version(1, "previous", {"kid": "k1"}), mock.version(2, "active", {"kid": "k2"})]})
	gone := object.union(before, {"actions": ["delete"], "before": before.values, "values": null})
	replaced := object.union(mock.sched({}), {"actions": ["delete", "create"], "before": mock.sched({}).values})
	d := view.document with input as mock.plan([mock.fam({}), gone, replaced])
	d.removed["rotation_secret.s"].actions == ["delete"]
	[[v.version, v.status, v.kid] | some v in d.removed["rotation_secret.s"].versions] == [[1, "previous", "k1"], [2, "active", "k2"]]
	d.removed["rotation_schedule.s"].versions[0].slot == "a"
	not d.secrets["rotation_secret.s"]
	d.secrets["rotation_schedule.s"]
}
