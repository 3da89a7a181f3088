package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ChangeWindow restricts scheduled transitions to certain hours of certain
// days, in wall-clock time of a time zone.
//
// A window opens at Start on each of Days and closes at End the same day. If
// End is before Start the window runs past midnight and closes at End on the
// next day; Days names the day it opens. Start and End are wall-clock times
// (09:00 is 09:00 on the clock, also on days with a daylight-saving change).
// A Start that does not exist on a day (it falls into a spring-forward gap)
// opens the window at the first instant the clock shows a later time.
type ChangeWindow struct {
	// Days the window opens; empty means every day.
	Days []time.Weekday
	// Start and End are offsets since local midnight, in [0, 24h]. End <
	// Start means the window runs past midnight; End == Start is invalid.
	// Start must be before 24h; End may be 24h (midnight at the end of the
	// day).
	Start, End time.Duration
	// Location of the wall clock; nil means UTC.
	Location *time.Location
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday,
	"sat": time.Saturday,
}

// ParseChangeWindow parses a change_window block: days "mon".."sun" (empty
// means every day), start and end "HH:MM" on a 24-hour clock (end may be
// "24:00"; end before start runs past midnight) and an IANA time zone name
// (empty means UTC). Errors are *ValidationError whose Field is "days",
// "start", "end" or "time_zone".
func ParseChangeWindow(days []string, start, end, tz string) (*ChangeWindow, error) {
	w := &ChangeWindow{}
	seen := map[time.Weekday]bool{}
	for _, d := range days {
		wd, ok := dayNames[strings.ToLower(d)]
		if !ok {
			return nil, &ValidationError{Field: "days", Message: fmt.Sprintf("%q is not a day of the week; use mon, tue, wed, thu, fri, sat or sun", d)}
		}
		if seen[wd] {
			return nil, &ValidationError{Field: "days", Message: fmt.Sprintf("%q is listed twice", d)}
		}
		seen[wd] = true
		w.Days = append(w.Days, wd)
	}
	slices.Sort(w.Days)
	var err error
	if w.Start, err = parseClock(start, false); err != nil {
		return nil, &ValidationError{Field: "start", Message: err.Error()}
	}
	if w.End, err = parseClock(end, true); err != nil {
		return nil, &ValidationError{Field: "end", Message: err.Error()}
	}
	if w.Start == w.End {
		return nil, &ValidationError{Field: "end", Message: fmt.Sprintf("end %s equals start %s, which leaves the window empty; for a whole day use start = \"00:00\", end = \"24:00\"", end, start)}
	}
	switch tz {
	case "", "UTC":
		w.Location = time.UTC
	case "Local":
		return nil, &ValidationError{Field: "time_zone", Message: `"Local" depends on the machine running Terraform; name an IANA time zone such as "Europe/Berlin" or "UTC"`}
	default:
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, &ValidationError{Field: "time_zone", Message: fmt.Sprintf("%q is not a known IANA time zone (such as \"UTC\" or \"America/New_York\"): %v", tz, err)}
		}
		w.Location = loc
	}
	return w, nil
}

