package runbook

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// The evidence gates of a credential (issue 11; docs/design.md, Evidence
// gates), as the runbook shows them: each gate, where its evidence comes
// from, and what it waits for now (next_transition of a plan or state in
// which a gated step waits).

// gatesView is the view's gates of a secret (policies/lib/view.rego).
type gatesView struct {
	Revocation     fieldView `json:"revocation"`
	Emission       fieldView `json:"emission"`
	NextTransition fieldView `json:"next_transition"`
}

// gateNotes are the notes that describe the credential's gates.
func (c *Credential) gateNotes() []Text {
	g := c.view.Gates
	var out []Text
	if g.Revocation.State == "unknown" {
		out = append(out, makeText("Revocation gate: known only after apply."))
	}
	if rg, ok := g.Revocation.Value.(map[string]any); ok && g.Revocation.State == "known" {
		successor := "and the active version seen in use since it became active"
		if b, ok := rg["require_successor_use"].(bool); ok && !b {
			successor = "(its successor's use is not required)"
		}
		out = append(out, makeText("Revocation gate: a previous version is revoked only once the evidence shows it unused for ",
			Code("quiet_period = "+gateString(rg["quiet_period"])), " ", successor, "; past ", Code("max_wait = "+gateString(rg["max_wait"])),
			" after the overlap it keeps waiting and warns (ROT033). Evidence: ", gateSource(rg, "last_used"), ". ", c.waitingFor("revoke")))
	}
	if g.Emission.State == "unknown" {
		out = append(out, makeText("Emission gate: known only after apply."))
	}
	if eg, ok := g.Emission.Value.(map[string]any); ok && g.Emission.State == "known" {
		sources := "every source the evidence names"
		if list := gateStrings(eg["sources"]); len(list) > 0 {
			sources = strings.Join(list, ", ")
		} else if acc, ok := eg["accepted"].(map[string]any); ok {
			keys := make([]string, 0, len(acc))
			for k := range acc {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			sources = strings.Join(keys, ", ")
		}
		out = append(out, makeText("Emission gate: a pending version becomes active only once every source (", sources,
			") reports it loaded, in evidence collected after it was issued. Evidence: ", gateSource(eg, "accepted"), ". ", c.waitingFor("activate")))
	}
	if len(out) > 0 {
		out = append(out, makeText("The timeline shows the earliest time the calendar allows each step; a gated step happens only once its evidence allows it."))
	}
	return out
}

// gateSource describes where a gate's evidence comes from.
func gateSource(g map[string]any, static string) Text {
	if p, ok := g["prometheus"].(map[string]any); ok {
		return makeText("Prometheus query ", Code(gateString(p["query"])), " (label ", Code(gateString(p["label"])), "), run at the plan's instant when the step is due")
	}
	return makeText("static ", Code(static), " observed at ", gateString(g["observed_at"]))
}

// waitingFor says what a gate waits for now: next_transition, when it
// names a waiting step of this kind ("revoke v3: last used 09:12, quiet
// until 11:12").
func (c *Credential) waitingFor(action string) Text {
	n := c.view.Gates.NextTransition
	if s, ok := n.Value.(string); ok && n.State == "known" {
		var waits []string
		for _, part := range strings.Split(s, "; ") {
			if strings.HasPrefix(part, action+" v") && strings.Contains(part, ": ") {
				waits = append(waits, part)
			}
		}
		if len(waits) > 0 {
			return makeText("Waiting now: ", Code(strings.Join(waits, "; ")), ".")
		}
	}
	return makeText("Not waiting now.")
}

func gateString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return "(not set)"
	}
	return fmt.Sprint(v)
}

func gateStrings(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// PrometheusEvidence is why a gate fed by Prometheus has no evidence in a
// document: the provider queries Prometheus when it plans; nothing a plan
// or state records holds the answer.
const PrometheusEvidence = "its evidence comes from Prometheus, which the provider queries when it plans"

// engineGates are the credential's gates as the engine takes them, with the
// static evidence (last_used or accepted, with observed_at) the document
// holds, resolved the way the provider resolves it: a numeric key is a
// version number, any other key a kid; keys that name no recorded version
// are left out. A gate fed by Prometheus has no evidence here (Missing
// says so), nor has one whose values are unknown or invalid.
func (c *Credential) engineGates() lifecycle.Gates {
	var out lifecycle.Gates
	g := c.view.Gates
	keys := c.evidenceKeys()
	if rg, ok := g.Revocation.Value.(map[string]any); ok && g.Revocation.State == "known" {
		r := &lifecycle.RevocationGate{RequireSuccessorUse: true}
		quiet, okQuiet := gateDuration(rg["quiet_period"])
		maxWait, okMax := gateDuration(rg["max_wait"])
		r.QuietPeriod, r.MaxWait = quiet, maxWait
		if b, ok := rg["require_successor_use"].(bool); ok {
			r.RequireSuccessorUse = b
		}
		switch observed, ok := gateTime(rg["observed_at"]); {
		case !okQuiet || !okMax:
			// The provider refuses such a plan; here the gate waits.
			r.Missing = "quiet_period or max_wait is not a known, valid duration in this document"
		case rg["prometheus"] != nil:
			r.Missing = PrometheusEvidence
		case !ok:
			r.Missing = "observed_at is not known in this document"
		default:
			ev := &lifecycle.UseEvidence{Source: "last_used", ObservedAt: observed, LastUsed: map[int64]time.Time{}}
			if used, ok := rg["last_used"].(map[string]any); ok {
				for k, v := range used {
					n, okKey := keys.Resolve(k)
					t, okTime := gateTime(v)
					if okKey && okTime && t.After(ev.LastUsed[n]) {
						ev.LastUsed[n] = t
					}
				}
			}
			r.Use = ev
		}
		out.Revocation = r
	}
	if eg, ok := g.Emission.Value.(map[string]any); ok && g.Emission.State == "known" {
		e := &lifecycle.EmissionGate{Sources: gateStrings(eg["sources"])}
		switch observed, ok := gateTime(eg["observed_at"]); {
		case eg["prometheus"] != nil:
			e.Missing = PrometheusEvidence
		case !ok:
			e.Missing = "observed_at is not known in this document"
		default:
			ev := &lifecycle.AcceptEvidence{Source: "accepted", ObservedAt: observed, Loaded: map[string][]int64{}}
			if acc, ok := eg["accepted"].(map[string]any); ok {
				for source, list := range acc {
					ev.Loaded[source] = []int64{}
					for _, k := range gateStrings(list) {
						if n, ok := keys.Resolve(k); ok {
							ev.Loaded[source] = append(ev.Loaded[source], n)
						}
					}
				}
				if len(e.Sources) == 0 {
					e.Sources = sortedSources(acc)
				}
			}
			e.Accepted = ev
		}
		out.Emission = e
	}
	return out
}

// evidenceKeys indexes the recorded versions and their kids for resolving
// evidence keys, as the provider does (lifecycle.EvidenceKeys).
func (c *Credential) evidenceKeys() lifecycle.EvidenceKeys {
	k := lifecycle.NewEvidenceKeys()
	kids := map[int64]string{}
	for _, v := range c.Versions {
		kids[v.Version] = v.KID
	}
	for _, v := range c.State.Versions {
		k.Add(v.Version, kids[v.Version])
	}
	return k
}

func sortedSources(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func gateDuration(v any) (time.Duration, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	d, err := duration.Parse(s)
	return d, err == nil
}

func gateTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}
