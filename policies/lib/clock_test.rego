package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

test_as_of if {
	t := tf.as_of_text with input as mock.plan([])
	t == "2026-01-05T09:00:00Z (plan timestamp)"
	t2 := tf.as_of_text with input as mock.plan([]) with data.rotation.params as {"now": "2027-01-01T00:00:00Z"}
	t2 == "2027-01-01T00:00:00Z (params.now)"
	s := tf.as_of_source with input as mock.state([]) with data.rotation.params as {}
	s == "current time"
}

test_times if {
	tf.rfc3339(tf.time_ns("2026-01-05T10:00:00+01:00")) == "2026-01-05T09:00:00Z"
	not tf.time_ns(null)
}
