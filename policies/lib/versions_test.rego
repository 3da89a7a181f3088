package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

test_versions_of_a_secret_and_a_schedule if {
	s := {"type": "rotation_secret", "values": {"versions": [{"version": 1}, null, {"version": 3}]}, "unknown": {}}
	tf.versions(s) == [{"v": {"version": 1}, "path": ["versions", 0]}, {"v": {"version": 3}, "path": ["versions", 2]}]
	tf.versions_attr(s) == "versions"
	tf.versions_known(s)
	not tf.versions_known(object.union(s, {"unknown": {"versions": true}}))
	k := tf.versions(mock.sched({}))
	[e.path | some e in k] == [["slots", "a"]]
	tf.versions_attr(mock.sched({})) == "slots"
	tf.versions({"type": "rotation_secret", "values": {"versions": null}}) == []
}

test_prior_status if {
	doc := mock.plan([object.union(mock.sec({}), {"before": {"versions": [mock.version(1, "previous", {}), mock.version(2, "active", {})]}}), object.union(mock.sec({}), {"address": "rotation_secret.new"})])
	p := tf.prior_status with input as doc
	p == {"rotation_secret.s": {1: "previous", 2: "active"}}
}

# What a revoked version was when it was revoked, from its timestamps (as
# lifecycle.Version.StatusBeforeRevocation; internal/policy compares both
# over the fixtures).
test_status_before_revocation if {
	t := "2026-01-02T00:00:00Z"
	tf.status_before_revocation({"status": "revoked", "activated_at": t, "superseded_at": t, "revoked_at": t}) == "previous"
	tf.status_before_revocation({"status": "revoked", "activated_at": t, "superseded_at": null, "revoked_at": t}) == "active"
	tf.status_before_revocation({"status": "revoked", "activated_at": null, "superseded_at": null, "revoked_at": t}) == "pending"
	tf.status_before_revocation({"status": "revoked"}) == "pending"

	# superseded while pending is impossible, but superseded_at wins as in Go
	tf.status_before_revocation({"status": "revoked", "superseded_at": t}) == "previous"

	# a timestamp that is not RFC 3339 counts as not set, as in Go
	tf.status_before_revocation({"status": "revoked", "activated_at": "yesterday"}) == "pending"

	# not revoked: the version's own status
	tf.status_before_revocation({"status": "active", "activated_at": t}) == "active"
	tf.status_before_revocation({"status": "previous", "activated_at": t, "superseded_at": t}) == "previous"
}
