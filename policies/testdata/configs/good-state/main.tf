# Every rule passes: overlap 2h > 1h cache + 15m artifacts, propagation 1h
# covers the validator cache, ttl 45d within high's 90d, a change window.
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
