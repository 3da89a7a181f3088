resource "rotation_secret" "ok" {
  name = "ok"
}
