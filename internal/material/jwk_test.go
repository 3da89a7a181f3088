package material

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// The RSA key of RFC 7638 §3.1 and its published SHA-256 thumbprint.
const (
	rfc7638N          = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

// The Ed25519 key of RFC 8037 appendix A.1/A.2 and its thumbprint (A.3).
const (
	rfc8037D          = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfc8037X          = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfc8037Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
)

// joseThumbprint computes the thumbprint of a JWK JSON with go-jose, the
// independent implementation.
func joseThumbprint(t testing.TB, jwkJSON string) string {
	t.Helper()
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON([]byte(jwkJSON)); err != nil {
		t.Fatalf("go-jose cannot parse JWK: %v", err)
	}
	sum, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatalf("go-jose thumbprint: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

func TestThumbprintRFC7638(t *testing.T) {
	t.Parallel()
	jwk := map[string]string{"kty": "RSA", "n": rfc7638N, "e": "AQAB"}
	got, err := Thumbprint(jwk)
	if err != nil {
		t.Fatal(err)
	}
	if got != rfc7638Thumbprint {
		t.Errorf("Thumbprint(RFC 7638 §3.1 key) = %s, want %s", got, rfc7638Thumbprint)
	}
	// The RFC's own example JWK carries alg and kid, which are not hashed.
	jwk["alg"], jwk["kid"], jwk["use"] = "RS256", "2011-04-29", "sig"
	if got2, err := Thumbprint(jwk); err != nil || got2 != rfc7638Thumbprint {
		t.Errorf("optional members changed the thumbprint: %s, %v", got2, err)
	}
	// Independent check of the vector itself.
	if j := joseThumbprint(t, `{"kty":"RSA","n":"`+rfc7638N+`","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`); j != rfc7638Thumbprint {
		t.Errorf("go-jose thumbprint of the RFC key = %s", j)
	}
}

func TestThumbprintRFC8037(t *testing.T) {
	t.Parallel()
	got, err := Thumbprint(map[string]string{"kty": "OKP", "crv": "Ed25519", "x": rfc8037X})
	if err != nil || got != rfc8037Thumbprint {
		t.Errorf("Thumbprint(RFC 8037 key) = %s, %v; want %s", got, err, rfc8037Thumbprint)
	}
}

func TestThumbprintECAndOct(t *testing.T) {
	t.Parallel()
	// RFC 7515 appendix A.3 P-256 key; expected value from go-jose.
	ec := map[string]string{
		"kty": "EC", "crv": "P-256",
		"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
		"y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
	}
	got, err := Thumbprint(ec)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ec)
	if want := joseThumbprint(t, string(b)); got != want {
		t.Errorf("EC thumbprint %s, go-jose %s", got, want)
	}
	// oct: RFC 7638 §3.2 members k, kty.
	oct, err := Thumbprint(map[string]string{"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})
	if err != nil || len(oct) != 43 {
		t.Errorf("oct thumbprint %q, %v", oct, err)
	}
}

func TestThumbprintRejects(t *testing.T) {
	t.Parallel()
	full32 := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	short31 := base64.RawURLEncoding.EncodeToString(append([]byte{1}, make([]byte, 30)...))
	full48 := base64.RawURLEncoding.EncodeToString(make([]byte, 48))
	tests := []struct {
		name string
		jwk  map[string]string
		want string
	}{
		{"no kty", map[string]string{"n": "AQAB", "e": "AQAB"}, `missing member "kty"`},
		{"unknown kty", map[string]string{"kty": "DSA"}, "unsupported kty"},
		{"rsa without n", map[string]string{"kty": "RSA", "e": "AQAB"}, `requires member "n"`},
		{"ec without y", map[string]string{"kty": "EC", "crv": "P-256", "x": full32}, `requires member "y"`},
		{"okp without crv", map[string]string{"kty": "OKP", "x": full32}, `requires member "crv"`},
		{"ec unknown crv", map[string]string{"kty": "EC", "crv": "P-192", "x": full32, "y": full32}, "unsupported EC crv"},
		// The leading-zero bug: a P-256 coordinate shortened to 31 octets.
		{"ec short x", map[string]string{"kty": "EC", "crv": "P-256", "x": short31, "y": full32}, "is 31 octets, must be exactly 32"},
		{"ec short y", map[string]string{"kty": "EC", "crv": "P-256", "x": full32, "y": short31}, `"y" is 31 octets`},
		{"ec p384 with p256 sizes", map[string]string{"kty": "EC", "crv": "P-384", "x": full32, "y": full32}, "must be exactly 48"},
		{"ec p256 with p384 sizes", map[string]string{"kty": "EC", "crv": "P-256", "x": full48, "y": full48}, "must be exactly 32"},
		{"ec padded", map[string]string{"kty": "EC", "crv": "P-256", "x": full32 + "=", "y": full32}, "not base64url"},
		{"ec std alphabet", map[string]string{"kty": "EC", "crv": "P-256", "x": strings.Replace(full32, "A", "+", 1), "y": full32}, "not base64url"},
		{"ec newline", map[string]string{"kty": "EC", "crv": "P-256", "x": full32[:10] + "\n" + full32[10:], "y": full32}, "not base64url"},
		{"okp wrong size", map[string]string{"kty": "OKP", "crv": "Ed25519", "x": full48}, "must be exactly 32"},
		{"okp unknown crv", map[string]string{"kty": "OKP", "crv": "Ed99", "x": full32}, "unsupported OKP crv"},
		{"rsa leading zero n", map[string]string{"kty": "RSA", "n": "AAE", "e": "AQAB"}, `"n" has a leading zero octet`},
		{"rsa leading zero e", map[string]string{"kty": "RSA", "n": rfc7638N, "e": "AAEAAQ"}, `"e" has a leading zero octet`},
		{"rsa empty e", map[string]string{"kty": "RSA", "n": rfc7638N, "e": ""}, `"e" is empty`},
		{"rsa non-canonical bits", map[string]string{"kty": "RSA", "n": rfc7638N, "e": "AQB"}, "not valid base64url"},
		{"oct empty", map[string]string{"kty": "oct", "k": ""}, "empty"},
		{"json escape attempt", map[string]string{"kty": "RSA", "n": `a","kty":"EC`, "e": "AQAB"}, "not base64url"},
	}
	for _, tc := range tests {
		got, err := Thumbprint(tc.jwk)
		if err == nil {
			t.Errorf("%s: Thumbprint = %q, want error containing %q", tc.name, got, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.name, err, tc.want)
		}
	}
}

func TestThumbprintDoesNotLeakOctKey(t *testing.T) {
	t.Parallel()
	secret := "c2VjcmV0LWtleS1tYXRlcmlhbA=" // padded: invalid
	_, err := Thumbprint(map[string]string{"kty": "oct", "k": secret})
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("error %v must exist and not quote the key", err)
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	if got, err := JWKS(nil); err != nil || got != `{"keys":[]}` {
		t.Errorf("JWKS(nil) = %q, %v", got, err)
	}
	if got, err := JWKS([]string{}); err != nil || got != `{"keys":[]}` {
		t.Errorf("JWKS([]) = %q, %v", got, err)
	}
	a, err := Generate(TypeEd25519, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(TypeECDSAP256, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := JWKS([]string{b.PublicJWK, "\n " + a.PublicJWK + " \n"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"keys":[` + b.PublicJWK + `,` + a.PublicJWK + `]}`; got != want {
		t.Errorf("JWKS = %s\nwant   %s", got, want)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(got), &set); err != nil {
		t.Fatalf("go-jose cannot parse the JWKS: %v", err)
	}
	if len(set.Keys) != 2 || set.Keys[0].KeyID != b.KID || set.Keys[1].KeyID != a.KID {
		t.Errorf("go-jose JWKS order/kids wrong: %+v", set.Keys)
	}

	bad := []struct {
		name string
		in   []string
		want string
	}{
		{"not json", []string{a.PublicJWK, "{"}, "key 1 is not a JSON object"},
		{"array", []string{"[]"}, "key 0 is not a JSON object"},
		{"null", []string{"null"}, "key 0 is not a JSON object"},
		{"trailing", []string{a.PublicJWK + "{}"}, "key 0 is not a JSON object"},
		{"no kty", []string{`{"kid":"x"}`}, `no string member "kty"`},
		{"numeric kty", []string{`{"kty":1}`}, `no string member "kty"`},
		{"private d", []string{`{"kty":"OKP","crv":"Ed25519","x":"` + rfc8037X + `","d":"` + rfc8037D + `"}`}, `private member "d"`},
		{"private k", []string{`{"kty":"oct","k":"AAAA"}`}, `private member "k"`},
		{"private p", []string{`{"kty":"RSA","n":"AQAB","e":"AQAB","p":"AQ"}`}, `private member "p"`},
		{"duplicate kid", []string{a.PublicJWK, b.PublicJWK, a.PublicJWK}, "keys 0 and 2 have the same kid"},
		{"non-string kid", []string{`{"kty":"EC","kid":5}`}, `non-string "kid"`},
	}
	for _, tc := range bad {
		_, err := JWKS(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: JWKS error %v, want one containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), rfc8037D) {
			t.Errorf("%s: error quotes private material", tc.name)
		}
	}
}
