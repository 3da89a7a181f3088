package rotation.lib.terraform_test

import data.rotation.lib.mock_test as mock
import data.rotation.lib.terraform as tf

test_deleted_and_forgotten_resources_are_skipped if {
	doc := mock.plan([
		object.union(mock.fam({}), {"actions": ["delete"]}),
		object.union(mock.sec({}), {"actions": ["forget"]}),
		object.union(object.union(mock.sec({}), {"address": "rotation_secret.r"}), {"actions": ["delete", "create"]}),
	])
	r := tf.resources with input as doc
	object.keys(r) == {"rotation_secret.r"}
}

test_record_of_a_plan_resource if {
	doc := mock.plan([object.union(
		mock.with_unknown(mock.sec({}), {"versions": true}),
		{"address": "module.m[\"k\"].rotation_secret.s", "module": "module.m[\"k\"]", "before": {"versions": []}, "actions": ["update"]},
	)])
	r := tf.resources["module.m[\"k\"].rotation_secret.s"] with input as doc
	r.module == "module.m[\"k\"]"
	r.type == "rotation_secret"
	r.rname == "s"
	r.values.family == "fam"
	r.unknown == {"versions": true}
	r.before == {"versions": []}
	tf.secrets == {"module.m[\"k\"].rotation_secret.s": r} with input as doc
	tf.families == {} with input as doc
}

test_record_of_a_state_resource if {
	doc := mock.state([mock.fam({}), mock.sec({})])
	r := tf.resources["rotation_secret.s"] with input as doc
	r.module == ""
	r.unknown == {}
	r.before == null
	object.keys(tf.families) == {"rotation_secret_family.f"} with input as doc
}
