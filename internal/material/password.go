package material

import (
	"errors"
	"fmt"
	"io"
)

// The password alphabets. A password uses AlphabetAlphanumeric, plus
// AlphabetSpecial when Options.Special is set; every character of the
// alphabet is equally likely at every position.
const (
	// AlphabetAlphanumeric is A-Z, a-z and 0-9: 62 characters.
	AlphabetAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	// AlphabetSpecial is the special characters: the default of the
	// hashicorp/random provider's random_password without "@" (rejected by
	// Amazon RDS, and the user-info delimiter of URLs). 20 characters.
	AlphabetSpecial = "!#$%&*()-_=+[]{}<>:?"
)

// PasswordAlphabet returns the alphabet a password is drawn from.
func PasswordAlphabet(special bool) string {
	if special {
		return AlphabetAlphanumeric + AlphabetSpecial
	}
	return AlphabetAlphanumeric
}

// errRandomExhausted is returned when the random source keeps producing
// rejected bytes, which a working source never does (see drawBudget).
var errRandomExhausted = errors.New("password: random source produced too many out-of-range bytes; is it broken?")

// rejectionLimit returns the smallest byte value the sampler rejects for an
// alphabet of n characters: the largest multiple of n not above 256. Bytes
// below it map onto the alphabet with b % n, each character hit by exactly
// limit/n byte values.
func rejectionLimit(n int) int {
	return 256 - 256%n
}

// drawBudget is the most bytes the sampler reads for a password of length
// characters before giving up. At most 10 of 256 byte values are rejected
// for the alphabets used here, so a working source needs about 1.04 bytes
// per character; running out of a budget of 4 bytes per character plus 64
// has a probability far below 2^-128.
func drawBudget(length int) int {
	return 4*length + 64
}

// samplePassword draws length characters uniformly from alphabet using
// rejection sampling over single bytes of rnd. It reads exactly as many
// bytes as it needs, in order: each byte is either accepted (the next
// character is alphabet[b % len(alphabet)]) or, if b >= rejectionLimit,
// skipped.
func samplePassword(rnd io.Reader, alphabet string, length int) (string, error) {
	n := len(alphabet)
	if n == 0 || n > 256 {
		return "", fmt.Errorf("password: alphabet size %d out of range", n)
	}
	if length < 0 {
		return "", fmt.Errorf("password: negative length %d", length)
	}
	limit := rejectionLimit(n)
	out := make([]byte, 0, length)
	buf := make([]byte, length)
	defer clear(buf)
	read, budget := 0, drawBudget(length)
	for len(out) < length {
		need := length - len(out)
		if read+need > budget {
			clear(out)
			return "", errRandomExhausted
		}
		if _, err := io.ReadFull(rnd, buf[:need]); err != nil {
			clear(out)
			return "", fmt.Errorf("password: reading random source: %w", err)
		}
		read += need
		for _, b := range buf[:need] {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%n])
			}
		}
	}
	s := string(out)
	clear(out)
	return s, nil
}
