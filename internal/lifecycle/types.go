package lifecycle

import (
	"hash/fnv"
	"slices"
	"time"
)

// Status is the lifecycle status of a version.
type Status string

// The statuses of a version. See the package documentation.
const (
	StatusPending  Status = "pending"
	StatusActive   Status = "active"
	StatusPrevious Status = "previous"
	StatusRevoked  Status = "revoked"
)

// Accepted reports whether validators accept a version with this status:
// pending, active and previous versions are accepted, revoked ones are not.
func (s Status) Accepted() bool {
	return s == StatusPending || s == StatusActive || s == StatusPrevious
}

// Mode selects the resource whose rules apply.
type Mode int

const (
	// ModeSeries is rotation_secret: a series of versions, any number of
	// them previous at a time.
	ModeSeries Mode = iota
	// ModeTwoSlot is rotation_schedule: two slots "a" and "b" alternate;
	// version k lives in slot "a" if k is odd and "b" if k is even, and may
	// only be issued when version k-2 is revoked or gone.
	ModeTwoSlot
)

func (m Mode) String() string {
	switch m {
	case ModeSeries:
		return "series"
	case ModeTwoSlot:
		return "two-slot"
	}
	return "unknown"
}

// SlotOf returns the slot of version v in mode m: "a" for odd versions and
// "b" for even ones in ModeTwoSlot, "" in ModeSeries.
func SlotOf(m Mode, v int64) string {
	if m != ModeTwoSlot {
		return ""
	}
	if v%2 == 1 {
		return "a"
	}
	return "b"
}

// Controls are the explicit controls of a resource's configuration.
type Controls struct {
	// RotateRequested is true when rotate_triggers changed since the last
	// apply (the provider decides). It issues a new version at once.
	RotateRequested bool
	// Reissue, when not empty, says why the newest accepted version no
	// longer matches the configuration (rotation_secret: its type changed):
	// a new version is issued at once, as for a rotate request, except that
	// while a version is pending it waits until that one is active (with a
	// warning), and while pinned it waits for the pin to go. The caller
	// derives it from the record on every decision, so it persists until a
	// matching version is issued. The text completes "a new version is due
	// because ...", e.g. `type changed from "rsa" (v2) to "ed25519"`.
	Reissue string
	// Pin is pin_active_version; 0 means not pinned. The pinned version is
	// made active (rollback or promotion), nothing is activated or issued
	// by the schedule while pinned, and the schedule never revokes it.
	Pin int64
	// RevokeVersions is revoke_versions: versions to revoke at once.
	RevokeVersions []int64
	// RevokeReason is revoke_reason, required with RevokeVersions.
	RevokeReason string
	// HoldRevocation is hold_revocation: previous versions stay accepted
	// past the overlap.
	HoldRevocation bool
	// HoldReason is hold_reason; a hold without one draws a warning.
	HoldReason string
	// HistoryLimit is history_limit: how many revoked versions are kept as
	// metadata. The provider's default is 10; 0 keeps none.
	HistoryLimit int
}

// Version is one recorded version. A zero time means the event has not
// happened.
type Version struct {
	Version int64
	// Slot is "a" or "b" in ModeTwoSlot and "" in ModeSeries.
	Slot   string
	Status Status
	// IssuedAt is when it was issued (accepted).
	IssuedAt time.Time
	// ActivatedAt is when it last became active (emitted). A version
	// revoked while pending keeps it zero.
	ActivatedAt time.Time
	// SupersededAt is when it became previous. A version revoked while
	// active or pending keeps it zero; a version made active again by a pin
	// has it cleared.
	SupersededAt time.Time
	// RevokedAt is when it was revoked.
	RevokedAt time.Time
	// RevokeReason is the revoke_reason of an emergency revocation; empty
	// for a revocation by the schedule.
	RevokeReason string
	// ActivationEvidence is the evidence an emission gate let the version
	// become active on; RevocationEvidence the evidence a revocation gate
	// let it be revoked on (or, for an emergency revocation under a gate,
	// what the evidence showed). Empty without a gate. See Gates.
	ActivationEvidence string
	RevocationEvidence string
}

