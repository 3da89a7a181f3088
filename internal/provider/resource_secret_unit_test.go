package provider

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// This file drives rotation_secret through the provider protocol the way
// Terraform does, with a clock the test moves between plan and apply:
// PlanResourceChange at plan time; at apply time PlanResourceChange again
// (Terraform re-plans during apply and requires the result to agree with
// the saved plan), then ApplyResourceChange. It checks what the acceptance
// tests cannot see: the warnings of a plan, and the exact values of an
// apply made later than its plan.

// testClock is a Clock the test moves.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

// protoHarness is one configured provider server and the record of one
// rotation_secret.
type protoHarness struct {
	t      *testing.T
	srv    tfprotov6.ProviderServer
	schema *tfprotov6.Schema
	typ    tftypes.Object
	clock  *testClock
	// state is the recorded state; a null value before the first apply.
	state tftypes.Value
	// ptype is the provider configuration type.
	ptype tftypes.Object
	// usePlanTime configures plan_time the way plantimestamp() does: the
	// plan's instant when planning, the saved plan's instant when applying.
	usePlanTime bool
	planAt      time.Time
	inApply     bool
}

// configure (re)configures the provider with plan_time (zero: unset).
func (h *protoHarness) configure(planTime time.Time) {
	h.t.Helper()
	vals := map[string]tftypes.Value{}
	if !planTime.IsZero() {
		vals["plan_time"] = tftypes.NewValue(tftypes.String, planTime.UTC().Format(time.RFC3339))
	}
	pcfg := dynamic(h.t, h.ptype, nullsFor(h.ptype, vals))
	cresp, err := h.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasErrors(cresp.Diagnostics) {
		h.t.Fatalf("ConfigureProvider: %v %v", err, diagText(cresp.Diagnostics))
	}
}

func newProtoHarness(t *testing.T) *protoHarness {
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
	schema := sresp.ResourceSchemas["rotation_secret"]
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("rotation_secret schema type %T", schema.ValueType())
	}
	return &protoHarness{t: t, srv: srv, schema: schema, typ: typ, clock: clock, state: tftypes.NewValue(typ, nil), ptype: pt}
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

