resource "rotation_secret_family" "keys" {
  name = "keys"

  dynamic "consumer" {
    for_each = var.consumers
    content {
      name      = consumer.key
      cache_ttl = consumer.value
    }
  }
}

resource "rotation_secret" "jwt" {
  for_each = toset(["a", "b"])
  family   = rotation_secret_family.keys.id
  name     = each.key

  schedule {
    overlap = "1h"
    ttl     = "45d"
  }
}

moved {
  from = rotation_secret.legacy_jwt
  to   = rotation_secret.jwt
}

variable "consumers" {
  type    = map(string)
  default = {}
}
