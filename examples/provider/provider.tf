terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

# Decide every schedule as of the plan's timestamp, so that a saved plan
# applied later (`terraform plan -out` ... `terraform apply tfplan`) does
# exactly what it showed. For a rehearsal, set now = "2026-01-01T09:00:00Z"
# or export ROTATION_NOW.
provider "rotation" {
  plan_time = plantimestamp()
}