func dynamic(t *testing.T, typ tftypes.Type, v tftypes.Value) tfprotov6.DynamicValue {
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

// secretSpec is the configuration of the harness's rotation_secret.
type secretSpec struct {
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
}

// config builds the configuration value of spec.
func (h *protoHarness) config(s secretSpec) tftypes.Value {
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
		"type":     str(s.typ),
		"schedule": nullsFor(schedType, sched),
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
		vals["revoke_versions"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.Number}, vs)
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
func (h *protoHarness) plan(s secretSpec) (tftypes.Value, []*tfprotov6.Diagnostic) {
	h.t.Helper()
	ctx := context.Background()
	if h.usePlanTime && !h.inApply {
		h.planAt = h.clock.t
		h.configure(h.planAt)
	}
	cfg := h.config(s)
	cdv := dynamic(h.t, h.typ, cfg)
	vresp, err := h.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "rotation_secret", Config: &cdv})
	if err != nil {
		h.t.Fatalf("ValidateResourceConfig: %v", err)
	}
	if hasErrors(vresp.Diagnostics) {
		return tftypes.Value{}, vresp.Diagnostics
	}
	prior := dynamic(h.t, h.typ, h.state)
	proposed := dynamic(h.t, h.typ, proposedNew(h.schema.Block, h.state, cfg))
	resp, err := h.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "rotation_secret", PriorState: &prior, ProposedNewState: &proposed, Config: &cdv,
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
func (h *protoHarness) mustPlan(s secretSpec) (tftypes.Value, []*tfprotov6.Diagnostic) {
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
func (h *protoHarness) applyPlanned(s secretSpec, planned tftypes.Value) tftypes.Value {
	h.t.Helper()
	ctx := context.Background()
	cdv := dynamic(h.t, h.typ, h.config(s))
	prior := dynamic(h.t, h.typ, h.state)
	pdv := dynamic(h.t, h.typ, planned)
	resp, err := h.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "rotation_secret", PriorState: &prior, PlannedState: &pdv, Config: &cdv,
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
func (h *protoHarness) apply(s secretSpec, saved tftypes.Value) tftypes.Value {
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

// statuses is "v1:active v2:pending ..." of a state or plan.
func statuses(v tftypes.Value) string {
	var parts []string
	for i := 0; i < count(get(v, "versions")); i++ {
		parts = append(parts, fmt.Sprintf("v%v:%v", get(v, "versions", i, "version"), get(v, "versions", i, "status")))
	}
	return strings.Join(parts, " ")
}

// at moves the harness clock.
func (h *protoHarness) at(s string) *protoHarness {
	h.clock.t = mustTime(s)
	return h
}

// TestSecretApplyLaterThanPlan: an apply later than its plan keeps every
// planned status, performs nothing the plan did not show, and stamps the
// timestamps the plan left unknown with the apply time; Terraform's
// apply-time re-plan agrees with the saved plan, and the result conforms
// to it.
func TestSecretApplyLaterThanPlan(t *testing.T) {
	h := newProtoHarness(t)
	base := secretSpec{typ: "hmac"}

	// Create: planned 09:00, applied 09:10.
	saved, _ := h.at("2026-01-05T09:00:00Z").mustPlan(base)
	expect(t, saved, "active", "versions", 0, "status")
	expect(t, saved, "<unknown>", "versions", 0, "issued_at")
	expect(t, saved, "<unknown>", "next_transition_at")
	st := h.at("2026-01-05T09:10:00Z").apply(base, saved)
	expect(t, st, "2026-01-05T09:10:00Z", "versions", 0, "issued_at")
	expect(t, st, "2026-01-05T09:10:00Z", "versions", 0, "activated_at")
	expect(t, st, "2026-04-05T09:10:00Z", "versions", 0, "expires_at")
	expect(t, st, "issue v2", "next_transition")
	expect(t, st, "2026-02-04T09:10:00Z", "next_transition_at")

	// Issue: planned when due, applied 5h later, after plan + propagation:
	// v2 is still only pending, issued at the apply time.
	saved, _ = h.at("2026-02-04T09:10:00Z").mustPlan(base)
	if got := statuses(saved); got != "v1:active v2:pending" {
		t.Fatalf("planned %s", got)
	}
	st = h.at("2026-02-04T14:10:00Z").apply(base, saved)
	if got := statuses(st); got != "v1:active v2:pending" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-02-04T14:10:00Z", "versions", 1, "issued_at")
	expect(t, st, nil, "versions", 1, "activated_at")
	expect(t, st, "activate v2", "next_transition")
	expect(t, st, "2026-02-04T15:10:00Z", "next_transition_at")

	// Activate: applied 2 days after plan, past plan + overlap: v1 is
	// previous (not revoked), superseded at the apply time.
	saved, _ = h.at("2026-02-04T15:10:00Z").mustPlan(base)
	st = h.at("2026-02-06T15:10:00Z").apply(base, saved)
	if got := statuses(st); got != "v1:previous v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-02-06T15:10:00Z", "versions", 0, "superseded_at")
	expect(t, st, "2026-02-06T15:10:00Z", "versions", 1, "activated_at")
	expect(t, st, "2026-02-07T15:10:00Z", "next_transition_at")

	// A configuration change with nothing due (hold_reason without hold):
	// the apply later changes no status and keeps the planned
	// next_transition.
	held := base
	held.holdWhy = "not held, just documented"
	saved, _ = h.at("2026-02-06T16:00:00Z").mustPlan(held)
	expect(t, saved, "revoke v1", "next_transition")
	st = h.at("2026-02-07T15:09:59Z").apply(held, saved)
	if got := statuses(st); got != "v1:previous v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-02-07T15:10:00Z", "next_transition_at")

	// Revoke: applied later, still before v3 is due: v1 revoked at the
	// apply time, its material wiped.
	saved, _ = h.at("2026-02-07T15:10:00Z").mustPlan(held)
	expect(t, saved, nil, "versions", 0, "secret")
	st = h.at("2026-03-06T14:00:00Z").apply(held, saved)
	if got := statuses(st); got != "v1:revoked v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-03-06T14:00:00Z", "versions", 0, "revoked_at")
	expect(t, st, nil, "versions", 0, "secret")
	if n := count(get(st, "accepted_secrets")); n != 1 {
		t.Fatalf("accepted_secrets has %d entries, want 1", n)
	}

	// Emergency revocation planned before v3 is due and applied after:
	// v2 revoked, v3 issued active, both at the apply time.
	inc := held
	inc.revoke, inc.reason = []int64{2}, "INC-1"
	saved, _ = h.at("2026-03-06T14:05:00Z").mustPlan(inc)
	if got := statuses(saved); got != "v1:revoked v2:revoked v3:active" {
		t.Fatalf("planned %s", got)
	}
	st = h.at("2026-03-06T18:00:00Z").apply(inc, saved)
	expect(t, st, "2026-03-06T18:00:00Z", "versions", 1, "revoked_at")
	expect(t, st, "INC-1", "versions", 1, "revoke_reason")
	expect(t, st, "2026-03-06T18:00:00Z", "versions", 2, "issued_at")
	expect(t, st, "2026-03-06T18:00:00Z", "versions", 2, "activated_at")
	expect(t, st, int64(3), "active_version")

	// Rollback planned, applied a day later: v3 previous from the apply
	// time... v2 is revoked, so pin the only other accepted one after a
	// new rotation.
	rot := inc
	rot.triggers = map[string]string{"r": "1"}
	saved, _ = h.at("2026-03-07T09:00:00Z").mustPlan(rot)
	st = h.at("2026-03-07T09:30:00Z").apply(rot, saved)
	if got := statuses(st); got != "v1:revoked v2:revoked v3:active v4:pending" {
		t.Fatalf("applied %s", got)
	}
	pinned := rot
	pinned.pin = 4
	saved, _ = h.at("2026-03-07T09:40:00Z").mustPlan(pinned)
	st = h.at("2026-03-08T09:40:00Z").apply(pinned, saved)
	if got := statuses(st); got != "v1:revoked v2:revoked v3:previous v4:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-03-08T09:40:00Z", "versions", 2, "superseded_at")
	expect(t, st, "2026-03-08T09:40:00Z", "versions", 3, "activated_at")
	expect(t, st, "revoke v3", "next_transition")
	expect(t, st, "2026-03-09T09:40:00Z", "next_transition_at")
}

