package material

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func TestAlphabets(t *testing.T) {
	t.Parallel()
	check := func(name, a string, size int) {
		if len(a) != size {
			t.Errorf("%s has %d characters, want %d", name, len(a), size)
		}
		seen := map[rune]bool{}
		for _, r := range a {
			if seen[r] {
				t.Errorf("%s repeats %q", name, r)
			}
			seen[r] = true
			if r <= ' ' || r >= 0x7f {
				t.Errorf("%s has non-printable or non-ASCII %q", name, r)
			}
			if strings.ContainsRune("@'\"`\\ /", r) {
				t.Errorf("%s has %q, which the documentation excludes", name, r)
			}
		}
	}
	check("AlphabetAlphanumeric", AlphabetAlphanumeric, 62)
	check("AlphabetSpecial", AlphabetSpecial, 20)
	check("PasswordAlphabet(true)", PasswordAlphabet(true), 82)
	if PasswordAlphabet(false) != AlphabetAlphanumeric {
		t.Errorf("PasswordAlphabet(false) = %q", PasswordAlphabet(false))
	}
	if got := rejectionLimit(62); got != 248 {
		t.Errorf("rejectionLimit(62) = %d, want 248", got)
	}
	if got := rejectionLimit(82); got != 246 {
		t.Errorf("rejectionLimit(82) = %d, want 246", got)
	}
	if got := rejectionLimit(64); got != 256 {
		t.Errorf("rejectionLimit(64) = %d, want 256 (nothing rejected)", got)
	}
}

func TestPasswordLengthAndAlphabet(t *testing.T) {
	t.Parallel()
	for _, special := range []bool{false, true} {
		alphabet := PasswordAlphabet(special)
		usedSpecial := false
		for _, length := range []int{16, 17, 32, 100, 1024} {
			for range 20 {
				o := DefaultOptions()
				o.Length, o.Special = length, special
				m, err := Generate(TypePassword, o, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Secret) != length {
					t.Fatalf("special=%v: password has %d bytes, want %d", special, len(m.Secret), length)
				}
				for _, c := range []byte(m.Secret) {
					if strings.IndexByte(alphabet, c) < 0 {
						t.Fatalf("special=%v: character %q outside the alphabet", special, c)
					}
					if strings.IndexByte(AlphabetSpecial, c) >= 0 {
						usedSpecial = true
					}
				}
				if m.PublicKeyPEM != "" || m.PublicJWK != "" {
					t.Fatalf("password has public parts")
				}
				if m.KID == "" {
					t.Fatalf("password has no kid")
				}
			}
		}
		if usedSpecial != special {
			t.Errorf("special=%v but special characters used = %v", special, usedSpecial)
		}
	}
}

// chiSquaredPValueThreshold is the p-value below which the password
// character distribution is declared non-uniform. At 1e-9, a correct
// sampler fails the test once in a billion runs; the modulo-biased
// sampler of TestChiSquaredDetectsModuloBias scores p < 1e-300.
const chiSquaredPValueThreshold = 1e-9

// chiSquaredSample is how many password characters the test draws.
const chiSquaredSample = 200_000

// chiSquared returns Pearson's statistic of counts against a uniform
// distribution over len(counts) cells.
func chiSquared(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	expected := float64(total) / float64(len(counts))
	var stat float64
	for _, c := range counts {
		d := float64(c) - expected
		stat += d * d / expected
	}
	return stat
}

