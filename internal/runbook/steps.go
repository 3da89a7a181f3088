package runbook

import (
	"fmt"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// Step is one apply of the rollout order, with what to check around it.
type Step struct {
	// Phase is "accept", "emit", "revoke" or "first version".
	Phase   string
	Version int64
	Slot    string
	At      time.Time
	// Done is set for an accept that happened before the report's time
	// (the version is pending now).
	Done   bool
	Title  Text
	Before []Text
	After  []Text
}

// consumers of the credential's family by role.
func (c *Credential) consumers() (validators, emitters, third []Consumer) {
	if c.Family == nil {
		return nil, nil, nil
	}
	for _, x := range c.Family.Consumers {
		if x.Validates() {
			validators = append(validators, x)
		}
		if x.Emits() {
			emitters = append(emitters, x)
		}
		if x.ThirdParty {
			third = append(third, x)
		}
	}
	return
}

func consumerNames(list []Consumer) string {
	var n []string
	for _, c := range list {
		n = append(n, c.Name)
	}
	return joinNames(n)
}

func (c *Consumer) who() string {
	if c.Owner.Set && !c.Owner.Unknown && c.Owner.Content != "" {
		return c.Name + " (" + c.Owner.Content + ")"
	}
	return c.Name
}

// storage is where consumers fetch the material, for sentences.
func (c *Credential) storage() Text {
	if c.Family != nil && c.Family.Storage.Set && !c.Family.Storage.Unknown && c.Family.Storage.Content != "" {
		return makeText(Code(c.Family.Storage.Content))
	}
	if c.Asymmetric() {
		return makeText("the published JWKS (the ", Code("jwks"), " attribute)")
	}
	if c.Type == typeSchedule {
		return makeText("the issuing system")
	}
	return makeText("the secret store consumers read (the ", Code("accepted_secrets"), " attribute)")
}

// jwks names the JWKS validators fetch, to start a sentence.
func (c *Credential) jwks() Text {
	if c.Family != nil && c.Family.Storage.Set && !c.Family.Storage.Unknown && c.Family.Storage.Content != "" {
		return makeText("The JWKS at ", Code(c.Family.Storage.Content))
	}
	return makeText("The published JWKS (the ", Code("jwks"), " attribute)")
}

func (c *Credential) applyText(at time.Time) Text {
	t := makeText("Run ", Code("terraform apply"), " at or after ", fmtTime(at))
	if c.Window != nil {
		t = append(t, makeText(" (inside the change window ", c.WindowText, ")")...)
	}
	return append(t, makeText(".")...)
}

// steps builds the rollout order: the projected transitions up to the end
// of the first complete rotation (a new version accepted, emitted, and the
// version it replaced revoked).
func (c *Credential) steps(rep *Report) {
	if len(c.Events) == 0 && c.Problem != "" {
		return
	}
	// k: the first version emitted in place of another one.
	var k, j int64
	var emitAt time.Time
	for i, e := range c.Events {
		if e.Action != lifecycle.ActionActivate {
			continue
		}
		for _, s := range c.Events[i+1:] {
			if !s.At.Equal(e.At) {
				break
			}
			if s.Action == lifecycle.ActionSupersede {
				k, j, emitAt = e.Version, s.Version, e.At
			}
		}
		for x := i - 1; x >= 0 && c.Events[x].At.Equal(e.At); x-- {
			if s := c.Events[x]; s.Action == lifecycle.ActionSupersede {
				k, j, emitAt = e.Version, s.Version, e.At
			}
		}
		if k != 0 {
			break
		}
	}
	// An accept that happened before now: the version pending now.
	if k != 0 {
		if v := c.State.Find(k); v != nil && v.IssuedAt.Before(rep.Now) {
			c.Steps = append(c.Steps, c.acceptStep(k, v.IssuedAt, emitAt, true))
		}
	}
	issuedAt := map[int64]time.Time{}
	for i, e := range c.Events {
		if len(c.Steps) == maxSteps {
			break
		}
		switch e.Action {
		case lifecycle.ActionIssue:
			issuedAt[e.Version] = e.At
			activeAtOnce := false
			for _, s := range c.Events[i+1:] {
				if !s.At.Equal(e.At) {
					break
				}
				if s.Action == lifecycle.ActionActivate && s.Version == e.Version {
					activeAtOnce = true
				}
			}
			if activeAtOnce {
				c.Steps = append(c.Steps, c.firstStep(e))
				continue
			}
			nextEmit := c.emitTime(e.Version)
			c.Steps = append(c.Steps, c.acceptStep(e.Version, e.At, nextEmit, false))
		case lifecycle.ActionActivate:
			if _, first := issuedAt[e.Version]; first && issuedAt[e.Version].Equal(e.At) {
				continue // folded into the first version's step
			}
			prev := c.supersededAt(e.At)
			c.Steps = append(c.Steps, c.emitStep(e, prev))
		case lifecycle.ActionRevoke:
			c.Steps = append(c.Steps, c.revokeStep(e))
			if e.Version == j && k != 0 {
				return // the first complete rotation is done
			}
		case lifecycle.ActionPin:
			c.Steps = append(c.Steps, Step{Phase: "pin", Version: e.Version, Slot: e.Slot, At: e.At,
				Title: makeText("Pin ", versionLabel(e.Version, e.Slot), ": made active by ", Code(fmt.Sprintf("pin_active_version = %d", e.Version)))})
		}
	}
}

func (c *Credential) emitTime(v int64) time.Time {
	for _, e := range c.Events {
		if e.Action == lifecycle.ActionActivate && e.Version == v {
			return e.At
		}
	}
	return time.Time{}
}

func (c *Credential) revokeTime(v int64) time.Time {
	for _, e := range c.Events {
		if e.Action == lifecycle.ActionRevoke && e.Version == v {
			return e.At
		}
	}
	return time.Time{}
}

// supersededAt is the version that became previous at t (0 if none).
func (c *Credential) supersededAt(t time.Time) int64 {
	for _, e := range c.Events {
		if e.At.Equal(t) && e.Action == lifecycle.ActionSupersede {
			return e.Version
		}
	}
	return 0
}

// withFirstLetter applies change (strings.ToUpper to start a sentence,
// strings.ToLower to continue one) to the first letter of a text that
// starts with plain words; code and empty texts are returned as they are.
func withFirstLetter(t Text, change func(string) string) Text {
	if len(t) == 0 || t[0].Code || t[0].Content == "" {
		return t
	}
	out := append(Text(nil), t...)
	r := []rune(out[0].Content)
	out[0].Content = change(string(r[0])) + string(r[1:])
	return out
}

func (c *Credential) slotOf(v int64) string { return lifecycle.SlotOf(c.Mode, v) }

func (c *Credential) firstStep(e lifecycle.Event) Step {
	st := Step{Phase: "first version", Version: e.Version, Slot: e.Slot, At: e.At,
		Title: makeText("First version: ", versionLabel(e.Version, e.Slot), " is issued active at once")}
	st.Before = append(st.Before, c.applyText(e.At))
	validators, _, _ := c.consumers()
	if c.Type == typeSchedule {
		st.After = append(st.After, makeText("Create the credential of slot ", e.Slot, " (its ", Code("keeper"), " changed) and point every consumer at it (", Code("active_slot = \""+e.Slot+"\""), ")."))
	} else {
		st.After = append(st.After, makeText("Publish ", versionLabel(e.Version, ""), " to ", c.storage(), " before any consumer starts using it."))
	}
	if len(validators) > 0 {
		st.After = append(st.After, makeText("Validators ", consumerNames(validators), " accept it."))
	}
	return st
}

func (c *Credential) acceptStep(v int64, at, emitAt time.Time, done bool) Step {
	slot := c.slotOf(v)
	st := Step{Phase: "accept", Version: v, Slot: slot, At: at, Done: done,
		Title: makeText("Accept ", versionLabel(v, slot), ": issued as ", Code("pending"), " (accepted by validators, not used yet)")}
	if done {
		st.Title = append(st.Title, makeText(" — done, ", versionLabel(v, slot), " is pending now")...)
	} else {
		st.Before = append(st.Before, c.applyText(at))
	}
	validators, _, third := c.consumers()
	switch {
	case c.Type == typeSchedule:
		st.After = append(st.After, makeText("Slot ", slot, "'s credential is created again (", Code("slots."+slot+".keeper"), " changed to ", fmt.Sprintf("v%d", v),
			") and enabled (", Code("slots."+slot+".enabled = true"), "); the system that checks it accepts it."))
	case c.Asymmetric():
		st.After = append(st.After, makeText(c.jwks(), " lists the kid of ", fmt.Sprintf("v%d", v), " next to the active kid (compare with ", Code("accepted_kids"), ")."))
	default:
		st.After = append(st.After, withFirstLetter(makeText(c.storage(), " holds ", fmt.Sprintf("v%d", v), " next to the active version (", Code("accepted_kids"), " lists both)."), strings.ToUpper))
	}
	for _, x := range validators {
		deadline := ""
		if !emitAt.IsZero() {
			deadline = " before the emit at " + fmtTime(emitAt)
		}
		if x.Restarts() {
			st.After = append(st.After, makeText("Restart ", x.who(), deadline, ": it loads new versions only on restart."))
		} else {
			st.After = append(st.After, makeText(x.who(), " picks it up within its cache (", Code("cache_ttl"), " ", x.CacheTTL.Text(), ", hot reload)."))
		}
	}
	for _, x := range third {
		if x.Validates() {
			st.After = append(st.After, makeText("Tell ", x.who(), " (third party) to load ", fmt.Sprintf("v%d", v), " before ", fmtTime(emitAt), "."))
		}
	}
	return st
}

func (c *Credential) emitStep(e lifecycle.Event, prev int64) Step {
	st := Step{Phase: "emit", Version: e.Version, Slot: e.Slot, At: e.At,
		Title: makeText("Emit ", versionLabel(e.Version, e.Slot), ": becomes ", Code("active"))}
	if prev != 0 {
		st.Title = append(st.Title, makeText("; ", versionLabel(prev, c.slotOf(prev)), " becomes ", Code("previous"), " (still accepted)")...)
	}
	validators, emitters, _ := c.consumers()
	f := c.Family
	if f != nil && f.CachesKnown && f.HasValidators && c.Propagation.Valid {
		// The verdict of ROT021, as on the overlap arithmetic's line.
		mark := "?"
		switch c.verdict("ROT021") {
		case VerdictOK:
			mark = "✓"
		case VerdictFail:
			mark = "✗ — validators may reject it: wait longer before applying"
		}
		if mark == "✓" && c.waived("ROT021") {
			mark = "⊘ (ROT021 waived) — validators may reject it"
		}
		st.Before = append(st.Before, makeText(fmt.Sprintf("v%d", e.Version), " has been accepted for ", c.Propagation.Text(), " (propagation) ≥ the longest validator cache ",
			f.maxValidatorText(), names(f.MaxValidatorFrom), " ", mark))
	}
	if len(validators) > 0 {
		what := makeText("accepts ", fmt.Sprintf("v%d", e.Version))
		if c.Asymmetric() {
			what = makeText("has the kid of ", fmt.Sprintf("v%d", e.Version), " in its JWKS cache")
		}
		st.Before = append(st.Before, makeText("Every validator ", what, ": ", consumerNames(validators), "."))
	}
	st.Before = append(st.Before, c.applyText(e.At))
	for _, x := range emitters {
		switch {
		case c.Type == typeSchedule:
			st.After = append(st.After, makeText(x.who(), " switches to slot ", e.Slot, " (", Code("active_slot = \""+e.Slot+"\""), ")."))
		case c.SecretType.Content == "password":
			st.After = append(st.After, makeText(x.who(), " logs in with ", fmt.Sprintf("v%d", e.Version), " (", Code("active_secret"), ")."))
		default:
			st.After = append(st.After, makeText(x.who(), " now signs with ", fmt.Sprintf("v%d", e.Version), ": new artifacts carry its kid (", Code("active_kid"), ")."))
		}
		if x.Restarts() {
			st.After = append(st.After, makeText("Restart ", x.who(), " so that it emits the new version."))
		}
	}
	if f != nil && f.CachesKnown && len(validators) > 0 {
		st.After = append(st.After, makeText("Watch validation failures at ", consumerNames(validators), " for ", f.maxCacheText(), " (the longest cache)."))
	}
	return st
}

func (c *Credential) revokeStep(e lifecycle.Event) Step {
	st := Step{Phase: "revoke", Version: e.Version, Slot: e.Slot, At: e.At,
		Title: makeText("Revoke ", versionLabel(e.Version, e.Slot), ": no longer accepted")}
	_, emitters, third := c.consumers()
	f := c.Family
	if len(emitters) > 0 {
		what := "show only the active version's kid since the emit"
		switch {
		case c.Type == typeSchedule:
			what = "show logins only with the active slot's credential"
		case c.SecretType.Content == "password":
			what = "show logins only with the active version"
		}
		st.Before = append(st.Before, makeText("No emitter still uses ", fmt.Sprintf("v%d", e.Version), ": the logs of ", consumerNames(emitters), " ", what, "."))
	}
	if f != nil && f.ArtifactLifetime.Valid {
		if f.ArtifactLifetime.D > 0 {
			st.Before = append(st.Before, makeText("Everything made with ", fmt.Sprintf("v%d", e.Version), " has expired: ", Code("artifact_lifetime"), " ", f.ArtifactLifetime.Text(),
				" has passed since it stopped being active ", fmt.Sprintf("(overlap %s).", c.Overlap.Text())))
		}
	}
	st.Before = append(st.Before, makeText("Logs of the validators show no request with ", fmt.Sprintf("v%d", e.Version), " in the last ", c.Overlap.Text(), "."))
	for _, x := range third {
		st.Before = append(st.Before, makeText("Confirm with ", x.who(), " (third party) that it no longer uses ", fmt.Sprintf("v%d", e.Version), "."))
	}
	st.Before = append(st.Before, c.applyText(e.At))
	switch {
	case c.Type == typeSchedule:
		st.After = append(st.After, makeText("Slot ", e.Slot, " is disabled (", Code("slots."+e.Slot+".enabled = false"), "): the credential is disabled or deleted at its issuer."))
	case c.Asymmetric():
		st.After = append(st.After, makeText("The kid of ", fmt.Sprintf("v%d", e.Version), " is gone from ", withFirstLetter(c.jwks(), strings.ToLower), "; its private key is wiped from the state."))
	default:
		st.After = append(st.After, makeText(fmt.Sprintf("v%d", e.Version), " is removed from ", c.storage(), "; its material is wiped from the state."))
	}
	return st
}

// rollback describes pin_active_version with the actual versions.
func (c *Credential) rollback() {
	if c.Problem != "" && len(c.Events) == 0 {
		c.Rollback = append(c.Rollback, makeText("Not computed: ", c.Problem, "."))
		return
	}
	addr := Code(c.Address)
	// The accepted versions in validators' order: the active one first,
	// then the pending one, then the previous ones, newest first.
	var active, previous *lifecycle.Version
	for _, v := range c.State.AcceptedOrder() {
		switch {
		case v.Status == lifecycle.StatusActive && active == nil:
			active = &v
		case v.Status == lifecycle.StatusPrevious && previous == nil:
			previous = &v
		}
	}
	switch {
	case previous != nil && active != nil:
		until := c.revokeTime(previous.Version)
		t := makeText("Now: set ", Code(fmt.Sprintf("pin_active_version = %d", previous.Version)), " on ", addr, " and apply: ",
			versionLabel(previous.Version, previous.Slot), " becomes active again at once, ", versionLabel(active.Version, active.Slot), " becomes previous.")
		if !until.IsZero() {
			t = append(t, makeText(" Possible until ", versionLabel(previous.Version, previous.Slot), " is revoked at ", fmtTime(until), ".")...)
		}
		c.Rollback = append(c.Rollback, t)
	case active != nil:
		c.Rollback = append(c.Rollback, makeText("Now: no previous version is accepted, so there is nothing to roll back to (",
			versionLabel(active.Version, active.Slot), " is the only active version)."))
	}
	// During the next rotation.
	for _, s := range c.Steps {
		if s.Phase != "emit" {
			continue
		}
		prev := c.supersededAt(s.At)
		if prev == 0 || (previous != nil && prev == previous.Version) {
			continue
		}
		until := c.revokeTime(prev)
		t := makeText("After the emit of ", versionLabel(s.Version, s.Slot), " at ", fmtTime(s.At), ": ", Code(fmt.Sprintf("pin_active_version = %d", prev)),
			" makes ", versionLabel(prev, c.slotOf(prev)), " active again")
		if !until.IsZero() {
			t = append(t, makeText(", until it is revoked at ", fmtTime(until), ".")...)
		} else {
			t = append(t, makeText(".")...)
		}
		c.Rollback = append(c.Rollback, t)
		break
	}
	if c.Type == typeSchedule {
		c.Rollback = append(c.Rollback, makeText("Consumers follow ", Code("active_slot"), ": after the pin they must switch back to the pinned version's slot."))
	}
	c.Rollback = append(c.Rollback,
		makeText("While pinned nothing is issued or activated by the schedule; remove ", Code("pin_active_version"), " once the cause is fixed. A revoked version cannot be pinned (the plan fails): after the revoke, roll forward by changing ", Code("rotate_triggers"), " (a new pending version)."),
		makeText("Leak: ", Code("revoke_versions = [N]"), " with ", Code("revoke_reason"), " revokes at once; if N is active, the pending version (or a new one) becomes active at once, so validators that have not loaded it reject artifacts until they reload."))
}

// notes collects what a reviewer must know about the credential's
// controls and state, and every policy finding the overlap arithmetic does
// not show: some in words of their own (ROT012, ROT032, ROT041, ROT003),
// the others as the policies word them.
func (c *Credential) notes() {
	covered := map[int]bool{}
	cover := func(rule string, pick func(policy.Finding) bool) []policy.Finding {
		var out []policy.Finding
		for i, f := range c.Findings {
			if f.Rule == rule && !covered[i] && pick(f) {
				covered[i] = true
				c.shown.add(f.Rule, f.Severity)
				out = append(out, f)
			}
		}
		return out
	}
	every := func(policy.Finding) bool { return true }
	isChecked := func(f policy.Finding) bool { return !isUnchecked(f) }
	isDeny := func(f policy.Finding) bool { return f.Severity == policy.Deny }
	for _, k := range c.Checks {
		cover(k.ID, every)
	}

	if c.Family == nil && len(cover("ROT012", every)) > 0 {
		fam := "(unknown)"
		if c.FamilyValue.Set && !c.FamilyValue.Unknown {
			fam = c.FamilyValue.Content
		}
		c.Notes = append(c.Notes, makeText("ROT012: no ", Code("rotation_secret_family"), " named ", Code(fam), " was found in this document: no owner, consumers or caches to check against."))
	}
	if c.Pin != 0 {
		c.Notes = append(c.Notes, makeText("Pinned: ", Code(fmt.Sprintf("pin_active_version = %d", c.Pin)), " — the schedule issues and activates nothing until the pin is removed."))
	}
	switch {
	case c.Hold && len(cover("ROT032", isDeny)) > 0:
		c.Notes = append(c.Notes, makeText("Revocation held (", Code("hold_revocation = true"), ") without a ", Code("hold_reason"), ": ROT032 denies this. Previous versions stay accepted."))
	case c.Hold:
		c.Notes = append(c.Notes, makeText("Revocation held (", Code("hold_revocation = true"), "): ", c.HoldReason.Text("no reason given"), ". Previous versions stay accepted."))
	}
	c.Notes = append(c.Notes, c.gateNotes()...)
	if len(c.RevokeRequested) > 0 {
		var vs []string
		for _, v := range c.RevokeRequested {
			vs = append(vs, fmt.Sprintf("v%d", v))
		}
		c.Notes = append(c.Notes, makeText("Emergency revocation configured (", Code("revoke_versions"), "): ", strings.Join(vs, ", "), "; reason: ", c.RevokeReason, "."))
	}
	if len(cover("ROT041", isChecked)) > 0 {
		if c.NoFamily {
			c.Notes = append(c.Notes, makeText("ROT041: no ", Code("change_window"), " and no family, so classification ", c.Classification.Content, ": transitions may be applied at any hour."))
		} else {
			c.Notes = append(c.Notes, makeText("ROT041: no ", Code("change_window"), " on a ", c.Classification.Content, " family: transitions may be applied at any hour."))
		}
	}
	expired := map[int64]bool{}
	cover("ROT003", func(f policy.Finding) bool {
		n, ok := expiredVersion(f)
		expired[n] = ok
		return ok
	})
	for i := range c.Versions {
		v := &c.Versions[i]
		if v.Expired = expired[v.Version]; v.Expired {
			c.Notes = append(c.Notes, makeText("ROT003: ", versionLabel(v.Version, v.Slot), " is ", v.Status, " but expired at ", fmtTime(v.ExpiresAt), " (", Code("ttl"), " ", c.TTL.Text(), ")."))
		}
	}
	if len(cover("ROT042", isChecked)) > 0 {
		ahead, n := c.Recorded.AheadOf(c.asOf)
		if n > 0 {
			stamps := "recorded timestamps are"
			if n == 1 {
				stamps = "recorded timestamp is"
			}
			c.Notes = append(c.Notes, makeText("ROT042: the record is ahead of the clock: ", fmt.Sprint(n), " ", stamps, " after ", fmtTime(c.asOf),
				", the latest ", versionLabel(ahead.Version, c.slotOf(ahead.Version)), " ", Code(ahead.Field), " ", fmtTime(ahead.At),
				". No scheduled step (accept, emit, revoke) happens before that instant, so the timeline shows nothing until then. Restore the state from before the applies made with a future clock (",
				Code("terraform.tfstate.backup"), " or the remote state's history)."))
		} else {
			// The policies read the record differently (a hand-made input):
			// their words.
			for _, f := range c.Findings {
				if f.Rule == "ROT042" {
					c.Notes = append(c.Notes, findingText(f))
				}
			}
		}
	}
	for i, f := range c.Findings {
		if !covered[i] {
			c.shown.add(f.Rule, f.Severity)
			c.Notes = append(c.Notes, findingText(f))
		}
	}
	if c.Jitter.Valid && c.Jitter.D > 0 {
		key := Code(c.Spec.Key)
		if c.FamilyValue.Sensitive || c.Name.Sensitive || (c.Family != nil && c.Family.Name.Sensitive) {
			key = Code(SensitiveText)
		}
		c.Notes = append(c.Notes, makeText("Jitter: every issue is delayed by ", fmtSum(c.JitterOffset, c.Jitter), " (a fixed offset below ", c.Jitter.Text(), " derived from ", key, ")."))
	}
	switch {
	case c.Truncated:
		c.Notes = append(c.Notes, makeText("Timeline cut short: ", c.Problem, "; use a shorter --horizon."))
	case c.Problem != "":
		c.Notes = append(c.Notes, makeText("Timeline not computed: ", c.Problem, "."))
	}
}
