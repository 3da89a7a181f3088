package tfjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

// byteSize is n for people: "1 GiB" when exact, else rounded to a tenth
// ("1.2 GiB", "530.4 KiB", "812 bytes").
func byteSize(n int64) string {
	switch {
	case n >= gib && n%gib == 0:
		return fmt.Sprintf("%d GiB", n/gib)
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= gib:
		return fmt.Sprintf("%.1f GiB", float64(n)/gib)
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	case n >= kib:
		return fmt.Sprintf("%.1f KiB", float64(n)/kib)
	}
	return fmt.Sprintf("%d bytes", n)
}

// groupDigits writes n with a space between groups of three digits:
// 1 288 490 188.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// overLimit says that size exceeds limit without ever printing a rounded
// size that reads like the limit itself: "1.2 GiB (1 288 490 188 bytes),
// more than the 1 GiB limit", and for a size just above the limit
// "1 073 741 825 bytes, more than the 1 GiB (1 073 741 824 bytes) limit".
func overLimit(size, limit int64) string {
	if size < kib {
		return fmt.Sprintf("%s, more than the %s limit", byteSize(size), byteSize(limit))
	}
	rounded, lim := byteSize(size), byteSize(limit)
	if sameFigure(rounded, lim) {
		return fmt.Sprintf("%s bytes, more than the %s (%s bytes) limit", groupDigits(size), lim, groupDigits(limit))
	}
	return fmt.Sprintf("%s (%s bytes), more than the %s limit", rounded, groupDigits(size), lim)
}

// sameFigure reports whether two sizes print as the same quantity ("1.0
// GiB" and "1 GiB").
func sameFigure(a, b string) bool {
	pa, ua, _ := strings.Cut(a, " ")
	pb, ub, _ := strings.Cut(b, " ")
	fa, err1 := strconv.ParseFloat(pa, 64)
	fb, err2 := strconv.ParseFloat(pb, 64)
	return err1 == nil && err2 == nil && ua == ub && fa == fb
}

// ParseByteSize reads a size such as 2GiB, 512MiB, 1.5G, 800M or a number
// of bytes (units are powers of 1024; KB, MB, GB mean the same as KiB, MiB,
// GiB).
func ParseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || f < 0 {
		return 0, fmt.Errorf("%q is not a size such as 2GiB or 512MiB", s)
	}
	mult := float64(1)
	switch strings.ToLower(unit) {
	case "", "b":
	case "k", "kb", "kib":
		mult = kib
	case "m", "mb", "mib":
		mult = mib
	case "g", "gb", "gib":
		mult = gib
	case "t", "tb", "tib":
		mult = gib * 1024
	default:
		return 0, fmt.Errorf("%q is not a size such as 2GiB or 512MiB (unknown unit %q)", s, unit)
	}
	v := f * mult
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(v), nil
}
