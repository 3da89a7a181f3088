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

test_quote_and_text if {
	tf.quote("a b") == `"a b"`
	tf.quote(3600) == "3600"
	tf.quote(null) == "null"
	tf.quote(["x"]) == `["x"]`
	tf.text({"state": "known", "value": "45d"}) == "45d"
	tf.text({"state": "known", "value": 3600}) == "3600"
	tf.text({"state": "known", "value": "45d", "sensitive": true}) == "(sensitive)"
	tf.shown({"state": "known", "value": "team-a"}) == `"team-a"`
	tf.shown({"state": "known", "value": "team-a", "sensitive": true}) == "(sensitive)"
	tf.sum_text([{"value": "1h", "seconds": 3600}], 7200) == "2h"
	tf.sum_text([{"value": "1h", "seconds": 3600, "sensitive": true}], 7200) == "(sensitive)"
}

test_unchecked_number_is_json if {
	s := {"address": "rotation_secret.s"}
	startswith(tf.unchecked("ROT022", s, ["schedule", "overlap"], {"state": "invalid", "value": 3600}), "ROT022 rotation_secret.s: could not be checked: schedule.overlap 3600 is not a duration (")
	startswith(tf.unchecked("ROT022", s, ["schedule", "overlap"], {"state": "invalid", "value": "1 h", "sensitive": true}), "ROT022 rotation_secret.s: could not be checked: schedule.overlap (sensitive) is not a duration (")
}

test_refused if {
	g := tf.gap("rotation_secret.s", "schedule.ttl is unknown until apply")
	tf.refused("ROT002", g, "the apply could do harm") == "ROT002 rotation_secret.s: refused: schedule.ttl is unknown until apply (the apply could do harm; make the value known at plan time, or set params.unknown_inputs to warn)"
	tf.unchecked_gap("ROT002", g) == "ROT002 rotation_secret.s: could not be checked: schedule.ttl is unknown until apply"
}
