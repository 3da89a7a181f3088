package lifecycle

import "time"

// Derived views of a recorded state. The provider, the runbook and
// tools/genplan read the record only through these, so that what a version's
// timestamps mean is written down once.

// Newest is the newest timestamp recorded in any version of s (issued,
// activated, superseded or revoked): the instant of the last transition. It
// is the zero time for an empty state.
func (s State) Newest() time.Time {
	var last time.Time
	for _, v := range s.Versions {
		for _, t := range [...]time.Time{v.IssuedAt, v.ActivatedAt, v.SupersededAt, v.RevokedAt} {
			if t.After(last) {
				last = t
			}
		}
	}
	return last
}

// Timestamp names one recorded timestamp: the version, the field
// ("issued_at", "activated_at", "superseded_at" or "revoked_at", as the
// resources name it) and the instant.
type Timestamp struct {
	Version int64
	Field   string
	At      time.Time
}

// AheadOf reports whether the record is ahead of the clock t: it returns
// the latest recorded timestamp after t (the lowest version and the
// earliest field on a tie) and how many recorded timestamps are after t; 0
// and the zero Timestamp when none is. Decide suspends scheduled steps
// while a record is ahead (docs/design.md, Statuses and steps).
func (s State) AheadOf(t time.Time) (Timestamp, int) {
	var latest Timestamp
	n := 0
	for _, v := range s.Versions {
		for _, f := range [...]struct {
			name string
			at   time.Time
		}{{"issued_at", v.IssuedAt}, {"activated_at", v.ActivatedAt}, {"superseded_at", v.SupersededAt}, {"revoked_at", v.RevokedAt}} {
			if !f.at.After(t) {
				continue
			}
			n++
			if f.at.After(latest.At) {
				latest = Timestamp{Version: v.Version, Field: f.name, At: f.at}
			}
		}
	}
	return latest, n
}

// AcceptedOrder returns the accepted versions in the order validators list
// them: the active version first, then the pending one, then the previous
// ones, newest first. It is the order of rotation_secret's accepted_kids and
// jwks.
func (s State) AcceptedOrder() []Version {
	return OrderAccepted(s.Versions, func(v Version) Status { return v.Status })
}

// OrderAccepted is AcceptedOrder for any representation of a version list
// (ascending by version number): status tells each element's status.
func OrderAccepted[T any](versions []T, status func(T) Status) []T {
	out := make([]T, 0, len(versions))
	for _, st := range [...]Status{StatusActive, StatusPending} {
		for _, v := range versions {
			if status(v) == st {
				out = append(out, v)
			}
		}
	}
	for i := len(versions) - 1; i >= 0; i-- {
		if status(versions[i]) == StatusPrevious {
			out = append(out, versions[i])
		}
	}
	return out
}

// History returns the accepted statuses version v went through according to
// its timestamps, as spans in time order, up to the instant until: a span
// still open at until ends there, and nothing at or after until is
// returned. A version's timestamps say when it was issued (pending),
// activated (active), superseded (previous) and revoked; a version revoked
// while pending has no activated_at, one revoked while active no
// superseded_at. A zero IssuedAt (a timestamp this plan sets) yields no
// spans.
func (v Version) History(until time.Time) []Span {
	var spans []Span
	add := func(st Status, from time.Time, ends ...time.Time) {
		to := until
		for _, t := range ends {
			if !t.IsZero() {
				to = t
				break
			}
		}
		if from.IsZero() || !from.Before(until) {
			return
		}
		if to.After(until) {
			to = until
		}
		if !to.After(from) {
			return
		}
		spans = append(spans, Span{Version: v.Version, Slot: v.Slot, Status: st, From: from, To: to})
	}
	add(StatusPending, v.IssuedAt, v.ActivatedAt, v.RevokedAt)
	add(StatusActive, v.ActivatedAt, v.SupersededAt, v.RevokedAt)
	add(StatusPrevious, v.SupersededAt, v.RevokedAt)
	return spans
}

// StatusBeforeRevocation is the status v had when it was revoked, as its
// timestamps tell: previous if it was superseded, else active if it was
// activated, else pending. It is v.Status for a version that is not
// revoked.
func (v Version) StatusBeforeRevocation() Status {
	switch {
	case v.Status != StatusRevoked:
		return v.Status
	case !v.SupersededAt.IsZero():
		return StatusPrevious
	case !v.ActivatedAt.IsZero():
		return StatusActive
	}
	return StatusPending
}
