package lifecycle

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseChangeWindow(t *testing.T) {
	w, err := ParseChangeWindow([]string{"fri", "mon", "Wed"}, "09:00", "16:30", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.Days, []time.Weekday{time.Monday, time.Wednesday, time.Friday}) || w.Start != 9*time.Hour ||
		w.End != 16*time.Hour+30*time.Minute || w.Location.String() != "Europe/Berlin" {
		t.Errorf("parsed %+v", w)
	}
	if w.String() != "mon,wed,fri 09:00-16:30 Europe/Berlin" {
		t.Errorf("String() = %q", w.String())
	}
	w, err = ParseChangeWindow(nil, "22:00", "02:00", "")
	if err != nil || w.Location != time.UTC || len(w.Days) != 0 || w.String() != "every day 22:00-02:00 UTC" {
		t.Errorf("overnight every day: %+v, %v", w, err)
	}
	if w, err := ParseChangeWindow(nil, "00:00", "24:00", "UTC"); err != nil || !w.Contains(t0) || w.End != 24*time.Hour {
		t.Errorf("whole day: %+v, %v", w, err)
	}
	for _, c := range []struct {
		days              []string
		start, end, tz    string
		field, msgExcerpt string
	}{
		{[]string{"monday"}, "09:00", "10:00", "UTC", "days", `"monday" is not a day of the week`},
		{[]string{"mon", "mon"}, "09:00", "10:00", "UTC", "days", `"mon" is listed twice`},
		{nil, "9:00", "10:00", "UTC", "start", `"9:00" is not a time of day in HH:MM`},
		{nil, "24:00", "10:00", "UTC", "start", "end of the day"},
		{nil, "09:60", "10:00", "UTC", "start", "not a time of day"},
		{nil, "09:00", "25:00", "UTC", "end", "not a time of day"},
		{nil, "09:00", "10:0a", "UTC", "end", "not a time of day"},
		{nil, "09:00", "09:00", "UTC", "end", "leaves the window empty"},
		{nil, "09:00", "10:00", "Mars/Olympus", "time_zone", `"Mars/Olympus" is not a known IANA time zone`},
		{nil, "09:00", "10:00", "Local", "time_zone", "depends on the machine"},
	} {
		_, err := ParseChangeWindow(c.days, c.start, c.end, c.tz)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Message, c.msgExcerpt) {
			t.Errorf("ParseChangeWindow(%v, %q, %q, %q) = %v, want %s error with %q", c.days, c.start, c.end, c.tz, err, c.field, c.msgExcerpt)
		}
	}
}

