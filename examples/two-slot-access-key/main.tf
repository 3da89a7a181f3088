# An AWS IAM access key rotated through two slots: the key of the slot that is
# pending, active or previous is Active; a revoked slot's key is deactivated
# before the slot is re-issued (and the key replaced).
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "rotation" {}

resource "rotation_schedule" "deployer" {
  family = "ci-deployer-key"
  name   = "prod"

  schedule {
    period      = "30d"
    propagation = "30m" # CI picks up new credentials from the secret store within 30m
    overlap     = "2h"  # longest running deployment
    ttl         = "90d"
  }
}

resource "aws_iam_access_key" "slot" {
  for_each = toset(["a", "b"])

  user   = "ci-deployer"
  status = rotation_schedule.deployer.slots[each.key].enabled ? "Active" : "Inactive"

  lifecycle {
    replace_triggered_by = [terraform_data.keeper[each.key]]
  }
}

# replace_triggered_by needs a resource or attribute reference; the keeper
# is carried by a terraform_data per slot.
resource "terraform_data" "keeper" {
  for_each = toset(["a", "b"])
  input    = rotation_schedule.deployer.slots[each.key].keeper
}

output "active_access_key_id" {
  value = aws_iam_access_key.slot[rotation_schedule.deployer.active_slot].id
}
