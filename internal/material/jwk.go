package material

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// b64 is base64url without padding (RFC 7515 §2 "Base64url Encoding").
var b64 = base64.RawURLEncoding

// thumbprintMembers lists, per kty, the required members that make up the
// RFC 7638 hash input, already in lexicographic order (RFC 7638 §3.2, RFC
// 8037 §2 for OKP).
var thumbprintMembers = map[string][]string{
	"EC":  {"crv", "kty", "x", "y"},
	"OKP": {"crv", "kty", "x"},
	"RSA": {"e", "kty", "n"},
	"oct": {"k", "kty"},
}

// ecCoordinateSize is the fixed octet length of x and y per EC curve (RFC
// 7518 §6.2.1.2, RFC 8812 §3.1).
var ecCoordinateSize = map[string]int{
	"P-256":     32,
	"P-384":     48,
	"P-521":     66,
	"secp256k1": 32,
}

// okpKeySize is the octet length of x per OKP curve (RFC 8037 §2).
var okpKeySize = map[string]int{
	"Ed25519": 32,
	"Ed448":   57,
	"X25519":  32,
	"X448":    56,
}

// Thumbprint returns the RFC 7638 JWK thumbprint of jwk with SHA-256,
// base64url without padding. Only the required members of the key type
// are hashed (EC: crv, kty, x, y; OKP: crv, kty, x; RSA: e, kty, n; oct: k,
// kty), so kid, alg, use and any other member do not change the result.
//
// The members are validated first, so that the same key always gets the
// same thumbprint whatever produced the JWK: base64url values must be
// unpadded and use only the base64url alphabet; EC x and y must have the
// full coordinate length of the curve and OKP x the key length (P-256,
// P-384, P-521, secp256k1; Ed25519, Ed448, X25519, X448); RSA n and e must
// be Base64urlUInt without a leading zero octet. The hash input then needs
// no JSON escaping.
func Thumbprint(jwk map[string]string) (string, error) {
	kty, ok := jwk["kty"]
	if !ok {
		return "", errors.New("jwk thumbprint: missing member \"kty\"")
	}
	members, ok := thumbprintMembers[kty]
	if !ok {
		return "", fmt.Errorf("jwk thumbprint: unsupported kty %s (want EC, OKP, RSA or oct)", quoteShort(kty))
	}
	for _, m := range members {
		if _, ok := jwk[m]; !ok {
			return "", fmt.Errorf("jwk thumbprint: kty %q requires member %q", kty, m)
		}
	}
	if err := validateThumbprintMembers(kty, jwk); err != nil {
		return "", fmt.Errorf("jwk thumbprint: %w", err)
	}

	var in bytes.Buffer
	in.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			in.WriteByte(',')
		}
		// Names and values are validated above to be plain ASCII without
		// characters that JSON would escape.
		in.WriteByte('"')
		in.WriteString(m)
		in.WriteString(`":"`)
		in.WriteString(jwk[m])
		in.WriteByte('"')
	}
	in.WriteByte('}')
	sum := sha256.Sum256(in.Bytes())
	return b64.EncodeToString(sum[:]), nil
}

func validateThumbprintMembers(kty string, jwk map[string]string) error {
	switch kty {
	case "EC":
		crv := jwk["crv"]
		size, ok := ecCoordinateSize[crv]
		if !ok {
			return fmt.Errorf("unsupported EC crv %s", quoteShort(crv))
		}
		for _, m := range []string{"x", "y"} {
			raw, err := decodeB64(m, jwk[m])
			if err != nil {
				return err
			}
			if len(raw) != size {
				return fmt.Errorf("EC %s member %q is %d octets, must be exactly %d (RFC 7518 §6.2.1.2)", crv, m, len(raw), size)
			}
		}
	case "OKP":
		crv := jwk["crv"]
		size, ok := okpKeySize[crv]
		if !ok {
			return fmt.Errorf("unsupported OKP crv %s", quoteShort(crv))
		}
		raw, err := decodeB64("x", jwk["x"])
		if err != nil {
			return err
		}
		if len(raw) != size {
			return fmt.Errorf("OKP %s member \"x\" is %d octets, must be exactly %d", crv, len(raw), size)
		}
	case "RSA":
		for _, m := range []string{"n", "e"} {
			raw, err := decodeB64(m, jwk[m])
			if err != nil {
				return err
			}
			if len(raw) == 0 {
				return fmt.Errorf("RSA member %q is empty", m)
			}
			if raw[0] == 0 {
				return fmt.Errorf("RSA member %q has a leading zero octet (RFC 7518 §2 Base64urlUInt)", m)
			}
		}
	case "oct":
		raw, err := decodeB64("k", jwk["k"])
		if err != nil {
			return err
		}
		if len(raw) == 0 {
			return errors.New("oct member \"k\" is empty")
		}
	}
	return nil
}

