package material_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// These tests use only the package's exported API and go-jose: an issuer
// signs JWTs with Material.Secret and a kid header, a validator checks them
// against the published JWKS (asymmetric) or the accepted secrets keyed by
// kid (HMAC), as a consumer of rotation_secret would.

var joseCases = []struct {
	t   material.Type
	alg jose.SignatureAlgorithm
}{
	{material.TypeEd25519, jose.EdDSA},
	{material.TypeECDSAP256, jose.ES256},
	{material.TypeECDSAP384, jose.ES384},
	{material.TypeRSA, jose.RS256},
}

func generate(t *testing.T, ty material.Type) material.Material {
	t.Helper()
	o := material.DefaultOptions()
	o.RSABits = 2048 // keep the test fast; sizes are covered elsewhere
	m, err := material.Generate(ty, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// signingKey decodes Material.Secret the way a consumer would.
func signingKey(t *testing.T, ty material.Type, m material.Material) any {
	t.Helper()
	if ty == material.TypeHMAC {
		key, err := base64.RawURLEncoding.DecodeString(m.Secret)
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	block, _ := pem.Decode([]byte(m.Secret))
	if block == nil {
		t.Fatal("secret is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

type claims struct {
	jwt.Claims
	Scope string `json:"scope"`
}

func sign(t *testing.T, ty material.Type, alg jose.SignatureAlgorithm, m material.Material) string {
	t.Helper()
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: alg, Key: signingKey(t, ty, m)},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), m.KID),
	)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.Signed(signer).Claims(claims{
		Claims: jwt.Claims{Issuer: "rotation-test", Subject: "svc", IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))},
		Scope:  string(ty),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var errUnknownKID = errors.New("kid not in the key set")

// verifyJWKS validates tok against a JWKS document, as a resource server
// would: parse the set, pick the key by the token's kid, check alg and
// signature and claims.
func verifyJWKS(tok, jwksJSON string, alg jose.SignatureAlgorithm) (claims, error) {
	var out claims
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwksJSON), &set); err != nil {
		return out, err
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return out, err
	}
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		return out, errUnknownKID
	}
	if keys[0].Algorithm != string(alg) || keys[0].Use != "sig" {
		return out, errors.New("key not for this algorithm")
	}
	if err := parsed.Claims(keys[0].Key, &out); err != nil {
		return out, err
	}
	return out, out.ValidateWithLeeway(jwt.Expected{Issuer: "rotation-test", Time: time.Now()}, 0)
}

// verifySecrets validates an HMAC token against accepted secrets by kid
// (the shape of rotation_secret.accepted_secrets).
func verifySecrets(tok string, accepted map[string]string) (claims, error) {
	var out claims
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return out, err
	}
	secret, ok := accepted[parsed.Headers[0].KeyID]
	if !ok {
		return out, errUnknownKID
	}
	key, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil {
		return out, err
	}
	if err := parsed.Claims(key, &out); err != nil {
		return out, err
	}
	return out, out.ValidateWithLeeway(jwt.Expected{Issuer: "rotation-test", Time: time.Now()}, 0)
}

