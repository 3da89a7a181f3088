# Set schedule.ttl of rotation_secret.session to 30d wherever the plan holds
# its planned values (the provider refuses to plan this configuration).
def shorten: if .address == "rotation_secret.session" then .values.schedule.ttl = "30d" else . end;
.planned_values.root_module.resources |= map(shorten)
| .resource_changes |= map(if .address == "rotation_secret.session" then .change.after.schedule.ttl = "30d" else . end)
| .configuration.root_module.resources |= map(if .address == "rotation_secret.session" then .expressions.schedule.ttl.constant_value = "30d" else . end)
