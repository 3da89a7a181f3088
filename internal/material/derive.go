package material

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The derivation labels (package documentation, Derived material). They
// and everything below that shapes the info strings or the way the HKDF
// stream is consumed are a compatibility contract: a version derived today
// must derive identically forever. derive_vectors.json pins them.
const (
	deriveLabelPrefix = "rotation/v1/"
	deriveKIDSuffix   = "/kid"
)

// hkdfMaxOutput is the most HKDF-Expand with SHA-256 can produce for one
// info string: 255 blocks of 32 bytes (RFC 5869 §2.3).
const hkdfMaxOutput = 255 * sha256.Size

// maxECDSADraws bounds the rejection sampling of ECDSA scalars. A draw is
// rejected with probability below 2^-32 (P-256) or 2^-190 (P-384), so 64
// rejections in a row never happen with a working HKDF.
const maxECDSADraws = 64

// MaxSecretIDBytes bounds DeriveInfo.SecretID.
const MaxSecretIDBytes = 1024

// ErrNotDerivable is wrapped by the error Derive and ValidateDerivable
// return for a type whose material cannot be derived (rsa).
var ErrNotDerivable = errors.New("cannot be derived")

// ErrDerivedMismatch is wrapped by the errors of VerifyDerived.
var ErrDerivedMismatch = errors.New("derived material does not match the stored public data")

// DeriveInfo is what, besides the seed and the salt, determines a derived
// version's material. Every field is part of the HKDF info string.
type DeriveInfo struct {
	// SecretID is the secret's stable id (never family or name, which can
	// change in place): non-empty valid UTF-8 without control characters,
	// at most MaxSecretIDBytes bytes. It may contain "/".
	SecretID string
	// Version is the version number, 1 or more.
	Version int64
	// Type is the material type; every type but rsa can be derived.
	Type Type
	// Options are validated for Type; only those of Type are encoded
	// (password: Length, Special; hmac: HMACBytes; none for the others).
	Options Options
}

// ValidateDerivable reports whether material of type t with options o can
// be derived: o must be valid for t (Options.Validate) and t must not be
// rsa. The rsa error wraps ErrNotDerivable and says why and what to use
// instead, for the provider's plan-time validation.
func ValidateDerivable(t Type, o Options) error {
	if err := o.Validate(t); err != nil {
		return err
	}
	if t == TypeRSA {
		return fmt.Errorf("type %q %w: Go's crypto/rsa generates keys only from the system random generator "+
			"(it ignores a custom random source) and does not promise the same prime search in every Go release, "+
			"so an RSA key could not be reproduced from the material seed; "+
			"use type \"ed25519\", \"ecdsa-p256\" or \"ecdsa-p384\" for derived material, or keep rsa with material = \"state\"",
			t, ErrNotDerivable)
	}
	return nil
}

// typeSpec is the canonical "<type and options>" part of the info string:
//
//	password:length=<Length>:special=<true|false>
//	hmac:bytes=<HMACBytes>
//	ed25519
//	ecdsa-p256
//	ecdsa-p384
//
// Numbers are decimal without sign or leading zeros. It never contains "/".
func typeSpec(t Type, o Options) string {
	switch t {
	case TypePassword:
		return "password:length=" + strconv.Itoa(o.Length) + ":special=" + strconv.FormatBool(o.Special)
	case TypeHMAC:
		return "hmac:bytes=" + strconv.Itoa(o.HMACBytes)
	}
	return string(t)
}

// infoString validates in and returns the HKDF info of its material:
// "rotation/v1/<secret id>/<version>/<type spec>". It is injective: the
// type spec and the version contain no "/", so reading from the right
// recovers all three parts, whatever "/" the secret id holds; and the kid
// info (this plus "/kid") never equals a material info, as "kid" is no
// type spec.
func (in DeriveInfo) infoString() (string, error) {
	if err := ValidateDerivable(in.Type, in.Options); err != nil {
		return "", err
	}
	if err := checkSecretID(in.SecretID); err != nil {
		return "", err
	}
	if in.Version < 1 {
		return "", fmt.Errorf("derive: version must be 1 or more, got %d", in.Version)
	}
	return deriveLabelPrefix + in.SecretID + "/" + strconv.FormatInt(in.Version, 10) + "/" + typeSpec(in.Type, in.Options), nil
}

func checkSecretID(id string) error {
	switch {
	case id == "":
		return errors.New("derive: secret id is empty")
	case len(id) > MaxSecretIDBytes:
		return fmt.Errorf("derive: secret id is %d bytes, at most %d allowed", len(id), MaxSecretIDBytes)
	case !utf8.ValidString(id):
		return errors.New("derive: secret id is not valid UTF-8")
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return fmt.Errorf("derive: secret id %s contains a control character", quoteShort(id))
	}
	return nil
}

