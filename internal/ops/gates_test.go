package ops

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

const gatedPlan = "../../policies/testdata/fixtures/rot033-max-wait/plan.json"

// The rot033-max-wait fixture: rotation_secret.session's v1 is previous
// since 2026-02-04 10:00 with a 2h overlap, gated by a revocation_gate
// (quiet_period 1h, max_wait 1d) whose static evidence, observed at
// 2026-02-05 14:00, shows v1 last used at 13:30.
func gatedDoc(t *testing.T, content []byte) *Document {
	t.Helper()
	return readDoc(t, gatedPlan, content, "", at("2026-02-05T14:00:00Z"))
}

// due decides a gated step as the provider's plan does: with static
// evidence that shows the version in use, the revocation is not due and the
// reason says what the gate waits for; without the gate the calendar makes
// it due.
func TestDueHonoursStaticGateEvidence(t *testing.T) {
	when := at("2026-02-05T14:00:00Z")
	rep := Due([]*Document{gatedDoc(t, nil)}, DueOptions{At: when})
	r := rep.Documents[0].Resources[0]
	if r.Due || rep.Due {
		t.Fatalf("a revocation the gate holds is reported due: %+v", r.Transitions)
	}
	if len(r.Reasons) != 1 || r.Reasons[0].Code != ReasonGated || r.Reasons[0].Until == nil || *r.Reasons[0].Until != "2026-02-05T14:30:00Z" ||
		!strings.Contains(r.Reasons[0].Message, "revoke of v1 is due by the calendar since 2026-02-04T12:00:00Z but its revocation_gate waits: last used 13:30, quiet until 14:30") {
		t.Fatalf("reasons %+v", r.Reasons)
	}

	// Evidence that shows v1 quiet for the quiet period: due now.
	raw := readRaw(t, gatedPlan)
	quiet := bytes.ReplaceAll(raw, []byte(`"1": "2026-02-05T13:30:00Z"`), []byte(`"1": "2026-02-05T12:30:00Z"`))
	if bytes.Equal(quiet, raw) {
		t.Fatal("the fixture no longer holds v1's last use")
	}
	rep = Due([]*Document{gatedDoc(t, quiet)}, DueOptions{At: when})
	r = rep.Documents[0].Resources[0]
	if !r.Due || len(r.Transitions) == 0 || r.Transitions[0].Action != "revoke" || r.Transitions[0].Version != 1 {
		t.Fatalf("a quiet version is not due for revocation: %+v %+v", r.Transitions, r.Reasons)
	}
	for _, reason := range r.Reasons {
		if reason.Code == ReasonGated {
			t.Errorf("gated reason on a step the gate allows: %+v", reason)
		}
	}
}

// A gate fed by Prometheus is decided by the plan, which queries it: the
// step stays due and the reason says so.
func TestDueLeavesPrometheusGatesToThePlan(t *testing.T) {
	raw := readRaw(t, gatedPlan)
	prom := bytes.ReplaceAll(raw, []byte(`"prometheus": null`), []byte(`"prometheus": {"query": "q", "label": "kid"}`))
	if bytes.Equal(prom, raw) {
		t.Fatal("the fixture has no prometheus field")
	}
	when := at("2026-02-05T14:00:00Z")
	rep := Due([]*Document{gatedDoc(t, prom)}, DueOptions{At: when})
	r := rep.Documents[0].Resources[0]
	if !r.Due || r.Transitions[0].Action != "revoke" {
		t.Fatalf("a Prometheus-gated revocation due by the calendar is not due: %+v", r)
	}
	if len(r.Reasons) != 1 || r.Reasons[0].Code != ReasonGated || !strings.Contains(r.Reasons[0].Message, "decides on Prometheus evidence when the plan runs") {
		t.Fatalf("reasons %+v", r.Reasons)
	}
}

// The gate-wait metrics: one waiting revocation, due by the calendar since
// 2026-02-04 12:00 (26h before), past max_wait 1d.
func TestMetricsGateWaits(t *testing.T) {
	when := at("2026-02-05T14:00:00Z")
	col, err := NewCollector([]*Document{gatedDoc(t, nil)}, when)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteMetrics(&out, col, FormatPrometheus); err != nil {
		t.Fatal(err)
	}
	labels := `address="rotation_secret.session",family="session-signing",name="prod",resource_type="rotation_secret",workspace="default"`
	for _, want := range []string{
		`rotation_gate_waits{action="revoke",` + labels + `} 1`,
		`rotation_gate_wait_seconds{action="revoke",` + labels + `} 93600`,
		`rotation_gate_past_max_wait{` + labels + `} 1`,
	} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(out.String(), `action="activate"`) && strings.Contains(out.String(), "rotation_gate_waits{action=\"activate\"") {
		t.Error("an emission-gate metric for a secret without an emission gate")
	}
}

func readRaw(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
