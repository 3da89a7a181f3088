package lifecycle

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of issue 11: revocation and emission gates decide on evidence.

// uses builds use evidence observed at obs from version/time pairs.
func uses(obs time.Time, kv ...any) *UseEvidence {
	ev := &UseEvidence{Source: "sim", ObservedAt: obs, LastUsed: map[int64]time.Time{}}
	for i := 0; i < len(kv); i += 2 {
		ev.LastUsed[int64(kv[i].(int))] = kv[i+1].(time.Time)
	}
	return ev
}

func revGate(use *UseEvidence, successor bool) Gates {
	return Gates{Revocation: &RevocationGate{QuietPeriod: 2 * time.Hour, MaxWait: 7 * day, RequireSuccessorUse: successor, Use: use}}
}

func emGate(acc *AcceptEvidence, sources ...string) Gates {
	return Gates{Emission: &EmissionGate{Sources: sources, Accepted: acc}}
}

func loaded(obs time.Time, kv ...any) *AcceptEvidence {
	ev := &AcceptEvidence{Source: "sim", ObservedAt: obs, Loaded: map[string][]int64{}}
	for i := 0; i < len(kv); i += 2 {
		ev.Loaded[kv[i].(string)] = kv[i+1].([]int64)
	}
	return ev
}

func TestDecideRevocationGate(t *testing.T) {
	// stQ: v1 previous since day 31 10:00, its overlap ends day 38 10:00;
	// v2 active since day 31 10:00.
	type gateCase struct {
		engineCase
		wait     string // the wait's text, "" for none
		until    time.Time
		evidence string // v1's recorded revocation evidence
		needsUse bool
		pastMax  bool
		lateUses int
	}
	cases := []gateCase{
		{engineCase: engineCase{name: "no evidence waits", prior: stQ, at: d(38), gates: revGate(nil, true), trs: "",
			warn: []string{"revocation of v1 waits for evidence: no evidence of use (none collected). Its overlap ended at 2025-02-13T10:00:00Z", "waiting is the safe side"},
			next: "revoke v1 at 2025-02-13T10:00:00Z"},
			wait: "revoke v1: no evidence of use (none collected)", needsUse: true},
		{engineCase: engineCase{name: "used inside the quiet period", prior: stQ, at: d(38),
			gates: revGate(uses(d(38), 1, d(38, -30*time.Minute), 2, d(37)), true), trs: "",
			warn: []string{"last used 09:30, quiet until 11:30", "it cannot be revoked before 2025-02-13T11:30:00Z"}},
			wait: "revoke v1: last used 09:30, quiet until 11:30", until: d(38, 90*time.Minute)},
		{engineCase: engineCase{name: "quiet period over", prior: stQ, at: d(38, 2*time.Hour),
			gates: revGate(uses(d(38, 2*time.Hour), 1, d(38, -30*time.Minute), 2, d(37)), true), trs: "revoke v1", noWarn: true},
			evidence: "sim observed 2025-02-13T12:00:00Z: v1 last used 2025-02-13T09:30:00Z, quiet 2h since; successor v2 last used 2025-02-12T10:00:00Z"},
		{engineCase: engineCase{name: "absent from the evidence means not seen in use", prior: stQ, at: d(38),
			gates: revGate(uses(d(38), 2, d(38)), true), trs: "revoke v1"},
			evidence: "sim observed 2025-02-13T10:00:00Z: v1 not seen in use; successor v2 last used 2025-02-13T10:00:00Z"},
		{engineCase: engineCase{name: "successor not seen in use", prior: stQ, at: d(38), gates: revGate(uses(d(38)), true), trs: "",
			warn: []string{"successor v2 not seen in use since it became active 2025-02-06T10:00Z", "shows it unused and its successor in use"}},
			wait: "revoke v1: successor v2 not seen in use since it became active 2025-02-06T10:00Z"},
		{engineCase: engineCase{name: "successor used only before it became active", prior: stQ, at: d(38),
			gates: revGate(uses(d(38), 2, d(30, 12*time.Hour)), true), trs: ""},
			wait: "revoke v1: successor v2 not seen in use since it became active 2025-02-06T10:00Z"},
		{engineCase: engineCase{name: "require_successor_use = false", prior: stQ, at: d(38), gates: revGate(uses(d(38)), false), trs: "revoke v1"},
			evidence: "sim observed 2025-02-13T10:00:00Z: v1 not seen in use"},
		{engineCase: engineCase{name: "stale evidence", prior: stQ, at: d(38), gates: revGate(uses(d(31, time.Hour), 2, d(31, time.Hour)), true), trs: ""},
			wait: "revoke v1: evidence from 2025-02-06T11:00Z, needs evidence from 2025-02-06T12:00Z on (superseded 2025-02-06T10:00Z + quiet 2h)", until: d(31, 2*time.Hour)},
		{engineCase: engineCase{name: "evidence from after the evaluation time", prior: stQ, at: d(38), gates: revGate(uses(d(38, time.Hour), 2, d(38)), true), trs: ""},
			wait: "revoke v1: evidence observed at 2025-02-13T11:00:00Z, after the evaluation time 2025-02-13T10:00:00Z"},
		{engineCase: engineCase{name: "overlap not over: nothing to wait for, nothing to fetch", prior: stQ, at: d(37), gates: revGate(nil, true), trs: "", noWarn: true,
			next: "revoke v1 at 2025-02-13T10:00:00Z"}},
		{engineCase: engineCase{name: "hold: nothing to wait for", prior: stQ, at: d(39), gates: revGate(nil, true), trs: "",
			controls: Controls{HoldRevocation: true, HoldReason: "CHG-1"}, noWarn: true}},
		{engineCase: engineCase{name: "past max_wait it keeps waiting and warns", prior: stQ, at: d(45, time.Hour),
			gates: revGate(uses(d(45, time.Hour), 1, d(45), 2, d(45)), true), trs: "",
			warn: []string{"It has waited past max_wait 7d (overlap end 2025-02-13T10:00:00Z + max_wait = 2025-02-20T10:00:00Z)", "policy ROT033"}},
			wait: "revoke v1: last used 10:00, quiet until 12:00", until: d(45, 2*time.Hour), pastMax: true},
		{engineCase: engineCase{name: "past ttl it keeps waiting and says decide", prior: stQ, at: d(46),
			gates: revGate(uses(d(46), 1, d(46), 2, d(46)), true), trs: "",
			warn: []string{"v1 (previous) outlived its ttl", "the revocation_gate is still waiting (last used 10:00, quiet until 12:00), and it keeps waiting, because revoking a credential in use is an outage", "policy ROT003"}},
			wait: "revoke v1: last used 10:00, quiet until 12:00", until: d(46, 2*time.Hour), pastMax: true},
		{engineCase: engineCase{name: "an emergency ignores the gate and records what it showed", prior: stQ, at: d(38),
			controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-7"},
			gates:    revGate(uses(d(38), 1, d(38, -10*time.Minute), 2, d(38)), true), trs: "emergency-revoke v1"},
			evidence: "sim observed 2025-02-13T10:00:00Z: v1 still in use, last used 2025-02-13T09:50:00Z (within quiet_period 2h)"},
		{engineCase: engineCase{name: "an emergency without evidence asks for it", prior: stQ, at: d(35),
			controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-7"}, gates: revGate(nil, true), trs: "emergency-revoke v1"},
			needsUse: true},
		{engineCase: engineCase{name: "use after revocation", prior: stR, at: d(39),
			gates: revGate(uses(d(39), 1, d(38, time.Hour), 2, d(39)), true), trs: "",
			warn: []string{"v1 was used at 2025-02-13T11:00:00Z, after its revocation at 2025-02-13T10:00:00Z (sim observed 2025-02-14T10:00:00Z): a consumer still presents it and is failing right now", "ROT036"}},
			lateUses: 1},
		{engineCase: engineCase{name: "use before the revocation is no alarm", prior: stR, at: d(39),
			gates: revGate(uses(d(39), 1, d(38), 2, d(39)), true), trs: "", noWarn: true}},
		{engineCase: engineCase{name: "two slots", mode: ModeTwoSlot, prior: stQ, at: d(38, 2*time.Hour),
			gates: revGate(uses(d(38, 2*time.Hour), 1, d(38, -30*time.Minute), 2, d(37)), true), trs: "revoke v1"},
			evidence: "sim observed 2025-02-13T12:00:00Z: v1 last used 2025-02-13T09:30:00Z, quiet 2h since; successor v2 last used 2025-02-12T10:00:00Z"},
		{engineCase: engineCase{name: "two slots: the issue waits for the gated revocation", mode: ModeTwoSlot,
			prior: stQ, at: d(60),
			gates: revGate(uses(d(60), 1, d(60), 2, d(60)), true), trs: "",
			warn: []string{"revocation of v1 waits", "rotation waits for slot \"a\"", "v1 is previous and its revocation waits for evidence (last used 10:00, quiet until 12:00); v3 is issued once v1 is revoked"}},
			wait: "revoke v1: last used 10:00, quiet until 12:00", until: d(60, 2*time.Hour), pastMax: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec := c.run(t)
			var got []string
			for _, w := range dec.Waits {
				got = append(got, w.Text())
			}
			if want := c.wait; (want == "") != (len(got) == 0) || (want != "" && got[0] != want) {
				t.Errorf("waits = %q, want %q", got, want)
			}
			if len(dec.Waits) > 0 {
				if !dec.Waits[0].Until.Equal(c.until) {
					t.Errorf("until = %s, want %s", ts(dec.Waits[0].Until), ts(c.until))
				}
				if dec.Waits[0].PastMaxWait != c.pastMax {
					t.Errorf("past max_wait = %v, want %v", dec.Waits[0].PastMaxWait, c.pastMax)
				}
			}
			if v := dec.Next.Find(1); v != nil && v.RevocationEvidence != c.evidence {
				t.Errorf("recorded evidence = %q, want %q", v.RevocationEvidence, c.evidence)
			}
			spec := Spec{Gates: c.gates}
			if use, _ := dec.NeedsEvidence(spec); use != c.needsUse {
				t.Errorf("needs use evidence = %v, want %v", use, c.needsUse)
			}
			if len(dec.UsedAfterRevocation) != c.lateUses {
				t.Errorf("used after revocation = %+v, want %d", dec.UsedAfterRevocation, c.lateUses)
			}
		})
	}
}

