package material

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Material is one version's key material.
//
// Secret is sensitive. fmt (%v, %+v, %s, %#v) and log/slog print Material
// with Secret redacted; code that really needs the secret reads the field.
type Material struct {
	// Secret is the password (password), the base64url-encoded key without
	// padding (hmac) or the PKCS#8 PEM private key (asymmetric types).
	Secret string
	// PublicKeyPEM is the PKIX ("PUBLIC KEY") PEM public key, "" for
	// symmetric types.
	PublicKeyPEM string
	// PublicJWK is the compact JSON public JWK with sorted members, "" for
	// symmetric types.
	PublicJWK string
	// KID is the key ID: RFC 7638 thumbprint (asymmetric) or 128 random
	// bits (symmetric), base64url without padding.
	KID string
}

const redacted = "(sensitive value redacted)"

// String implements fmt.Stringer without the secret.
func (m Material) String() string {
	return fmt.Sprintf("material.Material{KID:%q, Secret:%s, PublicKeyPEM:%d bytes, PublicJWK:%q}",
		m.KID, redacted, len(m.PublicKeyPEM), m.PublicJWK)
}

// GoString implements fmt.GoStringer without the secret.
func (m Material) GoString() string { return m.String() }

// LogValue implements slog.LogValuer without the secret.
func (m Material) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kid", m.KID),
		slog.String("secret", redacted),
		slog.String("public_jwk", m.PublicJWK),
	)
}

// symmetricKIDBytes is the size of a symmetric kid: 128 bits.
const symmetricKIDBytes = 16

// randomKID returns a fresh symmetric kid from crypto/rand (never from the
// reader given to Generate, so a kid is never related to the secret).
func randomKID() string {
	b := make([]byte, symmetricKIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+); it crashes instead.
	return b64.EncodeToString(b)
}

// Generate creates new material of type t. rnd supplies the randomness of
// password characters, HMAC keys and Ed25519 seeds; nil means
// crypto/rand.Reader, which production code should pass. ECDSA and RSA keys
// always come from the system generator (crypto/ecdsa and crypto/rsa ignore
// custom readers since Go 1.26), and symmetric kids always come from
// crypto/rand. Options are validated for t first.
func Generate(t Type, o Options, rnd io.Reader) (Material, error) {
	if err := o.Validate(t); err != nil {
		return Material{}, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	switch t {
	case TypePassword:
		pw, err := samplePassword(rnd, PasswordAlphabet(o.Special), o.Length)
		if err != nil {
			return Material{}, err
		}
		return Material{Secret: pw, KID: randomKID()}, nil
	case TypeHMAC:
		key := make([]byte, o.HMACBytes)
		defer clear(key)
		if _, err := io.ReadFull(rnd, key); err != nil {
			return Material{}, fmt.Errorf("hmac: reading random source: %w", err)
		}
		return Material{Secret: b64.EncodeToString(key), KID: randomKID()}, nil
	case TypeEd25519:
		_, priv, err := ed25519.GenerateKey(rnd)
		if err != nil {
			return Material{}, fmt.Errorf("ed25519: generating key: %w", err)
		}
		return fromPrivate(t, priv)
	case TypeECDSAP256, TypeECDSAP384:
		curve := elliptic.P256()
		if t == TypeECDSAP384 {
			curve = elliptic.P384()
		}
		priv, err := ecdsa.GenerateKey(curve, rnd)
		if err != nil {
			return Material{}, fmt.Errorf("%s: generating key: %w", t, err)
		}
		return fromPrivate(t, priv)
	case TypeRSA:
		priv, err := rsa.GenerateKey(rnd, o.RSABits)
		if err != nil {
			return Material{}, fmt.Errorf("rsa: generating %d-bit key: %w", o.RSABits, err)
		}
		return fromPrivate(t, priv)
	}
	// Unreachable: Validate rejects unknown types.
	return Material{}, fmt.Errorf("type %s is not supported", quoteShort(string(t)))
}

// fromPrivate encodes an asymmetric private key as Material.
func fromPrivate(t Type, priv crypto.Signer) (Material, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Material{}, fmt.Errorf("%s: encoding private key as PKCS#8: %w", t, err)
	}
	defer clear(der)
	pubPEM, jwk, kid, err := publicParts(t, priv.Public())
	if err != nil {
		return Material{}, err
	}
	return Material{
		Secret:       string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		PublicKeyPEM: pubPEM,
		PublicJWK:    jwk,
		KID:          kid,
	}, nil
}

