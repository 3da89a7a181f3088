# ROT030 with evidence: v1 is revoked by revoke_versions at 11:00, before
# its overlap ends at 12:00, while the revocation gate's evidence shows it
# used at 10:55: the message says it was still in use.
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

  revoke_versions = var.revoke
  revoke_reason   = length(var.revoke) > 0 ? "INC-77: key printed in a build log" : null

  revocation_gate {
    quiet_period = "1h"
    max_wait     = "1d"
    last_used    = { "1" = "2026-02-04T10:55:00Z", "2" = "2026-02-04T10:58:00Z" }
    observed_at  = "2026-02-04T11:00:00Z"
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
