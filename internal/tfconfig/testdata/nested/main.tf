# Root module for the tfconfig tests: count, for_each, local and registry
# module calls, moved blocks (resources, modules, chains) and an aliased
# provider under another local name. Line numbers are asserted by
# locate_test.go: append, do not insert.
terraform {
  required_providers {
    rot = {
      source = "rotationkit/rotation"
    }
  }
}

provider "rot" {
  alias = "lab"
  now   = "2026-01-05T09:00:00Z"
}

module "apps" {
  source   = "./modules/app"
  for_each = toset(["x", "y"])
}

module "vendor" {
  source  = "rotationkit/secrets/rotation"
  version = "1.0.0"
}

moved {
  from = module.legacy
  to   = module.apps
}

moved {
  from = rotation_secret.old
  to   = rotation_secret.renamed
}

moved {
  from = rotation_secret.older
  to   = rotation_secret.old
}

resource "rotation_secret_family" "f" {
  name         = "root"
  owner        = "team-a"
  backup_owner = "team-b"

  consumer {
    name      = "api"
    cache_ttl = "1h"
  }
  consumer {
    name      = "web"
    cache_ttl = "5m"
  }
}

resource "rotation_secret" "renamed" {
  count  = 2
  family = rotation_secret_family.f.id
  name   = "r"

  hold_revocation = true

  schedule {
    period  = "30d"
    overlap = "2h"
  }
}