// TestSecretApply_keepsPlannedStatuses: Update never decides again. Handed
// the plan of an earlier instant at a time when much more is due (v3
// issue, as here), it records exactly the planned statuses and stamps only
// the timestamps the plan left unknown. (Terraform's own re-plan at apply
// time is a separate matter: see TestSecretApplyLater_crossingDueTime.)
func TestSecretApply_keepsPlannedStatuses(t *testing.T) {
	h := newProtoHarness(t)
	base := secretSpec{typ: "ed25519"}
	h.at("2026-01-05T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	h.at("2026-02-04T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	h.at("2026-02-04T10:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
	saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base)
	if got := statuses(saved); got != "v1:revoked v2:active" {
		t.Fatalf("planned %s", got)
	}
	// 40 days later v3 would be due and v2 past its period.
	st := h.at("2026-03-17T10:00:00Z").applyPlanned(base, saved)
	if got := statuses(st); got != "v1:revoked v2:active" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, "2026-03-17T10:00:00Z", "versions", 0, "revoked_at")
	expect(t, st, "2026-02-04T09:00:00Z", "versions", 1, "issued_at")
	expect(t, st, "2026-02-04T10:00:00Z", "versions", 1, "activated_at")
	expect(t, st, "issue v3", "next_transition")
	// v3 was due on 2026-03-06T09:00: overdue, so due at the apply.
	expect(t, st, "2026-03-17T10:00:00Z", "next_transition_at")
}

func must(v tftypes.Value, _ []*tfprotov6.Diagnostic) tftypes.Value { return v }

// TestSecretApplyLater_crossingDueTime documents a known issue: when a
// transition falls due between plan and apply (or the change window closes
// in between), the apply-time re-plan decides differently from the saved
// plan, and Terraform stops the apply with "Provider produced inconsistent
// final plan". Skipped unless ROTATION_ACC_KNOWN_ISSUES=1: the provider's
// plan_time = plantimestamp() is the fix (TestSecretApplyLater_planTime).
func TestSecretApplyLater_crossingDueTime(t *testing.T) {
	if os.Getenv(EnvKnownIssues) == "" {
		t.Skip("known issue without plan_time (the apply-time re-plan decides at the apply time; TestSecretApplyLater_planTime shows the fix); set " + EnvKnownIssues + "=1 to run")
	}
	t.Run("due time", func(t *testing.T) {
		h := newProtoHarness(t)
		base := secretSpec{typ: "hmac"}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).applyPlanned(base, must(h.mustPlan(base)))
		}
		saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base) // revoke v1
		h.at("2026-03-07T09:00:00Z").apply(base, saved)         // v3 due since 03-06
	})
	t.Run("window closes", func(t *testing.T) {
		h := newProtoHarness(t)
		base := secretSpec{typ: "hmac", window: &[4]string{"mon", "09:00", "16:00", "UTC"}}
		h.at("2026-01-04T12:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		saved, _ := h.at("2026-02-09T15:59:00Z").mustPlan(base) // issue v2
		h.at("2026-02-09T16:00:00Z").apply(base, saved)
	})
}

