# Quick start: a JWT signing key whose rotation `make demo` walks forward in
# time with the rehearsal clock (ROTATION_NOW): accept -> emit -> revoke.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

provider "rotation" {}

resource "rotation_secret_family" "session" {
  name         = "auth-session-signing"
  purpose      = "Signs the session JWTs that every API verifies"
  owner        = "team-identity"
  backup_owner = "team-platform-security"

  artifact_lifetime = "1h" # JWT exp

  consumer {
    name      = "api-gateway"
    cache_ttl = "15m" # JWKS cache
  }

  consumer {
    name      = "auth-service"
    role      = "emitter"
    cache_ttl = "5m"
  }
}

resource "rotation_secret" "session" {
  family = rotation_secret_family.session.id
  name   = "prod"
  type   = "ed25519"

  schedule {
    period      = "30d"
    propagation = "1h" # > 15m JWKS cache
    overlap     = "1d" # > required_overlap (15m + 1h)
    ttl         = "90d"
  }
}

output "required_overlap" {
  description = "Old and new versions must both stay valid for longer than this."
  value       = rotation_secret_family.session.required_overlap
}

output "versions_table" {
  description = "One line per version."
  value = join("\n", concat(
    [format("%-8s %-9s %-21s %-21s %-21s %s", "version", "status", "issued_at", "activated_at", "revoked_at", "kid")],
    [for v in rotation_secret.session.versions : format("%-8s %-9s %-21s %-21s %-21s %s",
      "v${v.version}", v.status, v.issued_at, coalesce(v.activated_at, "-"), coalesce(v.revoked_at, "-"),
    substr(v.kid, 0, 12))]
  ))
}

output "next_transition" {
  value = "${rotation_secret.session.next_transition} at ${coalesce(rotation_secret.session.next_transition_at, "-")}"
}

output "jwks_kids" {
  description = "kids published in the JWKS, active first."
  value       = [for k in jsondecode(rotation_secret.session.jwks).keys : k.kid]
}