// parseClock parses "HH:MM" (24-hour clock, two digits each).
func parseClock(s string, allow24 bool) (time.Duration, error) {
	bad := func() error {
		return fmt.Errorf("%q is not a time of day in HH:MM (24-hour clock, two digits each), e.g. \"09:00\" or \"17:30\"", s)
	}
	if len(s) != 5 || s[2] != ':' {
		return 0, bad()
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad()
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 {
		return 0, bad()
	}
	if h == 24 && m == 0 {
		if !allow24 {
			return 0, fmt.Errorf("%q is the end of the day; a window starts at 00:00 to 23:59", s)
		}
		return 24 * time.Hour, nil
	}
	if h > 23 {
		return 0, bad()
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func (w *ChangeWindow) loc() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

func (w *ChangeWindow) hasDay(d time.Weekday) bool {
	return len(w.Days) == 0 || slices.Contains(w.Days, d)
}

// clock returns the wall-clock time of day of t in the window's location.
func (w *ChangeWindow) clock(t time.Time) (time.Time, time.Duration) {
	lt := t.In(w.loc())
	tod := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	return lt, tod
}

// Contains reports whether t is inside the window. A nil window contains
// every instant.
func (w *ChangeWindow) Contains(t time.Time) bool {
	if w == nil {
		return true
	}
	lt, tod := w.clock(t)
	day := lt.Weekday()
	if w.Start < w.End {
		return w.hasDay(day) && tod >= w.Start && tod < w.End
	}
	// Past midnight: the evening part belongs to today's window, the early
	// morning part to yesterday's.
	if tod >= w.Start {
		return w.hasDay(day)
	}
	return tod < w.End && w.hasDay((day+6)%7)
}

// NextOpen returns the earliest instant at or after t inside the window: t
// itself if the window contains it. A nil window returns t. Days with a
// daylight-saving change are handled: a Start inside a skipped hour opens
// the window when the clock jumps past it, and a Start inside a repeated
// hour opens it at the first occurrence (and again at the second one if the
// window closed in between).
func (w *ChangeWindow) NextOpen(t time.Time) time.Time {
	if w == nil || w.Contains(t) {
		return t
	}
	// The window can only open when the wall clock reaches Start (the
	// clock moves continuously between zone transitions) or when the clock
	// jumps (a zone transition). Collect those instants for the next eight
	// days and take the earliest one inside the window: any candidate
	// inside is an upper bound, and the true opening is among them.
	loc := w.loc()
	lt := t.In(loc)
	best := time.Time{}
	consider := func(c time.Time) {
		if c.Before(t) || !w.Contains(c) {
			return
		}
		if best.IsZero() || c.Before(best) {
			best = c
		}
	}
	sh, sm := int(w.Start/time.Hour), int(w.Start%time.Hour/time.Minute)
	ss, sns := int(w.Start%time.Minute/time.Second), int(w.Start%time.Second)
	for i := -1; i <= 8; i++ {
		consider(time.Date(lt.Year(), lt.Month(), lt.Day()+i, sh, sm, ss, sns, loc))
	}
	limit := t.Add(9 * 24 * time.Hour)
	for z, n := lt, 0; n < 64; n++ {
		_, end := z.ZoneBounds()
		if end.IsZero() || end.After(limit) || !end.After(z) {
			break
		}
		consider(end)
		// Around a jump the clock may show Start on both sides, and
		// time.Date picks only one of them: take the instant it shows
		// Start just before the jump and the one just after.
		if _, after := w.clock(end); after < w.Start {
			consider(end.Add(w.Start - after))
		}
		if _, before := w.clock(end.Add(-time.Nanosecond)); before+time.Nanosecond > w.Start {
			consider(end.Add(-(before + time.Nanosecond - w.Start)))
		}
		z = end
	}
	if !best.IsZero() {
		return best
	}
	// Unreachable for valid windows (every window opens at least once a
	// week); scan minute by minute as a last resort.
	c := t.Truncate(time.Minute)
	for n := 0; n < 16*24*60; n++ {
		c = c.Add(time.Minute)
		if w.Contains(c) {
			return c
		}
	}
	return t
}

func (w *ChangeWindow) String() string {
	if w == nil {
		return "any time"
	}
	days := "every day"
	if len(w.Days) > 0 {
		var names []string
		for _, d := range w.Days {
			names = append(names, strings.ToLower(d.String()[:3]))
		}
		days = strings.Join(names, ",")
	}
	return fmt.Sprintf("%s %s-%s %s", days, clockString(w.Start), clockString(w.End), w.loc())
}

func clockString(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func (w *ChangeWindow) validate() []*ValidationError {
	var errs []*ValidationError
	add := func(field, msg string, args ...any) {
		errs = append(errs, &ValidationError{Field: "schedule.change_window." + field, Message: fmt.Sprintf(msg, args...)})
	}
	for _, d := range w.Days {
		if d < time.Sunday || d > time.Saturday {
			add("days", "%d is not a day of the week", int(d))
		}
	}
	if w.Start < 0 || w.Start >= 24*time.Hour {
		add("start", "start %s is not a time of day between 00:00 and 23:59", formatDuration(w.Start))
	}
	if w.End < 0 || w.End > 24*time.Hour {
		add("end", "end %s is not a time of day between 00:00 and 24:00", formatDuration(w.End))
	}
	if w.Start == w.End {
		add("end", "end equals start %s, which leaves the window empty", clockString(w.Start))
	}
	if w.Start%time.Minute != 0 || w.End%time.Minute != 0 {
		add("start", "start and end must be whole minutes")
	}
	return errs
}
