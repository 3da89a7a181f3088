terraform {
  required_providers {
    rotation = {
      source = "rotationkit/rotation"
    }
  }
}

module "inner" {
  source = "../inner"
}
