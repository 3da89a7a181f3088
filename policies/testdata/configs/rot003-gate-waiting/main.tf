# ROT003 (a gated revocation still waiting past the ttl): v1 was issued
# 2026-01-05T09:00 with ttl 45d (expired 2026-02-19T09:00); at 10:00 its
# revocation gate still waits (v1 used at 09:30, quiet_period 1h), and it
# keeps waiting until someone decides.
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
    max_wait     = "30d"
    last_used    = { "1" = "2026-02-19T09:30:00Z", "2" = "2026-02-19T09:40:00Z" }
    observed_at  = "2026-02-19T10:00:00Z"
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
