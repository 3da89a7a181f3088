package material

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// ErrNoPrivateJWK is wrapped by the error PrivateJWK returns for a password,
// which has no JWK form.
var ErrNoPrivateJWK = errors.New("has no JWK form")

// PrivateJWK returns the private JWK of a version's Secret, for consumers
// that load signing keys as JWKs (the ephemeral resource
// rotation_secret_material gives it to them; rotation_secret never stores
// it). kid is the version's kid, written as the "kid" member.
//
//   - ed25519, ecdsa-p256, ecdsa-p384, rsa: the public JWK's members plus
//     the private ones (OKP d, RFC 8037 §2; EC d at the full length of the
//     curve's order, RFC 7518 §6.2.2.1; RSA d, p, q, dp, dq, qi, RFC 7518
//     §6.3.2), with alg and use = "sig". Secret must be what Generate or
//     Derive made (PublicFromSecret's rules), and the kid must be the RFC
//     7638 thumbprint of its public key.
//   - hmac: {"alg":"HS256","k":<Secret>,"kid":<kid>,"kty":"oct","use":"sig"}:
//     Secret already is base64url without padding.
//   - password: an error wrapping ErrNoPrivateJWK.
//
// Members are sorted by name. Errors never contain the secret.
func PrivateJWK(t Type, secret, kid string) (string, error) {
	if _, err := ParseType(string(t)); err != nil {
		return "", err
	}
	if kid == "" {
		return "", errors.New("private jwk: kid is empty")
	}
	var m map[string]string
	switch t {
	case TypePassword:
		return "", fmt.Errorf("type %q %w", t, ErrNoPrivateJWK)
	case TypeHMAC:
		raw, err := decodeB64("k", secret)
		if err != nil || len(raw) == 0 {
			clear(raw)
			return "", fmt.Errorf("type %q: secret is not base64url without padding", t)
		}
		clear(raw)
		m = map[string]string{"kty": "oct", "k": secret}
	default:
		_, _, pubKID, err := PublicFromSecret(t, secret)
		if err != nil {
			return "", err
		}
		if pubKID != kid {
			return "", fmt.Errorf("type %q: kid %s is not the RFC 7638 thumbprint of the secret's public key (%s)", t, quoteShort(kid), pubKID)
		}
		// PublicFromSecret checked the block, its type and the key.
		block, _ := pem.Decode([]byte(strings.TrimSpace(secret)))
		defer clear(block.Bytes)
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("type %q: secret is not a PKCS#8 private key: %w", t, err)
		}
		if m, err = privateJWKFields(t, key); err != nil {
			return "", err
		}
	}
	m["kid"] = kid
	if alg := t.Algorithm(); alg != "" {
		m["alg"] = alg
	}
	m["use"] = "sig"
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("type %q: encoding JWK", t)
	}
	return string(b), nil
}

// privateJWKFields returns the public and private members of key.
func privateJWKFields(t Type, key any) (map[string]string, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		m, err := publicJWKMembers(t, k.Public())
		if err != nil {
			return nil, err
		}
		m["d"] = b64.EncodeToString(k.Seed())
		return m, nil
	case *ecdsa.PrivateKey:
		m, err := publicJWKMembers(t, &k.PublicKey)
		if err != nil {
			return nil, err
		}
		d, err := k.Bytes() // fixed length: the byte length of the order
		if err != nil {
			return nil, fmt.Errorf("type %q: encoding the private scalar", t)
		}
		m["d"] = b64.EncodeToString(d)
		clear(d)
		return m, nil
	case *rsa.PrivateKey:
		m, err := publicJWKMembers(t, &k.PublicKey)
		if err != nil {
			return nil, err
		}
		if len(k.Primes) != 2 {
			return nil, fmt.Errorf("type %q: multi-prime RSA keys are not supported", t)
		}
		k.Precompute()
		enc := func(n *big.Int) string { return b64.EncodeToString(n.Bytes()) }
		m["d"], m["p"], m["q"] = enc(k.D), enc(k.Primes[0]), enc(k.Primes[1])
		m["dp"], m["dq"], m["qi"] = enc(k.Precomputed.Dp), enc(k.Precomputed.Dq), enc(k.Precomputed.Qinv)
		return m, nil
	}
	return nil, fmt.Errorf("type %q: unsupported private key %T", t, key)
}

// PublicFromPEM reads a stored public key (PKIX "PUBLIC KEY" PEM, as
// PublicKeyPEM holds it) of type t and returns its public JWK and kid (RFC
// 7638 thumbprint), for checking a derived version's record, which keeps
// no private key to compare with.
func PublicFromPEM(t Type, pemText string) (jwk, kid string, err error) {
	if _, err := ParseType(string(t)); err != nil {
		return "", "", err
	}
	if !t.Asymmetric() {
		return "", "", fmt.Errorf("type %q: %w", t, ErrNoPublicKey)
	}
	block, rest := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil || block.Type != "PUBLIC KEY" || len(rest) != 0 {
		return "", "", fmt.Errorf("type %q: not exactly one PEM PUBLIC KEY block", t)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return "", "", fmt.Errorf("type %q: not a PKIX public key: %w", t, err)
	}
	return publicJWK(t, pub)
}
