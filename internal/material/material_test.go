package material

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// asymmetricCase is an asymmetric type with the options used to test it
// and what its JWK must look like.
type asymmetricCase struct {
	name    string
	t       Type
	rsaBits int
	kty     string
	crv     string
	alg     string
	members []string // sorted
}

// asymmetricCases lists every asymmetric type.
var asymmetricCases = []asymmetricCase{
	{"ed25519", TypeEd25519, 0, "OKP", "Ed25519", "EdDSA", []string{"alg", "crv", "kid", "kty", "use", "x"}},
	{"ecdsa-p256", TypeECDSAP256, 0, "EC", "P-256", "ES256", []string{"alg", "crv", "kid", "kty", "use", "x", "y"}},
	{"ecdsa-p384", TypeECDSAP384, 0, "EC", "P-384", "ES384", []string{"alg", "crv", "kid", "kty", "use", "x", "y"}},
	{"rsa-2048", TypeRSA, 2048, "RSA", "", "RS256", []string{"alg", "e", "kid", "kty", "n", "use"}},
	{"rsa-3072", TypeRSA, 3072, "RSA", "", "RS256", []string{"alg", "e", "kid", "kty", "n", "use"}},
	{"rsa-4096", TypeRSA, 4096, "RSA", "", "RS256", []string{"alg", "e", "kid", "kty", "n", "use"}},
}

// decodePEM returns the single PEM block of s, failing on anything else.
func decodePEM(t testing.TB, s, wantType string) []byte {
	t.Helper()
	block, rest := pem.Decode([]byte(s))
	if block == nil {
		t.Fatalf("not PEM")
		return nil
	}
	if block.Type != wantType {
		t.Fatalf("PEM type %q, want %q", block.Type, wantType)
	}
	if len(rest) != 0 || len(block.Headers) != 0 {
		t.Fatalf("PEM has headers or trailing data")
	}
	if !strings.HasSuffix(s, "\n") {
		t.Fatalf("PEM does not end with a newline")
	}
	return block.Bytes
}

func b64d(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		t.Fatalf("not base64url without padding: %v", err)
	}
	return b
}

type equaler interface{ Equal(crypto.PublicKey) bool }

func TestAsymmetricMaterial(t *testing.T) {
	t.Parallel()
	for _, tc := range asymmetricCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := DefaultOptions()
			if tc.rsaBits != 0 {
				o.RSABits = tc.rsaBits
			}
			m, err := Generate(tc.t, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkAsymmetricMaterial(t, tc, m)
		})
	}
}