// TestSecretApplyLater_planTime: with plan_time = plantimestamp(), a saved
// plan applied after a further transition fell due (or after the change
// window closed) is re-planned as of the plan's instant, so the apply does
// exactly what the plan showed, stamped with the apply time.
func TestSecretApplyLater_planTime(t *testing.T) {
	t.Run("due time", func(t *testing.T) {
		h := newProtoHarness(t)
		h.usePlanTime = true
		base := secretSpec{typ: "hmac"}
		for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
			h.at(at).apply(base, must(h.mustPlan(base)))
		}
		saved, _ := h.at("2026-02-05T10:00:00Z").mustPlan(base) // revoke v1
		st := h.at("2026-03-07T09:00:00Z").apply(base, saved)   // v3 due since 03-06: not in this apply
		if got := statuses(st); got != "v1:revoked v2:active" {
			t.Fatalf("applied %s", got)
		}
		expect(t, st, "2026-03-07T09:00:00Z", "versions", 0, "revoked_at")
		// The next plan picks up the overdue rotation.
		next, _ := h.at("2026-03-07T09:05:00Z").mustPlan(base)
		if got := statuses(next); got != "v1:revoked v2:active v3:pending" {
			t.Fatalf("next plan %s", got)
		}
	})
	t.Run("window closes", func(t *testing.T) {
		h := newProtoHarness(t)
		h.usePlanTime = true
		base := secretSpec{typ: "hmac", window: &[4]string{"mon", "09:00", "16:00", "UTC"}}
		h.at("2026-01-04T12:00:00Z").apply(base, must(h.mustPlan(base)))
		saved, _ := h.at("2026-02-09T15:59:00Z").mustPlan(base) // issue v2
		st := h.at("2026-02-09T16:00:00Z").apply(base, saved)
		if got := statuses(st); got != "v1:active v2:pending" {
			t.Fatalf("applied %s", got)
		}
		expect(t, st, "2026-02-09T16:00:00Z", "versions", 1, "issued_at")
	})
}

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

// TestSecretPlan_warnings: what a plan warns about, and that the warning
// names the attribute to act on. The acceptance tests cannot see warnings.
func TestSecretPlan_warnings(t *testing.T) {
	// setup brings a secret to v1 active, v2 pending (issued
	// 2026-02-04T09:00, propagation 1h).
	setup := func(t *testing.T) (*protoHarness, secretSpec) {
		h := newProtoHarness(t)
		base := secretSpec{typ: "hmac"}
		h.at("2026-01-05T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		h.at("2026-02-04T09:00:00Z").applyPlanned(base, must(h.mustPlan(base)))
		return h, base
	}
	cases := []struct {
		name   string
		at     string
		modify func(*secretSpec)
		want   []string // substrings of one warning, in order
		plan   string   // planned statuses
	}{
		{
			name: "pin promotes before propagation", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.pin = 2 },
			want:   []string{"pin_active_version = 2 promotes v2 before its propagation ends at 2026-02-04T10:00:00Z"},
			plan:   "v1:previous v2:active",
		},
		{
			name: "hold without reason", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.hold = true },
			want:   []string{"hold_revocation is set without hold_reason", "ROT032"},
			plan:   "v1:active v2:pending",
		},
		{
			name: "emergency promotion before propagation", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.revoke, s.reason = []int64{1}, "INC-5" },
			want:   []string{"v2 becomes active at once to replace v1", "before its propagation ends at 2026-02-04T10:00:00Z"},
			plan:   "v1:revoked v2:active",
		},
		{
			name: "rotate while pending", at: "2026-02-04T09:10:00Z",
			modify: func(s *secretSpec) { s.triggers = map[string]string{"x": "1"} },
			want:   []string{"rotate_triggers changed while v2 is still pending", "v2 is the rotation"},
			plan:   "v1:active v2:pending",
		},
		{
			name: "ttl outlived while held", at: "2026-04-10T09:00:00Z",
			modify: func(s *secretSpec) { s.pin = 1 },
			want:   []string{"v1 (active) outlived its ttl: issued 2026-01-05T09:00:00Z + ttl 90d = 2026-04-05T09:00:00Z", "pin_active_version"},
			plan:   "v1:active v2:pending",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, s := setup(t)
			tc.modify(&s)
			planned, diags := h.at(tc.at).mustPlan(s)
			if got := statuses(planned); got != tc.plan {
				t.Errorf("planned %s, want %s", got, tc.plan)
			}
			ws := warningsOf(diags)
			found := false
			for _, w := range ws {
				ok := true
				for _, sub := range tc.want {
					ok = ok && strings.Contains(w, sub)
				}
				found = found || ok
			}
			if !found {
				t.Errorf("no warning contains %q; warnings:\n%s", tc.want, strings.Join(ws, "\n"))
			}
		})
	}
	t.Run("nothing to warn about", func(t *testing.T) {
		h, s := setup(t)
		_, diags := h.at("2026-02-04T09:30:00Z").mustPlan(s)
		if ws := warningsOf(diags); len(ws) != 0 {
			t.Errorf("unexpected warnings: %q", ws)
		}
	})
}