func TestJOSEAsymmetricRotation(t *testing.T) {
	t.Parallel()
	for _, tc := range joseCases {
		t.Run(string(tc.t), func(t *testing.T) {
			t.Parallel()
			old := generate(t, tc.t)
			cur := generate(t, tc.t)

			// The kid header is the one of the version that signed.
			tokOld := sign(t, tc.t, tc.alg, old)
			tokCur := sign(t, tc.t, tc.alg, cur)
			parsed, err := jwt.ParseSigned(tokCur, []jose.SignatureAlgorithm{tc.alg})
			if err != nil {
				t.Fatal(err)
			}
			if got := parsed.Headers[0].KeyID; got != cur.KID {
				t.Fatalf("kid header %q, want %q", got, cur.KID)
			}

			// Overlap: both versions accepted, active first.
			both, err := material.JWKS([]string{cur.PublicJWK, old.PublicJWK})
			if err != nil {
				t.Fatal(err)
			}
			for name, tok := range map[string]string{"current": tokCur, "old": tokOld} {
				c, err := verifyJWKS(tok, both, tc.alg)
				if err != nil {
					t.Errorf("%s token does not verify against the overlap JWKS: %v", name, err)
				} else if c.Scope != string(tc.t) || c.Subject != "svc" {
					t.Errorf("%s token claims %+v", name, c)
				}
			}

			// Revocation: the old JWK is gone.
			onlyCur, err := material.JWKS([]string{cur.PublicJWK})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := verifyJWKS(tokCur, onlyCur, tc.alg); err != nil {
				t.Errorf("current token fails after revoking the old key: %v", err)
			}
			if _, err := verifyJWKS(tokOld, onlyCur, tc.alg); !errors.Is(err, errUnknownKID) {
				t.Errorf("old token after revocation: %v, want errUnknownKID", err)
			}

			// The signature check itself: an old token presented with the
			// current key's kid must fail (kid lookup is not the only guard).
			parsedOld, err := jwt.ParseSigned(tokOld, []jose.SignatureAlgorithm{tc.alg})
			if err != nil {
				t.Fatal(err)
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal([]byte(onlyCur), &set); err != nil {
				t.Fatal(err)
			}
			var c claims
			if err := parsedOld.Claims(set.Keys[0].Key, &c); err == nil {
				t.Errorf("old token verified with the current key")
			}

			// A tampered token fails.
			tampered := []byte(tokCur)
			tampered[len(tampered)-2] ^= 1
			if _, err := verifyJWKS(string(tampered), both, tc.alg); err == nil {
				t.Errorf("tampered token verified")
			}
		})
	}
}

func TestJOSEHMACRotation(t *testing.T) {
	t.Parallel()
	old := generate(t, material.TypeHMAC)
	cur := generate(t, material.TypeHMAC)
	tokOld := sign(t, material.TypeHMAC, jose.HS256, old)
	tokCur := sign(t, material.TypeHMAC, jose.HS256, cur)

	accepted := map[string]string{cur.KID: cur.Secret, old.KID: old.Secret}
	for name, tok := range map[string]string{"current": tokCur, "old": tokOld} {
		c, err := verifySecrets(tok, accepted)
		if err != nil {
			t.Errorf("%s token does not verify during the overlap: %v", name, err)
		} else if c.Scope != "hmac" || c.Subject != "svc" {
			t.Errorf("%s token claims %+v", name, c)
		}
	}
	delete(accepted, old.KID)
	if _, err := verifySecrets(tokCur, accepted); err != nil {
		t.Errorf("current token fails after revocation: %v", err)
	}
	if _, err := verifySecrets(tokOld, accepted); !errors.Is(err, errUnknownKID) {
		t.Errorf("old token after revocation: %v, want errUnknownKID", err)
	}
	// Old token with the current secret: signature mismatch.
	if _, err := verifySecrets(tokOld, map[string]string{old.KID: cur.Secret}); err == nil {
		t.Errorf("old token verified with the current secret")
	}
	// Longer keys work with HS512 too.
	o := material.DefaultOptions()
	o.HMACBytes = 64
	big, err := material.Generate(material.TypeHMAC, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, material.TypeHMAC, jose.HS512, big)
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS512})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := base64.RawURLEncoding.DecodeString(big.Secret)
	var c claims
	if err := parsed.Claims(key, &c); err != nil {
		t.Errorf("HS512 with a 64-byte key: %v", err)
	}
}

// TestJOSEKeyFromPublicFromSecret checks that the public parts recomputed
// from state verify tokens signed before.
func TestJOSEKeyFromPublicFromSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range joseCases {
		m := generate(t, tc.t)
		tok := sign(t, tc.t, tc.alg, m)
		_, jwk, _, err := material.PublicFromSecret(tc.t, m.Secret)
		if err != nil {
			t.Fatal(err)
		}
		set, err := material.JWKS([]string{jwk})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifyJWKS(tok, set, tc.alg); err != nil {
			t.Errorf("%s: %v", tc.t, err)
		}
	}
}