func TestDecideEmissionGate(t *testing.T) {
	// stP: v2 issued pending at day 30, its propagation ends day 31.
	type gateCase struct {
		engineCase
		wait       string
		evidence   string // v2's recorded activation evidence
		needAccept bool
	}
	cases := []gateCase{
		{engineCase: engineCase{name: "no evidence waits", prior: stP, at: d(31), gates: emGate(nil, "api", "worker"), trs: "",
			warn: []string{"activation of v2 waits for evidence: no evidence of acceptance (none collected). Its propagation ended at 2025-02-06T10:00:00Z", "every source (api, worker)"},
			next: "activate v2 at 2025-02-06T10:00:00Z"},
			wait: "activate v2: no evidence of acceptance (none collected)", needAccept: true},
		{engineCase: engineCase{name: "a source has not loaded it", prior: stP, at: d(31),
			gates: emGate(loaded(d(31), "api", []int64{1, 2}, "worker", []int64{1}), "api", "worker"), trs: ""},
			wait: "activate v2: waiting for worker to report v2"},
		{engineCase: engineCase{name: "a source reports nothing", prior: stP, at: d(31),
			gates: emGate(loaded(d(31), "api", []int64{1, 2}), "api", "worker"), trs: ""},
			wait: "activate v2: waiting for worker to report v2"},
		{engineCase: engineCase{name: "every source reports it", prior: stP, at: d(31),
			gates: emGate(loaded(d(31), "api", []int64{1, 2}, "worker", []int64{2, 1}), "api", "worker"), trs: "activate v2, supersede v1", noWarn: true},
			evidence: "sim observed 2025-02-06T10:00:00Z: api, worker report v2"},
		{engineCase: engineCase{name: "evidence from before the issue", prior: stP, at: d(31),
			gates: emGate(loaded(d(30, -time.Hour), "api", []int64{2}), "api"), trs: ""},
			wait: "activate v2: evidence from 2025-02-05T09:00Z, not after v2 was issued 2025-02-05T10:00Z"},
		{engineCase: engineCase{name: "no source", prior: stP, at: d(31), gates: emGate(loaded(d(31))), trs: ""},
			wait: "activate v2: no source listed or reporting"},
		{engineCase: engineCase{name: "before propagation: nothing to wait for", prior: stP, at: d(30, time.Hour), gates: emGate(nil, "api"), trs: "", noWarn: true}},
		{engineCase: engineCase{name: "a pin ignores the gate", prior: stP, at: d(30, time.Hour), controls: Controls{Pin: 2},
			gates: emGate(nil, "api"), trs: "pin v2, supersede v1"}},
		{engineCase: engineCase{name: "an emergency replacement ignores the gate", prior: stP, at: d(30, time.Hour),
			controls: Controls{RevokeVersions: []int64{1}, RevokeReason: "INC-9"}, gates: emGate(nil, "api"), trs: "emergency-revoke v1, activate v2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec := c.run(t)
			var got []string
			for _, w := range dec.Waits {
				got = append(got, w.Text())
			}
			if want := c.wait; (want == "") != (len(got) == 0) || (want != "" && got[0] != want) {
				t.Errorf("waits = %q, want %q", got, want)
			}
			if v := dec.Next.Find(2); v != nil && v.ActivationEvidence != c.evidence {
				t.Errorf("recorded evidence = %q, want %q", v.ActivationEvidence, c.evidence)
			}
			if _, accept := dec.NeedsEvidence(Spec{Gates: c.gates}); accept != c.needAccept {
				t.Errorf("needs acceptance evidence = %v, want %v", accept, c.needAccept)
			}
		})
	}
}

