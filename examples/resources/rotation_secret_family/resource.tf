resource "rotation_secret_family" "session" {
  name         = "auth-session-signing"
  purpose      = "Signs the session JWTs that every API verifies"
  owner        = "team-identity"
  backup_owner = "team-platform-security"

  classification    = "critical"
  storage           = "jwks:https://auth.example.com/.well-known/jwks.json"
  artifact_lifetime = "1h" # JWT exp

  consumer {
    name      = "api-gateway"
    role      = "validator"
    cache_ttl = "15m" # JWKS cache
  }

  consumer {
    name      = "auth-service"
    role      = "emitter"
    cache_ttl = "5m"
    reload    = "hot"
  }

  consumer {
    name        = "partner-portal"
    cache_ttl   = "1h"
    reload      = "restart"
    owner       = "team-partners"
    third_party = true
  }

  review_interval = "90d"
  reviewed_at     = "2026-11-02T10:00:00Z"
  runbook_url     = "https://wiki.example.com/runbooks/auth-session-signing"
  tags            = { system = "auth" }
}

# required_overlap = longest cache (1h) + artifact_lifetime (1h) = 2h
output "required_overlap" {
  value = rotation_secret_family.session.required_overlap
}
