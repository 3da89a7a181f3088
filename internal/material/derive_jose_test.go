package material_test

import (
	"bytes"
	"errors"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// These tests play the derived-mode flow with the exported API and go-jose
// as the independent JOSE library: rotation_secret derives each version at
// issue time and keeps only its salt, seed fingerprint, kid and public JWK
// in state; later the ephemeral resource derives the material again from
// the seed and what state holds, checks it (VerifyDerived) and a consumer
// signs with it; a validator verifies against the JWKS built from state.

var deriveSeed = []byte("jose-interop-seed-0123456789abcdef-0123456789abcdef")

// stateVersion is what state keeps of a derived version.
type stateVersion struct {
	in          material.DeriveInfo
	salt        string
	fingerprint string
	kid         string
	publicJWK   string
}

func issueDerived(t *testing.T, ty material.Type, version int64) stateVersion {
	t.Helper()
	in := material.DeriveInfo{SecretID: "5e0c7a1d-jose", Version: version, Type: ty, Options: material.DefaultOptions()}
	salt := material.NewSalt()
	m, err := material.Derive(deriveSeed, salt, in)
	if err != nil {
		t.Fatal(err)
	}
	return stateVersion{in: in, salt: material.EncodeSalt(salt), fingerprint: material.SeedFingerprint(deriveSeed), kid: m.KID, publicJWK: m.PublicJWK}
}

// materialFor is the ephemeral resource's side: pick the seed by
// fingerprint, derive, verify against state.
func materialFor(t *testing.T, v stateVersion, seeds [][]byte) material.Material {
	t.Helper()
	seed, ok := material.SeedFor(v.fingerprint, seeds)
	if !ok {
		t.Fatalf("no seed for version %d", v.in.Version)
	}
	salt, err := material.ParseSalt(v.salt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := material.Derive(seed, salt, v.in)
	if err != nil {
		t.Fatal(err)
	}
	if err := material.VerifyDerived(m, v.kid, v.publicJWK); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestJOSEDerivedAsymmetric(t *testing.T) {
	t.Parallel()
	newSeed := bytes.Repeat([]byte("n"), 40)
	seeds := [][]byte{newSeed, deriveSeed} // the seed was rotated; deriveSeed is now a previous seed
	for _, tc := range joseCases {
		if tc.t == material.TypeRSA {
			continue
		}
		t.Run(string(tc.t), func(t *testing.T) {
			t.Parallel()
			v1 := issueDerived(t, tc.t, 1)
			v2 := issueDerived(t, tc.t, 2)
			jwks, err := material.JWKS([]string{v2.publicJWK, v1.publicJWK})
			if err != nil {
				t.Fatal(err)
			}
			m1 := materialFor(t, v1, seeds)
			m2 := materialFor(t, v2, seeds)
			for name, m := range map[string]material.Material{"v1": m1, "v2": m2} {
				tok := sign(t, tc.t, tc.alg, m)
				c, err := verifyJWKS(tok, jwks, tc.alg)
				if err != nil {
					t.Errorf("%s: a token signed with the re-derived key does not verify against the JWKS from state: %v", name, err)
				} else if c.Scope != string(tc.t) {
					t.Errorf("%s: claims %+v", name, c)
				}
			}
			// go-jose's own thumbprint of the stored JWK is the kid.
			var k jose.JSONWebKey
			if err := k.UnmarshalJSON([]byte(v1.publicJWK)); err != nil || !k.IsPublic() || k.KeyID != v1.kid {
				t.Fatalf("go-jose: %v", err)
			}
			// After revoking v1, its tokens are refused.
			only2, err := material.JWKS([]string{v2.publicJWK})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := verifyJWKS(sign(t, tc.t, tc.alg, m1), only2, tc.alg); !errors.Is(err, errUnknownKID) {
				t.Errorf("v1 token after revocation: %v", err)
			}
		})
	}
}

func TestJOSEDerivedHMAC(t *testing.T) {
	t.Parallel()
	seeds := [][]byte{deriveSeed}
	v1 := issueDerived(t, material.TypeHMAC, 1)
	v2 := issueDerived(t, material.TypeHMAC, 2)
	m1, m2 := materialFor(t, v1, seeds), materialFor(t, v2, seeds)
	if m1.KID != v1.kid || m2.KID != v2.kid {
		t.Fatal("re-derived kids differ from state")
	}
	accepted := map[string]string{m2.KID: m2.Secret, m1.KID: m1.Secret}
	for name, m := range map[string]material.Material{"v1": m1, "v2": m2} {
		if _, err := verifySecrets(sign(t, material.TypeHMAC, jose.HS256, m), accepted); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A wrong seed is caught before deriving: no seed has v1's fingerprint.
	if _, ok := material.SeedFor(v1.fingerprint, [][]byte{bytes.Repeat([]byte("w"), 40)}); ok {
		t.Error("a wrong seed matched the fingerprint")
	}
}
