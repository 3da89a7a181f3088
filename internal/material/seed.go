package material

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinSeedLength is the shortest material seed ParseSeed accepts, in
// characters. `openssl rand -hex 32` prints 64.
const MinSeedLength = 32

// seedFingerprintLabel is the message HMAC-ed with the seed as key to make
// its fingerprint. Part of the compatibility contract (see the package
// documentation, Derived material).
const seedFingerprintLabel = "rotation/v1/seed-fingerprint"

// seedFingerprintBytes is the length of a seed fingerprint before
// encoding: 128 bits.
const seedFingerprintBytes = 16

// ErrSeed is wrapped by every error ParseSeed returns.
var ErrSeed = errors.New("invalid material seed")

// ParseSeed checks a material seed as configured (provider argument or
// environment variable) and returns it as the HKDF input key: the bytes of
// s exactly as given, never trimmed, hashed or decoded. It must be valid
// UTF-8 of at least MinSeedLength characters and must not begin or end
// with white space (a trailing newline from a file or a heredoc would
// otherwise make the same seed derive different keys on different
// machines). Errors wrap ErrSeed, give the length found and how to make a
// seed, and never contain the seed or any part of it.
func ParseSeed(s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: the material seed is not valid UTF-8; make one with `openssl rand -hex 32`", ErrSeed)
	}
	n := utf8.RuneCountInString(s)
	if n < MinSeedLength {
		return nil, fmt.Errorf("%w: the material seed is %d characters long, it must be at least %d; make one with `openssl rand -hex 32`",
			ErrSeed, n, MinSeedLength)
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return nil, fmt.Errorf("%w: the material seed (%d characters) begins or ends with white space, such as a trailing newline; "+
			"remove it (the seed is used exactly as given), or make a new one with `openssl rand -hex 32`", ErrSeed, n)
	}
	return []byte(s), nil
}

// SeedFingerprint identifies a seed without revealing it: the first 128
// bits of HMAC-SHA256 keyed by the seed over the fixed label
// "rotation/v1/seed-fingerprint", base64url without padding (22
// characters). It is stored with every derived version so that a wrong or
// changed seed is detected before anything is derived from it. It reveals
// nothing about the seed that the public keys of the versions do not
// already reveal: with either, a seed can only be checked by guessing it,
// which a seed from `openssl rand -hex 32` makes hopeless.
func SeedFingerprint(seed []byte) string {
	mac := hmac.New(sha256.New, seed)
	mac.Write([]byte(seedFingerprintLabel))
	sum := mac.Sum(nil)
	return b64.EncodeToString(sum[:seedFingerprintBytes])
}

// SeedFor returns the first of seeds whose SeedFingerprint is fingerprint
// (current seed first, then the previous seeds, as the caller orders
// them), or false if none is.
func SeedFor(fingerprint string, seeds [][]byte) ([]byte, bool) {
	for _, s := range seeds {
		if hmac.Equal([]byte(SeedFingerprint(s)), []byte(fingerprint)) {
			return s, true
		}
	}
	return nil, false
}

// SeedMismatchError is returned by SeedsFor when some versions were derived
// from a seed that is not among those configured. It names the versions
// and the fingerprints, which are public (they are in state); never a seed.
type SeedMismatchError struct {
	// Versions that cannot be reproduced, ascending.
	Versions []int64
	// Wanted maps each of Versions to its stored fingerprint ("" if none
	// was stored).
	Wanted map[int64]string
	// Configured lists the fingerprints of the seeds given, in order.
	Configured []string
}

func (e *SeedMismatchError) Error() string {
	var b strings.Builder
	if len(e.Versions) == 1 {
		fmt.Fprintf(&b, "version %d was derived from a material seed that is not configured, so its material cannot be reproduced (", e.Versions[0])
	} else {
		b.WriteString("versions ")
		for i, v := range e.Versions {
			switch {
			case i == 0:
			case i == len(e.Versions)-1:
				b.WriteString(" and ")
			default:
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatInt(v, 10))
		}
		b.WriteString(" were derived from material seeds that are not configured, so their material cannot be reproduced (")
	}
	for i, v := range e.Versions {
		if i > 0 {
			b.WriteString(", ")
		}
		if fp := e.Wanted[v]; fp == "" {
			fmt.Fprintf(&b, "version %d has no seed fingerprint", v)
		} else {
			fmt.Fprintf(&b, "version %d needs the seed with fingerprint %s", v, fp)
		}
	}
	if len(e.Configured) == 0 {
		b.WriteString("; no seed is configured")
	} else {
		fmt.Fprintf(&b, "; the configured seeds have fingerprints %s", strings.Join(e.Configured, ", "))
	}
	b.WriteString("). Configure the seed those versions were issued with, as the current seed or as a previous seed; " +
		"derived material is never silently replaced by different keys")
	return b.String()
}

// SeedsFor picks, for every version in fingerprints (version → stored
// seed fingerprint), the seed that reproduces it (SeedFor). If any version
// has no matching seed, it returns a *SeedMismatchError naming all such
// versions and no map.
func SeedsFor(fingerprints map[int64]string, seeds [][]byte) (map[int64][]byte, error) {
	configured := make([]string, len(seeds))
	for i, s := range seeds {
		configured[i] = SeedFingerprint(s)
	}
	out := make(map[int64][]byte, len(fingerprints))
	var missing []int64
	for v, fp := range fingerprints {
		i := -1
		if fp != "" {
			i = slices.IndexFunc(configured, func(c string) bool { return hmac.Equal([]byte(c), []byte(fp)) })
		}
		if i < 0 {
			missing = append(missing, v)
			continue
		}
		out[v] = seeds[i]
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		wanted := make(map[int64]string, len(missing))
		for _, v := range missing {
			wanted[v] = fingerprints[v]
		}
		return nil, &SeedMismatchError{Versions: missing, Wanted: wanted, Configured: configured}
	}
	return out, nil
}

// Salt sizes. A salt is public (kept in state per version); it makes every
// version's HKDF key independent even for equal ids and versions.
const (
	// SaltBytes is the size of a salt made by NewSalt: 256 bits.
	SaltBytes = 32
	// MinSaltBytes and MaxSaltBytes bound the salts Derive accepts.
	MinSaltBytes = 16
	MaxSaltBytes = 256
)

// NewSalt returns a fresh SaltBytes-byte salt from crypto/rand for a new
// derived version.
func NewSalt() []byte {
	b := make([]byte, SaltBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+).
	return b
}

// EncodeSalt encodes a salt for state: base64url without padding.
func EncodeSalt(salt []byte) string { return b64.EncodeToString(salt) }

// ParseSalt decodes a salt from state (EncodeSalt) and checks its size.
func ParseSalt(s string) ([]byte, error) {
	raw, err := decodeB64("salt", s)
	if err != nil {
		return nil, errors.New("salt is not base64url without padding")
	}
	if err := checkSalt(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

func checkSalt(salt []byte) error {
	if len(salt) < MinSaltBytes || len(salt) > MaxSaltBytes {
		return fmt.Errorf("salt is %d bytes, must be between %d and %d", len(salt), MinSaltBytes, MaxSaltBytes)
	}
	return nil
}
