# Every rule passes with both gates: v2 became active once api (the only
# validator) reported it, and v1 is revoked on evidence (unused since
# 10:30, quiet_period 1h; v2 in use) when its overlap ends.
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
  family   = rotation_secret_family.f.id
  name     = "prod"
  type     = "hmac"
  material = "derived"

  emission_gate {
    sources     = ["api"]
    accepted    = { api = ["1", "2"] }
    observed_at = "2026-02-04T10:00:00Z"
  }

  revocation_gate {
    quiet_period = "1h"
    max_wait     = "1d"
    last_used    = { "1" = "2026-02-04T10:30:00Z", "2" = "2026-02-04T11:50:00Z" }
    observed_at  = "2026-02-04T12:00:00Z"
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
