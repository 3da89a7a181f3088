package lifecycle

import (
	"fmt"
	"math"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
)

// ValidationError is a configuration error tied to one attribute.
type ValidationError struct {
	// Field is the attribute path, such as "schedule.ttl",
	// "pin_active_version", "revoke_versions", "revoke_reason", or for
	// ParseChangeWindow "days", "start", "end", "time_zone".
	Field string
	// Message says what is wrong and how to fix it, with the numbers.
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// Validate checks the schedule for mode m and returns every problem found,
// nil if there is none:
//
//   - period > 0, and every duration >= 0;
//   - propagation + period + jitter + overlap fits in a time.Duration, so
//     that no sum the engine computes wraps around;
//   - ttl >= propagation + period + overlap (a version must be able to live
//     through its propagation, its period as the newest version and the
//     overlap after it);
//   - in ModeTwoSlot also propagation + overlap < period, or the version
//     after next would need the slot before its occupant is revoked;
//   - the change window, if any, is well formed.
func (s Schedule) Validate(mode Mode) []*ValidationError {
	var errs []*ValidationError
	add := func(field, msg string, args ...any) {
		errs = append(errs, &ValidationError{Field: "schedule." + field, Message: fmt.Sprintf(msg, args...)})
	}
	for _, field := range []struct {
		name  string
		value time.Duration
	}{{"period", s.Period}, {"overlap", s.Overlap}, {"propagation", s.Propagation}, {"ttl", s.TTL}, {"jitter", s.Jitter}} {
		if field.value < 0 {
			add(field.name, "%s %s is negative; durations are 0s or more", field.name, formatDuration(field.value))
		}
	}
	if s.Period == 0 {
		add("period", "period is 0s; a rotation period must be longer than 0s")
	}
	if len(errs) > 0 {
		return errs
	}
	// Every sum the engine computes (period + jitter offset for the next
	// issue, propagation + period + overlap, propagation + overlap) is at
	// most this one, so none of them can wrap around.
	if _, ok := sum(s.Propagation, s.Period, s.Jitter, s.Overlap); !ok {
		field := "period"
		if _, ok := sum(s.Propagation, s.Period, s.Overlap); ok && s.Jitter > 0 {
			field = "jitter"
		}
		add(field, "propagation %s + period %s + jitter %s + overlap %s is longer than the longest duration %s, so the times versions are due at cannot be computed; shorten period, jitter, overlap or propagation",
			formatDuration(s.Propagation), formatDuration(s.Period), formatDuration(s.Jitter), formatDuration(s.Overlap), formatDuration(duration.Max))
		return errs
	}
	if need, _ := sum(s.Propagation, s.Period, s.Overlap); s.TTL < need {
		add("ttl", "ttl %s is shorter than propagation %s + period %s + overlap %s = %s; raise ttl to at least %s or shorten period/overlap",
			formatDuration(s.TTL), formatDuration(s.Propagation), formatDuration(s.Period), formatDuration(s.Overlap),
			formatDuration(need), formatDuration(need))
	}
	if mode == ModeTwoSlot {
		if busy, ok := sum(s.Propagation, s.Overlap); !ok || busy >= s.Period {
			add("period", "the two slots would collide: propagation %s + overlap %s = %s is not shorter than period %s, so version k+2 would be due in the slot of version k before version k is revoked; make period longer than %s or shorten propagation/overlap",
				formatDuration(s.Propagation), formatDuration(s.Overlap), formatDuration(busy), formatDuration(s.Period), formatDuration(busy))
		}
	}
	if s.Window != nil {
		errs = append(errs, s.Window.validate()...)
	}
	return errs
}

// sum adds non-negative durations, reporting overflow.
func sum(ds ...time.Duration) (time.Duration, bool) {
	var total time.Duration
	for _, d := range ds {
		if total > 1<<63-1-d {
			return 1<<63 - 1, false
		}
		total += d
	}
	return total, true
}

// formatDuration writes d for a message: duration.Format, the canonical
// spelling of a configured duration ("1d12h", "45m", "0s"; "-2h" for a
// negative one), for every whole number of seconds, which is every duration
// a configuration can set. The engine is also called with durations a
// configuration cannot spell (tests, fuzzing, a library caller); so that
// its messages still say what the value is, a fraction of a second, which
// duration.Format truncates, is written in Go's notation after the whole
// minutes ("1.5s", "1h250ms", "-250ms").
func formatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return duration.Format(d)
	}
	if d < 0 {
		if d == math.MinInt64 {
			return d.String() // its magnitude does not fit in a Duration
		}
		return "-" + formatDuration(-d)
	}
	rest := d % time.Minute
	if whole := d - rest; whole > 0 {
		return duration.Format(whole) + rest.String()
	}
	return rest.String()
}
