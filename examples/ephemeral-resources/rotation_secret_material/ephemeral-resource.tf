# The provider derives the material from its seed: set ROTATION_MATERIAL_SEED
# (on Terraform < 1.10 the only safe place), or material_seed from an
# ephemeral variable or an ephemeral resource.
resource "rotation_secret" "signing" {
  family   = "auth-session-signing" # rotation_secret_family.<name>.id
  name     = "prod"
  type     = "ed25519"
  material = "derived" # no private key in state or plans

  schedule {
    period      = "28d"
    propagation = "2h"
    overlap     = "3h"
    ttl         = "30d"
  }
}

# Opened in every plan and apply that needs it, never stored.
ephemeral "rotation_secret_material" "signing" {
  uid      = rotation_secret.signing.uid
  versions = rotation_secret.signing.versions
}

# Pass its results to write-only arguments, provider configuration or
# provisioners, with rotation_secret.signing.material_generation as the
# *_wo_version:
#   ephemeral.rotation_secret_material.signing.active_secret     PKCS#8 PEM of the active key
#   ephemeral.rotation_secret_material.signing.active_kid        its kid (the JWT header)
#   ephemeral.rotation_secret_material.signing.private_jwks      private JWK Set, active first
#   ephemeral.rotation_secret_material.signing.accepted_secrets  kid => material, every accepted version
