// Package duration parses and formats the duration strings used by every
// duration attribute of the provider (rotation periods, grace periods,
// warnings, ...).
//
// # Grammar
//
// A duration is one or more terms, each a whole number followed by a unit:
//
//	w  weeks   (7 days)
//	d  days    (24 hours)
//	h  hours
//	m  minutes
//	s  seconds
//
// Examples: "90d", "1d12h", "45m", "0s", "2w3d4h5m6s".
//
// The grammar is deliberately regular so that the Rego policy helpers can
// implement exactly the same rules with one regular expression:
//
//	^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$   and not empty
//
// The decisions behind it:
//
//   - Each unit may appear at most once, and units must appear in decreasing
//     order w, d, h, m, s. "1h1d" (out of order) and "1h1h" (repeated) are
//     rejected with a message saying so.
//   - Numbers are ASCII digits 0-9 only; other Unicode digits such as "١"
//     (Arabic-Indic one) or "１" (full-width one) are rejected.
//   - Leading zeros are allowed and ignored: "01h" is one hour, "007d" is
//     seven days, "00s" is zero. They are dropped by [Format].
//   - Zero terms are allowed: "0s", "0w0d0h0m0s" and "1d0h" are all valid.
//   - There are no signs ("-1d", "+1d"), no fractions ("1.5h"), no spaces
//     anywhere (" 1h", "1 h", "1h "), no upper-case units ("1H", "1D"), no
//     bare numbers ("90"), no sub-second units ("1ms", "1us", "1ns") and no
//     other units ("1y", "1mo"). The empty string is an error.
//   - The total must fit in a [time.Duration] (int64 nanoseconds, about 292
//     years): the largest valid value is "9223372036s", spelled canonically
//     "106751d23h47m16s". Anything larger, however it is spelled, is an
//     error that states the maximum. Numbers of any length are accepted by
//     the grammar and checked for overflow, so
//     "0000000000000000000000001s" is one second.
//
// Error messages are written for people: each one quotes the offending
// input, says what is wrong with it, and repeats [Grammar].
//
// [Format] produces the canonical spelling, which uses d, h, m and s in that
// order (never w) and omits zero terms.
package duration

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Grammar is the human-readable description of the duration syntax, used in
// error messages and in attribute documentation.
const Grammar = `whole numbers of w (weeks), d (days), h (hours), m (minutes), s (seconds), ` +
	`each unit at most once and in that order, e.g. "90d", "1d12h", "45m", "0s"`

// Max is the largest duration Parse accepts: the largest whole number of
// seconds that fits in a time.Duration.
const Max = time.Duration(math.MaxInt64/int64(time.Second)) * time.Second

// MaxString is the canonical spelling of Max ("106751d23h47m16s").
const MaxString = "106751d23h47m16s"

// units lists the units in the only order in which they may appear.
var units = [...]struct {
	name string
	size uint64 // nanoseconds
	desc string
}{
	{"w", uint64(7 * 24 * time.Hour), "weeks"},
	{"d", uint64(24 * time.Hour), "days"},
	{"h", uint64(time.Hour), "hours"},
	{"m", uint64(time.Minute), "minutes"},
	{"s", uint64(time.Second), "seconds"},
}

// unitIndex returns the position of u in units, or -1.
func unitIndex(u string) int {
	for i, un := range units {
		if un.name == u {
			return i
		}
	}
	return -1
}

func invalid(s, reason string) error {
	return errors.New("invalid duration " + strconv.Quote(s) + ": " + reason + "; use " + Grammar)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Parse parses a duration string per the package grammar. It never panics;
// every error names the input and explains what is wrong with it.
func Parse(s string) (time.Duration, error) {
	if s == "" {
		return 0, invalid(s, "the value is empty")
	}
	if !utf8.ValidString(s) {
		return 0, invalid(s, "the value is not valid UTF-8 text")
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return 0, invalid(s, "spaces are not allowed")
	}

	var (
		total    uint64 // nanoseconds, never above math.MaxInt64
		overflow bool
		seen     [len(units)]bool
		last     = -1 // index in units of the previous term's unit
	)
	for i := 0; i < len(s); {
		// The number.
		start := i
		var n uint64
		nOverflow := false
		for i < len(s) && isDigit(s[i]) {
			if !nOverflow {
				d := uint64(s[i] - '0')
				if n > (math.MaxInt64-d)/10 {
					nOverflow = true
				} else {
					n = n*10 + d
				}
			}
			i++
		}
		digits := s[start:i]
		if digits == "" {
			return 0, invalid(s, noNumber(s[i:]))
		}
		if i == len(s) {
			if start == 0 {
				return 0, invalid(s, "missing unit after "+strconv.Quote(digits)+" (a bare number is not allowed)")
			}
			return 0, invalid(s, "missing unit after "+strconv.Quote(digits))
		}

		// The unit.
		r, _ := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			return 0, invalid(s, afterNumber(s[i:]))
		}
		ustart := i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) {
				break
			}
			i += size
		}
		u := s[ustart:i]
		idx := unitIndex(u)
		if idx < 0 {
			return 0, invalid(s, badUnit(u))
		}
		if seen[idx] {
			return 0, invalid(s, "unit "+strconv.Quote(u)+" appears more than once")
		}
		if idx < last {
			return 0, invalid(s, "unit "+strconv.Quote(u)+" must come before "+strconv.Quote(units[last].name)+
				"; units must appear in the order w, d, h, m, s")
		}
		seen[idx] = true
		last = idx

		// Accumulate with overflow checks; syntax errors later in the string
		// still take precedence over overflow.
		if nOverflow || n > math.MaxInt64/units[idx].size {
			overflow = true
		} else if v := n * units[idx].size; total > math.MaxInt64-v {
			overflow = true
		} else {
			total += v
		}
	}
	if overflow {
		return 0, invalid(s, "the value is too large; the maximum is "+strconv.Quote(MaxString)+
			" (9223372036s, about 292 years)")
	}
	return time.Duration(total), nil
}

