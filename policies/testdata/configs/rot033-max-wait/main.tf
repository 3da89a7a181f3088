# ROT033: v1's overlap ended 2026-02-04T12:00, max_wait 1d ended
# 2026-02-05T12:00, and at 14:00 the revocation gate still waits: the
# evidence shows v1 used at 13:30 (quiet_period 1h).
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
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
    last_used    = { "1" = "2026-02-05T13:30:00Z", "2" = "2026-02-05T13:40:00Z" }
    observed_at  = "2026-02-05T14:00:00Z"
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
