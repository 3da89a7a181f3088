terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

variable "family" {
  type = string
}

resource "rotation_secret" "s" {
  count = 2

  family   = var.family
  name     = "shard-${count.index}"
  type     = "hmac"
  material = "derived"

  schedule {
    period      = "30d"
    overlap     = "2h"
    propagation = "30m"
    ttl         = "60d"

    change_window {
      days      = ["mon", "tue", "wed", "thu"]
      start     = "08:00"
      end       = "17:00"
      time_zone = "UTC"
    }
  }
}
