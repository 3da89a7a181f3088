package provider

import "time"

// Clock tells the provider what time it is. Every schedule is evaluated
// against it: wallClock is the only place in the provider that calls
// time.Now, and everything else asks a Clock (ProviderData.now).
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
	// PlanTime is the provider's plan_time (set to plantimestamp()): the
	// instant every schedule is decided at, in the plan and in Terraform's
	// re-plan while applying it. Nil when unset; ignored in a rehearsal.
	PlanTime *time.Time
	// Prometheus queries the provider's prometheus_url for the evidence
	// gates; nil when it is not set.
	Prometheus *promClient
	// Seeds are the material seeds of derived mode (material_seed.go);
	// never logged or printed.
	Seeds *materialSeeds
}

// prometheus is the Prometheus client, nil when prometheus_url is unset.
func (d *ProviderData) prometheus() *promClient {
	if d == nil {
		return nil
	}
	return d.Prometheus
}

// now is the time transitions are stamped with: the wall clock until the
// provider is configured.
func (d *ProviderData) now() time.Time {
	if d == nil || d.Clock == nil {
		return wallClock{}.Now()
	}
	return d.Clock.Now()
}

// decisionTime is the instant schedules are decided at: plan_time when set
// (outside a rehearsal), the clock otherwise.
func (d *ProviderData) decisionTime() time.Time {
	if d != nil && d.PlanTime != nil && !d.Rehearsal {
		return *d.PlanTime
	}
	return d.now()
}
