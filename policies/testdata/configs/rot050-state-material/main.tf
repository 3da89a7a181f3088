# ROT050: a critical secret in the default material mode, "state": every
# version's material is written in clear to the state, its backups, the
# saved plan and its show -json output. Warns by default; denies under
# params.require_derived_material.critical = true. Everything else passes:
# ttl 30d is critical's max_ttl, with a change window.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
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
  family = rotation_secret_family.f.id
  name   = "prod"
  type   = "hmac"

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
