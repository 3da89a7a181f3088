# Quick start: one secret family (owner, consumers, caches). `make demo`
# applies it with the rehearsal clock and prints the overlap it requires.
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

  artifact_lifetime = "1h"

  consumer {
    name      = "api-gateway"
    cache_ttl = "15m"
  }

  consumer {
    name      = "auth-service"
    role      = "emitter"
    cache_ttl = "5m"
  }
}

output "required_overlap" {
  description = "Old and new versions must both stay valid for longer than this."
  value       = rotation_secret_family.session.required_overlap
}
