package runbook

import (
	"strings"
	"testing"
)

// TestGates: the runbook shows each evidence gate, its source and what it
// waits for (issue 11), in Markdown and HTML.
func TestGates(t *testing.T) {
	cases := []struct {
		fixture string
		want    []string
		absent  []string
	}{
		{fixture: "rot033-max-wait", want: []string{
			"Revocation gate: a previous version is revoked only once the evidence shows it unused for `quiet_period = 1h` and the active version seen in use since it became active; past `max_wait = 1d` after the overlap it keeps waiting and warns (ROT033).",
			"Evidence: static `last_used` observed at 2026-02-05T14:00:00Z.",
			"Waiting now: `revoke v1: last used 13:30, quiet until 14:30`.",
			"The timeline shows the earliest time the calendar allows each step",
		}, absent: []string{"Emission gate"}},
		{fixture: "good-gated", want: []string{
			"Emission gate: a pending version becomes active only once every source (api) reports it loaded, in evidence collected after it was issued. Evidence: static `accepted` observed at 2026-02-04T10:00:00Z. Not waiting now.",
			"Revocation gate:",
		}},
		{fixture: "good", absent: []string{"Revocation gate", "Emission gate", "calendar allows"}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			rep := build(t, fixtures+"/"+c.fixture+"/plan.json", "", Options{})
			md := render(t, rep, "markdown")
			html := render(t, rep, "html")
			for _, w := range c.want {
				if !strings.Contains(md, w) {
					t.Errorf("the Markdown does not say %q", w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(md, a) || strings.Contains(html, a) {
					t.Errorf("the runbook says %q", a)
				}
			}
			if len(c.want) > 0 && !strings.Contains(html, "Revocation gate:") && !strings.Contains(html, "Emission gate:") {
				t.Errorf("the HTML shows no gate")
			}
		})
	}
	// The Prometheus form names the query and its label.
	if got := gateSource(map[string]any{"prometheus": map[string]any{"query": "max by (kid) (x)", "label": "kid"}}, "last_used").Markdown(); got != "Prometheus query `max by (kid) (x)` (label `kid`), run at the plan's instant when the step is due" {
		t.Errorf("prometheus source: %s", got)
	}
}
