# A JWT signing service whose Ed25519 keys never enter state or a plan. The
# signing service loads its private JWK Set from Vault (written through a
# write-only argument, Terraform >= 1.11 or OpenTofu >= 1.11); the public
# JWKS, which validators fetch, comes from rotation_secret.jwt.jwks as
# before. The seed comes from an ephemeral variable: export
# TF_VAR_material_seed (never -var on the command line, which the CLI logs).
terraform {
  required_version = ">= 1.11.0"
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0"
    }
  }
}

variable "material_seed" {
  description = "The rotation material seed (`openssl rand -hex 32`)."
  type        = string
  ephemeral   = true
  sensitive   = true
}

provider "rotation" {
  plan_time     = plantimestamp()
  material_seed = var.material_seed
}

resource "rotation_secret_family" "jwt" {
  name              = "auth-session-signing"
  purpose           = "Signs the session JWTs (exp 1h) that every API verifies"
  owner             = "team-identity"
  backup_owner      = "team-platform-security"
  classification    = "critical"
  storage           = "vault:kv/auth/signing-keys"
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
}

resource "rotation_secret" "jwt" {
  family   = rotation_secret_family.jwt.id
  name     = "prod"
  type     = "ed25519"
  material = "derived"

  schedule {
    period      = "28d"
    propagation = "30m" # > the 15m JWKS cache: validators know a key before anything is signed with it
    overlap     = "2h"  # > 15m cache + 1h token lifetime
    ttl         = "30d"
  }
}

ephemeral "rotation_secret_material" "jwt" {
  uid      = rotation_secret.jwt.uid
  versions = rotation_secret.jwt.versions
}

resource "vault_kv_secret_v2" "signing_keys" {
  mount = "kv"
  name  = "auth/signing-keys"

  # The signing service signs with the key of active_kid and keeps the
  # others to finish in-flight work; write-only, so nothing reaches state.
  data_json_wo = jsonencode({
    active_kid = ephemeral.rotation_secret_material.jwt.active_kid
    jwks       = ephemeral.rotation_secret_material.jwt.private_jwks
  })
  data_json_wo_version = rotation_secret.jwt.material_generation
}

# Public: publish it where validators fetch it (family storage, a CDN).
output "jwks" {
  value = rotation_secret.jwt.jwks
}
