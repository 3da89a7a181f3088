package material

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is the kind of material a rotation_secret issues.
type Type string

// The key types of rotation_secret (docs/design.md, Resources).
const (
	TypePassword  Type = "password"
	TypeHMAC      Type = "hmac"
	TypeEd25519   Type = "ed25519"
	TypeECDSAP256 Type = "ecdsa-p256"
	TypeECDSAP384 Type = "ecdsa-p384"
	TypeRSA       Type = "rsa"
)

// Types lists every type in documentation order.
func Types() []Type {
	return []Type{TypePassword, TypeHMAC, TypeEd25519, TypeECDSAP256, TypeECDSAP384, TypeRSA}
}

// TypeNames lists every type as a string, for schema validators.
func TypeNames() []string {
	ts := Types()
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// ParseType returns the Type spelled s (exact, lower case).
func ParseType(s string) (Type, error) {
	for _, t := range Types() {
		if s == string(t) {
			return t, nil
		}
	}
	return "", fmt.Errorf("type must be one of %s, got %s", quoteList(TypeNames()), quoteShort(s))
}

// Valid reports whether t is one of the known types.
func (t Type) Valid() bool {
	_, err := ParseType(string(t))
	return err == nil
}

// Asymmetric reports whether t is a key pair with a public half (ed25519,
// ecdsa-p256, ecdsa-p384, rsa).
func (t Type) Asymmetric() bool {
	switch t {
	case TypeEd25519, TypeECDSAP256, TypeECDSAP384, TypeRSA:
		return true
	}
	return false
}

// Algorithm is the JWS "alg" of the type's keys: EdDSA, ES256, ES384, RS256
// for the asymmetric types, HS256 for hmac (a recommendation only: the key
// is at least 32 bytes, enough for HS256, and HS384/HS512 need 48/64), ""
// for password.
func (t Type) Algorithm() string {
	switch t {
	case TypeEd25519:
		return "EdDSA"
	case TypeECDSAP256:
		return "ES256"
	case TypeECDSAP384:
		return "ES384"
	case TypeRSA:
		return "RS256"
	case TypeHMAC:
		return "HS256"
	}
	return ""
}

// Limits and defaults of the options (docs/design.md, Resources). The maxima
// are this package's own: they keep a typo from allocating gigabytes.
const (
	DefaultLength  = 32
	MinLength      = 16
	MaxLength      = 1024
	DefaultSpecial = true

	DefaultHMACBytes = 32
	MinHMACBytes     = 32
	MaxHMACBytes     = 1024

	DefaultRSABits = 3072
)

// RSABitsAllowed lists the allowed rsa_bits values.
func RSABitsAllowed() []int { return []int{2048, 3072, 4096} }

// Options are the type-specific settings. Only the fields of the type being
// generated are read and validated; the others are ignored. The zero value
// is not valid for password and hmac and rsa: start from DefaultOptions.
type Options struct {
	// Length is the number of characters of a password: MinLength (16) to
	// MaxLength (1024), default 32.
	Length int
	// Special adds AlphabetSpecial to the password alphabet. The provider's
	// default is true (DefaultOptions).
	Special bool
	// HMACBytes is the HMAC key size in bytes: MinHMACBytes (32) to
	// MaxHMACBytes (1024), default 32.
	HMACBytes int
	// RSABits is the RSA modulus size: 2048, 3072 (default) or 4096.
	RSABits int
}

// DefaultOptions returns the defaults of the material options (docs/design.md, Resources).
func DefaultOptions() Options {
	return Options{
		Length:    DefaultLength,
		Special:   DefaultSpecial,
		HMACBytes: DefaultHMACBytes,
		RSABits:   DefaultRSABits,
	}
}

// Validate checks the options that apply to t. Error messages name the
// attribute and state the allowed values.
func (o Options) Validate(t Type) error {
	switch t {
	case TypePassword:
		if o.Length < MinLength || o.Length > MaxLength {
			return fmt.Errorf("length must be between %d and %d (default %d), got %d",
				MinLength, MaxLength, DefaultLength, o.Length)
		}
	case TypeHMAC:
		if o.HMACBytes < MinHMACBytes || o.HMACBytes > MaxHMACBytes {
			return fmt.Errorf("hmac_bytes must be between %d and %d (default %d), got %d",
				MinHMACBytes, MaxHMACBytes, DefaultHMACBytes, o.HMACBytes)
		}
	case TypeRSA:
		if !rsaBitsOK(o.RSABits) {
			return fmt.Errorf("rsa_bits must be one of 2048, 3072 or 4096 (default %d), got %d",
				DefaultRSABits, o.RSABits)
		}
	case TypeEd25519, TypeECDSAP256, TypeECDSAP384:
		// No options.
	default:
		_, err := ParseType(string(t))
		return err
	}
	return nil
}

func rsaBitsOK(bits int) bool {
	for _, b := range RSABitsAllowed() {
		if bits == b {
			return true
		}
	}
	return false
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// quoteShort quotes a user-supplied (never secret) string for an error
// message, cut to a readable length.
func quoteShort(s string) string {
	const maxQuoted = 64
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "..."
	}
	return strconv.Quote(s)
}
