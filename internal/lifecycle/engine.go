package lifecycle

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Decide decides what happens at time at (the plan time) to a resource whose
// recorded state is prior. It applies, in this order:
//
//  1. Emergency revocation: every accepted version listed in
//     Controls.RevokeVersions is revoked (versions already revoked or
//     pruned are ignored). If the active version was among them, the
//     version named by Controls.Pin becomes active if it is accepted;
//     otherwise the pending version becomes active at once; otherwise a new
//     version is issued active at once.
//  2. Revoke (scheduled): a previous version is revoked once it has been
//     previous for the overlap, unless revocation is held; never the pinned
//     version. Under a revocation gate (spec.Gates) it also waits until the
//     evidence shows it unused for the quiet period (and its successor in
//     use); a waiting revocation is reported in Decision.Waits.
//  3. Activate (scheduled, emit): unless pinned, the pending version becomes
//     active once it has been pending for the propagation; the active one
//     becomes previous. Under an emission gate it also waits until every
//     source reports it in evidence collected after it was issued.
//  4. Issue (accept): unless pinned or a version is pending, the first
//     version is issued active at once; later ones are issued pending once
//     the period plus the jitter offset has passed since the newest accepted
//     version was issued (scheduled), or at once when RotateRequested. In
//     ModeTwoSlot only if version k-2 no longer holds the slot.
//  5. Pin: the pinned version becomes active (rollback of a previous one, or
//     promotion of a pending one); the active one becomes previous.
//
// Steps 2 to 4 happen only while the schedule's change window contains at,
// except the first version, rotate requests and Controls.Reissue. They are
// also suspended while the record is ahead of the clock: while prior holds
// a timestamp after at (a rehearsal clock set later than the real time, a
// wrong system clock), no scheduled step is decided, since the durations
// they count would start in the future; a warning names the latest such
// timestamp, and explicit actions still happen. Finally revoked versions
// beyond Controls.HistoryLimit are pruned, oldest first.
//
// The evidence of the gates is an input like the clock: Decide never
// fetches it. For a fixed evidence every condition is monotone in at; the
// evidence itself changes with time, so a gated step due at one plan may
// wait at a later one (new use was observed).
//
// Errors are *ValidationError; their Field is "schedule.*" (see
// Schedule.Validate), "revoke_reason", "revoke_versions",
// "pin_active_version", "history_limit" or "versions" (an inconsistent
// prior state).
func Decide(spec Spec, prior State, at time.Time) (Decision, error) {
	if errs := spec.Schedule.Validate(spec.Mode); len(errs) > 0 {
		return Decision{}, errs[0]
	}
	if err := checkControls(spec.Controls); err != nil {
		return Decision{}, err
	}
	if err := checkState(prior); err != nil {
		return Decision{}, err
	}
	e := &engine{spec: spec, controls: spec.Controls, schedule: spec.Schedule, at: at, state: prior.Clone()}
	e.ahead, e.aheadCount = prior.AheadOf(at)
	e.scheduled = e.aheadCount == 0 && e.schedule.Window.Contains(at)
	for i := range e.state.Versions {
		e.state.Versions[i].Slot = SlotOf(spec.Mode, e.state.Versions[i].Version)
	}

	if err := e.emergency(); err != nil {
		return Decision{}, err
	}
	if err := e.checkPin(); err != nil {
		return Decision{}, err
	}
	if err := e.replaceRevokedActive(); err != nil {
		return Decision{}, err
	}
	if e.scheduled {
		e.revokeDue()
		e.activateDue()
	}
	e.issue()
	e.pin()
	e.warnAhead()
	e.warnings()
	e.gateWarnings(prior)
	e.prune()

	e.decision.Next = e.state
	e.decision.NextAction, e.decision.NextVersion, e.decision.NextAt = NextTransition(spec, e.state, at)
	return e.decision, nil
}

