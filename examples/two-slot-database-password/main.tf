# A database user's password, rotated through two slots: each slot has its
# own database user and password, so the new one is created (accepted by the
# database) before applications switch to it, and the old one keeps working
# until the overlap has passed.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5.0"
    }
  }
}

provider "rotation" {}

resource "rotation_schedule" "db" {
  family = "payments-db"
  name   = "prod"

  schedule {
    period      = "30d"
    propagation = "1h" # apps reload their pool config within the hour
    overlap     = "1d"
    ttl         = "90d"
  }
}

# Re-created exactly when its slot is re-issued.
resource "random_password" "a" {
  length  = 32
  special = false
  keepers = {
    slot = rotation_schedule.db.slots.a.keeper
  }
}

resource "random_password" "b" {
  length  = 32
  special = false
  keepers = {
    slot = rotation_schedule.db.slots.b.keeper
  }
}

locals {
  passwords = {
    a = random_password.a.result
    b = random_password.b.result
  }
  # Slots the database must accept right now (pending, active or previous).
  accepted_slots = [for s in ["a", "b"] : s if rotation_schedule.db.slots[s].enabled]
}

output "active_password" {
  description = "What applications log in with."
  value       = local.passwords[rotation_schedule.db.active_slot]
  sensitive   = true
}

output "accepted_passwords" {
  description = "Every password the database must still accept, by slot (create a login for each; drop the others)."
  value       = { for s in local.accepted_slots : s => local.passwords[s] }
  sensitive   = true
}

output "active_slot" {
  value = rotation_schedule.db.active_slot
}
