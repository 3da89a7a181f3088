# ROT034: the family has two validators, api and worker, but the emission
# gate of its secret lists only api as a source.
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
  consumer {
    name      = "worker"
    role      = "validator"
    cache_ttl = "30m"
  }
}

resource "rotation_secret" "session" {
  family = rotation_secret_family.f.id
  name   = "prod"
  type   = "hmac"

  emission_gate {
    sources     = ["api"]
    accepted    = { api = ["1"] }
    observed_at = "2026-01-05T09:00:00Z"
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