// publicParts returns the PKIX PEM, the JWK and the kid of a public key.
func publicParts(t Type, pub crypto.PublicKey) (pemText, jwk, kid string, err error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", "", "", fmt.Errorf("%s: encoding public key as PKIX: %w", t, err)
	}
	jwk, kid, err = publicJWK(t, pub)
	if err != nil {
		return "", "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), jwk, kid, nil
}

// ErrNoPublicKey is returned by PublicFromSecret for symmetric types.
var ErrNoPublicKey = errors.New("symmetric types have no public key")

// PublicFromSecret recomputes the public PEM, JWK and kid from a stored
// asymmetric Secret (a PKCS#8 PEM private key), for checking state. The
// secret must be exactly one "PRIVATE KEY" PEM block without headers
// (surrounding whitespace is allowed) holding a key of type t: Ed25519,
// ECDSA on the type's curve, or RSA of 2048, 3072 or 4096 bits. Symmetric
// types return an error wrapping ErrNoPublicKey. Errors never quote the
// secret.
func PublicFromSecret(t Type, secret string) (pemText, jwk, kid string, err error) {
	if _, err := ParseType(string(t)); err != nil {
		return "", "", "", err
	}
	if !t.Asymmetric() {
		return "", "", "", fmt.Errorf("type %q: %w", t, ErrNoPublicKey)
	}
	trimmed := strings.TrimSpace(secret)
	if !strings.HasPrefix(trimmed, "-----BEGIN ") {
		return "", "", "", fmt.Errorf("type %q: secret is not a PEM block", t)
	}
	block, rest := pem.Decode([]byte(trimmed))
	if block == nil {
		return "", "", "", fmt.Errorf("type %q: secret is not a PEM block", t)
	}
	defer clear(block.Bytes)
	if block.Type != "PRIVATE KEY" {
		return "", "", "", fmt.Errorf("type %q: secret is a PEM %s block, want PRIVATE KEY (PKCS#8)", t, quoteShort(block.Type))
	}
	if len(block.Headers) != 0 {
		return "", "", "", fmt.Errorf("type %q: secret PEM block has headers; encrypted or non-standard keys are not supported", t)
	}
	if len(rest) != 0 {
		return "", "", "", fmt.Errorf("type %q: secret has data after the PEM block", t)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		// The x509 error describes the ASN.1 structure, not the key bytes.
		return "", "", "", fmt.Errorf("type %q: secret is not a PKCS#8 private key: %w", t, err)
	}
	var pub crypto.PublicKey
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if t != TypeEd25519 {
			return "", "", "", fmt.Errorf("type %q: secret is an Ed25519 key", t)
		}
		pub = k.Public()
	case *ecdsa.PrivateKey:
		want, name := elliptic.P256(), "P-256"
		if t == TypeECDSAP384 {
			want, name = elliptic.P384(), "P-384"
		}
		if t != TypeECDSAP256 && t != TypeECDSAP384 {
			return "", "", "", fmt.Errorf("type %q: secret is an ECDSA key", t)
		}
		if k.Curve != want {
			return "", "", "", fmt.Errorf("type %q: secret is an ECDSA key on curve %s, want %s", t, k.Curve.Params().Name, name)
		}
		pub = k.Public()
	case *rsa.PrivateKey:
		if t != TypeRSA {
			return "", "", "", fmt.Errorf("type %q: secret is an RSA key", t)
		}
		if bits := k.N.BitLen(); !rsaBitsOK(bits) {
			return "", "", "", fmt.Errorf("type %q: secret is a %d-bit RSA key, want 2048, 3072 or 4096", t, bits)
		}
		pub = k.Public()
	default:
		return "", "", "", fmt.Errorf("type %q: secret holds an unsupported key type %T", t, key)
	}
	return publicParts(t, pub)
}