// noNumber explains what is wrong when rest (non-empty) does not start with a
// number where one was expected.
func noNumber(rest string) string {
	r, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsLetter(r) {
		word := letters(rest)
		if unitIndex(strings.ToLower(word)) >= 0 {
			return "missing number before unit " + strconv.Quote(word)
		}
		return "expected a number, found " + strconv.Quote(word)
	}
	return badCharacter(rest, "")
}

// afterNumber explains what is wrong when a number is followed by rest, whose
// first rune is not a letter.
func afterNumber(rest string) string { return badCharacter(rest, " after a number") }

// badCharacter explains why the first rune of rest (not a letter) cannot
// stand where it does; where says where, for the generic case.
func badCharacter(rest, where string) string {
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case r == '-' || r == '+':
		return "signs are not allowed (durations are never negative)"
	case (r == '.' || r == ',') && size < len(rest) && isDigit(rest[size]):
		return "fractions are not allowed"
	case unicode.IsDigit(r):
		return "only ASCII digits 0-9 are allowed, not " + strconv.Quote(string(r))
	default:
		return "unexpected character " + strconv.Quote(string(r)) + where
	}
}

// badUnit explains why u is not a unit.
func badUnit(u string) string {
	q := strconv.Quote(u)
	if i := unitIndex(strings.ToLower(u)); i >= 0 {
		l := units[i]
		return "unit " + q + " must be lower case (" + strconv.Quote(l.name) + " for " + l.desc + ")"
	}
	switch u {
	case "ms", "us", "µs", "μs", "ns":
		return "sub-second unit " + q + " is not supported; the smallest unit is s (seconds)"
	case "y", "yr", "yrs", "year", "years", "mo", "mon", "month", "months":
		return "unit " + q + " is not supported because years and months vary in length (write days instead, e.g. \"365d\")"
	}
	return "unknown unit " + q
}

// letters returns the leading run of letters of s.
func letters(s string) string {
	for i, r := range s {
		if !unicode.IsLetter(r) {
			return s[:i]
		}
	}
	return s
}

// MustParse is like Parse but panics if s is not valid. It is meant for tests
// and package-level constants.
func MustParse(s string) time.Duration {
	d, err := Parse(s)
	if err != nil {
		panic("duration.MustParse: " + err.Error())
	}
	return d
}

// Format returns the canonical spelling of d: the units d, h, m, s in that
// order (never w), zero terms omitted, and "0s" for zero. For every valid
// input x, Parse(Format(MustParse(x))) == MustParse(x).
//
// Sub-second parts are truncated toward zero, so Format(1500*time.Millisecond)
// is "1s" and Format(999*time.Millisecond) is "0s".
//
// Format is meant for non-negative durations. A negative duration is
// formatted as its magnitude with a leading "-" (Format(-36*time.Hour) is
// "-1d12h"), which is readable in messages but is not accepted by Parse. A
// negative duration shorter than a second formats as "0s".
func Format(d time.Duration) string {
	mag := uint64(d)
	if d < 0 {
		mag = uint64(-d) // wraps correctly for math.MinInt64
	}
	secs := mag / uint64(time.Second)
	if secs == 0 {
		return "0s"
	}
	var b []byte
	if d < 0 {
		b = append(b, '-')
	}
	for _, p := range [...]struct {
		size uint64
		unit byte
	}{{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}} {
		if n := secs / p.size; n > 0 {
			b = strconv.AppendUint(b, n, 10)
			b = append(b, p.unit)
			secs -= n * p.size
		}
	}
	return string(b)
}
