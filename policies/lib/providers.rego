# Configurations of the rotation provider, in plans only (package
# rotation.lib.terraform; see terraform.rego).
package rotation.lib.terraform

# provider_configs[key] is the configuration of the rotation provider under
# key ("rotation", "rotation.alias", "module.m:rotation").
provider_configs[key] := cfg if {
	some key, cfg in input.configuration.provider_config
	_is_rotation_provider(cfg)
}

_is_rotation_provider(cfg) if cfg.name == "rotation"

_is_rotation_provider(cfg) if endswith(object.get(cfg, "full_name", ""), "/rotation")
