# A JWT signing key rotated without a flag day.
#
# auth-service signs with the active Ed25519 key; api-gateway and the partner
# portal verify against the JWKS, which they cache. A new key is published in
# the JWKS (pending) for longer than any JWKS cache before anyone signs with
# it, and the old key stays in the JWKS for longer than any cache plus the
# lifetime of the tokens it signed.
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

provider "rotation" {
  plan_time = plantimestamp() # saved plans apply exactly as shown
}

resource "rotation_secret_family" "jwt" {
  name         = "auth-session-signing"
  purpose      = "Signs the session JWTs (exp 1h) that every API verifies"
  owner        = "team-identity"
  backup_owner = "team-platform-security"

  classification    = "critical"
  storage           = "jwks:https://auth.example.com/.well-known/jwks.json"
  artifact_lifetime = "1h" # JWT exp

  consumer {
    name      = "auth-service"
    role      = "emitter"
    cache_ttl = "5m"
  }

  consumer {
    name      = "api-gateway"
    role      = "validator"
    cache_ttl = "15m" # JWKS cache
  }

  consumer {
    name        = "partner-portal"
    role        = "validator"
    cache_ttl   = "1h"
    reload      = "hot"
    owner       = "team-partners"
    third_party = true
  }

  review_interval = "90d"
  reviewed_at     = "2026-11-02T10:00:00Z"
}

resource "rotation_secret" "jwt" {
  family = rotation_secret_family.jwt.id
  name   = "prod"
  type   = "ed25519"

  schedule {
    period      = "28d"
    propagation = "2h" # > longest validator cache (1h)
    overlap     = "3h" # > required_overlap: 1h cache + 1h token lifetime = 2h
    ttl         = "30d"
    jitter      = "6h"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "09:00"
      end       = "16:00"
      time_zone = "UTC"
    }
  }
}

# Publish this document at the family's storage URL (a CDN object, a config
# map): validators accept every key in it.
output "jwks" {
  description = "Public JWKS of every accepted version, active first."
  value       = rotation_secret.jwt.jwks
}

output "signing_kid" {
  description = "kid header auth-service puts on new tokens."
  value       = rotation_secret.jwt.active_kid
}

output "signing_key_pem" {
  description = "PKCS#8 private key auth-service signs with (store it in your secret manager)."
  value       = rotation_secret.jwt.active_secret
  sensitive   = true
}

output "versions" {
  description = "Every version's status and dates, for the runbook."
  value = [for v in rotation_secret.jwt.versions : {
    version   = v.version, kid = v.kid, status = v.status,
    issued_at = v.issued_at, activated_at = v.activated_at, revoked_at = v.revoked_at
  }]
}

output "next_transition" {
  value = "${rotation_secret.jwt.next_transition} at ${coalesce(rotation_secret.jwt.next_transition_at, "-")}"
}