// TestProjectIgnoresGates: a projection cannot know future evidence; it
// shows the calendar's times.
func TestProjectIgnoresGates(t *testing.T) {
	spec := Spec{Key: "auth/prod", Schedule: std(), Controls: Controls{HistoryLimit: 10}, Gates: revGate(nil, true)}
	_, events, _, err := Project(spec, stQ, d(32), 10*day)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 || events[0].Action != ActionRevoke || !events[0].At.Equal(d(38)) {
		t.Fatalf("events = %+v, want the revocation of v1 at the overlap's end", events)
	}
}

// The generators of the simulation (invariants_test.go, runSequence).

// gateTemplate is the gate configuration of one simulated resource.
type gateTemplate struct {
	rev *RevocationGate
	em  *EmissionGate
}

func genGates(src source, sc Schedule) gateTemplate {
	var g gateTemplate
	if chance(src, 40) {
		g.rev = &RevocationGate{QuietPeriod: durN(src, max(sc.Overlap, time.Hour)), MaxWait: durN(src, sc.Period), RequireSuccessorUse: chance(src, 70)}
	}
	if chance(src, 35) {
		g.em = &EmissionGate{Sources: []string{"api", "worker", "batch"}[:1+src.IntN(3)]}
		if chance(src, 5) {
			g.em.Sources = nil
		}
	}
	return g
}