// decodeB64 decodes a base64url member value strictly: only the base64url
// alphabet, no padding, no line breaks (which encoding/base64 would
// otherwise skip), canonical trailing bits.
func decodeB64(member, v string) ([]byte, error) {
	for i := 0; i < len(v); i++ {
		if !isBase64URLChar(v[i]) {
			return nil, fmt.Errorf("member %q is not base64url without padding (character at offset %d)", member, i)
		}
	}
	raw, err := b64.Strict().DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("member %q is not valid base64url without padding", member)
	}
	return raw, nil
}

func isBase64URLChar(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		return true
	}
	return false
}

// privateJWKMembers are the members that only private JWKs carry (RFC 7518
// §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// JWKS returns the JWK Set {"keys":[...]} (RFC 7517 §5) of the given public
// JWKs, in the given order (the caller puts the active key first). Each
// element must be a JSON object with a string "kty"; it is copied in
// compact form with its members in their original order. Elements holding
// private members (d, p, q, dp, dq, qi, oth, k) are refused so that a JWKS
// can never publish a secret, as are two elements with the same kid. No
// input gives {"keys":[]}.
func JWKS(publicJWKs []string) (string, error) {
	var out bytes.Buffer
	out.WriteString(`{"keys":[`)
	kids := make(map[string]int, len(publicJWKs))
	for i, s := range publicJWKs {
		var members map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &members); err != nil || members == nil {
			return "", fmt.Errorf("jwks: key %d is not a JSON object", i)
		}
		var kty string
		if err := json.Unmarshal(members["kty"], &kty); err != nil || kty == "" {
			return "", fmt.Errorf("jwks: key %d has no string member \"kty\"", i)
		}
		for _, p := range privateJWKMembers {
			if _, ok := members[p]; ok {
				return "", fmt.Errorf("jwks: key %d has private member %q; a JWKS holds public keys only", i, p)
			}
		}
		if raw, ok := members["kid"]; ok {
			var kid string
			if err := json.Unmarshal(raw, &kid); err != nil {
				return "", fmt.Errorf("jwks: key %d has a non-string \"kid\"", i)
			}
			if j, dup := kids[kid]; dup {
				return "", fmt.Errorf("jwks: keys %d and %d have the same kid %s", j, i, quoteShort(kid))
			}
			kids[kid] = i
		}
		if i > 0 {
			out.WriteByte(',')
		}
		if err := json.Compact(&out, []byte(s)); err != nil {
			return "", fmt.Errorf("jwks: key %d is not a JSON object", i)
		}
	}
	out.WriteString(`]}`)
	return out.String(), nil
}

// publicJWKMembers returns the key-describing members of the public JWK of
// pub (kty, crv, x, y, n, e) for type t; kid, alg and use are added by
// publicJWK.
func publicJWKMembers(t Type, pub any) (map[string]string, error) {
	switch t {
	case TypeEd25519:
		k, ok := pub.(ed25519.PublicKey)
		if !ok || len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("type %q: not an Ed25519 public key", t)
		}
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64.EncodeToString(k)}, nil
	case TypeECDSAP256, TypeECDSAP384:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("type %q: not an ECDSA public key", t)
		}
		crv, size := "P-256", 32
		want := elliptic.P256()
		if t == TypeECDSAP384 {
			crv, size, want = "P-384", 48, elliptic.P384()
		}
		if k.Curve != want {
			return nil, fmt.Errorf("type %q: ECDSA key is not on curve %s", t, crv)
		}
		// Uncompressed SEC 1 point: 0x04 || X || Y, each coordinate at the
		// full field length, as RFC 7518 §6.2.1.2 requires.
		pt, err := k.Bytes()
		if err != nil || len(pt) != 1+2*size || pt[0] != 4 {
			return nil, fmt.Errorf("type %q: invalid ECDSA public key", t)
		}
		return map[string]string{
			"kty": "EC",
			"crv": crv,
			"x":   b64.EncodeToString(pt[1 : 1+size]),
			"y":   b64.EncodeToString(pt[1+size:]),
		}, nil
	case TypeRSA:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k.N == nil || k.N.Sign() <= 0 || k.E <= 0 {
			return nil, fmt.Errorf("type %q: not an RSA public key", t)
		}
		// big.Int.Bytes is minimal big-endian: exactly Base64urlUInt.
		return map[string]string{
			"kty": "RSA",
			"n":   b64.EncodeToString(k.N.Bytes()),
			"e":   b64.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		}, nil
	}
	return nil, fmt.Errorf("type %q has no public key", t)
}

// publicJWK returns the compact JSON public JWK of pub and its kid (RFC
// 7638 thumbprint). Members are sorted by name (encoding/json sorts map
// keys), so the output is deterministic.
func publicJWK(t Type, pub any) (jwk, kid string, err error) {
	m, err := publicJWKMembers(t, pub)
	if err != nil {
		return "", "", err
	}
	kid, err = Thumbprint(m)
	if err != nil {
		return "", "", fmt.Errorf("type %q: %w", t, err)
	}
	m["kid"] = kid
	m["alg"] = t.Algorithm()
	m["use"] = "sig"
	b, err := json.Marshal(m)
	if err != nil {
		return "", "", fmt.Errorf("type %q: encoding JWK: %w", t, err)
	}
	return string(b), kid, nil
}
