# An override file: the primary declaration in main.tf still locates.
resource "rotation_secret_family" "f" {
  owner = "team-c"
}
