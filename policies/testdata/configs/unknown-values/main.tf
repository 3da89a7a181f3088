# Unknown until apply fails closed: ttl comes from another resource, so
# ROT001/ROT002/ROT003/ROT031 deny (params.unknown_inputs = "warn": they warn
# "could not be checked") and ROT030 warns that it could not be checked.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

resource "terraform_data" "ttl" {
  input = "45d"
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

  schedule {
    period      = "30d"
    overlap     = "2h"
    propagation = "1h"
    ttl         = terraform_data.ttl.output

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}