// checkAsymmetricMaterial checks everything an asymmetric Material of case
// tc must satisfy, whether generated or derived.
func checkAsymmetricMaterial(t *testing.T, tc asymmetricCase, m Material) {
	t.Helper()
	// Private key: PKCS#8 PEM of the right kind.
	key, err := x509.ParsePKCS8PrivateKey(decodePEM(t, m.Secret, "PRIVATE KEY"))
	if err != nil {
		t.Fatalf("ParsePKCS8PrivateKey: %v", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("private key %T is not a crypto.Signer", key)
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if tc.t != TypeEd25519 {
			t.Fatalf("got Ed25519 key for %s", tc.t)
		}
	case *ecdsa.PrivateKey:
		if k.Curve.Params().Name != tc.crv {
			t.Fatalf("curve %s, want %s", k.Curve.Params().Name, tc.crv)
		}
	case *rsa.PrivateKey:
		if k.N.BitLen() != tc.rsaBits || k.E != 65537 {
			t.Fatalf("RSA key %d bits e=%d, want %d bits e=65537", k.N.BitLen(), k.E, tc.rsaBits)
		}
	default:
		t.Fatalf("unexpected key type %T", key)
	}
	pub := signer.Public()
	eq, ok := pub.(equaler)
	if !ok {
		t.Fatalf("%T has no Equal", pub)
	}

	// Public key: PKIX PEM of the same key.
	pkix, err := x509.ParsePKIXPublicKey(decodePEM(t, m.PublicKeyPEM, "PUBLIC KEY"))
	if err != nil {
		t.Fatalf("ParsePKIXPublicKey: %v", err)
	}
	if !eq.Equal(pkix) {
		t.Fatalf("PKIX public key differs from the private key's")
	}

	// JWK: exact members, sorted, deterministic.
	var members map[string]string
	if err := json.Unmarshal([]byte(m.PublicJWK), &members); err != nil {
		t.Fatalf("JWK is not a JSON object of strings: %v", err)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range members {
			if !yield(k) {
				return
			}
		}
	})
	if !slices.Equal(names, tc.members) {
		t.Errorf("JWK members %v, want %v", names, tc.members)
	}
	again, _ := json.Marshal(members)
	if string(again) != m.PublicJWK {
		t.Errorf("JWK is not compact with sorted members:\n%s\n%s", m.PublicJWK, again)
	}
	if members["kty"] != tc.kty || members["crv"] != tc.crv || members["alg"] != tc.alg || members["use"] != "sig" || members["kid"] != m.KID {
		t.Errorf("JWK %s: wrong kty/crv/alg/use/kid", m.PublicJWK)
	}
	switch tc.kty {
	case "RSA":
		n := b64d(t, members["n"])
		if len(n) != tc.rsaBits/8 || n[0] == 0 {
			t.Errorf("n is %d octets (first %#x), want %d without leading zero", len(n), n[0], tc.rsaBits/8)
		}
		if members["e"] != "AQAB" {
			t.Errorf("e = %q, want AQAB", members["e"])
		}
	case "OKP":
		if x := b64d(t, members["x"]); len(x) != 32 {
			t.Errorf("x is %d octets", len(x))
		}
	}

	// go-jose reads the JWK as the same public key.
	var jk jose.JSONWebKey
	if err := jk.UnmarshalJSON([]byte(m.PublicJWK)); err != nil {
		t.Fatalf("go-jose cannot parse the JWK: %v", err)
	}
	if !jk.IsPublic() || !jk.Valid() || jk.KeyID != m.KID || jk.Algorithm != tc.alg || jk.Use != "sig" {
		t.Errorf("go-jose JWK: public=%v valid=%v kid=%q alg=%q use=%q", jk.IsPublic(), jk.Valid(), jk.KeyID, jk.Algorithm, jk.Use)
	}
	if !eq.Equal(jk.Key) {
		t.Errorf("go-jose JWK key differs from the private key's public key")
	}

	// kid = RFC 7638 thumbprint, computed three ways.
	if len(m.KID) != 43 {
		t.Errorf("kid %q is not 43 characters", m.KID)
	}
	indep := jose.JSONWebKey{Key: pub}
	sum, err := indep.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if want := base64.RawURLEncoding.EncodeToString(sum); m.KID != want {
		t.Errorf("kid %s, go-jose thumbprint of the key %s", m.KID, want)
	}
	if ours, err := Thumbprint(members); err != nil || ours != m.KID {
		t.Errorf("Thumbprint(JWK) = %s, %v; want %s", ours, err, m.KID)
	}

	// PublicFromSecret round-trips, also with surrounding whitespace.
	for _, secret := range []string{m.Secret, "\n \t" + m.Secret + "\n\n", strings.TrimSuffix(m.Secret, "\n"), strings.ReplaceAll(m.Secret, "\n", "\r\n")} {
		p, j, k, err := PublicFromSecret(tc.t, secret)
		if err != nil {
			t.Fatalf("PublicFromSecret: %v", err)
		}
		if p != m.PublicKeyPEM || j != m.PublicJWK || k != m.KID {
			t.Errorf("PublicFromSecret differs from Generate")
		}
	}
	// ... and refuses the key under every other type.
	for _, other := range Types() {
		if other == tc.t {
			continue
		}
		_, _, _, err := PublicFromSecret(other, m.Secret)
		if err == nil {
			t.Errorf("PublicFromSecret(%s, %s key) succeeded", other, tc.t)
			continue
		}
		if strings.Contains(err.Error(), strings.Split(m.Secret, "\n")[1]) {
			t.Errorf("error quotes the secret: %v", err)
		}
		if !other.Asymmetric() && !errors.Is(err, ErrNoPublicKey) {
			t.Errorf("PublicFromSecret(%s): %v, want ErrNoPublicKey", other, err)
		}
	}
}

