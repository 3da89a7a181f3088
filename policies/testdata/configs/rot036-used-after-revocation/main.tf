# ROT036: v1 was revoked on evidence at 2026-02-04T12:00; at 14:00 the
# evidence shows it used at 13:00, after its revocation: a consumer still
# presents it and fails.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

variable "v1_last_used" {
  type    = string
  default = "2026-02-04T10:30:00Z"
}

variable "observed_at" {
  type    = string
  default = "2026-02-04T12:00:00Z"
}

resource "rotation_secret_family" "f" {
  name              = "session-signing"
  purpose           = "Signs the session tokens of the web front end."
  owner             = "team-identity"
  backup_owner      = "team-platform"
  classification    = "high"
  artifact_lifetime = "15m"
  reviewed_at       = "2025-12-01T10:00:00Z"

  consumer {
    name      = "api"
    role      = "validator"
    cache_ttl = "1h"
  }
  consumer {
    name      = "login"
    role      = "emitter"
    cache_ttl = "5m"
  }
}

resource "rotation_secret" "session" {
  family = rotation_secret_family.f.id
  name   = "prod"
  type   = "hmac"

  revocation_gate {
    quiet_period = "1h"
    max_wait     = "1d"
    last_used    = { "1" = var.v1_last_used, "2" = "2026-02-04T11:00:00Z" }
    observed_at  = var.observed_at
  }

  schedule {
    period      = "30d"
    overlap     = "2h"
    propagation = "1h"
    ttl         = "45d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}
