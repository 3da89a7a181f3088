# A webhook HMAC key whose material never enters state or a plan, written to
# AWS Secrets Manager through a write-only argument (Terraform >= 1.11,
# OpenTofu >= 1.11). The sender signs with the active key; the receivers
# verify with every accepted key, so the stored document holds the whole
# accepted set, and it is rewritten exactly when that set or the active key
# changes (material_generation).
terraform {
  required_version = ">= 1.11.0"
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.90"
    }
  }
}

# The material seed, read from the secret store at every run and never
# stored (made once with `openssl rand -hex 32`).
ephemeral "aws_secretsmanager_secret_version" "material_seed" {
  secret_id = "rotation/material-seed"
}

provider "rotation" {
  plan_time     = plantimestamp()
  material_seed = ephemeral.aws_secretsmanager_secret_version.material_seed.secret_string
}

resource "rotation_secret_family" "webhook" {
  name         = "orders-webhook-signing"
  purpose      = "Signs the webhooks orders-api sends to the fulfilment services"
  owner        = "team-orders"
  backup_owner = "team-platform-security"
  storage      = "aws-secretsmanager:orders/webhook-hmac"

  consumer {
    name      = "orders-api"
    role      = "emitter"
    cache_ttl = "5m"
  }

  consumer {
    name      = "fulfilment"
    role      = "validator"
    cache_ttl = "10m"
  }
}

resource "rotation_secret" "webhook" {
  family   = rotation_secret_family.webhook.id
  name     = "prod"
  type     = "hmac"
  material = "derived"

  schedule {
    period      = "30d"
    propagation = "15m" # > the validators' 10m cache
    overlap     = "1h"  # > 10m cache + in-flight retries
    ttl         = "35d"
  }
}

ephemeral "rotation_secret_material" "webhook" {
  uid      = rotation_secret.webhook.uid
  versions = rotation_secret.webhook.versions
}

resource "aws_secretsmanager_secret" "webhook" {
  name = "orders/webhook-hmac"
}

resource "aws_secretsmanager_secret_version" "webhook" {
  secret_id = aws_secretsmanager_secret.webhook.id

  # Write-only: sent to AWS, never stored in state or the plan.
  secret_string_wo = jsonencode({
    active_kid = ephemeral.rotation_secret_material.webhook.active_kid
    active     = ephemeral.rotation_secret_material.webhook.active_secret
    accepted   = ephemeral.rotation_secret_material.webhook.accepted_secrets # kid => key
  })
  secret_string_wo_version = rotation_secret.webhook.material_generation
}
