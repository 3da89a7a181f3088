package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

test_unknown_paths if {
	r := {"unknown": {"schedule": {"ttl": true}, "versions": [{"expires_at": true}], "consumer": true}}
	tf.unknown(r, ["schedule", "ttl"])
	not tf.unknown(r, ["schedule", "period"])
	tf.unknown(r, ["versions", 0, "expires_at"])
	not tf.unknown(r, ["versions", 0, "status"])
	tf.unknown(r, ["consumer", 3, "cache_ttl"])
}

test_unknown_deep_paths if {
	r := {"unknown": {"a": {"b": {"c": {"d": {"e": {"f": true}}}}}}}
	tf.unknown(r, ["a", "b", "c", "d", "e", "f"])
	tf.unknown(r, ["a", "b", "c", "d", "e", "f", "g"])
	not tf.unknown(r, ["a", "b", "c", "d", "e", "x"])
	not tf.unknown(r, ["a", "b", "c", "d", "e"])
	tf.unknown({"unknown": {"a": {"b": {"c": {"d": true}}}}}, ["a", "b", "c", "d", "e"])
}

test_field_and_dur if {
	r := {"values": {"schedule": {"ttl": "45d", "overlap": "2 h", "period": null}}, "unknown": {"schedule": {"jitter": true}}}
	tf.dur(r, ["schedule", "ttl"]) == {"state": "known", "value": "45d", "seconds": 3888000}
	tf.dur(r, ["schedule", "overlap"]) == {"state": "invalid", "value": "2 h"}
	tf.dur(r, ["schedule", "period"]) == {"state": "null"}
	tf.dur(r, ["schedule", "jitter"]) == {"state": "unknown"}
	tf.dur(r, ["schedule", "propagation"]) == {"state": "known", "value": "0s", "seconds": 0}
}

# An omitted attribute reads as the provider's default, keyed by its name
# wherever it is.
test_field_defaults if {
	r := {"values": {}, "unknown": {}}
	every name, v in tf.defaults {
		tf.field(r, ["somewhere", name]) == {"state": "known", "value": v}
	}
	tf.field(r, ["consumer", 0, "role"]) == {"state": "known", "value": "validator"}
	tf.field(r, ["hold_reason"]) == {"state": "null"}
	tf.field({"values": {"classification": "low"}, "unknown": {}}, ["classification"]) == {"state": "known", "value": "low"}
}

test_sensitive_marks if {
	r := {"sensitive": {"purpose": true, "consumer": [{}, {"name": true}], "tags": {"k": true}, "schedule": {}}}
	tf.sensitive(r, ["purpose"])
	tf.sensitive(r, ["consumer", 1, "name"])
	not tf.sensitive(r, ["consumer", 0, "name"])
	tf.sensitive(r, ["consumer"]) # something inside is marked
	tf.sensitive(r, ["tags"])
	not tf.sensitive(r, ["schedule", "ttl"])
	not tf.sensitive(r, ["owner"])
	tf.sensitive({"sensitive": {"schedule": true}}, ["schedule", "ttl"]) # a prefix is marked
	not tf.sensitive({"sensitive": {}}, ["owner"])
}

test_field_of_a_sensitive_value if {
	r := {"values": {"owner": "team-x", "schedule": {"ttl": "45d"}}, "unknown": {}, "sensitive": {"owner": true, "schedule": {"ttl": true}}}
	tf.field(r, ["owner"]) == {"state": "known", "value": "team-x", "sensitive": true}
	tf.dur(r, ["schedule", "ttl"]) == {"state": "known", "value": "45d", "seconds": 3888000, "sensitive": true}
	tf.field(r, ["purpose"]) == {"state": "null"}
}

# The reader's records answer sensitive() from marked_keys; what they answer
# is what the full lookup of a hand-made record answers.
test_sensitive_marks_of_reader_records if {
	marks := {"purpose": true, "consumer": [{}, {"name": true}], "tags": {"k": true}, "schedule": {}}
	doc := mock.plan([mock.with_sensitive(mock.fam({}), marks)])
	r := tf.families["rotation_secret_family.f"] with input as doc
	r.marked_keys == {"purpose", "consumer", "tags"}
	every path in [["purpose"], ["consumer", 1, "name"], ["consumer"], ["tags"], ["schedule", "ttl"], ["owner"], ["consumer", 0, "name"]] {
		_sensitive(r, path) == _sensitive({"sensitive": marks}, path)
	}
	tf.sensitive(r, ["consumer", 1, "name"])
	not tf.sensitive(r, ["owner"])
	tf.field(r, ["purpose"]).sensitive
	not tf.field(r, ["owner"]).sensitive
}

_sensitive(r, path) if tf.sensitive(r, path)

else := false

test_marks_that_are_not_an_object_take_the_full_lookup if {
	doc := mock.plan([mock.with_sensitive(mock.fam({}), false)])
	r := tf.families["rotation_secret_family.f"] with input as doc
	r.marked_keys == {"*"}
	not tf.sensitive(r, ["owner"])
}
