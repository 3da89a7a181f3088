package rotation.lib.params_test

import data.rotation.lib.params

test_defaults if {
	p := {"max_ttl": params.max_ttl, "allowed_owners": params.allowed_owners, "owner_pattern": params.owner_pattern, "overlap_cache_factor": params.overlap_cache_factor, "enforce_review": params.enforce_review, "now": params.now} with data.rotation.params as {}
	p == {
		"max_ttl": {"critical": "30d", "high": "90d", "medium": "180d", "low": "365d"},
		"allowed_owners": set(),
		"owner_pattern": "",
		"overlap_cache_factor": 1,
		"enforce_review": false,
		"now": "",
	}
}

test_null_params_are_the_defaults if {
	m := params.max_ttl with data.rotation.params as null
	m == params.defaults.max_ttl
	f := params.overlap_cache_factor with data.rotation.params as {"overlap_cache_factor": null}
	f == 1
}

test_max_ttl_merges_per_class if {
	m := params.max_ttl with data.rotation.params as {"max_ttl": {"critical": "7d"}}
	m == {"critical": "7d", "high": "90d", "medium": "180d", "low": "365d"}
}

test_overrides if {
	o := params.allowed_owners with data.rotation.params as {"allowed_owners": ["a", "b"]}
	o == {"a", "b"}
	e := params.enforce_review with data.rotation.params as {"enforce_review": true}
	e == true
	f := params.overlap_cache_factor with data.rotation.params as {"overlap_cache_factor": 1.5}
	f == 1.5
}

test_invalid_params_are_reported if {
	bad := params.invalid with data.rotation.params as {
		"max_ttl": {"high": "3 months"},
		"owner_pattern": "(",
		"overlap_cache_factor": -1,
		"now": "today",
		"allowed_owners": [1],
	}
	count(bad) == 5
}

test_valid_params_are_not_reported if {
	bad := params.invalid with data.rotation.params as {"max_ttl": {"high": "60d"}, "owner_pattern": "team-.*", "now": "2026-01-05T09:00:00Z"}
	bad == set()
}

test_wrong_types_are_reported if {
	bad := params.invalid with data.rotation.params as {
		"allowed_owners": "team-x",
		"enforce_review": "yes",
		"max_ttl": "30d",
		"owner_pattern": 7,
	}
	count(bad) == 4
	some m in bad
	startswith(m, "params.allowed_owners \"team-x\" is not a list")
}

test_wrong_type_allowed_owners_allows_nobody_silently_no_more if {
	params.allowed_owners == set() with data.rotation.params as {"allowed_owners": "team-x"}
	params.invalid != set() with data.rotation.params as {"allowed_owners": "team-x"}
}

test_unknown_inputs_and_decommission if {
	params.unknown_inputs == "deny" with data.rotation.params as {}
	params.unknown_inputs == "warn" with data.rotation.params as {"unknown_inputs": "warn"}
	params.decommission == [] with data.rotation.params as {}
	params.decommission == ["rotation_secret.old", "module.legacy.*"] with data.rotation.params as {"decommission": ["rotation_secret.old", "module.legacy.*"]}
}

test_invalid_unknown_inputs_and_decommission_are_reported if {
	bad := params.invalid with data.rotation.params as {"unknown_inputs": "maybe", "decommission": ["ok", 7, "["]}
	bad == {
		`params.unknown_inputs "maybe" is not "deny" or "warn"`,
		"params.decommission[1] 7 is not an address or a valid glob",
		`params.decommission[2] "[" is not an address or a valid glob`,
	}
	params.decommission == ["ok"] with data.rotation.params as {"decommission": ["ok", 7, "["]}
	bad2 := params.invalid with data.rotation.params as {"decommission": "rotation_secret.old"}
	bad2 == {`params.decommission "rotation_secret.old" is not a list of resource addresses or globs`}
}

# Values in the messages about parameters are JSON (a string quoted).
test_invalid_values_are_printed_as_json if {
	bad := params.invalid with data.rotation.params as {"overlap_cache_factor": "two", "max_ttl": {"high": 30}, "allowed_owners": [1]}
	bad == {
		`params.overlap_cache_factor "two" is not a number >= 0`,
		"params.max_ttl.high 30 is not a duration",
		"params.allowed_owners [1] is not a list of strings",
	}
}
