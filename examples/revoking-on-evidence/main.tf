# Revoking on evidence: the session-signing key of a web front end. Its
# validators count verifications by kid and export the kids they have
# loaded; Prometheus scrapes them. The revocation of an old key waits until
# Prometheus shows it unused for 2h and the new key in use; the new key
# signs only once every validator reports it loaded.
terraform {
  required_providers {
    rotation = { source = "rotationkit/rotation" }
  }
}

provider "rotation" {
  plan_time      = plantimestamp()
  prometheus_url = "http://prometheus.monitoring:9090"
  # prometheus_bearer_token = var.prometheus_token   # if the server needs one
}

resource "rotation_secret_family" "session" {
  name              = "session-signing"
  purpose           = "Signs the session tokens of the web front end."
  owner             = "team-identity"
  backup_owner      = "team-platform"
  artifact_lifetime = "1h"

  consumer {
    name      = "api"
    role      = "validator"
    cache_ttl = "10m"
  }
  consumer {
    name      = "worker"
    role      = "validator"
    cache_ttl = "10m"
  }
  consumer {
    name      = "login"
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
    propagation = "1h"
    overlap     = "1d"
    ttl         = "45d"
  }

  # Emit only once every validator reports the new kid loaded.
  emission_gate {
    sources = ["api", "worker"]
    prometheus {
      query = "count by (source, kid) (label_replace(jwt_validator_key_loaded == 1, \"source\", \"$1\", \"job\", \"(.+)\")) == on (source) group_left () count by (source) (label_replace(up{job=~\"api|worker\"}, \"source\", \"$1\", \"job\", \"(.+)\"))"
      label = "kid"
    }
  }

  # Revoke only once the old kid has not been verified for 2h and the new
  # one has.
  revocation_gate {
    quiet_period = "2h"
    max_wait     = "7d"
    prometheus {
      query = "max by (kid) (max_over_time((timestamp(increase(jwt_verifications_total[5m]) > 0))[1d:1m]))"
      label = "kid"
    }
  }
}

output "jwks" {
  value = rotation_secret.session.jwks
}
