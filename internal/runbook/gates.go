package runbook

import (
	"fmt"
	"sort"
	"strings"
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
