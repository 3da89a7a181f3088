# ROT050 during the migration: the secret was applied in state mode (v1
# active, its material in state); this configuration switches it to
# material = "derived". The plan issues v2, derived, as a normal rotation
# (no flag day), while v1 keeps its material in state until it is revoked:
# ROT050 only warns, even under require_derived_material, since denying
# would block the very plan that moves to derived material.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

# The first apply (steps) sets -var=material=state; the plan uses the
# default, the switch to derived.
variable "material" {
  type    = string
  default = "derived"
}

resource "rotation_secret_family" "f" {
  name              = "payments-signing"
  purpose           = "Signs the payment confirmations of the checkout."
  owner             = "team-payments"
  backup_owner      = "team-platform"
  classification    = "critical"
  artifact_lifetime = "15m"
  reviewed_at       = "2025-12-01T10:00:00Z"

  consumer {
    name      = "ledger"
    role      = "validator"
    cache_ttl = "1h"
  }
}

resource "rotation_secret" "payments" {
  family   = rotation_secret_family.f.id
  name     = "prod"
  type     = "hmac"
  material = var.material

  schedule {
    period      = "14d"
    overlap     = "2h"
    propagation = "1h"
    ttl         = "30d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}