// engine is one run of Decide.
type engine struct {
	spec     Spec
	controls Controls
	schedule Schedule
	// at is the decision time: every transition of this run happens then.
	at time.Time
	// state is the record being decided, a copy of the prior state.
	state State
	// decision collects the transitions, warnings, issued and wiped
	// versions.
	decision Decision
	// scheduled is whether scheduled steps may happen at at: the change
	// window contains at and the record is not ahead of the clock.
	scheduled bool
	// ahead is the latest recorded timestamp after at, and aheadCount how
	// many recorded timestamps are after at (0: the record is not ahead).
	ahead      Timestamp
	aheadCount int
	// revokedActive is the active version revoked in an emergency, 0 if
	// none.
	revokedActive int64
}

func (e *engine) add(a Action, v int64, reason string, args ...any) {
	e.decision.Transitions = append(e.decision.Transitions, Transition{Action: a, Version: v, Reason: fmt.Sprintf(reason, args...)})
}

func (e *engine) warn(msg string, args ...any) {
	e.decision.Warnings = append(e.decision.Warnings, fmt.Sprintf(msg, args...))
}

func checkControls(controls Controls) error {
	if controls.Pin < 0 {
		return &ValidationError{Field: "pin_active_version", Message: fmt.Sprintf("%d is not a version number; versions are numbered from 1 (0 or unset means not pinned)", controls.Pin)}
	}
	if controls.HistoryLimit < 0 {
		return &ValidationError{Field: "history_limit", Message: fmt.Sprintf("%d is negative; history_limit is how many revoked versions to keep (0 keeps none)", controls.HistoryLimit)}
	}
	for _, v := range controls.RevokeVersions {
		if v < 1 {
			return &ValidationError{Field: "revoke_versions", Message: fmt.Sprintf("%d is not a version number; versions are numbered from 1", v)}
		}
	}
	if len(controls.RevokeVersions) > 0 && strings.TrimSpace(controls.RevokeReason) == "" {
		return &ValidationError{Field: "revoke_reason", Message: "revoke_versions is set but revoke_reason is empty: say why the versions are revoked (incident id, ...)"}
	}
	return nil
}

func checkState(state State) error {
	bad := func(msg string, args ...any) error {
		return &ValidationError{Field: "versions", Message: "the recorded state is inconsistent: " + fmt.Sprintf(msg, args...)}
	}
	var active, pending int
	for i, v := range state.Versions {
		if v.Version < 1 {
			return bad("version number %d is below 1", v.Version)
		}
		if i > 0 && v.Version <= state.Versions[i-1].Version {
			return bad("versions are not in ascending order (v%d after v%d)", v.Version, state.Versions[i-1].Version)
		}
		if v.Version > state.Generation {
			return bad("v%d is newer than the generation %d", v.Version, state.Generation)
		}
		switch v.Status {
		case StatusActive:
			active++
		case StatusPending:
			pending++
		case StatusPrevious, StatusRevoked:
		default:
			return bad("v%d has the unknown status %q", v.Version, v.Status)
		}
	}
	if active > 1 {
		return bad("%d versions are active", active)
	}
	if state.Generation == math.MaxInt64 {
		return bad("v%d is the largest version number there is: the next issue would wrap around to a negative number", state.Generation)
	}
	if pending > 1 {
		return bad("%d versions are pending", pending)
	}
	return nil
}

// emergency performs step 1's revocations.
func (e *engine) emergency() error {
	if len(e.controls.RevokeVersions) == 0 {
		return nil
	}
	list := slices.Clone(e.controls.RevokeVersions)
	slices.Sort(list)
	list = slices.Compact(list)
	for _, v := range list {
		if v > e.state.Generation {
			newest := "no version has been issued yet"
			if e.state.Generation > 0 {
				newest = fmt.Sprintf("the newest version is v%d", e.state.Generation)
			}
			return &ValidationError{Field: "revoke_versions", Message: fmt.Sprintf("v%d has not been issued yet (%s); list only versions that exist", v, newest)}
		}
	}
	for _, n := range list {
		v := e.state.Find(n)
		if v == nil || v.Status == StatusRevoked {
			continue // pruned or already revoked: nothing left to do
		}
		was := v.Status
		if was == StatusActive {
			e.revokedActive = n
		}
		v.Status = StatusRevoked
		v.RevokedAt = e.at
		v.RevokeReason = e.controls.RevokeReason
		v.RevocationEvidence = e.emergencyEvidence(v)
		e.add(ActionEmergencyRevoke, n, "revoke_versions lists it (was %s): %s", was, e.controls.RevokeReason)
		e.decision.Wipe = append(e.decision.Wipe, n)
	}
	return nil
}

