package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rotationkit/terraform-provider-rotation/internal/ops"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

// This file holds `due` (internal/ops) to what the provider's next plan
// actually does. Each scenario drives one resource through the provider
// protocol (protocol_harness_test.go) with the clock moved to many
// instants: at each one the state is written as `terraform show -json`
// writes it, `due` evaluates it at that instant, and the provider plans at
// that instant. `due` must say "due" exactly when the plan changes
// something, list exactly the versions whose status the plan changes, and
// name as "next" an instant at which the next plan does change something
// (and the second before it, not). The instants are a coarse grid plus,
// after every check, the second before `due`'s next transition and that
// transition itself, so every boundary is probed from both sides.

// dueScenario is one resource's configuration over time.
type dueScenario struct {
	name     string
	typeName string
	spec     lifecycleSpec
	start    string
	days     int
	step     time.Duration
	// applyOnlyOnGrid leaves transitions due at a boundary probe unapplied
	// until the next grid instant, so that due is also checked on overdue
	// records.
	applyOnlyOnGrid bool
	// change returns the configuration in force at t and whether it differs
	// from the one before: the plan at such an instant is an explicit
	// change (not something a state can tell), applied without comparing.
	change func(t time.Time) (lifecycleSpec, bool)
}

func TestDueMatchesProviderPlans(t *testing.T) {
	engine, err := policy.New(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sched := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	pinFrom := mustTime("2026-01-12T10:00:00Z")
	unpinFrom := mustTime("2026-01-20T10:00:00Z")
	holdFrom := mustTime("2026-01-08T00:00:00Z")
	scenarios := []dueScenario{
		{
			name: "secret on time", typeName: "rotation_secret", start: "2026-01-05T09:00:00Z", days: 12, step: 7 * time.Hour,
			spec: lifecycleSpec{typ: "hmac", schedule: sched("period", "2d", "overlap", "6h", "propagation", "1h", "ttl", "10d")},
		},
		{
			name: "secret in a change window, applied late", typeName: "rotation_secret", start: "2026-01-05T09:00:00Z", days: 35, step: 11 * time.Hour,
			applyOnlyOnGrid: true,
			spec: lifecycleSpec{typ: "ed25519", schedule: sched("period", "3d", "overlap", "12h", "propagation", "2h", "ttl", "20d", "jitter", "6h"),
				window: &[4]string{"mon", "09:00", "17:00", "Europe/Berlin"}},
		},
		{
			name: "schedule with jitter", typeName: "rotation_schedule", start: "2026-01-05T09:00:00Z", days: 14, step: 9 * time.Hour,
			spec: lifecycleSpec{schedule: sched("period", "3d", "overlap", "1d", "propagation", "2h", "ttl", "10d", "jitter", "5h")},
		},
		{
			name: "schedule held", typeName: "rotation_schedule", start: "2026-01-05T09:00:00Z", days: 12, step: 13 * time.Hour,
			spec: lifecycleSpec{schedule: sched("period", "2d", "overlap", "6h", "propagation", "1h", "ttl", "30d")},
			change: func(t time.Time) (lifecycleSpec, bool) {
				s := lifecycleSpec{schedule: sched("period", "2d", "overlap", "6h", "propagation", "1h", "ttl", "30d")}
				if !t.Before(holdFrom) {
					s.hold, s.holdWhy = true, "INC-1: auditors still read v1"
				}
				return s, false
			},
		},
		{
			name: "secret pinned, then unpinned", typeName: "rotation_secret", start: "2026-01-05T09:00:00Z", days: 20, step: 10 * time.Hour,
			spec: lifecycleSpec{typ: "password", schedule: sched("period", "3d", "overlap", "1d", "propagation", "1h", "ttl", "30d")},
			change: func(t time.Time) (lifecycleSpec, bool) {
				s := lifecycleSpec{typ: "password", schedule: sched("period", "3d", "overlap", "1d", "propagation", "1h", "ttl", "30d")}
				if !t.Before(pinFrom) && t.Before(unpinFrom) {
					s.pin = 3
				}
				return s, false
			},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { dueRunScenario(t, engine, sc) })
	}
}

func dueRunScenario(t *testing.T, engine *policy.Engine, sc dueScenario) {
	h := newProtoHarnessFor(t, sc.typeName)
	specAt := func(at time.Time) lifecycleSpec {
		if sc.change != nil {
			s, _ := sc.change(at)
			return s
		}
		return sc.spec
	}
	start := mustTime(sc.start)
	end := start.Add(time.Duration(sc.days) * 24 * time.Hour)
	h.clock.t = start
	first := h.duePlanValue(specAt(start))
	h.apply(specAt(start), first)

	var (
		prevSpec = specAt(start)
		grid     = start
		at       = start.Add(time.Second)
		checked  int
		dueSeen  int
		reasons  = map[string]bool{}
		overdue  = false
		promised time.Time // due's next transition, while the record stays as it is
		secrets  = dueSecretValues(h.state)
	)
	if sc.typeName == "rotation_secret" && len(secrets) == 0 {
		t.Fatal("no secret values found in the state: the leak check would check nothing")
	}
	for at.Before(end) {
		spec := specAt(at)
		onGrid := !at.Before(grid.Add(sc.step))
		if onGrid {
			grid = at
		}
		h.clock.t = at
		if fmt.Sprint(spec) != fmt.Sprint(prevSpec) {
			// A configuration change: the plan acts on it at once, the
			// state cannot tell. Apply it and go on.
			prevSpec, promised = spec, time.Time{}
			h.apply(spec, h.duePlanValue(spec))
			secrets = append(secrets, dueSecretValues(h.state)...)
			at = at.Add(time.Second)
			continue
		}
		stateJSON := dueShowState(t, sc.typeName, h)
		res, report := dueEvaluate(t, engine, stateJSON, at)
		planned := h.duePlanValue(spec)
		changes := !planned.Equal(h.state)
		checked++
		if res.Problem != nil {
			t.Fatalf("at %s: due could not evaluate the state: %s", at.Format(time.RFC3339), *res.Problem)
		}
		if res.Due != changes {
			t.Fatalf("at %s: due says due=%v, but the provider's plan changes something=%v\ndue: %s\nstate statuses: %s\nplanned statuses: %s",
				at.Format(time.RFC3339), res.Due, changes, report, dueStatusText(h.state), dueStatusText(planned))
		}
		if at.Equal(promised) && !changes {
			t.Fatalf("at %s: due promised its next transition now, but the provider's plan changes nothing", at.Format(time.RFC3339))
		}
		overdue = overdue || res.OverdueSeconds > 0
		for _, r := range res.Reasons {
			reasons[r.Code] = true
		}
		for _, s := range secrets {
			if strings.Contains(report, s) {
				t.Fatalf("at %s: due's output holds a secret value of the state", at.Format(time.RFC3339))
			}
		}
		if changes {
			dueSeen++
			dueCheckTransitions(t, at, res, h.state, planned)
			if !sc.applyOnlyOnGrid || onGrid {
				promised = time.Time{}
				h.apply(spec, planned)
				secrets = append(secrets, dueSecretValues(h.state)...)
			}
		}
		// The next instant: the second before due's next transition, that
		// transition, or the next grid instant, whichever comes first.
		next := grid.Add(sc.step)
		if res.Next != nil && !changes {
			n := mustTime(res.Next.At)
			promised = n
			if !n.After(at) {
				t.Fatalf("at %s: next transition %s is not after the evaluation time", at.Format(time.RFC3339), res.Next.At)
			}
			for _, c := range []time.Time{n.Add(-time.Second), n} {
				if c.After(at) && c.Before(next) {
					next = c
				}
			}
		}
		if changes && (!sc.applyOnlyOnGrid || onGrid) {
			next = at.Add(time.Second) // the record moved: look again at once
		}
		at = next
	}
	if checked < 30 || dueSeen < 4 {
		t.Fatalf("only %d instants checked, %d with something due: the scenario is too short", checked, dueSeen)
	}
	t.Logf("%d instants checked, %d with transitions due; reasons seen: %v", checked, dueSeen, dueKeys(reasons))
	switch sc.name {
	case "secret in a change window, applied late":
		if !reasons[ops.ReasonWindow] {
			t.Error("no instant waited for the change window")
		}
		if !overdue {
			t.Error("no instant had an overdue transition")
		}
	case "schedule held":
		if !reasons[ops.ReasonHeld] {
			t.Error("no instant reported the hold")
		}
	case "secret pinned, then unpinned":
		if !reasons[ops.ReasonPinned] {
			t.Error("no instant reported the pin")
		}
	}
}

// mustPlanValue plans at the harness clock and returns the planned value.
func (h *protoHarness) duePlanValue(s lifecycleSpec) tftypes.Value {
	h.t.Helper()
	v, _ := h.mustPlan(s)
	return v
}

// dueAt runs due on a state document at at and returns its one resource
// and the JSON and text reports.
func dueEvaluate(t *testing.T, engine *policy.Engine, stateJSON []byte, at time.Time) (ops.DueResource, string) {
	t.Helper()
	doc, err := tfjson.Read("state.json", bytes.NewReader(stateJSON), tfjson.ReadOptions{})
	if err != nil {
		t.Fatalf("reading the state: %v\n%s", err, stateJSON)
	}
	d, err := ops.Read(context.Background(), engine, doc, "", at, nil)
	if err != nil {
		t.Fatalf("due: %v", err)
	}
	rep := ops.Due([]*ops.Document{d}, ops.DueOptions{At: at})
	var js, text bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if len(rep.Documents) != 1 || len(rep.Documents[0].Resources) != 1 {
		t.Fatalf("due found %d documents; want one resource:\n%s", len(rep.Documents), js.String())
	}
	return rep.Documents[0].Resources[0], js.String() + text.String()
}

// checkTransitions holds due's transitions at at to the statuses the plan
// decided: every version a transition names ends with the status the last
// one gives it, and every version whose status changed is named.
func dueCheckTransitions(t *testing.T, at time.Time, res ops.DueResource, prior, planned tftypes.Value) {
	t.Helper()
	want := map[int64]string{}
	for _, tr := range res.Transitions {
		if tr.At != at.UTC().Format(time.RFC3339) {
			t.Fatalf("at %s: transition %s v%d is at %s", at.Format(time.RFC3339), tr.Action, tr.Version, tr.At)
		}
		switch tr.Action {
		case "issue":
			if want[tr.Version] == "" {
				want[tr.Version] = "pending"
			}
		case "activate", "pin":
			want[tr.Version] = "active"
		case "supersede":
			want[tr.Version] = "previous"
		case "revoke", "emergency-revoke":
			want[tr.Version] = "revoked"
		case "prune":
			want[tr.Version] = ""
		}
	}
	before, after := dueVersionStatuses(prior), dueVersionStatuses(planned)
	for v, s := range want {
		if after[v] != s {
			t.Errorf("at %s: due says v%d becomes %q, the plan has %q (due: %+v)", at.Format(time.RFC3339), v, s, after[v], res.Transitions)
		}
	}
	for v, s := range after {
		if _, named := want[v]; !named && before[v] != s {
			t.Errorf("at %s: the plan changes v%d from %q to %q, due names no transition of it (due: %+v)", at.Format(time.RFC3339), v, before[v], s, res.Transitions)
		}
	}
}

// versionStatuses reads version -> status of a rotation_secret (versions)
// or a rotation_schedule (slots).
func dueVersionStatuses(v tftypes.Value) map[int64]string {
	out := map[int64]string{}
	if vs, ok := get(v, "versions").(tftypes.Value); ok {
		for i := 0; i < count(vs); i++ {
			if n, ok := get(v, "versions", i, "version").(int64); ok {
				out[n], _ = get(v, "versions", i, "status").(string)
			}
		}
		return out
	}
	for _, slot := range []string{"a", "b"} {
		if n, ok := get(v, "slots", slot, "version").(int64); ok {
			out[n], _ = get(v, "slots", slot, "status").(string)
		}
	}
	return out
}

func dueStatusText(v tftypes.Value) string {
	m := dueVersionStatuses(v)
	var parts []string
	for k, s := range m {
		parts = append(parts, fmt.Sprintf("v%d:%s", k, s))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// showState writes the harness's state as `terraform show -json` does.
func dueShowState(t *testing.T, typeName string, h *protoHarness) []byte {
	t.Helper()
	doc := map[string]any{
		"format_version":    "1.0",
		"terraform_version": "1.5.7",
		"values": map[string]any{"root_module": map[string]any{"resources": []any{map[string]any{
			"address":          typeName + ".this",
			"mode":             "managed",
			"type":             typeName,
			"name":             "this",
			"provider_name":    "registry.terraform.io/rotationkit/rotation",
			"schema_version":   h.schema.Version,
			"values":           dueJSONValue(h.state),
			"sensitive_values": map[string]any{},
		}}}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonValue is a known tftypes value as JSON (numbers as json.Number).
func dueJSONValue(v tftypes.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	switch typ := v.Type(); {
	case typ.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case typ.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('f', -1))
	case typ.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	}
	var list []tftypes.Value
	if err := v.As(&list); err == nil {
		out := []any{}
		for _, e := range list {
			out = append(out, dueJSONValue(e))
		}
		return out
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err == nil {
		out := map[string]any{}
		for k, e := range m {
			out[k] = dueJSONValue(e)
		}
		return out
	}
	return nil
}

// secretValues are the material strings of a state: every attribute whose
// name says it holds a secret, at any depth.
func dueSecretValues(v tftypes.Value) []string {
	var out []string
	var walk func(name string, x any)
	walk = func(name string, x any) {
		switch x := x.(type) {
		case string:
			if strings.Contains(name, "secret") && len(x) >= 8 {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(name, e)
			}
		case map[string]any:
			for k, e := range x {
				n := k
				if name == "accepted_secrets" {
					n = name
				}
				walk(n, e)
			}
		}
	}
	walk("", dueJSONValue(v))
	return out
}

func dueKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
