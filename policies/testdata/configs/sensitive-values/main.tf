# Values the configuration marks sensitive are never printed: the family's
# purpose and owners and the revoke_reason (the provider also marks each
# version's recorded revoke_reason) appear as (sensitive) in check's
# messages and in the runbook. An emergency revocation (ROT030) prints the
# reason; allowed_owners (ROT011) prints the owners.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

variable "revoke" {
  type    = list(number)
  default = []
}

variable "owner" {
  type      = string
  default   = "team-incident-response"
  sensitive = true
}

resource "rotation_secret_family" "f" {
  name              = "session-signing"
  purpose           = sensitive("Signs the session tokens of project Nightjar.")
  owner             = var.owner
  backup_owner      = sensitive("team-nightjar-oncall")
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
  family          = rotation_secret_family.f.id
  name            = "prod"
  type            = "hmac"
  revoke_versions = var.revoke
  revoke_reason   = length(var.revoke) > 0 ? sensitive("INC-42: key leaked by contractor Mallory") : null

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
