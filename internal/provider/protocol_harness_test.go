package provider

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// This file is the protocol harness of the lifecycle resources' unit tests
// (resource_secret_unit_test.go, resource_schedule_unit_test.go,
// lifecycle_resource_test.go). It drives one resource through the provider
// protocol the way Terraform does, with a clock the test moves between plan
// and apply: PlanResourceChange at plan time; at apply time
// PlanResourceChange again (Terraform re-plans during apply and requires
// the result to agree with the saved plan), then ApplyResourceChange.

// testClock is a Clock the test moves.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

// protoHarness is one configured provider server and the record of one
// lifecycle resource (rotation_secret or rotation_schedule).
type protoHarness struct {
	t testing.TB
	// typeName is the resource type: rotation_secret or rotation_schedule.
	typeName string
	srv      tfprotov6.ProviderServer
	schema   *tfprotov6.Schema
	typ      tftypes.Object
	clock    *testClock
	// state is the recorded state; a null value before the first apply.
	state tftypes.Value
	// ptype is the provider configuration type.
	ptype tftypes.Object
	// usePlanTime configures plan_time the way plantimestamp() does: the
	// plan's instant when planning, the saved plan's instant when applying.
	usePlanTime bool
	planAt      time.Time
	inApply     bool
	// providerVals are provider attributes configure sets besides
	// plan_time (prometheus_url).
	providerVals map[string]tftypes.Value
}

// configure (re)configures the provider with plan_time (zero: unset).
func (h *protoHarness) configure(planTime time.Time) {
	h.t.Helper()
	vals := map[string]tftypes.Value{}
	for k, v := range h.providerVals {
		vals[k] = v
	}
	if !planTime.IsZero() {
		vals["plan_time"] = tftypes.NewValue(tftypes.String, planTime.UTC().Format(time.RFC3339))
	}
	pcfg := dynamic(h.t, h.ptype, nullsFor(h.ptype, vals))
	cresp, err := h.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasErrors(cresp.Diagnostics) {
		h.t.Fatalf("ConfigureProvider: %v %v", err, diagText(cresp.Diagnostics))
	}
}

// newProtoHarness is the harness of one rotation_secret.
func newProtoHarness(t testing.TB) *protoHarness {
	t.Helper()
	return newProtoHarnessFor(t, "rotation_secret")
}

// newProtoHarnessFor is the harness of one resource of type typeName.
func newProtoHarnessFor(t testing.TB, typeName string) *protoHarness {
	t.Helper()
	t.Setenv(EnvNow, "")
	ctx := context.Background()
	clock := &testClock{}
	srv := providerserver.NewProtocol6(NewWithClock("test", clock)())()
	sresp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(sresp.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, diagText(sresp.Diagnostics))
	}
	pt, ok := sresp.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type %T", sresp.Provider.ValueType())
	}
	pcfg := dynamic(t, pt, nullsFor(pt, nil))
	cresp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasErrors(cresp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, diagText(cresp.Diagnostics))
	}
	schema := sresp.ResourceSchemas[typeName]
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s schema type %T", typeName, schema.ValueType())
	}
	return &protoHarness{t: t, typeName: typeName, srv: srv, schema: schema, typ: typ, clock: clock, state: tftypes.NewValue(typ, nil), ptype: pt}
}

func hasErrors(ds []*tfprotov6.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(ds []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "[%s] %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

func dynamic(t testing.TB, typ tftypes.Type, v tftypes.Value) tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatalf("NewDynamicValue: %v", err)
	}
	return dv
}

// nullsFor builds an object of type typ from vals, null where vals has no
// entry.
func nullsFor(typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	m := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := vals[name]; ok {
			m[name] = v
		} else {
			m[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, m)
}

// lifecycleSpec is the configuration of the harness's resource.
type lifecycleSpec struct {
	// typ is rotation_secret's type; unused for rotation_schedule.
	typ string
	// schedule attributes; period/overlap/ttl default to 30d/1d/90d and
	// propagation to 1h.
	schedule map[string]string
	// window, when set, is days/start/end/time_zone of change_window.
	window *[4]string
	// controls, as raw values by attribute name.
	triggers map[string]string
	pin      int64
	revoke   []int64
	reason   string
	hold     bool
	holdWhy  string
	// name replaces "prod"; attrs sets any other attribute.
	name  string
	attrs map[string]tftypes.Value
}

// config builds the configuration value of spec.
func (h *protoHarness) config(s lifecycleSpec) tftypes.Value {
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	schedType := h.typ.AttributeTypes["schedule"].(tftypes.Object)
	sched := map[string]tftypes.Value{"period": str("30d"), "overlap": str("1d"), "ttl": str("90d"), "propagation": str("1h")}
	for k, v := range s.schedule {
		sched[k] = str(v)
	}
	if w := s.window; w != nil {
		wt := schedType.AttributeTypes["change_window"].(tftypes.Object)
		days := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str(w[0])})
		sched["change_window"] = nullsFor(wt, map[string]tftypes.Value{"days": days, "start": str(w[1]), "end": str(w[2]), "time_zone": str(w[3])})
	}
	vals := map[string]tftypes.Value{
		"family":   str("unit"),
		"name":     str("prod"),
		"schedule": nullsFor(schedType, sched),
	}
	if s.typ != "" {
		vals["type"] = str(s.typ)
	}
	if s.triggers != nil {
		m := map[string]tftypes.Value{}
		for k, v := range s.triggers {
			m[k] = str(v)
		}
		vals["rotate_triggers"] = tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)
	}
	if s.pin != 0 {
		vals["pin_active_version"] = tftypes.NewValue(tftypes.Number, s.pin)
	}
	if s.revoke != nil {
		var vs []tftypes.Value
		for _, v := range s.revoke {
			vs = append(vs, tftypes.NewValue(tftypes.Number, v))
		}
		vals["revoke_versions"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.Number}, vs)
	}
	if s.reason != "" {
		vals["revoke_reason"] = str(s.reason)
	}
	if s.hold {
		vals["hold_revocation"] = tftypes.NewValue(tftypes.Bool, true)
	}
	if s.holdWhy != "" {
		vals["hold_reason"] = str(s.holdWhy)
	}
	if s.name != "" {
		vals["name"] = str(s.name)
	}
	for k, v := range s.attrs {
		vals[k] = v
	}
	return nullsFor(h.typ, vals)
}

// proposedNew is Terraform's proposed new state: the configuration, with
// the prior value where the configuration leaves a computed attribute null
// (objchange.ProposedNew, enough of it for this schema).
func proposedNew(block *tfprotov6.SchemaBlock, prior, config tftypes.Value) tftypes.Value {
	if config.IsNull() {
		return config
	}
	var cfg, pri map[string]tftypes.Value
	_ = config.As(&cfg)
	if !prior.IsNull() {
		_ = prior.As(&pri)
	}
	out := map[string]tftypes.Value{}
	for _, a := range block.Attributes {
		v := cfg[a.Name]
		if v.IsNull() && a.Computed && pri != nil {
			v = pri[a.Name]
		}
		out[a.Name] = v
	}
	for _, b := range block.BlockTypes {
		p := tftypes.NewValue(cfg[b.TypeName].Type(), nil)
		if pri != nil {
			p = pri[b.TypeName]
		}
		out[b.TypeName] = proposedNew(b.Block, p, cfg[b.TypeName])
	}
	return tftypes.NewValue(config.Type(), out)
}

