# Terraform reads this file; OpenTofu reads main.tofu instead.
resource "rotation_secret" "s" {
  name = "terraform"
}
