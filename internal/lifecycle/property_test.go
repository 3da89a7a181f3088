package lifecycle

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPropertyInvariants drives 2000 random resources (both modes, random
// valid schedules with and without change windows, random controls, random
// revocation and emission gates fed with random evidence: missing, stale,
// from after the plan, uses inside and outside the quiet period) through
// random sequences of plans and applies, apply time >= plan time (the plan
// time itself sometimes going back before the record's newest timestamp, as
// after a rehearsal clock set in the future), with type changes asking for
// a new version (Controls.Reissue), and checks
// after every step the invariants (docs/design.md, Invariants; see
// checkStep), that NextAt is exact (checkNext) and that without a window a
// later decision performs a superset of the transitions (checkMonotone). For
// the gates (checkRevocationGate, checkEmissionGate) that means: a version
// used inside the quiet period is never revoked except in an emergency;
// with require_successor_use a version is never revoked before its
// successor was seen in use; a version is never emitted before every source
// reports it. The seeds are fixed, so a failure reproduces.
func TestPropertyInvariants(t *testing.T) {
	sequences := 2000
	if testing.Short() {
		sequences = 300
	}
	st := newSimStats()
	for seed := range uint64(sequences) {
		r := rand.New(rand.NewPCG(seed, 0x5eed_0f_10_7a7e))
		if err := runSequence(r, 60, st); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
	t.Logf("%d sequences, %d steps; transitions %v; errors %v; remedies %d; emergency promotions %d; scheduled issues %d; type-change issues %d, waits %d; backwards plans %d",
		st.sequences, st.steps, st.actions, st.errors, st.remedies, st.explicitActivate, st.scheduledIssue, st.reissues, st.reissueWaits, st.backwards)
	t.Logf("gates: %d revocations and %d activations on evidence, %d waits past max_wait, %d uses after revocation; waits %v",
		st.gatedRevoke, st.gatedActivate, st.pastMaxWait, st.lateUse, st.waits)
	for w, n := range st.warnings {
		t.Logf("warning %q x%d", w, n)
	}
	if testing.Short() {
		return
	}
	// The generator must keep reaching every rule, or the checks above
	// prove little.
	for _, a := range []Action{ActionIssue, ActionActivate, ActionSupersede, ActionRevoke, ActionEmergencyRevoke, ActionPin, ActionPrune} {
		if st.actions[a] < 100 {
			t.Errorf("only %d %q transitions in all sequences", st.actions[a], a)
		}
	}
	for _, f := range []string{"pin_active_version", "revoke_versions", "revoke_reason"} {
		if st.errors[f] < 10 {
			t.Errorf("only %d %s errors in all sequences", st.errors[f], f)
		}
	}
	if st.remedies < 5 || st.explicitActivate < 20 || st.scheduledIssue < 1000 {
		t.Errorf("too few remedies (%d), emergency promotions (%d) or scheduled issues (%d)", st.remedies, st.explicitActivate, st.scheduledIssue)
	}
	if st.reissues < 100 || st.reissueWaits < 20 || st.backwards < 1000 {
		t.Errorf("too few type-change issues (%d), type changes waiting for a pending version (%d) or plans before the record's newest timestamp (%d)", st.reissues, st.reissueWaits, st.backwards)
	}
	// Evidence gates (issue 11): the random evidence must reach every way
	// a gated step waits, and let many through.
	if st.gatedRevoke < 100 || st.gatedActivate < 100 || st.pastMaxWait < 20 || st.lateUse < 20 {
		t.Errorf("too few revocations (%d) or activations (%d) on evidence, waits past max_wait (%d) or uses after revocation (%d)",
			st.gatedRevoke, st.gatedActivate, st.pastMaxWait, st.lateUse)
	}
	for _, w := range []string{
		"revoke: no evidence of use", "revoke: last used", "revoke: successor vN not", "revoke: evidence from", "revoke: evidence observed at",
		"activate: no evidence of", "activate: waiting for", "activate: evidence from", "activate: evidence observed at",
	} {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(st.waits)), func(k string) bool { return strings.HasPrefix(k, w) }) {
			t.Errorf("no wait %q in all sequences", w)
		}
	}
	for _, w := range []string{
		"rotation waits for slot", "hold_revocation is set without", "rotate_triggers changed while vN",
		"rotate_triggers changed, but pin_active_version", "pin_active_version = N promotes", "vN becomes active at",
		"vN is issued and", "vN (previous) outlived its", "ttl N leaves no", "the record is ahead",
		"a new version is",
	} {
		if st.warnings[w] == 0 {
			t.Errorf("no warning %q in all sequences", w)
		}
	}
}