// acceptedList describes the accepted versions for error messages.
func (e *engine) acceptedList() string {
	var parts []string
	for _, v := range e.state.Versions {
		if v.Status.Accepted() {
			parts = append(parts, fmt.Sprintf("v%d (%s)", v.Version, v.Status))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// checkPin validates Controls.Pin against the state after the emergency
// revocations.
func (e *engine) checkPin() error {
	p := e.controls.Pin
	if p == 0 {
		return nil
	}
	fail := func(msg string, args ...any) error {
		return &ValidationError{Field: "pin_active_version", Message: fmt.Sprintf(msg, args...) + "; pin one of the accepted versions: " + e.acceptedList() + ", or remove pin_active_version"}
	}
	if p > e.state.Generation {
		if e.state.Generation == 0 {
			return fail("v%d has never been issued (no version has been issued yet)", p)
		}
		return fail("v%d has never been issued (the newest version is v%d)", p, e.state.Generation)
	}
	v := e.state.Find(p)
	if v == nil {
		return fail("v%d was revoked and has been pruned from the history", p)
	}
	if v.Status == StatusRevoked {
		how := "revoked by the schedule"
		switch {
		case v.RevokedAt.Equal(e.at) && slices.Contains(e.decision.Wipe, p):
			how = "revoked by revoke_versions in this plan"
		case v.RevokeReason != "":
			how = fmt.Sprintf("revoked in an emergency (%s)", v.RevokeReason)
		}
		if !v.RevokedAt.IsZero() && !v.RevokedAt.Equal(e.at) {
			how += " at " + ts(v.RevokedAt)
		}
		return fail("v%d is revoked (%s) and a revoked version can never be active again", p, how)
	}
	return nil
}

// replaceRevokedActive finishes step 1 when the active version was revoked.
func (e *engine) replaceRevokedActive() error {
	if e.revokedActive == 0 || e.controls.Pin != 0 {
		return nil // nothing to replace, or step 5 makes the pinned version active
	}
	gone := e.revokedActive
	if p := e.state.Pending(); p != nil {
		p.Status = StatusActive
		p.ActivatedAt = e.at
		e.add(ActionActivate, p.Version, "replaces v%d, revoked in an emergency", gone)
		if ready := p.IssuedAt.Add(e.schedule.Propagation); e.at.Before(ready) {
			e.warn("v%d becomes active at once to replace v%d, revoked in an emergency, before its propagation ends at %s (issued %s + propagation %s): consumers that have not loaded v%d yet reject what it signs until they do",
				p.Version, gone, ts(ready), ts(p.IssuedAt), formatDuration(e.schedule.Propagation), p.Version)
		}
		return nil
	}
	k := e.state.Generation + 1
	if e.spec.Mode == ModeTwoSlot {
		if occ := e.state.Find(k - 2); occ != nil && occ.Status.Accepted() {
			return &ValidationError{Field: "revoke_versions", Message: fmt.Sprintf(
				"revoking the active v%d needs a replacement, v%d, which goes into slot %q, but slot %q still holds v%d (%s); either add %d to revoke_versions as well (v%d is then issued and made active at once), or set pin_active_version = %d to make v%d active instead",
				gone, k, SlotOf(ModeTwoSlot, k), SlotOf(ModeTwoSlot, k), k-2, occ.Status, k-2, k, k-2, k-2)}
		}
	}
	e.issueVersion(k, StatusActive, fmt.Sprintf("replaces v%d, revoked in an emergency; active at once", gone))
	if e.schedule.Propagation > 0 {
		e.warn("v%d is issued and made active at once to replace v%d, revoked in an emergency, without its propagation %s: consumers that have not loaded v%d yet reject what it signs until they do",
			k, gone, formatDuration(e.schedule.Propagation), k)
	}
	return nil
}

// issueVersion appends version k with status st (pending or active).
func (e *engine) issueVersion(k int64, st Status, reason string) {
	v := Version{Version: k, Slot: SlotOf(e.spec.Mode, k), Status: st, IssuedAt: e.at}
	e.add(ActionIssue, k, "%s", reason)
	if st == StatusActive {
		v.ActivatedAt = e.at
	}
	e.state.Versions = append(e.state.Versions, v)
	e.state.Generation = k
	e.decision.Issued = append(e.decision.Issued, k)
	if st == StatusActive {
		e.add(ActionActivate, k, "%s", reason)
	}
}

// revokeDue is step 2.
func (e *engine) revokeDue() {
	if e.controls.HoldRevocation {
		return
	}
	for i := range e.state.Versions {
		v := &e.state.Versions[i]
		if v.Status != StatusPrevious || v.Version == e.controls.Pin {
			continue
		}
		due := v.SupersededAt.Add(e.schedule.Overlap)
		if e.at.Before(due) {
			continue
		}
		evidence, wait := e.revocationWait(v)
		if wait != nil {
			if !e.at.Before(due.Add(e.spec.Gates.Revocation.MaxWait)) {
				wait.PastMaxWait = true
			}
			e.decision.Waits = append(e.decision.Waits, *wait)
			continue
		}
		v.Status = StatusRevoked
		v.RevokedAt = e.at
		v.RevocationEvidence = evidence
		if evidence != "" {
			e.add(ActionRevoke, v.Version, "overlap ended at %s (superseded %s + overlap %s); revocation_gate: %s", ts(due), ts(v.SupersededAt), formatDuration(e.schedule.Overlap), evidence)
		} else {
			e.add(ActionRevoke, v.Version, "overlap ended at %s (superseded %s + overlap %s)", ts(due), ts(v.SupersededAt), formatDuration(e.schedule.Overlap))
		}
		e.decision.Wipe = append(e.decision.Wipe, v.Version)
	}
}

// activateDue is step 3.
func (e *engine) activateDue() {
	if e.controls.Pin != 0 {
		return
	}
	p := e.state.Pending()
	if p == nil {
		return
	}
	due := p.IssuedAt.Add(e.schedule.Propagation)
	if e.at.Before(due) {
		return
	}
	evidence, wait := e.emissionWait(p)
	if wait != nil {
		e.decision.Waits = append(e.decision.Waits, *wait)
		return
	}
	old := e.state.Active()
	p.Status = StatusActive
	p.ActivatedAt = e.at
	p.ActivationEvidence = evidence
	if evidence != "" {
		e.add(ActionActivate, p.Version, "propagation ended at %s (issued %s + propagation %s); emission_gate: %s", ts(due), ts(p.IssuedAt), formatDuration(e.schedule.Propagation), evidence)
	} else {
		e.add(ActionActivate, p.Version, "propagation ended at %s (issued %s + propagation %s)", ts(due), ts(p.IssuedAt), formatDuration(e.schedule.Propagation))
	}
	if old != nil {
		old.Status = StatusPrevious
		old.SupersededAt = e.at
		e.add(ActionSupersede, old.Version, "v%d became active", p.Version)
	}
}

// issue is step 4.
func (e *engine) issue() {
	if e.controls.Pin != 0 {
		if e.controls.RotateRequested {
			e.warn("rotate_triggers changed, but pin_active_version = %d freezes the schedule: no version is issued; remove pin_active_version and change rotate_triggers again to rotate", e.controls.Pin)
		}
		if e.controls.Reissue != "" {
			e.warn("a new version is due because %s, but pin_active_version = %d freezes the schedule: no version is issued until pin_active_version is removed", e.controls.Reissue, e.controls.Pin)
		}
		return
	}
	if p := e.state.Pending(); p != nil {
		if e.controls.RotateRequested {
			e.warn("rotate_triggers changed while v%d is still pending (issued %s, active from %s): no further version is issued; v%d is the rotation",
				p.Version, ts(p.IssuedAt), ts(p.IssuedAt.Add(e.schedule.Propagation)), p.Version)
		}
		if e.controls.Reissue != "" {
			e.warn("a new version is due because %s, but v%d is still pending (issued %s, active from %s): one version is pending at a time, so the new version is issued by the first apply once v%d is active",
				e.controls.Reissue, p.Version, ts(p.IssuedAt), ts(p.IssuedAt.Add(e.schedule.Propagation)), p.Version)
		}
		return
	}
	last, ok := e.state.lastIssued()
	k := e.state.Generation + 1
	if !ok {
		e.issueVersion(k, StatusActive, "first version; active at once")
		return
	}
	if len(e.decision.Issued) > 0 {
		return // the emergency replacement is this decision's new version
	}
	explicit := e.controls.RotateRequested || e.controls.Reissue != ""
	dueAt := last.Add(e.schedule.Period + JitterOffset(e.spec.Key, e.schedule.Jitter))
	due := e.scheduled && !e.at.Before(dueAt)
	if !due && !explicit {
		return
	}
	why := fmt.Sprintf("period ended at %s (last issued %s + period %s + jitter offset %s)", ts(dueAt), ts(last),
		formatDuration(e.schedule.Period), formatDuration(JitterOffset(e.spec.Key, e.schedule.Jitter)))
	switch {
	case e.controls.RotateRequested:
		why = "rotate_triggers changed"
	case e.controls.Reissue != "":
		why = e.controls.Reissue
	}
	if e.spec.Mode == ModeTwoSlot {
		if occ := e.state.Find(k - 2); occ != nil && occ.Status.Accepted() {
			e.warnBusySlot(k, occ, why)
			return
		}
	}
	e.issueVersion(k, StatusPending, why)
}

// warnAhead warns when the record is ahead of the clock: scheduled steps
// are suspended until its latest timestamp.
func (e *engine) warnAhead() {
	if e.aheadCount == 0 {
		return
	}
	count := ""
	if e.aheadCount > 1 {
		count = fmt.Sprintf("; %d recorded timestamps are later than the evaluation time, this is the latest", e.aheadCount)
	}
	e.warn("the record is ahead of the clock: v%d %s %s is later than the evaluation time %s%s. Scheduled steps (issue, activate, revoke) are suspended until %s, "+
		"because the periods, propagations and overlaps they count would start in the future; explicit actions (rotate_triggers, a type change, pin_active_version, revoke_versions) still work. "+
		"This happens after applies with a rehearsal clock (the provider's now or ROTATION_NOW) later than the real time, or with a wrong system clock. "+
		"To recover, restore the state saved before those applies (terraform.tfstate.backup, or the remote state's history); otherwise scheduled rotation resumes at %s",
		e.ahead.Version, e.ahead.Field, ts(e.ahead.At), ts(e.at), count, ts(e.ahead.At), ts(e.ahead.At))
}

func (e *engine) warnBusySlot(k int64, occ *Version, why string) {
	slot := SlotOf(ModeTwoSlot, k)
	var because string
	switch {
	case occ.Status == StatusPrevious && e.controls.HoldRevocation:
		reason := e.controls.HoldReason
		if strings.TrimSpace(reason) == "" {
			reason = "no hold_reason given"
		}
		because = fmt.Sprintf("v%d is previous and hold_revocation keeps it valid (%s); v%d is issued once the hold is lifted and v%d revoked", occ.Version, reason, k, occ.Version)
	case occ.Status == StatusPrevious && e.decision.waitingFor(ActionRevoke, occ.Version) != nil:
		because = fmt.Sprintf("v%d is previous and its revocation waits for evidence (%s); v%d is issued once v%d is revoked",
			occ.Version, e.decision.waitingFor(ActionRevoke, occ.Version).For, k, occ.Version)
	case occ.Status == StatusPrevious:
		because = fmt.Sprintf("v%d is previous until its overlap ends at %s (superseded %s + overlap %s); v%d is issued once v%d is revoked",
			occ.Version, ts(occ.SupersededAt.Add(e.schedule.Overlap)), ts(occ.SupersededAt), formatDuration(e.schedule.Overlap), k, occ.Version)
	case occ.Status == StatusActive:
		because = fmt.Sprintf("v%d is the active version (after a rollback) and the schedule never frees it; to rotate, add %d to revoke_versions with a revoke_reason (v%d is then issued active at once)", occ.Version, occ.Version, k)
	default:
		because = fmt.Sprintf("v%d is %s", occ.Version, occ.Status)
	}
	e.warn("rotation waits for slot %q: v%d is due (%s) and goes into slot %q, which v%d still holds: %s", slot, k, why, slot, occ.Version, because)
}

// pin is step 5.
func (e *engine) pin() {
	if e.controls.Pin == 0 {
		return
	}
	v := e.state.Find(e.controls.Pin) // accepted: checked by checkPin
	if v.Status == StatusActive {
		return
	}
	if v.Status == StatusPending {
		if ready := v.IssuedAt.Add(e.schedule.Propagation); e.at.Before(ready) {
			e.warn("pin_active_version = %d promotes v%d before its propagation ends at %s (issued %s + propagation %s): consumers that have not loaded v%d yet reject what it signs until they do",
				v.Version, v.Version, ts(ready), ts(v.IssuedAt), formatDuration(e.schedule.Propagation), v.Version)
		}
	}
	was := v.Status
	old := e.state.Active()
	v.Status = StatusActive
	v.ActivatedAt = e.at
	v.SupersededAt = time.Time{}
	if was == StatusPrevious {
		e.add(ActionPin, v.Version, "pin_active_version = %d rolls back to it", v.Version)
	} else {
		e.add(ActionPin, v.Version, "pin_active_version = %d promotes it", v.Version)
	}
	if old != nil {
		old.Status = StatusPrevious
		old.SupersededAt = e.at
		e.add(ActionSupersede, old.Version, "v%d became active by pin_active_version", v.Version)
	}
}

func (e *engine) warnings() {
	if e.controls.HoldRevocation && strings.TrimSpace(e.controls.HoldReason) == "" {
		e.warn("hold_revocation is set without hold_reason: say why previous versions stay valid past their overlap (policy ROT032 denies a hold without a reason)")
	}
	for _, v := range e.state.Versions {
		if !v.Status.Accepted() || v.IssuedAt.IsZero() {
			continue
		}
		exp := v.ExpiresAt(e.schedule.TTL)
		if e.at.Before(exp) {
			continue
		}
		var hint string
		switch {
		case v.Status == StatusPrevious && e.controls.HoldRevocation:
			hint = "hold_revocation keeps it valid; lift the hold or revoke it with revoke_versions"
		case v.Version == e.controls.Pin:
			hint = "pin_active_version keeps it active; pin a newer version or remove the pin"
		case v.Status == StatusPrevious && e.decision.waitingFor(ActionRevoke, v.Version) != nil:
			hint = fmt.Sprintf("the revocation_gate is still waiting (%s), and it keeps waiting, because revoking a credential in use is an outage: "+
				"decide, either revoke it with revoke_versions and revoke_reason (an emergency) or set hold_revocation with hold_reason (policy ROT003 denies every plan until then)",
				e.decision.waitingFor(ActionRevoke, v.Version).For)
		case v.Status == StatusPrevious:
			hint = fmt.Sprintf("its overlap ends at %s", ts(v.SupersededAt.Add(e.schedule.Overlap)))
		default:
			hint = "its rotation is late (change window, busy slot or no apply); change rotate_triggers to rotate now"
		}
		e.warn("v%d (%s) outlived its ttl: issued %s + ttl %s = %s; %s", v.Version, v.Status, ts(v.IssuedAt), formatDuration(e.schedule.TTL), ts(exp), hint)
	}
	if off := JitterOffset(e.spec.Key, e.schedule.Jitter); off > 0 {
		if need, ok := sum(e.schedule.Propagation, e.schedule.Period, off, e.schedule.Overlap); ok && e.schedule.TTL < need {
			e.warn("ttl %s leaves no room for the jitter offset: versions of %q stay accepted up to propagation %s + period %s + jitter offset %s + overlap %s = %s, past their ttl; raise ttl to at least %s",
				formatDuration(e.schedule.TTL), e.spec.Key, formatDuration(e.schedule.Propagation), formatDuration(e.schedule.Period), formatDuration(off),
				formatDuration(e.schedule.Overlap), formatDuration(need), formatDuration(need))
		}
	}
}

// prune drops the oldest revoked versions beyond the history limit.
func (e *engine) prune() {
	revoked := 0
	for _, v := range e.state.Versions {
		if v.Status == StatusRevoked {
			revoked++
		}
	}
	drop := revoked - e.controls.HistoryLimit
	if drop <= 0 {
		return
	}
	kept := e.state.Versions[:0:0]
	for _, v := range e.state.Versions {
		if drop > 0 && v.Status == StatusRevoked {
			drop--
			e.add(ActionPrune, v.Version, "history_limit %d keeps only the newest revoked versions", e.controls.HistoryLimit)
			continue
		}
		kept = append(kept, v)
	}
	e.state.Versions = kept
}

// NextTransition returns the next scheduled transition of the record
// state, at or after the time after, assuming no explicit action (no rotate
// request, no new emergency revocation; pin and hold as in spec.Controls):
// the earliest of
//
//   - the activation of the pending version at IssuedAt + propagation
//     (unless pinned);
//   - the revocation of each previous version at SupersededAt + overlap
//     (unless held or pinned);
//   - the issue of the next version at the newest accepted version's
//     IssuedAt + period + jitter offset, when no version is pending and none
//     is pinned; in ModeTwoSlot not before the slot's occupant (version k-2)
//     is revoked, and never while it stays accepted for good (held, or
//     active).
//
// Each time is moved to after if earlier, to the state's newest timestamp
// if earlier (scheduled steps wait while the record is ahead of the clock),
// and then to the change window's next opening. Ties go to the step Decide performs first (revoke, then
// activate, then issue). It returns "", 0 and the zero time when nothing is
// scheduled (for instance an empty state, which Decide fills at once).
func NextTransition(spec Spec, state State, after time.Time) (Action, int64, time.Time) {
	schedule, controls := spec.Schedule, spec.Controls
	var (
		bestAction  Action
		bestVersion int64
		bestAt      time.Time
		bestRank    int
	)
	// Scheduled steps are suspended while the record is ahead of the
	// decision time (see Decide): nothing is due before its newest
	// timestamp.
	newest := state.Newest()
	consider := func(action Action, version int64, at time.Time, rank int) {
		if at.Before(after) {
			at = after
		}
		if at.Before(newest) {
			at = newest
		}
		at = schedule.Window.NextOpen(at)
		if bestAction == "" || at.Before(bestAt) || (at.Equal(bestAt) && rank < bestRank) {
			bestAction, bestVersion, bestAt, bestRank = action, version, at, rank
		}
	}
	last, ok := state.lastIssued()
	if !ok {
		return "", 0, time.Time{}
	}
	revocable := func(v *Version) bool {
		return v.Status == StatusPrevious && !controls.HoldRevocation && v.Version != controls.Pin
	}
	for i := range state.Versions {
		if v := &state.Versions[i]; revocable(v) {
			consider(ActionRevoke, v.Version, v.SupersededAt.Add(schedule.Overlap), 0)
		}
	}
	if controls.Pin != 0 {
		return bestAction, bestVersion, bestAt
	}
	if p := state.Pending(); p != nil {
		consider(ActionActivate, p.Version, p.IssuedAt.Add(schedule.Propagation), 1)
		return bestAction, bestVersion, bestAt
	}
	k := state.Generation + 1
	at := last.Add(schedule.Period + JitterOffset(spec.Key, schedule.Jitter))
	if spec.Mode == ModeTwoSlot {
		if occ := state.Find(k - 2); occ != nil && occ.Status.Accepted() {
			if !revocable(occ) {
				return bestAction, bestVersion, bestAt
			}
			if free := occ.SupersededAt.Add(schedule.Overlap); free.After(at) {
				at = free
			}
		}
	}
	consider(ActionIssue, k, at, 2)
	return bestAction, bestVersion, bestAt
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }
