# Mark every planned version of rotation_secret.session revoked.
def revoke: .versions |= map(.status = "revoked");
.planned_values.root_module.resources |= map(if .address == "rotation_secret.session" then .values |= revoke else . end)
| .resource_changes |= map(if .address == "rotation_secret.session" then .change.after |= revoke else . end)
