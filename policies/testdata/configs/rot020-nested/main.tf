# ROT020 inside nested modules: module.outer.module.inner's overlap 1h equals
# its family's longest consumer cache 30m + artifact lifetime 30m.
terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

module "outer" {
  source = "./modules/outer"
}
