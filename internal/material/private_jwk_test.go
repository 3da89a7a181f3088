package material_test

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// TestPrivateJWK_goJose: the private JWK of every type parses with go-jose
// as a valid private key whose RFC 7638 thumbprint is the kid and whose
// public half is the version's public JWK; a token signed with it verifies
// against the JWKS.
func TestPrivateJWK_goJose(t *testing.T) {
	seed := []byte(strings.Repeat("s", 64))
	salt := make([]byte, 32)
	for _, c := range joseCases {
		t.Run(string(c.t), func(t *testing.T) {
			var m material.Material
			if c.t == material.TypeRSA {
				m = generate(t, c.t)
			} else {
				var err error
				m, err = material.Derive(seed, salt, material.DeriveInfo{SecretID: "uid-1", Version: 1, Type: c.t, Options: material.DefaultOptions()})
				if err != nil {
					t.Fatal(err)
				}
			}
			priv, err := material.PrivateJWK(c.t, m.Secret, m.KID)
			if err != nil {
				t.Fatal(err)
			}
			var k jose.JSONWebKey
			if err := json.Unmarshal([]byte(priv), &k); err != nil {
				t.Fatalf("go-jose cannot parse the private JWK: %v", err)
			}
			if k.IsPublic() || !k.Valid() {
				t.Fatalf("not a valid private key: public=%v valid=%v", k.IsPublic(), k.Valid())
			}
			tp, err := k.Thumbprint(crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if got := base64.RawURLEncoding.EncodeToString(tp); got != m.KID || k.KeyID != m.KID {
				t.Fatalf("thumbprint %s, kid member %s, want %s", got, k.KeyID, m.KID)
			}
			if k.Algorithm != string(c.alg) || k.Use != "sig" {
				t.Fatalf("alg %q use %q", k.Algorithm, k.Use)
			}
			pub := k.Public()
			pubJSON, err := pub.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var want, got map[string]any
			_ = json.Unmarshal([]byte(m.PublicJWK), &want)
			_ = json.Unmarshal(pubJSON, &got)
			for _, member := range []string{"kty", "crv", "x", "y", "n", "e"} {
				if want[member] != got[member] {
					t.Fatalf("public member %s: %v, want %v", member, got[member], want[member])
				}
			}
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: c.alg, Key: k}, nil)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := signer.Sign([]byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			jwks, _ := material.JWKS([]string{m.PublicJWK})
			var set jose.JSONWebKeySet
			if err := json.Unmarshal([]byte(jwks), &set); err != nil {
				t.Fatal(err)
			}
			keys := set.Key(m.KID)
			if len(keys) != 1 {
				t.Fatalf("kid not in the JWKS")
			}
			if _, err := obj.Verify(keys[0].Key); err != nil {
				t.Fatalf("signature made with the private JWK does not verify against the JWKS: %v", err)
			}
		})
	}
	t.Run("hmac", func(t *testing.T) {
		m, err := material.Derive(seed, salt, material.DeriveInfo{SecretID: "uid-1", Version: 1, Type: material.TypeHMAC, Options: material.DefaultOptions()})
		if err != nil {
			t.Fatal(err)
		}
		priv, err := material.PrivateJWK(material.TypeHMAC, m.Secret, m.KID)
		if err != nil {
			t.Fatal(err)
		}
		var k jose.JSONWebKey
		if err := json.Unmarshal([]byte(priv), &k); err != nil {
			t.Fatal(err)
		}
		key, ok := k.Key.([]byte)
		if !ok || base64.RawURLEncoding.EncodeToString(key) != m.Secret || k.KeyID != m.KID || k.Algorithm != "HS256" {
			t.Fatalf("oct JWK does not hold the HMAC key: %T kid %q alg %q", k.Key, k.KeyID, k.Algorithm)
		}
	})
	t.Run("password", func(t *testing.T) {
		if _, err := material.PrivateJWK(material.TypePassword, "x", "kid"); !errors.Is(err, material.ErrNoPrivateJWK) {
			t.Fatalf("err = %v, want ErrNoPrivateJWK", err)
		}
	})
	t.Run("wrong kid", func(t *testing.T) {
		m, err := material.Derive(seed, salt, material.DeriveInfo{SecretID: "uid-1", Version: 1, Type: material.TypeEd25519, Options: material.DefaultOptions()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = material.PrivateJWK(material.TypeEd25519, m.Secret, "not-the-kid")
		if err == nil || strings.Contains(err.Error(), m.Secret) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestPublicFromPEM: a stored public key gives back the version's JWK and
// kid; a key of another type, a private key or garbage is refused.
func TestPublicFromPEM(t *testing.T) {
	seed, salt := []byte(strings.Repeat("s", 64)), make([]byte, 32)
	for _, ty := range []material.Type{material.TypeEd25519, material.TypeECDSAP256, material.TypeECDSAP384} {
		m, err := material.Derive(seed, salt, material.DeriveInfo{SecretID: "uid-1", Version: 1, Type: ty, Options: material.DefaultOptions()})
		if err != nil {
			t.Fatal(err)
		}
		jwk, kid, err := material.PublicFromPEM(ty, m.PublicKeyPEM)
		if err != nil || kid != m.KID || jwk != m.PublicJWK {
			t.Fatalf("%s: kid %q jwk %q err %v", ty, kid, jwk, err)
		}
		other := material.TypeECDSAP384
		if ty == material.TypeECDSAP384 {
			other = material.TypeEd25519
		}
		if _, _, err := material.PublicFromPEM(other, m.PublicKeyPEM); err == nil {
			t.Errorf("%s key read as %s", ty, other)
		}
		if _, _, err := material.PublicFromPEM(ty, m.Secret); err == nil || strings.Contains(err.Error(), m.Secret) {
			t.Errorf("%s: a private key was read as a public key (%v)", ty, err)
		}
	}
	if _, _, err := material.PublicFromPEM(material.TypeHMAC, "x"); !errors.Is(err, material.ErrNoPublicKey) {
		t.Errorf("hmac: %v", err)
	}
}
