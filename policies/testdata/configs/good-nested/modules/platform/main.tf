terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

locals {
  families = {
    payments = { classification = "critical", cache = "10m" }
    search   = { classification = "medium", cache = "30m" }
  }
}

resource "rotation_secret_family" "f" {
  for_each = local.families

  name              = "${each.key}-signing"
  purpose           = "Signs ${each.key} webhooks."
  owner             = "team-${each.key}"
  backup_owner      = "team-platform"
  classification    = each.value.classification
  artifact_lifetime = "5m"
  reviewed_at       = "2025-12-01T10:00:00Z"

  consumer {
    name      = "${each.key}-api"
    role      = "both"
    cache_ttl = each.value.cache
  }
}

# Refers to one instance.
resource "rotation_secret" "payments" {
  family   = rotation_secret_family.f["payments"].id
  name     = "prod"
  type     = "ed25519"
  material = "derived"

  schedule {
    period      = "14d"
    overlap     = "1h"
    propagation = "15m"
    ttl         = "21d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}

# Refers to every instance through each.key.
resource "rotation_secret" "canary" {
  for_each = local.families

  family   = rotation_secret_family.f[each.key].id
  name     = "canary"
  type     = "hmac"
  material = "derived"

  schedule {
    period      = "7d"
    overlap     = "1h"
    propagation = "30m"
    ttl         = "14d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}

# Hands the family id to a module: found by name there.
module "keys" {
  source = "../keys"

  family = rotation_secret_family.f["search"].id
}
