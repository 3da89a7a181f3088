resource "rotation_schedule" "db" {
  family = "payments-db"
  name   = "prod"

  schedule {
    period      = "30d"
    propagation = "1h" # every app instance reloads its pool config within 1h
    overlap     = "1d"
    ttl         = "90d"
  }
}

# One credential per slot. Each is re-created exactly when its slot is
# re-issued (keeper changes), and stays valid while the slot is enabled.
output "slot_a" {
  value = {
    keeper  = rotation_schedule.db.slots.a.keeper
    enabled = rotation_schedule.db.slots.a.enabled
    status  = rotation_schedule.db.slots.a.status
  }
}

output "active_slot" {
  value = rotation_schedule.db.active_slot
}
