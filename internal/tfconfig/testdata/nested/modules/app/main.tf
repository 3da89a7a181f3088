module "keys" {
  source = "../keys"
  count  = 1
}

resource "rotation_secret_family" "app" {
  name = "app"
  consumer = [
    { name = "a", cache_ttl = "1h" },
    { name = "b", cache_ttl = "2h" },
  ]
}
