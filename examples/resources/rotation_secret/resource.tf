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
}

resource "rotation_secret" "session" {
  family = rotation_secret_family.session.id
  name   = "prod"
  type   = "ed25519"

  schedule {
    period      = "30d" # a new version every 30 days
    propagation = "20m" # pending (published in the JWKS, not signing) for longer than the 15m JWKS cache
    overlap     = "2h"  # the old key verifies for 2h after the switch: > 15m cache + 1h token lifetime
    ttl         = "45d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "09:00"
      end       = "16:00"
      time_zone = "Europe/Berlin"
    }
  }

  # Manual rotation: change the value to issue a new version on this apply.
  rotate_triggers = {
    reason = "initial"
  }
}

# Emitters sign with the active key; validators load the JWKS.
output "active_kid" {
  value = rotation_secret.session.active_kid
}

output "jwks" {
  value = rotation_secret.session.jwks
}

output "next_transition" {
  value = "${rotation_secret.session.next_transition} at ${rotation_secret.session.next_transition_at}"
}