func TestChangeWindowContains(t *testing.T) {
	var nilW *ChangeWindow
	if !nilW.Contains(t0) || !nilW.NextOpen(t0).Equal(t0) {
		t.Error("a nil window must contain everything")
	}
	ny := mustLoad("America/New_York")
	fri := &ChangeWindow{Days: []time.Weekday{time.Friday}, Start: 22 * time.Hour, End: 2 * time.Hour}
	utc := func(mo time.Month, dd, h, m int) time.Time { return time.Date(2025, mo, dd, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		w    *ChangeWindow
		at   time.Time
		want bool
	}{
		{fri, utc(2, 7, 21, 59), false},
		{fri, utc(2, 7, 22, 0), true},
		{fri, utc(2, 7, 23, 59), true},
		{fri, utc(2, 8, 0, 0), true}, // Saturday, still Friday's window
		{fri, utc(2, 8, 1, 59), true},
		{fri, utc(2, 8, 2, 0), false},
		{fri, utc(2, 7, 1, 0), false}, // Friday early morning belongs to Thursday
		{fri, utc(2, 8, 22, 30), false},
		// 09:00-17:00 New York, every day: 14:00-22:00 UTC in winter, 13:00-21:00 in summer.
		{&ChangeWindow{Start: 9 * time.Hour, End: 17 * time.Hour, Location: ny}, utc(3, 8, 13, 30), false},
		{&ChangeWindow{Start: 9 * time.Hour, End: 17 * time.Hour, Location: ny}, utc(3, 8, 14, 0), true},
		{&ChangeWindow{Start: 9 * time.Hour, End: 17 * time.Hour, Location: ny}, utc(3, 10, 13, 30), true},
		{&ChangeWindow{Start: 9 * time.Hour, End: 17 * time.Hour, Location: ny}, utc(3, 10, 21, 30), false},
		// On the day New York falls back, 01:00-01:30 happens twice.
		{&ChangeWindow{Start: time.Hour, End: 90 * time.Minute, Location: ny}, utc(11, 2, 5, 15), true}, // 01:15 EDT
		{&ChangeWindow{Start: time.Hour, End: 90 * time.Minute, Location: ny}, utc(11, 2, 5, 45), false},
		{&ChangeWindow{Start: time.Hour, End: 90 * time.Minute, Location: ny}, utc(11, 2, 6, 15), true}, // 01:15 EST
	} {
		if got := c.w.Contains(c.at); got != c.want {
			t.Errorf("%v Contains(%s) = %v", c.w, ts(c.at), got)
		}
	}
}

func TestChangeWindowNextOpen(t *testing.T) {
	ny := mustLoad("America/New_York")
	utc := func(mo time.Month, dd, h, m int) time.Time { return time.Date(2025, mo, dd, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		w        *ChangeWindow
		at, want time.Time
	}{
		{&ChangeWindow{Days: []time.Weekday{time.Monday}, Start: 9 * time.Hour, End: 10 * time.Hour}, utc(2, 4, 10, 0), utc(2, 10, 9, 0)},
		{&ChangeWindow{Days: []time.Weekday{time.Monday}, Start: 9 * time.Hour, End: 10 * time.Hour}, utc(2, 10, 9, 30), utc(2, 10, 9, 30)},
		// Spring forward: 02:30 does not exist on 2025-03-09; the window opens at 03:00 EDT.
		{&ChangeWindow{Start: 150 * time.Minute, End: 210 * time.Minute, Location: ny}, utc(3, 9, 6, 0), utc(3, 9, 7, 0)},
		// Fall back: 01:00-01:30 EDT, then again 01:00-01:30 EST.
		{&ChangeWindow{Start: time.Hour, End: 90 * time.Minute, Location: ny}, utc(11, 2, 5, 30), utc(11, 2, 6, 0)},
		// ... and a start in the repeated hour opens twice.
		{&ChangeWindow{Start: 90 * time.Minute, End: 105 * time.Minute, Location: ny}, utc(11, 2, 5, 45), utc(11, 2, 6, 30)},
		{&ChangeWindow{Start: 9 * time.Hour, End: 17 * time.Hour, Location: ny}, utc(3, 8, 23, 0), utc(3, 9, 13, 0)},
	} {
		if got := c.w.NextOpen(c.at); !got.Equal(c.want) {
			t.Errorf("%v NextOpen(%s) = %s, want %s", c.w, ts(c.at), ts(got), ts(c.want))
		}
	}
}

// TestChangeWindowNextOpenBruteForce compares NextOpen with a minute-by-minute
// scan for random windows in zones with daylight saving (including
// Lord Howe's 30-minute shift and Chatham's 45-minute offset) around their
// transitions.
func TestChangeWindowNextOpenBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		w := genWindow(r)
		// Around a transition of the zone, or anywhere in 2024-2026.
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(durN(r, 3*365*day))
		if i%2 == 0 {
			if _, end := at.In(w.Location).ZoneBounds(); !end.IsZero() {
				at = end.Add(-durN(r, 2*day))
			}
		}
		got := w.NextOpen(at)
		if got.Before(at) || !w.Contains(got) {
			t.Fatalf("%v NextOpen(%s) = %s: before t or outside", w, ts(at), got)
		}
		// No earlier instant is inside: t itself, then every minute.
		for c := at.Truncate(time.Minute); c.Before(got); c = c.Add(time.Minute) {
			if !c.Before(at) && w.Contains(c) {
				t.Fatalf("%v NextOpen(%s) = %s, but %s is inside", w, ts(at), got.In(w.Location), c.In(w.Location))
			}
		}
	}
}