// chiSquaredPValue returns P(X >= stat) for X chi-squared with df degrees
// of freedom, the regularized upper incomplete gamma function Q(df/2,
// stat/2) (series and Lentz continued fraction, as in Numerical Recipes
// §6.2).
func chiSquaredPValue(stat float64, df int) float64 {
	a, x := float64(df)/2, stat/2
	if x <= 0 {
		return 1
	}
	lg, _ := math.Lgamma(a)
	prefix := math.Exp(-x + a*math.Log(x) - lg)
	if x < a+1 {
		ap, del := a, 1/a
		sum := del
		for range 100_000 {
			ap++
			del *= x / ap
			sum += del
			if math.Abs(del) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return 1 - sum*prefix
	}
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1; i < 100_000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return prefix * h
}

// chiSquaredCritical returns the statistic whose p-value is p, by bisection
// (for the log and the documentation).
func chiSquaredCritical(p float64, df int) float64 {
	lo, hi := 0.0, 10.0*float64(df)+1000
	for range 200 {
		mid := (lo + hi) / 2
		if chiSquaredPValue(mid, df) > p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// TestChiSquaredPValue checks the p-value function against closed forms
// and published quantiles, so the uniformity test is not trusting an
// untested formula.
func TestChiSquaredPValue(t *testing.T) {
	t.Parallel()
	near := func(name string, got, want, rel float64) {
		if math.Abs(got-want) > rel*want {
			t.Errorf("%s = %.12g, want %.12g", name, got, want)
		}
	}
	for _, x := range []float64{0.1, 1, 2.5, 10, 41.446531673892822, 100} {
		near("Q(df=2)", chiSquaredPValue(x, 2), math.Exp(-x/2), 1e-10)
		near("Q(df=4)", chiSquaredPValue(x, 4), math.Exp(-x/2)*(1+x/2), 1e-10)
	}
	near("Q(3.841458820694124, df=1)", chiSquaredPValue(3.841458820694124, 1), 0.05, 1e-8)
	near("Q(18.307038053275146, df=10)", chiSquaredPValue(18.307038053275146, 10), 0.05, 1e-8)
	near("Q(3.940299136119249, df=10)", chiSquaredPValue(3.940299136119249, 10), 0.95, 1e-8)
	near("critical(1e-9, df=2)", chiSquaredCritical(1e-9, 2), 2*math.Log(1e9), 1e-9)
}

// TestPasswordChiSquared draws chiSquaredSample characters through
// Generate and checks each alphabet's character counts against uniform.
func TestPasswordChiSquared(t *testing.T) {
	t.Parallel()
	for _, special := range []bool{false, true} {
		alphabet := PasswordAlphabet(special)
		counts := make([]int, len(alphabet))
		index := map[byte]int{}
		for i := range len(alphabet) {
			index[alphabet[i]] = i
		}
		o := DefaultOptions()
		o.Length, o.Special = 1000, special
		for range chiSquaredSample / o.Length {
			m, err := Generate(TypePassword, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []byte(m.Secret) {
				counts[index[c]]++
			}
		}
		df := len(alphabet) - 1
		stat := chiSquared(counts)
		p := chiSquaredPValue(stat, df)
		crit := chiSquaredCritical(chiSquaredPValueThreshold, df)
		t.Logf("special=%v: %d characters, %d cells, chi2 = %.1f (df %d), p = %.3g; fails above chi2 %.1f (p < %g)",
			special, chiSquaredSample, len(alphabet), stat, df, p, crit, chiSquaredPValueThreshold)
		if p < chiSquaredPValueThreshold {
			t.Errorf("special=%v: character distribution is not uniform: chi2 = %.1f, df %d, p = %.3g", special, stat, df, p)
		}
	}
}

// TestChiSquaredDetectsModuloBias is the negative control: the same test
// on the naive sampler (byte % 82, no rejection) must fail.
func TestChiSquaredDetectsModuloBias(t *testing.T) {
	t.Parallel()
	n := len(PasswordAlphabet(true))
	buf := make([]byte, chiSquaredSample)
	if _, err := rand.Read(buf); err != nil {
		t.Fatal(err)
	}
	counts := make([]int, n)
	for _, b := range buf {
		counts[int(b)%n]++
	}
	stat := chiSquared(counts)
	if p := chiSquaredPValue(stat, n-1); p >= chiSquaredPValueThreshold {
		t.Errorf("modulo-biased sampler passed: chi2 = %.1f, p = %.3g", stat, p)
	}
}

// TestPasswordRejectsBiasedTail feeds known bytes and checks which are
// rejected: every byte >= 256 - 256%n, nothing else.
func TestPasswordRejectsBiasedTail(t *testing.T) {
	t.Parallel()
	for _, special := range []bool{false, true} {
		alphabet := PasswordAlphabet(special)
		n := len(alphabet)
		limit := rejectionLimit(n)
		// The whole rejected tail, then the largest accepted byte and a few
		// others, interleaved with more rejected bytes.
		var in []byte
		for b := limit; b < 256; b++ {
			in = append(in, byte(b))
		}
		accepted := []byte{byte(limit - 1), 0, byte(n - 1), byte(n), byte(2*n - 1)}
		in = append(in, accepted[0], 255, accepted[1], byte(limit), accepted[2], accepted[3], 254, accepted[4])
		var want strings.Builder
		for _, b := range accepted {
			want.WriteByte(alphabet[int(b)%n])
		}
		// Pad to the minimum length with byte 1 (accepted).
		for want.Len() < MinLength {
			in = append(in, 1)
			want.WriteByte(alphabet[1])
		}
		r := bytes.NewReader(append(in, 7, 7, 7))
		o := DefaultOptions()
		o.Length, o.Special = MinLength, special
		m, err := Generate(TypePassword, o, r)
		if err != nil {
			t.Fatal(err)
		}
		if m.Secret != want.String() {
			t.Errorf("special=%v: password %q, want %q (bytes >= %d must be skipped)", special, m.Secret, want.String(), limit)
		}
		if r.Len() != 3 {
			t.Errorf("special=%v: sampler left %d bytes unread, want 3 (it must read exactly what it needs)", special, r.Len())
		}
	}
}

func TestPasswordBrokenReader(t *testing.T) {
	t.Parallel()
	o := DefaultOptions()
	// Only rejected bytes: the sampler must give up, not loop forever.
	_, err := Generate(TypePassword, o, bytes.NewReader(bytes.Repeat([]byte{0xff}, 1<<20)))
	if !errors.Is(err, errRandomExhausted) {
		t.Errorf("all-0xff reader: error %v, want errRandomExhausted", err)
	}
	// A reader that ends early.
	partial := bytes.Repeat([]byte{'a'}, 20)
	_, err = Generate(TypePassword, o, bytes.NewReader(partial))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short reader: error %v, want io.ErrUnexpectedEOF", err)
	}
	// The error must not carry the characters drawn so far ('a' maps to
	// alphabet['a' % 82] = 'p').
	if err != nil && strings.Contains(err.Error(), strings.Repeat(string(PasswordAlphabet(true)['a'%82]), 4)) {
		t.Errorf("error leaks password characters: %q", err)
	}
	// HMAC with a short reader.
	_, err = Generate(TypeHMAC, o, bytes.NewReader(make([]byte, 31)))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("hmac short reader: error %v, want io.ErrUnexpectedEOF", err)
	}
}
