package provider

import "time"

// Clock tells the provider what time it is. Every schedule is evaluated
// against it; nothing in the provider calls time.Now directly.
type Clock interface {
	Now() time.Time
}

// wallClock is the real clock, in UTC.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// fixedClock is the rehearsal clock set by the provider's "now" attribute or
// ROTATION_NOW: it always answers the same instant.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// ProviderData is what Configure hands to every resource.
type ProviderData struct {
	Clock Clock
	// Rehearsal is true when a fixed "now" is in force (a game day or a test).
	Rehearsal bool
	// NowSource says where the rehearsal clock came from, for diagnostics.
	NowSource string
}
