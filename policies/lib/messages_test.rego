package rotation.lib.terraform_test

import data.rotation.lib.terraform as tf

test_path_string if {
	tf.path_string(["consumer", 0, "cache_ttl"]) == "consumer[0].cache_ttl"
	tf.path_string(["schedule", "ttl"]) == "schedule.ttl"
}

test_unchecked if {
	s := {"address": "rotation_secret.s"}
	f := {"address": "rotation_secret_family.f"}
	tf.unchecked("ROT001", s, ["schedule", "ttl"], {"state": "unknown"}) == "ROT001 rotation_secret.s: could not be checked: schedule.ttl is unknown until apply"
	tf.unchecked("ROT001", s, ["schedule", "ttl"], {"state": "null"}) == "ROT001 rotation_secret.s: could not be checked: schedule.ttl is not set"
	startswith(tf.unchecked("ROT001", s, ["schedule", "ttl"], {"state": "invalid", "value": "1 h"}), `ROT001 rotation_secret.s: could not be checked: schedule.ttl "1 h" is not a duration (`)
	not tf.unchecked("ROT001", s, ["schedule", "ttl"], {"state": "known", "value": "1h", "seconds": 3600})
	tf.unchecked_of("ROT020", s, f, ["consumer", 0, "cache_ttl"], {"state": "unknown"}) == "ROT020 rotation_secret.s: could not be checked: consumer[0].cache_ttl of rotation_secret_family.f is unknown until apply"
}