// ExpiresAt is IssuedAt + ttl, or the zero time if the version has not been
// issued.
func (v Version) ExpiresAt(ttl time.Duration) time.Time {
	if v.IssuedAt.IsZero() {
		return time.Time{}
	}
	return v.IssuedAt.Add(ttl)
}

// State is the recorded lifecycle of one resource.
type State struct {
	// Versions in ascending order of Version, at most one of them active
	// and at most one pending. Revoked versions beyond the history limit
	// are pruned.
	Versions []Version
	// Generation is the highest version ever issued (pruned or not).
	Generation int64
}

// Clone returns a deep copy of s.
func (s State) Clone() State {
	return State{Versions: slices.Clone(s.Versions), Generation: s.Generation}
}

// Find returns the version numbered v, or nil if it is not recorded.
func (s *State) Find(v int64) *Version {
	i, ok := slices.BinarySearchFunc(s.Versions, v, func(x Version, v int64) int {
		switch {
		case x.Version < v:
			return -1
		case x.Version > v:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return &s.Versions[i]
}

// Active returns the active version, or nil if there is none.
func (s *State) Active() *Version { return s.withStatus(StatusActive) }

// Pending returns the pending version, or nil if there is none.
func (s *State) Pending() *Version { return s.withStatus(StatusPending) }

func (s *State) withStatus(st Status) *Version {
	for i := len(s.Versions) - 1; i >= 0; i-- {
		if s.Versions[i].Status == st {
			return &s.Versions[i]
		}
	}
	return nil
}

// Accepted returns the numbers of the accepted versions, ascending.
func (s State) Accepted() []int64 {
	var out []int64
	for _, v := range s.Versions {
		if v.Status.Accepted() {
			out = append(out, v.Version)
		}
	}
	return out
}

// lastIssued is the IssuedAt of the newest accepted version: the anchor of
// the rotation period. Revoked versions do not count, so that revoking a
// pending version in an emergency does not postpone the rotation it stood
// for, and the answer does not depend on the history limit.
func (s *State) lastIssued() (time.Time, bool) {
	for i := len(s.Versions) - 1; i >= 0; i-- {
		if s.Versions[i].Status.Accepted() {
			return s.Versions[i].IssuedAt, true
		}
	}
	return time.Time{}, false
}

// Schedule is the schedule block of a resource.
type Schedule struct {
	// Period is the time from one issue to the next.
	Period time.Duration
	// Overlap is how long a superseded version stays accepted (previous)
	// before it is revoked.
	Overlap time.Duration
	// Propagation is how long a new version stays pending (accepted, not
	// used) before it becomes active.
	Propagation time.Duration
	// TTL is the longest a version may stay accepted; a version past it
	// draws a warning.
	TTL time.Duration
	// Jitter spreads the issue times of many secrets: each one is issued
	// JitterOffset(key, Jitter) after its period ends.
	Jitter time.Duration
	// Window restricts scheduled transitions; nil means any time.
	Window *ChangeWindow
}

// Spec is everything Decide needs to know about a resource besides its
// state.
type Spec struct {
	// Key is "family/name"; it seeds the jitter offset.
	Key      string
	Mode     Mode
	Schedule Schedule
	Controls Controls
	// Gates are the evidence gates with the evidence at hand (see Gates).
	Gates Gates
}

// Action names a transition.
type Action string

// The transitions.
const (
	// ActionIssue: a new version was issued (pending, or active at once for
	// the first version and for an emergency replacement).
	ActionIssue Action = "issue"
	// ActionActivate: a version became active (after propagation, or at once
	// as the first version or an emergency replacement).
	ActionActivate Action = "activate"
	// ActionSupersede: the active version became previous because another
	// one became active.
	ActionSupersede Action = "supersede"
	// ActionRevoke: a previous version was revoked by the schedule after
	// the overlap.
	ActionRevoke Action = "revoke"
	// ActionEmergencyRevoke: a version was revoked by revoke_versions.
	ActionEmergencyRevoke Action = "emergency-revoke"
	// ActionPin: a version became active because pin_active_version names
	// it.
	ActionPin Action = "pin"
	// ActionPrune: a revoked version was dropped beyond history_limit.
	ActionPrune Action = "prune"
)

// Transition is one thing a decision did.
type Transition struct {
	Action  Action
	Version int64
	// Reason says why, for people.
	Reason string
}

// Decision is the result of Decide.
type Decision struct {
	// Next is the state after the decision: statuses decided, the
	// timestamps of this decision's own transitions set to the decision
	// time (provisional; see Planned and Stamp).
	Next State
	// Transitions in the order they happened.
	Transitions []Transition
	// Warnings for people, to show in the plan.
	Warnings []string
	// Wipe lists the versions revoked by this decision: the provider removes
	// their material.
	Wipe []int64
	// Issued lists the versions issued by this decision: the provider
	// generates their material.
	Issued []int64
	// Waits lists the gated steps that are due by the calendar but wait
	// for evidence (see Gates), in the order Decide considered them.
	Waits []Wait
	// UsedAfterRevocation lists the versions revoked before this decision
	// that the evidence shows in use after their revocation.
	UsedAfterRevocation []LateUse
	// NextAction, NextVersion and NextAt describe the next scheduled
	// transition after Next; NextAction is "" and NextAt zero if none is
	// scheduled.
	NextAction  Action
	NextVersion int64
	NextAt      time.Time
}

// Planned returns Next with the timestamps set by this decision's own
// transitions cleared: the state a plan shows, with those timestamps
// unknown. Stamp(d.Planned(), at) is the state an apply at time at records;
// Stamp(d.Planned(), t) == d.Next for the decision time t.
func (d Decision) Planned() State {
	s := d.Next.Clone()
	for _, tr := range d.Transitions {
		v := s.Find(tr.Version)
		if v == nil {
			continue // pruned
		}
		switch tr.Action {
		case ActionIssue:
			v.IssuedAt = time.Time{}
			if v.Status == StatusActive {
				v.ActivatedAt = time.Time{}
			}
		case ActionActivate, ActionPin:
			v.ActivatedAt = time.Time{}
		case ActionSupersede:
			v.SupersededAt = time.Time{}
		case ActionRevoke, ActionEmergencyRevoke:
			v.RevokedAt = time.Time{}
		}
	}
	return s
}

// Stamp fills the timestamps a planned state leaves zero with the apply time
// at: IssuedAt if zero; ActivatedAt of an active version; SupersededAt of a
// previous version; RevokedAt of a revoked version. A version revoked while
// pending keeps ActivatedAt zero, and one revoked while active keeps
// SupersededAt zero. The planned state is not modified.
func Stamp(planned State, at time.Time) State {
	s := planned.Clone()
	for i := range s.Versions {
		v := &s.Versions[i]
		if v.IssuedAt.IsZero() {
			v.IssuedAt = at
		}
		switch v.Status {
		case StatusActive:
			if v.ActivatedAt.IsZero() {
				v.ActivatedAt = at
			}
		case StatusPrevious:
			if v.SupersededAt.IsZero() {
				v.SupersededAt = at
			}
		case StatusRevoked:
			if v.RevokedAt.IsZero() {
				v.RevokedAt = at
			}
		}
	}
	return s
}

// JitterOffset is the deterministic offset, in whole seconds and less than
// jitter, by which the issue of the resource named key ("family/name") is
// delayed after its period: the FNV-1a 64-bit hash of key modulo jitter in
// seconds. It is 0 if jitter is shorter than a second.
func JitterOffset(key string, jitter time.Duration) time.Duration {
	secs := int64(jitter / time.Second)
	if secs <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return time.Duration(h.Sum64()%uint64(secs)) * time.Second
}
