# ROT024: `-replace` of a secret, and a for_each key renamed without a moved
# block, drop the accepted versions of the old instance in one apply.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

variable "region" {
  type    = string
  default = "eu"
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
}

resource "rotation_secret" "api" {
  family = rotation_secret_family.f.id
  name   = "api"
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

resource "rotation_secret" "regional" {
  for_each = toset([var.region])

  family = rotation_secret_family.f.id
  name   = "regional-${each.key}"
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
