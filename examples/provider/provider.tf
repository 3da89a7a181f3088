terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

# Evaluate schedules against the wall clock (the default). For a rehearsal,
# set now = "2026-01-01T09:00:00Z" or export ROTATION_NOW.
provider "rotation" {}
