# Every rule passes, with families and secrets in child modules: families
# with for_each in module.platform, secrets referring to them by instance
# (rotation_secret_family.f["payments"]), by each.key, and through a module
# variable two levels down (module.platform.module.keys["search"]), where the
# family is found by name.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

module "platform" {
  source = "./modules/platform"
}