// hkdfStream reads HKDF-Expand(SHA-256, prk, info, L) from the start, for
// L up to hkdfMaxOutput. HKDF output is prefix-consistent (block i depends
// only on the key, the info and block i-1, never on L), so the bytes read
// are the same however much is expanded ahead; the stream expands lazily,
// doubling, so that the common case computes only what it needs.
type hkdfStream struct {
	prk  []byte
	info string
	buf  []byte // the first len(buf) bytes of the expansion
	off  int    // bytes handed out
}

// errStreamExhausted is returned when a reader asks for more than
// hkdfMaxOutput bytes, which no type does (TestDeriveStreamBudget).
var errStreamExhausted = errors.New("derive: HKDF output limit (8160 bytes) reached")

func (s *hkdfStream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.off >= hkdfMaxOutput {
		return 0, errStreamExhausted
	}
	if need := s.off + len(p); need > len(s.buf) {
		n := min(max(need, 2*len(s.buf)), hkdfMaxOutput)
		out, err := hkdf.Expand(sha256.New, s.prk, s.info, n)
		if err != nil {
			return 0, fmt.Errorf("derive: HKDF-Expand: %w", err)
		}
		clear(s.buf)
		s.buf = out
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

func (s *hkdfStream) close() {
	clear(s.buf)
	s.buf = nil
}

// Derive computes a version's material from the material seed (ParseSeed),
// the version's salt (NewSalt, kept in state) and in, as the package
// documentation (Derived material) specifies. The same inputs give the
// same Material forever; any change in any of them gives unrelated
// material. Secret, PublicKeyPEM and PublicJWK have the formats of
// Generate. The kid is the RFC 7638 thumbprint for asymmetric types and a
// separate 128-bit HKDF output for password and hmac. rsa returns an
// error wrapping ErrNotDerivable. Errors never contain the seed or
// material.
func Derive(seed, salt []byte, in DeriveInfo) (Material, error) {
	info, err := in.infoString()
	if err != nil {
		return Material{}, err
	}
	if len(seed) < MinSeedLength {
		return Material{}, fmt.Errorf("derive: the material seed is %d bytes, at least %d required (see ParseSeed)", len(seed), MinSeedLength)
	}
	if err := checkSalt(salt); err != nil {
		return Material{}, fmt.Errorf("derive: %w", err)
	}
	prk, err := hkdf.Extract(sha256.New, seed, salt)
	if err != nil {
		return Material{}, fmt.Errorf("derive: HKDF-Extract: %w", err)
	}
	defer clear(prk)
	s := &hkdfStream{prk: prk, info: info}
	defer s.close()

	t, o := in.Type, in.Options
	switch t {
	case TypePassword:
		pw, err := samplePassword(s, PasswordAlphabet(o.Special), o.Length)
		if err != nil {
			return Material{}, fmt.Errorf("derive: %w", err)
		}
		kid, err := derivedKID(prk, info)
		if err != nil {
			return Material{}, err
		}
		return Material{Secret: pw, KID: kid}, nil
	case TypeHMAC:
		key := make([]byte, o.HMACBytes)
		defer clear(key)
		if _, err := io.ReadFull(s, key); err != nil {
			return Material{}, fmt.Errorf("derive: hmac: %w", err)
		}
		kid, err := derivedKID(prk, info)
		if err != nil {
			return Material{}, err
		}
		return Material{Secret: b64.EncodeToString(key), KID: kid}, nil
	case TypeEd25519:
		edSeed := make([]byte, ed25519.SeedSize)
		defer clear(edSeed)
		if _, err := io.ReadFull(s, edSeed); err != nil {
			return Material{}, fmt.Errorf("derive: ed25519: %w", err)
		}
		priv := ed25519.NewKeyFromSeed(edSeed)
		defer clear(priv)
		return fromPrivate(t, priv)
	case TypeECDSAP256, TypeECDSAP384:
		curve := elliptic.P256()
		if t == TypeECDSAP384 {
			curve = elliptic.P384()
		}
		priv, err := ecdsaFromStream(curve, s)
		if err != nil {
			return Material{}, fmt.Errorf("derive: %s: %w", t, err)
		}
		return fromPrivate(t, priv)
	}
	// Unreachable: infoString rejects rsa and unknown types.
	return Material{}, fmt.Errorf("type %s is not supported", quoteShort(string(t)))
}

// derivedKID is a symmetric version's kid in derived mode: the first 128
// bits of HKDF-Expand(prk, info + "/kid"), base64url without padding. It is
// independent of the material (a different HKDF output), yet reproducible
// by whoever holds the seed.
func derivedKID(prk []byte, info string) (string, error) {
	b, err := hkdf.Expand(sha256.New, prk, info+deriveKIDSuffix, symmetricKIDBytes)
	if err != nil {
		return "", fmt.Errorf("derive: kid: HKDF-Expand: %w", err)
	}
	return b64.EncodeToString(b), nil
}

// ecdsaFromStream draws the private scalar by rejection sampling: it reads
// blocks of the order's byte length (32 for P-256, 48 for P-384) from r,
// each a big-endian candidate c, and takes the first with 1 <= c <= n-1 as
// d, reading at most maxECDSADraws blocks. Every d in [1, n-1] is equally
// likely, as with FIPS 186-5 A.2.2 (which shifts by one instead of
// rejecting zero). The range check runs in constant time.
func ecdsaFromStream(curve elliptic.Curve, r io.Reader) (*ecdsa.PrivateKey, error) {
	params := curve.Params()
	size := (params.N.BitLen() + 7) / 8
	order := params.N.FillBytes(make([]byte, size))
	c := make([]byte, size)
	defer clear(c)
	for range maxECDSADraws {
		if _, err := io.ReadFull(r, c); err != nil {
			return nil, fmt.Errorf("reading the HKDF stream: %w", err)
		}
		if scalarInRange(c, order) == 1 {
			priv, err := ecdsa.ParseRawPrivateKey(curve, c)
			if err != nil {
				// The error describes the encoding, not the scalar.
				return nil, fmt.Errorf("building the private key: %w", err)
			}
			return priv, nil
		}
	}
	return nil, fmt.Errorf("%d scalars in a row were out of range; the HKDF stream is broken", maxECDSADraws)
}

// scalarInRange returns 1 if 1 <= c <= n-1 (c and n big-endian, same
// length), else 0, in time that depends only on the length.
func scalarInRange(c, n []byte) int {
	borrow := 0 // c - n, from the least significant byte
	acc := byte(0)
	for i := len(c) - 1; i >= 0; i-- {
		d := int(c[i]) - int(n[i]) - borrow
		borrow = (d >> 8) & 1
		acc |= c[i]
	}
	less := borrow // c < n exactly when c - n borrows
	nonzero := 1 ^ subtle.ConstantTimeByteEq(acc, 0)
	return less & nonzero
}

// VerifyDerived checks that derived material m reproduces the public data
// stored in state for its version: the kid and, for asymmetric types, the
// public JWK (publicJWK; "" for password and hmac). For an asymmetric type
// the stored JWK's RFC 7638 thumbprint must equal kid (and its "kid"
// member, if any), and m's kid, the thumbprint of the derived public key,
// must equal kid too, so the derived key is the stored public key. Only
// the members the thumbprint covers are compared, so a JWK written with
// other members or in another member order still verifies. For password
// and hmac, m's derived kid must equal kid; the kid comes from the same
// seed, salt and info as the material, so a match means the same inputs.
// Errors wrap ErrDerivedMismatch, name kids (public) and never material.
func VerifyDerived(m Material, kid, publicJWK string) error {
	if kid == "" {
		return fmt.Errorf("%w: no kid stored", ErrDerivedMismatch)
	}
	if (m.PublicJWK == "") != (publicJWK == "") {
		if publicJWK == "" {
			return fmt.Errorf("%w: the derived material is a key pair but no public JWK is stored", ErrDerivedMismatch)
		}
		return fmt.Errorf("%w: a public JWK is stored but the derived material is symmetric", ErrDerivedMismatch)
	}
	if publicJWK != "" {
		stored, err := thumbprintOfJSON(publicJWK)
		if err != nil {
			return fmt.Errorf("%w: stored public JWK: %w", ErrDerivedMismatch, err)
		}
		if stored != kid {
			return fmt.Errorf("%w: the stored kid %s is not the RFC 7638 thumbprint of the stored public JWK (%s)",
				ErrDerivedMismatch, quoteShort(kid), stored)
		}
	}
	if m.KID != kid {
		return fmt.Errorf("%w: derived kid %s, stored kid %s; the seed, salt, secret id, version, type or options "+
			"differ from those the version was issued with", ErrDerivedMismatch, quoteShort(m.KID), quoteShort(kid))
	}
	return nil
}

// thumbprintOfJSON returns the RFC 7638 thumbprint of a public JWK given as
// JSON, after checking that it has no private members and that its "kid",
// if present, is that thumbprint.
func thumbprintOfJSON(jwk string) (string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(jwk), &raw); err != nil || raw == nil {
		return "", errors.New("not a JSON object")
	}
	for _, p := range privateJWKMembers {
		if _, ok := raw[p]; ok {
			return "", fmt.Errorf("has private member %q", p)
		}
	}
	members := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			members[k] = s
		}
	}
	tp, err := Thumbprint(members)
	if err != nil {
		return "", err
	}
	if _, ok := raw["kid"]; ok {
		if s, has := members["kid"]; !has || s != tp {
			return "", fmt.Errorf("its \"kid\" member is not its RFC 7638 thumbprint %s", tp)
		}
	}
	return tp, nil
}