// genEvidence draws the evidence one plan sees: missing, stale, from the
// future, or a snapshot with random last uses (inside and outside the
// quiet period, at the instant of collection, absent) and random loaded
// versions per source, plus keys of versions that do not exist.
func genEvidence(src source, g gateTemplate, cur State, plan time.Time) Gates {
	var out Gates
	observed := func(lag time.Duration) time.Time {
		if chance(src, 5) {
			return plan.Add(time.Second + durN(src, time.Hour))
		}
		return plan.Add(-durN(src, lag))
	}
	if g.rev != nil {
		r := *g.rev
		if chance(src, 10) {
			r.Missing = "simulated outage"
		} else {
			obs := observed(2*r.QuietPeriod + time.Hour)
			used := map[int64]time.Time{}
			for _, v := range cur.Versions {
				switch src.IntN(4) {
				case 1:
					used[v.Version] = obs.Add(-durN(src, r.QuietPeriod))
				case 2:
					used[v.Version] = obs.Add(-durN(src, 3*r.QuietPeriod+2*time.Hour))
				case 3:
					used[v.Version] = obs
				}
			}
			if chance(src, 10) {
				used[cur.Generation+1+int64(src.IntN(3))] = obs
			}
			r.Use = &UseEvidence{Source: "sim", ObservedAt: obs, LastUsed: used}
		}
		out.Revocation = &r
	}
	if g.em != nil {
		e := *g.em
		if chance(src, 10) {
			e.Missing = "simulated outage"
		} else {
			obs := observed(time.Hour)
			l := map[string][]int64{}
			for _, s := range e.Sources {
				for _, v := range cur.Versions {
					if v.Status.Accepted() && chance(src, 70) {
						l[s] = append(l[s], v.Version)
					}
				}
			}
			e.Accepted = &AcceptEvidence{Source: "sim", ObservedAt: obs, Loaded: l}
		}
		out.Emission = &e
	}
	return out
}

