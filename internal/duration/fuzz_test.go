package duration

import (
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, c := range loadTable(f) {
		f.Add(c.Input)
	}
	for _, s := range []string{"\xff", "1h\x00", "1h\u00a0", "1h.5m", "99999999999999999999s1x", MaxString} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s) // must not panic
		matches := s != "" && grammarRE.MatchString(s)
		if err != nil {
			if d != 0 {
				t.Errorf("Parse(%q) returned %v together with an error", s, d)
			}
			checkError(t, s, err)
			if matches && !strings.Contains(err.Error(), MaxString) {
				t.Errorf("Parse(%q) rejected an input matching the regex grammar for a reason other than size: %v", s, err)
			}
			return
		}
		if !matches {
			t.Fatalf("Parse(%q) accepted an input that does not match the regex grammar", s)
		}
		if d < 0 || d > Max || d%time.Second != 0 {
			t.Fatalf("Parse(%q) = %d, out of range or not whole seconds", s, int64(d))
		}
		f := Format(d)
		if !canonicalRE.MatchString(f) {
			t.Fatalf("Format(Parse(%q)) = %q is not canonical", s, f)
		}
		d2, err := Parse(f)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = Parse(%q): %v", s, f, err)
		}
		if d2 != d {
			t.Fatalf("Parse(Format(Parse(%q))) = Parse(%q) = %d, want %d", s, f, int64(d2), int64(d))
		}
		if f2 := Format(d2); f2 != f {
			t.Fatalf("Format is not stable: %q then %q", f, f2)
		}
	})
}
