# ROT014: a family that secrets rotate under declares no consumer that
# validates: the emitters-only family and the family without consumers give
# ROT020 and ROT021 nothing to compare the schedule with.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

resource "rotation_secret_family" "emitters" {
  name              = "webhook-signing"
  purpose           = "Signs outgoing webhooks."
  owner             = "team-identity"
  backup_owner      = "team-platform"
  classification    = "high"
  artifact_lifetime = "15m"
  reviewed_at       = "2025-12-01T10:00:00Z"

  consumer {
    name      = "webhook-sender"
    role      = "emitter"
    cache_ttl = "5m"
  }
}

resource "rotation_secret" "webhook" {
  family = rotation_secret_family.emitters.id
  name   = "prod"
  type   = "hmac"

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

resource "rotation_secret_family" "none" {
  name           = "reporting-db"
  purpose        = "Password of the reporting database user."
  owner          = "team-data"
  backup_owner   = "team-platform"
  classification = "medium"
  reviewed_at    = "2025-12-01T10:00:00Z"
}

resource "rotation_schedule" "db" {
  family = rotation_secret_family.none.id
  name   = "prod"

  schedule {
    period      = "30d"
    overlap     = "1d"
    propagation = "1h"
    ttl         = "90d"
  }
}
