package material

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// FuzzThumbprint feeds arbitrary JSON objects to Thumbprint. It must never
// panic; a result must be 43 base64url characters; and whenever go-jose
// also accepts the JWK as a public key, both thumbprints must agree.
func FuzzThumbprint(f *testing.F) {
	f.Add(`{"kty":"RSA","n":"` + rfc7638N + `","e":"AQAB"}`)
	f.Add(`{"kty":"OKP","crv":"Ed25519","x":"` + rfc8037X + `"}`)
	f.Add(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`)
	f.Add(`{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`)
	f.Add(`{"kty":"RSA","n":"AAE","e":"AQAB"}`)
	f.Add(`{"kty":"oct","k":"AAAA"}`)
	f.Add(`{"kty":"OKP","crv":"X25519","x":"` + rfc8037X + `"}`)
	f.Add(`{}`)
	for _, ty := range []Type{TypeEd25519, TypeECDSAP256, TypeECDSAP384} {
		m, err := Generate(ty, Options{}, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.PublicJWK)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var jwk map[string]string
		if err := json.Unmarshal([]byte(in), &jwk); err != nil || jwk == nil {
			return
		}
		got, err := Thumbprint(jwk)
		if err != nil {
			return
		}
		if len(got) != 43 {
			t.Fatalf("thumbprint %q is not 43 characters", got)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(got); err != nil {
			t.Fatalf("thumbprint %q is not base64url", got)
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON([]byte(in)); err != nil || !k.IsPublic() {
			return
		}
		sum, err := k.Thumbprint(crypto.SHA256)
		if err != nil {
			return
		}
		if want := base64.RawURLEncoding.EncodeToString(sum); got != want {
			t.Fatalf("Thumbprint = %s, go-jose %s for %s", got, want, in)
		}
	})
}

// FuzzPublicFromSecret feeds arbitrary type names and secrets. It must
// never panic, never succeed for a symmetric or unknown type, and whatever
// it returns must be self-consistent: the kid is the thumbprint of the JWK
// and go-jose reads the JWK.
func FuzzPublicFromSecret(f *testing.F) {
	o := DefaultOptions()
	o.RSABits = 2048
	for _, ty := range Types() {
		m, err := Generate(ty, o, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(ty), m.Secret)
		if ty.Asymmetric() {
			f.Add(string(ty), m.Secret[:len(m.Secret)/2])
			f.Add(string(ty), strings.Replace(m.Secret, "PRIVATE KEY", "PUBLIC KEY", 2))
		}
	}
	f.Add("rsa", "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n")
	f.Add("ed25519", "")
	f.Fuzz(func(t *testing.T, typ, secret string) {
		ty := Type(typ)
		pemText, jwk, kid, err := PublicFromSecret(ty, secret)
		if err != nil {
			if pemText != "" || jwk != "" || kid != "" {
				t.Fatalf("error with non-empty results")
			}
			return
		}
		if !ty.Asymmetric() {
			t.Fatalf("PublicFromSecret succeeded for type %q", typ)
		}
		var members map[string]string
		if err := json.Unmarshal([]byte(jwk), &members); err != nil {
			t.Fatalf("JWK is not JSON: %v", err)
		}
		if tp, err := Thumbprint(members); err != nil || tp != kid {
			t.Fatalf("kid %q, thumbprint %q, %v", kid, tp, err)
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON([]byte(jwk)); err != nil || !k.IsPublic() || k.KeyID != kid {
			t.Fatalf("go-jose: %v", err)
		}
		if !strings.HasPrefix(pemText, "-----BEGIN PUBLIC KEY-----\n") {
			t.Fatalf("public PEM %q", pemText)
		}
	})
}

// FuzzDerive feeds arbitrary seeds, salts, ids, versions, types and
// options to Derive. It must never panic; when it succeeds it must be
// deterministic, verify against its own kid and JWK, give a kid of the
// documented shape and never put the seed into the public parts; when it
// fails the error must not contain the seed.
func FuzzDerive(f *testing.F) {
	seed := "fuzz-seed-0123456789abcdef-0123456789abcdef"
	salt := strings.Repeat("\x01", SaltBytes)
	for _, ty := range Types() {
		f.Add(seed, salt, "3f1c2b9e-8d47-4c1a-9b5e-2a7d6f0c4e81", int64(1), string(ty), DefaultLength, true, DefaultHMACBytes)
	}
	f.Add(seed, salt, "a/b/c", int64(9223372036854775807), "password", MaxLength, false, 0)
	f.Add(seed, salt, "x", int64(0), "hmac", 0, false, MaxHMACBytes)
	f.Add("short", "", "", int64(-1), "", 0, false, 0)
	f.Fuzz(func(t *testing.T, seed, salt, id string, version int64, typ string, length int, special bool, hmacBytes int) {
		in := DeriveInfo{SecretID: id, Version: version, Type: Type(typ), Options: Options{Length: length, Special: special, HMACBytes: hmacBytes, RSABits: DefaultRSABits}}
		m, err := Derive([]byte(seed), []byte(salt), in)
		if err != nil {
			if m != (Material{}) {
				t.Fatal("error with non-empty material")
			}
			// Errors may quote the id or the type (not secret), so
			// only a seed that is in neither must not appear. Quoting
			// escapes control characters, and an escape such as \x00
			// next to digits can spell a seed of digits: compare with
			// the quoted forms too.
			public := id + "\n" + typ + "\n" + strconv.Quote(id) + "\n" + strconv.Quote(typ)
			if len(seed) >= 8 && !strings.Contains(public, seed) && strings.Contains(err.Error(), seed) {
				t.Fatalf("error contains the seed: %v", err)
			}
			return
		}
		again, err := Derive([]byte(seed), []byte(salt), in)
		if err != nil || again != m {
			t.Fatalf("not deterministic: %v", err)
		}
		if err := VerifyDerived(m, m.KID, m.PublicJWK); err != nil {
			t.Fatalf("does not verify against itself: %v", err)
		}
		if in.Type.Asymmetric() {
			if len(m.KID) != 43 || m.PublicJWK == "" || m.PublicKeyPEM == "" {
				t.Fatalf("asymmetric material without kid or public parts")
			}
		} else if len(m.KID) != 22 || m.PublicJWK != "" || m.PublicKeyPEM != "" {
			t.Fatalf("symmetric material with kid %q or public parts", m.KID)
		}
		if strings.Contains(m.KID+m.PublicJWK+m.PublicKeyPEM+m.String(), seed) {
			t.Fatal("public parts contain the seed")
		}
	})
}