func describeGates(g Gates) string {
	var parts []string
	if r := g.Revocation; r != nil {
		ev := "none"
		if r.Use != nil {
			var kv []string
			for _, v := range slices.Sorted(maps.Keys(r.Use.LastUsed)) {
				kv = append(kv, fmt.Sprintf("v%d@%s", v, ts(r.Use.LastUsed[v])))
			}
			ev = fmt.Sprintf("obs %s [%s]", ts(r.Use.ObservedAt), strings.Join(kv, " "))
		}
		parts = append(parts, fmt.Sprintf("revocation(quiet %s, max %s, successor %v: %s)", formatDuration(r.QuietPeriod), formatDuration(r.MaxWait), r.RequireSuccessorUse, ev))
	}
	if e := g.Emission; e != nil {
		ev := "none"
		if e.Accepted != nil {
			ev = fmt.Sprintf("obs %s %v", ts(e.Accepted.ObservedAt), e.Accepted.Loaded)
		}
		parts = append(parts, fmt.Sprintf("emission(%v: %s)", e.Sources, ev))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// revokedActiveSuccessor is the version that was active when the
// revocation step of si ran (after the emergency step): the prior active
// version, or the replacement of an active version revoked in an emergency;
// nil if none (pinned: the pin makes a version active only afterwards).
func revokedActiveSuccessor(si stepInfo) *Version {
	d := si.dec
	if a := si.prior.Active(); a != nil && !hasTransition(d, ActionEmergencyRevoke, a.Version) {
		v := *a
		return &v
	}
	if si.spec.Controls.Pin != 0 {
		return nil
	}
	for _, tr := range d.Transitions {
		if tr.Action == ActionActivate && strings.HasPrefix(tr.Reason, "replaces") {
			if v := d.Next.Find(tr.Version); v != nil {
				c := *v
				return &c
			}
		}
	}
	return nil
}

// checkRevocationGate checks a revocation by the schedule of p (as it was
// before the decision) against the gate: it happened on evidence collected
// by the plan time and at least the quiet period after p stopped being
// active, showing p unused in the quiet period before it was collected,
// and, with RequireSuccessorUse, its successor in use since it became
// active.
func checkRevocationGate(g *RevocationGate, p *Version, si stepInfo, successor *Version) error {
	if g == nil {
		return nil
	}
	ev := g.Use
	if ev == nil {
		return fmt.Errorf("v%d revoked by the schedule under a revocation gate without evidence", p.Version)
	}
	if ev.ObservedAt.After(si.planAt) {
		return fmt.Errorf("v%d revoked on evidence observed %s, after the plan time %s", p.Version, ts(ev.ObservedAt), ts(si.planAt))
	}
	if ev.ObservedAt.Before(p.SupersededAt.Add(g.QuietPeriod)) {
		return fmt.Errorf("v%d revoked on evidence observed %s, less than quiet %s after it stopped being active at %s",
			p.Version, ts(ev.ObservedAt), formatDuration(g.QuietPeriod), ts(p.SupersededAt))
	}
	if last, used := ev.LastUsed[p.Version]; used && ev.ObservedAt.Before(last.Add(g.QuietPeriod)) {
		return fmt.Errorf("v%d revoked although it was used at %s, inside the quiet period %s before the evidence observed at %s",
			p.Version, ts(last), formatDuration(g.QuietPeriod), ts(ev.ObservedAt))
	}
	if g.RequireSuccessorUse {
		if successor == nil || successor.Version == p.Version {
			return fmt.Errorf("v%d revoked with require_successor_use but no active successor", p.Version)
		}
		if su, seen := ev.LastUsed[successor.Version]; !seen || su.Before(successor.ActivatedAt) {
			return fmt.Errorf("v%d revoked before its successor v%d (active since %s) was seen in use (last used %v)",
				p.Version, successor.Version, ts(successor.ActivatedAt), ev.LastUsed[successor.Version])
		}
	}
	if n := si.dec.Next.Find(p.Version); n != nil && n.RevocationEvidence == "" {
		return fmt.Errorf("v%d revoked on evidence without recording it", p.Version)
	}
	return nil
}

// checkEmissionGate checks an activation by the schedule of p (as it was
// before the decision): every source reports it in evidence collected
// after it was issued and by the plan time.
func checkEmissionGate(g *EmissionGate, p *Version, planAt time.Time, next *Version) error {
	if g == nil {
		return nil
	}
	ev := g.Accepted
	switch {
	case ev == nil:
		return fmt.Errorf("v%d activated by the schedule under an emission gate without evidence", p.Version)
	case ev.ObservedAt.After(planAt):
		return fmt.Errorf("v%d activated on evidence observed %s, after the plan time %s", p.Version, ts(ev.ObservedAt), ts(planAt))
	case !ev.ObservedAt.After(p.IssuedAt):
		return fmt.Errorf("v%d activated on evidence observed %s, not after it was issued at %s", p.Version, ts(ev.ObservedAt), ts(p.IssuedAt))
	case len(g.Sources) == 0:
		return fmt.Errorf("v%d activated by an emission gate with no source", p.Version)
	}
	for _, s := range g.Sources {
		if !slices.Contains(ev.Loaded[s], p.Version) {
			return fmt.Errorf("v%d emitted before source %q reported it (it reports %v)", p.Version, s, ev.Loaded[s])
		}
	}
	if next == nil || next.ActivationEvidence == "" {
		return fmt.Errorf("v%d activated on evidence without recording it", p.Version)
	}
	return nil
}