// TestEd25519KnownAnswer generates the RFC 8037 appendix A key from its
// seed and checks the exact JWK bytes.
func TestEd25519KnownAnswer(t *testing.T) {
	t.Parallel()
	seed, err := base64.RawURLEncoding.DecodeString(rfc8037D)
	if err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(seed)
	m, err := Generate(TypeEd25519, Options{}, r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"alg":"EdDSA","crv":"Ed25519","kid":"` + rfc8037Thumbprint + `","kty":"OKP","use":"sig","x":"` + rfc8037X + `"}`
	if m.PublicJWK != want {
		t.Errorf("JWK\n%s\nwant\n%s", m.PublicJWK, want)
	}
	if m.KID != rfc8037Thumbprint {
		t.Errorf("kid %s", m.KID)
	}
	if r.Len() != 0 {
		t.Errorf("%d seed bytes unread", r.Len())
	}
}

// TestECCoordinatesFullLength generates many EC keys: about one in 128 has
// an x or y coordinate with a leading zero octet, which big.Int.Bytes would
// drop. Every coordinate must decode to the full length and every kid must
// equal go-jose's thumbprint of the key itself (not of our JSON).
func TestECCoordinatesFullLength(t *testing.T) {
	t.Parallel()
	n := 3000
	if testing.Short() {
		n = 300
	}
	for _, tc := range []struct {
		t    Type
		size int
	}{{TypeECDSAP256, 32}, {TypeECDSAP384, 48}} {
		t.Run(string(tc.t), func(t *testing.T) {
			t.Parallel()
			leadingZero := 0
			for range n {
				m, err := Generate(tc.t, Options{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if checkECCoordinates(t, tc.size, m) {
					leadingZero++
				}
			}
			t.Logf("%d keys, %d with a leading zero octet in x or y", n, leadingZero)
			// With 3000 keys the chance of none is (255/256)^6000 < 1e-10,
			// so this proves the case above was exercised.
			if !testing.Short() && leadingZero == 0 {
				t.Errorf("no key with a leading zero coordinate among %d", n)
			}
		})
	}
}

// checkECCoordinates checks that an EC Material's JWK coordinates have
// the full length size, and that its kid is go-jose's thumbprint of the
// private key's public key and of the JWK. It reports whether x or y has a
// leading zero octet.
func checkECCoordinates(t *testing.T, size int, m Material) (leadingZero bool) {
	t.Helper()
	var members map[string]string
	if err := json.Unmarshal([]byte(m.PublicJWK), &members); err != nil {
		t.Fatal(err)
	}
	x, y := b64d(t, members["x"]), b64d(t, members["y"])
	if len(x) != size || len(y) != size {
		t.Fatalf("x is %d and y %d octets, want %d (JWK %s)", len(x), len(y), size, m.PublicJWK)
	}
	leadingZero = x[0] == 0 || y[0] == 0
	key, err := x509.ParsePKCS8PrivateKey(decodePEM(t, m.Secret, "PRIVATE KEY"))
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("%T", key)
	}
	jk := jose.JSONWebKey{Key: &priv.PublicKey}
	sum, err := jk.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if want := base64.RawURLEncoding.EncodeToString(sum); m.KID != want {
		t.Fatalf("kid %s, go-jose %s (JWK %s)", m.KID, want, m.PublicJWK)
	}
	// go-jose also refuses short coordinates when parsing.
	if got := joseThumbprint(t, m.PublicJWK); got != m.KID {
		t.Fatalf("go-jose thumbprint of the JWK %s, kid %s", got, m.KID)
	}
	return leadingZero
}

func TestHMACMaterial(t *testing.T) {
	t.Parallel()
	key := make([]byte, 64)
	for i := range key {
		key[i] = byte(i)
	}
	o := DefaultOptions()
	o.HMACBytes = 32
	r := bytes.NewReader(key)
	m, err := Generate(TypeHMAC, o, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"; m.Secret != want {
		t.Errorf("secret %q, want %q (base64url, no padding, of bytes 0..31)", m.Secret, want)
	}
	if r.Len() != 32 {
		t.Errorf("read %d bytes, want 32", 64-r.Len())
	}
	if m.PublicKeyPEM != "" || m.PublicJWK != "" {
		t.Errorf("hmac has public parts")
	}
	for _, size := range []int{32, 48, 64, 1024} {
		o.HMACBytes = size
		m, err := Generate(TypeHMAC, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(b64d(t, m.Secret)); got != size {
			t.Errorf("hmac_bytes=%d: key has %d bytes", size, got)
		}
	}
}

func TestSymmetricKID(t *testing.T) {
	t.Parallel()
	const n = 10_000
	for _, ty := range []Type{TypePassword, TypeHMAC} {
		seen := make(map[string]bool, n)
		o := DefaultOptions()
		for range n {
			m, err := Generate(ty, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			raw := b64d(t, m.KID)
			if len(raw)*8 < 96 {
				t.Fatalf("%s kid has %d bits, want >= 96", ty, len(raw)*8)
			}
			if seen[m.KID] {
				t.Fatalf("%s kid repeated after %d generations", ty, len(seen))
			}
			seen[m.KID] = true
			if strings.Contains(m.Secret, m.KID) {
				t.Fatalf("%s kid is part of the secret", ty)
			}
		}
	}
}

// TestSymmetricKIDNotDerived generates the same secret twice from the same
// deterministic bytes: the kids must differ, and the generator must not
// read the kid from that reader (it holds exactly the secret's bytes).
func TestSymmetricKIDNotDerived(t *testing.T) {
	t.Parallel()
	keyBytes := bytes.Repeat([]byte{0x42}, 32)
	pwBytes := bytes.Repeat([]byte{7}, MinLength)
	o := DefaultOptions()
	o.Length = MinLength
	for _, tc := range []struct {
		t  Type
		in []byte
	}{{TypeHMAC, keyBytes}, {TypePassword, pwBytes}} {
		a, err := Generate(tc.t, o, bytes.NewReader(tc.in))
		if err != nil {
			t.Fatalf("%s: %v (the kid must not come from the given reader)", tc.t, err)
		}
		b, err := Generate(tc.t, o, bytes.NewReader(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if a.Secret != b.Secret {
			t.Fatalf("%s: same reader, different secrets", tc.t)
		}
		if a.KID == b.KID {
			t.Errorf("%s: same secret, same kid %q: the kid is derived from the secret", tc.t, a.KID)
		}
	}
}

func TestPublicFromSecretErrors(t *testing.T) {
	t.Parallel()
	pemOf := func(typ string, der []byte, headers map[string]string) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: der}))
	}
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec1, err := x509.MarshalECPrivateKey(p256)
	if err != nil {
		t.Fatal(err)
	}
	good := pemOf("PRIVATE KEY", pkcs8(p256), nil)
	tests := []struct {
		name   string
		t      Type
		secret string
		want   string
	}{
		{"empty", TypeECDSAP256, "", "not a PEM block"},
		{"garbage", TypeECDSAP256, "hunter2hunter2", "not a PEM block"},
		{"sec1 block", TypeECDSAP256, pemOf("EC PRIVATE KEY", ec1, nil), `PEM "EC PRIVATE KEY" block, want PRIVATE KEY`},
		{"pkcs1 block", TypeRSA, pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsa1024), nil), `"RSA PRIVATE KEY"`},
		{"public key", TypeECDSAP256, pemOf("PUBLIC KEY", []byte{1, 2, 3}, nil), `"PUBLIC KEY"`},
		{"headers", TypeECDSAP256, pemOf("PRIVATE KEY", pkcs8(p256), map[string]string{"Proc-Type": "4,ENCRYPTED"}), "has headers"},
		{"trailing data", TypeECDSAP256, good + "extra", "data after the PEM block"},
		{"two blocks", TypeECDSAP256, good + good, "data after the PEM block"},
		{"leading text", TypeECDSAP256, "key:\n" + good, "not a PEM block"},
		{"bad der", TypeECDSAP256, pemOf("PRIVATE KEY", []byte{0x30, 0x03, 1, 2, 3}, nil), "not a PKCS#8 private key"},
		{"p521", TypeECDSAP384, pemOf("PRIVATE KEY", pkcs8(p521), nil), "curve P-521, want P-384"},
		{"p256 as p384", TypeECDSAP384, good, "curve P-256, want P-384"},
		{"rsa 1024", TypeRSA, pemOf("PRIVATE KEY", pkcs8(rsa1024), nil), "1024-bit RSA key"},
		{"x25519", TypeEd25519, pemOf("PRIVATE KEY", pkcs8(x25519), nil), "unsupported key type"},
		{"symmetric", TypeHMAC, good, "no public key"},
		{"password", TypePassword, "hunter2hunter2", "no public key"},
		{"unknown type", Type("dsa"), good, "type must be one of"},
	}
	for _, tc := range tests {
		_, _, _, err := PublicFromSecret(tc.t, tc.secret)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || (len(tc.secret) > 40 && strings.Contains(err.Error(), tc.secret[30:40])) {
			t.Errorf("%s: error quotes the secret: %v", tc.name, err)
		}
	}
	if _, _, _, err := PublicFromSecret(TypeHMAC, "x"); !errors.Is(err, ErrNoPublicKey) {
		t.Errorf("hmac: %v, want ErrNoPublicKey", err)
	}
}

func TestMaterialRedaction(t *testing.T) {
	t.Parallel()
	for _, ty := range []Type{TypePassword, TypeHMAC, TypeEd25519} {
		m, err := Generate(ty, DefaultOptions(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "%v|%+v|%s|%#v|%v|%+v|%#v", m, m, m, m, &m, &m, &m)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "material", m, "ptr", &m)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "material", m, "ptr", &m)
		out := buf.String()
		needle := m.Secret
		if ty == TypeEd25519 {
			needle = strings.Split(m.Secret, "\n")[1] // the base64 body
		}
		if strings.Contains(out, needle) {
			t.Errorf("%s: formatted Material contains the secret: %s", ty, out)
		}
		if !strings.Contains(out, m.KID) || !strings.Contains(out, "redacted") {
			t.Errorf("%s: formatted Material lacks the kid or the redaction marker: %s", ty, out)
		}
	}
}
