resource "rotation_secret" "bad" {
  name = "bad"
