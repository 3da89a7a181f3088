# A write-only password argument (Terraform 1.11+): the password never enters
# the state, and the provider only sends it when password_wo_version changes.
# Following the slot's version rotates it exactly when the slot is re-issued.
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

provider "rotation" {}

resource "rotation_schedule" "db" {
  family = "orders-db"
  name   = "prod"

  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
}

# Ephemeral: generated for this run only, never stored.
ephemeral "random_password" "slot" {
  for_each = toset(["a", "b"])
  length   = 32
  special  = false
}

resource "aws_secretsmanager_secret" "slot" {
  for_each = toset(["a", "b"])
  name     = "orders-db/prod/${each.key}"
}

resource "aws_secretsmanager_secret_version" "slot" {
  for_each  = toset(["a", "b"])
  secret_id = aws_secretsmanager_secret.slot[each.key].id

  secret_string_wo         = ephemeral.random_password.slot[each.key].result
  secret_string_wo_version = coalesce(rotation_schedule.db.slots[each.key].version, 0)
}

output "active_secret_arn" {
  value = aws_secretsmanager_secret.slot[rotation_schedule.db.active_slot].arn
}
