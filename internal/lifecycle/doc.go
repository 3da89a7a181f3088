// Package lifecycle is the pure lifecycle engine behind the rotation_secret
// and rotation_schedule resources (docs/design.md, Statuses and steps). It
// knows nothing about Terraform: it takes a schedule, the controls from the
// configuration, the recorded versions and a point in time, and decides
// which transitions happen.
//
// # Statuses and the order accept → emit → revoke
//
// Every version moves through
//
//	pending   accepted by validators, not yet used by emitters
//	active    emitted (used to sign, encrypt, log in) and accepted
//	previous  accepted only, so that things made with it stay valid
//	revoked   neither; its material is wiped
//
// A rotation is three separate applies, always in this order:
//
//  1. accept: a new version is issued as pending once the period has passed
//     since the last one was issued (plus the jitter offset);
//  2. emit: it becomes active once it has been pending for propagation, so
//     every validator had time to load it; the old active version becomes
//     previous;
//  3. revoke: the previous version is revoked once it has been previous for
//     overlap, so every artifact made with it has expired.
//
// These scheduled transitions happen only inside the change window, and
// never while the record holds a timestamp after the decision time (it is
// ahead of the clock: see [State.AheadOf]). Explicit actions happen at
// once: the first version (issued active), a rotate request (rotate_triggers
// changed), a type change ([Controls.Reissue]: issued pending, after the
// pending version if there is one), pinning a version (pin_active_version:
// rollback or promotion) and emergency revocation (revoke_versions).
//
// # Evidence gates
//
// The calendar only predicts when a step is safe. With evidence gates
// ([Gates], the revocation_gate and emission_gate blocks) a scheduled step
// that is due by the calendar also needs evidence:
//
//   - revoke: evidence collected at least the quiet period after the
//     version stopped being active shows no use of it in the quiet period
//     before it was collected, and (unless RequireSuccessorUse is false) the
//     active version seen in use since it became active;
//   - emit: every source of the emission gate reports the pending version
//     in evidence collected after it was issued.
//
// A version absent from the evidence was not seen in use. Until the
// evidence allows it the step waits: never an error, the decision lists it
// in [Decision.Waits] and warns, saying what it waits for; past the
// revocation gate's max wait, and past the version's ttl, it keeps waiting
// and says so, because revoking a credential in use is an outage. A
// transition decided on evidence records it on the version
// ([Version.ActivationEvidence], [Version.RevocationEvidence]). Explicit
// actions ignore the gates (emergency revocation, pins, the first version),
// and revoked versions the evidence shows in use after their revocation are
// reported ([Decision.UsedAfterRevocation]).
//
// The engine stays pure: the evidence is an input, collected at one instant
// by the caller (the provider queries Prometheus at the evaluation time, or
// reads the static form), and [Decision.NeedsEvidence] tells the caller
// when fetching it would change the decision, so that plans with nothing
// due fetch nothing.
//
// Two modes share the rules: [ModeSeries] (rotation_secret, any number of
// previous versions) and [ModeTwoSlot] (rotation_schedule: version k lives in
// slot "a" if k is odd and "b" if it is even, and a version may only be
// issued into a slot whose previous occupant, version k-2, is revoked or
// gone).
//
// # Plan and apply
//
// [Decide] is called at plan time t. It returns the next state with every
// status decided and the timestamps of its own transitions set
// provisionally to t, the list of transitions, warnings for people, the
// versions whose material must be generated ([Decision.Issued]) or wiped
// ([Decision.Wipe]), and the next scheduled transition after it.
//
// The provider shows the statuses in the plan and the timestamps this
// decision set as unknown ([Decision.Planned] clears them). At apply time it
// calls [Stamp] with the apply time, which fills exactly those timestamps.
// Apply therefore performs exactly what the plan said, at apply time. Every
// calendar condition is monotone in t (a transition due at t is due at every
// later time), so applying a saved plan later never performs a transition
// earlier than its rule allows: a version activated at apply time a was
// pending for at least propagation at plan time t <= a. A gated step is
// monotone in t only for a fixed evidence: the evidence changes with time,
// so a revocation the evidence allowed at one plan may wait at a later one
// (the version was seen in use again). A saved plan applies what its
// evidence allowed when it was made.
//
// [NextTransition] tells when the next scheduled transition of a state is
// due, and [Project] simulates applies at every such time to draw the
// lifecycle timeline of a secret.
package lifecycle