// plan runs PlanResourceChange for spec at the harness clock.
func (h *protoHarness) plan(s lifecycleSpec) (tftypes.Value, []*tfprotov6.Diagnostic) {
	h.t.Helper()
	ctx := context.Background()
	if h.usePlanTime && !h.inApply {
		h.planAt = h.clock.t
		h.configure(h.planAt)
	}
	cfg := h.config(s)
	cdv := dynamic(h.t, h.typ, cfg)
	vresp, err := h.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: h.typeName, Config: &cdv})
	if err != nil {
		h.t.Fatalf("ValidateResourceConfig: %v", err)
	}
	if hasErrors(vresp.Diagnostics) {
		return tftypes.Value{}, vresp.Diagnostics
	}
	prior := dynamic(h.t, h.typ, h.state)
	proposed := dynamic(h.t, h.typ, proposedNew(h.schema.Block, h.state, cfg))
	resp, err := h.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: h.typeName, PriorState: &prior, ProposedNewState: &proposed, Config: &cdv,
	})
	if err != nil {
		h.t.Fatalf("PlanResourceChange: %v", err)
	}
	diags := append(vresp.Diagnostics, resp.Diagnostics...)
	if hasErrors(resp.Diagnostics) {
		return tftypes.Value{}, diags
	}
	planned, err := resp.PlannedState.Unmarshal(h.typ)
	if err != nil {
		h.t.Fatalf("planned state: %v", err)
	}
	return planned, diags
}

// mustPlan is plan failing the test on errors.
func (h *protoHarness) mustPlan(s lifecycleSpec) (tftypes.Value, []*tfprotov6.Diagnostic) {
	h.t.Helper()
	planned, diags := h.plan(s)
	if hasErrors(diags) {
		h.t.Fatalf("plan at %s: %s", h.clock.t.Format(time.RFC3339), diagText(diags))
	}
	return planned, diags
}

// applyPlanned runs ApplyResourceChange with the given planned state at the
// harness clock and records the new state. It fails the test if the new
// state does not conform to the planned one (what Terraform reports as
// "Provider produced inconsistent result after apply").
func (h *protoHarness) applyPlanned(s lifecycleSpec, planned tftypes.Value) tftypes.Value {
	h.t.Helper()
	ctx := context.Background()
	cdv := dynamic(h.t, h.typ, h.config(s))
	prior := dynamic(h.t, h.typ, h.state)
	pdv := dynamic(h.t, h.typ, planned)
	resp, err := h.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: h.typeName, PriorState: &prior, PlannedState: &pdv, Config: &cdv,
	})
	if err != nil || hasErrors(resp.Diagnostics) {
		h.t.Fatalf("apply at %s: %v %s", h.clock.t.Format(time.RFC3339), err, diagText(resp.Diagnostics))
	}
	newState, err := resp.NewState.Unmarshal(h.typ)
	if err != nil {
		h.t.Fatalf("new state: %v", err)
	}
	if !newState.IsFullyKnown() {
		h.t.Fatalf("apply left unknown values in state: %v", newState)
	}
	if errs := incompatible(planned, newState, nil); len(errs) > 0 {
		h.t.Fatalf("inconsistent result after apply:\n%s", strings.Join(errs, "\n"))
	}
	h.state = newState
	return newState
}

// apply does what `terraform apply` does with a saved plan at the harness
// clock: it plans again, requires the result to agree with the saved plan
// (Terraform's "Provider produced inconsistent final plan" otherwise), and
// applies the new plan.
func (h *protoHarness) apply(s lifecycleSpec, saved tftypes.Value) tftypes.Value {
	h.t.Helper()
	if h.usePlanTime {
		// plantimestamp() still answers the saved plan's instant.
		h.configure(h.planAt)
		h.inApply = true
		defer func() { h.inApply = false }()
	}
	replanned, diags := h.plan(s)
	if hasErrors(diags) {
		h.t.Fatalf("re-plan at apply time %s: %s", h.clock.t.Format(time.RFC3339), diagText(diags))
	}
	if errs := incompatible(saved, replanned, nil); len(errs) > 0 {
		h.t.Fatalf("inconsistent final plan at %s:\n%s", h.clock.t.Format(time.RFC3339), strings.Join(errs, "\n"))
	}
	return h.applyPlanned(s, replanned)
}

