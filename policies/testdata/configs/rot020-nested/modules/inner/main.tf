terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

resource "rotation_secret_family" "f" {
  name              = "queue-signing"
  purpose           = "Signs queue messages."
  owner             = "team-messaging"
  backup_owner      = "team-platform"
  artifact_lifetime = "30m"
  reviewed_at       = "2025-12-01T10:00:00Z"

  consumer {
    name      = "worker"
    cache_ttl = "30m"
  }
}

resource "rotation_secret" "queue" {
  family = rotation_secret_family.f.id
  name   = "prod"
  type   = "hmac"

  schedule {
    period      = "30d"
    overlap     = "1h"
    propagation = "30m"
    ttl         = "45d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}
