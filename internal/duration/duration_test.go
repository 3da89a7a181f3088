package duration

import (
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tablePath is the table shared with the Rego policy tests.
const tablePath = "../../policies/testdata/durations/data.json"

// grammarRE is the regular grammar the Rego helper implements; every valid
// input must match it (and must not be empty).
var grammarRE = regexp.MustCompile(`^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$`)

// canonicalRE is the shape of Format's output for non-negative durations.
var canonicalRE = regexp.MustCompile(`^(0s|([1-9][0-9]*d)?([1-9][0-9]*h)?([1-9][0-9]*m)?([1-9][0-9]*s)?)$`)

type tableCase struct {
	Input     string  `json:"input"`
	Valid     bool    `json:"valid"`
	Seconds   *int64  `json:"seconds"`
	Canonical *string `json:"canonical"`
	Reason    string  `json:"reason"`
}

func loadTable(tb testing.TB) []tableCase {
	tb.Helper()
	raw, err := os.ReadFile(tablePath)
	if err != nil {
		tb.Fatalf("reading shared table: %v", err)
	}
	var table struct {
		Cases []tableCase `json:"cases"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&table); err != nil {
		tb.Fatalf("decoding %s: %v", tablePath, err)
	}
	return table.Cases
}

func TestSharedTable(t *testing.T) {
	cases := loadTable(t)
	if len(cases) < 40 {
		t.Fatalf("shared table has %d cases, want at least 40", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Input] {
			t.Errorf("duplicate input %q in table", c.Input)
		}
		seen[c.Input] = true
		t.Run(strconv.Quote(c.Input), func(t *testing.T) {
			d, err := Parse(c.Input)
			matches := c.Input != "" && grammarRE.MatchString(c.Input)
			if c.Valid {
				if c.Seconds == nil || c.Canonical == nil {
					t.Fatalf("valid case must have seconds and canonical")
				}
				if err != nil {
					t.Fatalf("Parse(%q) error: %v", c.Input, err)
				}
				if d%time.Second != 0 {
					t.Errorf("Parse(%q) = %v, not a whole number of seconds", c.Input, d)
				}
				if got := int64(d / time.Second); got != *c.Seconds {
					t.Errorf("Parse(%q) = %d seconds, table says %d", c.Input, got, *c.Seconds)
				}
				if got := Format(d); got != *c.Canonical {
					t.Errorf("Format(Parse(%q)) = %q, table says %q", c.Input, got, *c.Canonical)
				}
				if !matches {
					t.Errorf("valid input %q does not match the regex grammar", c.Input)
				}
				return
			}
			if c.Seconds != nil || c.Canonical != nil {
				t.Errorf("invalid case must not have seconds or canonical")
			}
			if c.Reason == "" {
				t.Errorf("invalid case should have a reason")
			}
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error (%s)", c.Input, d, c.Reason)
			}
			if d != 0 {
				t.Errorf("Parse(%q) returned %v with an error, want 0", c.Input, d)
			}
			checkError(t, c.Input, err)
			// The only inputs the regex accepts but Parse rejects are too large.
			if matches && !strings.Contains(err.Error(), MaxString) {
				t.Errorf("input %q matches the regex grammar but was rejected for a reason other than size: %v", c.Input, err)
			}
		})
	}
}

// checkError asserts the properties every error message must have.
func checkError(t testing.TB, input string, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid duration "+strconv.Quote(input)+": ") {
		t.Errorf("error for %q does not start by quoting the input: %s", input, msg)
	}
	if !strings.HasSuffix(msg, Grammar) {
		t.Errorf("error for %q does not show the grammar: %s", input, msg)
	}
}

// TestErrorMessages pins the specific explanation given for each kind of
// mistake, so that messages stay helpful.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct{ input, want string }{
		{"", "the value is empty"},
		{"90", `missing unit after "90" (a bare number is not allowed)`},
		{"1h30", `missing unit after "30"`},
		{"d", `missing number before unit "d"`},
		{"D", `missing number before unit "D"`},
		{"1dh", `unknown unit "dh"`},
		{"abc", `expected a number, found "abc"`},
		{"-1d", "signs are not allowed"},
		{"+1d", "signs are not allowed"},
		{"1d-1h", "signs are not allowed"},
		{"1.5h", "fractions are not allowed"},
		{".5h", "fractions are not allowed"},
		{"1,5h", "fractions are not allowed"},
		{"1h.5m", "fractions are not allowed"},
		{"1.h", `unexpected character "." after a number`},
		{" 1h", "spaces are not allowed"},
		{"1 h", "spaces are not allowed"},
		{"1h\u00a0", "spaces are not allowed"},
		{"1H", `unit "H" must be lower case ("h" for hours)`},
		{"1D", `unit "D" must be lower case ("d" for days)`},
		{"1M", `unit "M" must be lower case ("m" for minutes)`},
		{"1h1d", `unit "d" must come before "h"; units must appear in the order w, d, h, m, s`},
		{"1h1h", `unit "h" appears more than once`},
		{"1h1m1h", `unit "h" appears more than once`},
		{"1ms", `sub-second unit "ms" is not supported`},
		{"1µs", `sub-second unit "µs" is not supported`},
		{"1y", `unit "y" is not supported because years and months vary in length`},
		{"1x", `unknown unit "x"`},
		{"1hour", `unknown unit "hour"`},
		{"1_0s", `unexpected character "_" after a number`},
		{"1h;", `unexpected character ";"`},
		{"١h", `only ASCII digits 0-9 are allowed, not "١"`},
		{"1١h", `only ASCII digits 0-9 are allowed, not "١"`},
		{"\xff1h", "not valid UTF-8"},
		{"1h\x00", `unexpected character "\x00"`},
		{"9223372037s", `the value is too large; the maximum is "106751d23h47m16s"`},
		{"99999999999999999999s", `the maximum is "106751d23h47m16s"`},
		{"20000w", `the maximum is "106751d23h47m16s"`},
		// Syntax errors are reported in preference to overflow.
		{"99999999999999999999s1x", `unknown unit "x"`},
		{"20000w1h1h", `unit "h" appears more than once`},
	} {
		_, err := Parse(tc.input)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error containing %q", tc.input, tc.want)
			continue
		}
		checkError(t, tc.input, err)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.input, err, tc.want)
		}
	}
}

func TestExampleMessage(t *testing.T) {
	_, err := Parse("1.5h")
	want := `invalid duration "1.5h": fractions are not allowed; use whole numbers of w (weeks), d (days), h (hours), ` +
		`m (minutes), s (seconds), each unit at most once and in that order, e.g. "90d", "1d12h", "45m", "0s"`
	if err == nil || err.Error() != want {
		t.Errorf("Parse(\"1.5h\") error =\n  %v\nwant\n  %s", err, want)
	}
}

func TestMax(t *testing.T) {
	if Max != 9223372036*time.Second {
		t.Errorf("Max = %d", Max)
	}
	if uint64(Max)+uint64(time.Second) <= math.MaxInt64 {
		t.Errorf("Max is not the largest whole number of seconds")
	}
	if got := Format(Max); got != MaxString {
		t.Errorf("Format(Max) = %q, want %q", got, MaxString)
	}
	if d, err := Parse(MaxString); err != nil || d != Max {
		t.Errorf("Parse(MaxString) = %v, %v", d, err)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{time.Second, "1s"},
		{59 * time.Second, "59s"},
		{time.Minute, "1m"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{24 * time.Hour, "1d"},
		{36 * time.Hour, "1d12h"},
		{90 * 24 * time.Hour, "90d"},
		{7 * 24 * time.Hour, "7d"},
		{24*time.Hour + time.Second, "1d1s"},
		{25*time.Hour + 1*time.Minute + 1*time.Second, "1d1h1m1s"},
		// Sub-second parts are truncated.
		{time.Nanosecond, "0s"},
		{999 * time.Millisecond, "0s"},
		{1500 * time.Millisecond, "1s"},
		{time.Hour + 999999999, "1h"},
		// The extremes.
		{Max, "106751d23h47m16s"},
		{math.MaxInt64, "106751d23h47m16s"},
		// Negative durations: magnitude with a leading "-".
		{-time.Second, "-1s"},
		{-36 * time.Hour, "-1d12h"},
		{-1500 * time.Millisecond, "-1s"},
		{-500 * time.Millisecond, "0s"},
		{math.MinInt64, "-106751d23h47m16s"},
	} {
		if got := Format(tc.d); got != tc.want {
			t.Errorf("Format(%d) = %q, want %q", int64(tc.d), got, tc.want)
		}
	}
}

func TestFormatNegativeNotParseable(t *testing.T) {
	s := Format(-time.Hour)
	if _, err := Parse(s); err == nil {
		t.Errorf("Parse(Format(-1h)) = Parse(%q) succeeded, want error", s)
	}
}

// TestRoundTrip checks Parse(Format(d)) == d for whole-second durations
// spread over the whole valid range, and that Format output is canonical.
func TestRoundTrip(t *testing.T) {
	values := []time.Duration{0, time.Second, Max, Max - time.Second}
	for _, c := range loadTable(t) {
		if c.Valid {
			values = append(values, time.Duration(*c.Seconds)*time.Second)
		}
	}
	// A deterministic spread: powers of two and their neighbours, in seconds.
	for s := int64(1); s > 0 && s <= int64(Max/time.Second); s *= 2 {
		for _, v := range []int64{s - 1, s, s + 1} {
			if v >= 0 && v <= int64(Max/time.Second) {
				values = append(values, time.Duration(v)*time.Second)
			}
		}
	}
	// And a simple linear congruential sequence.
	x := uint64(42)
	for i := 0; i < 10000; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		values = append(values, time.Duration(x%uint64(Max/time.Second+1))*time.Second)
	}
	for _, d := range values {
		s := Format(d)
		if !canonicalRE.MatchString(s) {
			t.Errorf("Format(%d) = %q is not canonical", int64(d), s)
		}
		got, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(Format(%d)) = Parse(%q): %v", int64(d), s, err)
			continue
		}
		if got != d {
			t.Errorf("Parse(Format(%d)) = Parse(%q) = %d", int64(d), s, int64(got))
		}
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("1d12h"); got != 36*time.Hour {
		t.Errorf("MustParse(\"1d12h\") = %v", got)
	}
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("MustParse(\"bad\") did not panic")
		}
		if msg, _ := r.(string); !strings.Contains(msg, `"bad"`) {
			t.Errorf("panic value %v does not name the input", r)
		}
	}()
	MustParse("bad")
}