// incompatible lists where actual breaks a promise of planned: every known
// planned value must be kept, null stays null, lists keep their length.
func incompatible(planned, actual tftypes.Value, at []string) []string {
	where := strings.Join(at, ".")
	switch {
	case !planned.IsKnown():
		return nil
	case !actual.IsKnown():
		return []string{where + ": was known, now unknown"}
	case planned.IsNull() || actual.IsNull():
		if planned.IsNull() != actual.IsNull() {
			return []string{fmt.Sprintf("%s: planned %v, got %v", where, planned, actual)}
		}
		return nil
	}
	switch planned.Type().(type) {
	case tftypes.Object:
		var p, a map[string]tftypes.Value
		_ = planned.As(&p)
		_ = actual.As(&a)
		var errs []string
		for k := range p {
			errs = append(errs, incompatible(p[k], a[k], append(at, k))...)
		}
		return errs
	case tftypes.List, tftypes.Set:
		var p, a []tftypes.Value
		_ = planned.As(&p)
		_ = actual.As(&a)
		if len(p) != len(a) {
			return []string{fmt.Sprintf("%s: planned %d elements, got %d", where, len(p), len(a))}
		}
		var errs []string
		for i := range p {
			errs = append(errs, incompatible(p[i], a[i], append(at, fmt.Sprint(i)))...)
		}
		return errs
	case tftypes.Map:
		var p, a map[string]tftypes.Value
		_ = planned.As(&p)
		_ = actual.As(&a)
		if len(p) != len(a) {
			return []string{fmt.Sprintf("%s: planned %d elements, got %d", where, len(p), len(a))}
		}
		var errs []string
		for k := range p {
			errs = append(errs, incompatible(p[k], a[k], append(at, k))...)
		}
		return errs
	}
	if !planned.Equal(actual) {
		return []string{fmt.Sprintf("%s: planned %v, got %v", where, planned, actual)}
	}
	return nil
}

// get reads a value at a path of names and list indexes; it returns
// "<unknown>", nil (null), a string, an int64 or a bool, or the
// tftypes.Value of a collection or object.
func get(v tftypes.Value, path ...any) any {
	for _, p := range path {
		if !v.IsKnown() {
			return "<unknown>"
		}
		if v.IsNull() {
			return nil
		}
		switch p := p.(type) {
		case string:
			var m map[string]tftypes.Value
			if err := v.As(&m); err != nil {
				panic(err)
			}
			v = m[p]
		case int:
			var l []tftypes.Value
			if err := v.As(&l); err != nil {
				panic(err)
			}
			if p >= len(l) {
				return fmt.Sprintf("<no element %d of %d>", p, len(l))
			}
			v = l[p]
		}
	}
	switch {
	case !v.IsKnown():
		return "<unknown>"
	case v.IsNull():
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
		i, _ := f.Int64()
		return i
	case typ.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	}
	return v
}

// count is the number of elements of a list or map value.
func count(v any) int {
	tv, ok := v.(tftypes.Value)
	if !ok {
		return -1
	}
	var l []tftypes.Value
	if err := tv.As(&l); err == nil {
		return len(l)
	}
	var m map[string]tftypes.Value
	if err := tv.As(&m); err == nil {
		return len(m)
	}
	return -1
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// expect compares got to want and reports the path on mismatch.
func expect(t *testing.T, v tftypes.Value, want any, path ...any) {
	t.Helper()
	if got := get(v, path...); got != want {
		t.Errorf("%v = %#v, want %#v", path, got, want)
	}
}

// at moves the harness clock.
func (h *protoHarness) at(s string) *protoHarness {
	h.clock.t = mustTime(s)
	return h
}

func must(v tftypes.Value, _ []*tfprotov6.Diagnostic) tftypes.Value { return v }

// warningsOf returns the warning details of diagnostics.
func warningsOf(ds []*tfprotov6.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

// expectWarning fails the test unless one warning of diags contains every
// one of subs.
func expectWarning(t *testing.T, diags []*tfprotov6.Diagnostic, subs ...string) {
	t.Helper()
	ws := warningsOf(diags)
	for _, w := range ws {
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(w, sub)
		}
		if ok {
			return
		}
	}
	t.Errorf("no warning contains %q; warnings:\n%s", subs, strings.Join(ws, "\n"))
}
