package rotation.lib.terraform_test

import data.rotation.lib.terraform as tf

test_provider_configs if {
	doc := {"configuration": {"provider_config": {
		"rotation": {"name": "rotation"},
		"module.m:rotation.x": {"name": "rotation", "full_name": "registry.opentofu.org/rotationkit/rotation"},
		"aws": {"name": "aws"},
	}}}
	keys := object.keys(tf.provider_configs) with input as doc
	keys == {"rotation", "module.m:rotation.x"}
}
