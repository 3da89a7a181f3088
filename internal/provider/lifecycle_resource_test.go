package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// Tests of the lifecycle adapter itself (lifecycle_resource.go): its
// helpers, and the paths both resources share that the resource tests do
// not reach (a plan that cannot decide, an apply that must).

// instant parses an RFC 3339 time.
func instant(s string) time.Time { return mustTime(s) }

// TestPlannedRecord: a timestamp recorded before the decision is known,
// one the decision sets is unknown in a plan and stamped in an apply, one
// that never happened is null; expires_at follows issued_at.
func TestPlannedRecord(t *testing.T) {
	const ttl = 90 * 24 * time.Hour
	prior := lifecycle.Version{Version: 1, IssuedAt: instant("2026-01-05T09:00:00Z"), ActivatedAt: instant("2026-01-05T09:00:00Z")}
	// The decision at 02-04 supersedes v1 and issues v2.
	at := instant("2026-02-04T09:00:00Z")
	v1 := prior
	v1.Status, v1.SupersededAt = lifecycle.StatusPrevious, at
	v2 := lifecycle.Version{Version: 2, Status: lifecycle.StatusPending, IssuedAt: at}
	dec := lifecycle.Decision{
		Next: lifecycle.State{Generation: 2, Versions: []lifecycle.Version{v1, v2}},
		Transitions: []lifecycle.Transition{
			{Action: lifecycle.ActionIssue, Version: 2}, {Action: lifecycle.ActionSupersede, Version: 1},
		},
	}
	planned := dec.Planned()

	plan1 := plannedRecord(v1, planned.Versions[0], ttl)
	for name, got := range map[string]types.String{
		"issued_at": plan1.IssuedAt, "activated_at": plan1.ActivatedAt, "expires_at": plan1.ExpiresAt,
	} {
		if got.IsUnknown() || got.IsNull() {
			t.Errorf("v1 %s = %v, want the recorded time", name, got)
		}
	}
	if !plan1.SupersededAt.IsUnknown() {
		t.Errorf("v1 superseded_at = %v, want unknown (this decision sets it)", plan1.SupersededAt)
	}
	if !plan1.RevokedAt.IsNull() || !plan1.RevokeReason.IsNull() {
		t.Errorf("v1 revoked_at, revoke_reason = %v, %v, want null", plan1.RevokedAt, plan1.RevokeReason)
	}
	if got := plan1.ExpiresAt.ValueString(); got != "2026-04-05T09:00:00Z" {
		t.Errorf("v1 expires_at = %s", got)
	}
	plan2 := plannedRecord(v2, planned.Versions[1], ttl)
	if !plan2.IssuedAt.IsUnknown() || !plan2.ExpiresAt.IsUnknown() || !plan2.ActivatedAt.IsNull() {
		t.Errorf("v2 issued_at, expires_at, activated_at = %v, %v, %v, want unknown, unknown, null", plan2.IssuedAt, plan2.ExpiresAt, plan2.ActivatedAt)
	}
	if got := plan2.Status.ValueString(); got != "pending" {
		t.Errorf("v2 status = %s", got)
	}

	// Stamped with the apply time, the same decision is fully known.
	applied := lifecycle.Stamp(planned, instant("2026-02-04T12:00:00Z"))
	apply2 := plannedRecord(v2, applied.Versions[1], ttl)
	if apply2.IssuedAt.ValueString() != "2026-02-04T12:00:00Z" || apply2.ExpiresAt.ValueString() != "2026-05-05T12:00:00Z" {
		t.Errorf("applied v2 issued_at, expires_at = %v, %v", apply2.IssuedAt, apply2.ExpiresAt)
	}

	revoked := lifecycle.Version{Version: 3, Status: lifecycle.StatusRevoked, IssuedAt: at, RevokedAt: at, RevokeReason: "INC-1"}
	if got := plannedRecord(revoked, revoked, ttl).RevokeReason.ValueString(); got != "INC-1" {
		t.Errorf("revoke_reason = %q", got)
	}
}

// TestVersionRecordStamp: apply fills exactly the timestamps the plan left
// unknown, and expires_at from the stamped issue time.
func TestVersionRecordStamp(t *testing.T) {
	known := types.StringValue("2026-01-05T09:00:00Z")
	rec := versionRecord{
		Version: types.Int64Value(2), Status: types.StringValue("active"),
		IssuedAt: known, ActivatedAt: types.StringUnknown(), SupersededAt: types.StringNull(),
		RevokedAt: types.StringNull(), ExpiresAt: types.StringValue("2026-04-05T09:00:00Z"), RevokeReason: types.StringNull(),
	}
	at := instant("2026-02-04T12:00:00Z")
	rec.stamp(lifecycle.Version{Version: 2, IssuedAt: instant("2026-01-05T09:00:00Z"), ActivatedAt: at}, time.Hour)
	if rec.IssuedAt != known || rec.ExpiresAt.ValueString() != "2026-04-05T09:00:00Z" {
		t.Errorf("known values changed: issued_at %v, expires_at %v", rec.IssuedAt, rec.ExpiresAt)
	}
	if rec.ActivatedAt.ValueString() != "2026-02-04T12:00:00Z" {
		t.Errorf("activated_at = %v, want the apply time", rec.ActivatedAt)
	}
	if !rec.SupersededAt.IsNull() || !rec.RevokedAt.IsNull() {
		t.Errorf("null timestamps changed: %v, %v", rec.SupersededAt, rec.RevokedAt)
	}

	issued := versionRecord{IssuedAt: types.StringUnknown(), ActivatedAt: types.StringNull(), SupersededAt: types.StringNull(), RevokedAt: types.StringNull(), ExpiresAt: types.StringUnknown()}
	issued.stamp(lifecycle.Version{IssuedAt: at}, 24*time.Hour)
	if issued.IssuedAt.ValueString() != "2026-02-04T12:00:00Z" || issued.ExpiresAt.ValueString() != "2026-02-05T12:00:00Z" {
		t.Errorf("issued_at, expires_at = %v, %v", issued.IssuedAt, issued.ExpiresAt)
	}
}

// TestEngineState: rows of either resource read back into the engine's
// state, with the generation and, for two slots, the slot of each version.
func TestEngineState(t *testing.T) {
	row := func(v int64, status, issued string) versionRecord {
		return versionRecord{
			Version: types.Int64Value(v), Status: types.StringValue(status), IssuedAt: types.StringValue(issued),
			ActivatedAt: types.StringNull(), SupersededAt: types.StringNull(), RevokedAt: types.StringNull(),
			ExpiresAt: types.StringNull(), RevokeReason: types.StringNull(),
		}
	}
	slots := []*slotModel{{versionRecord: row(3, "pending", "2026-03-06T09:00:00Z")}, {versionRecord: row(4, "active", "2026-04-05T09:00:00Z")}}
	s := engineState(lifecycle.ModeTwoSlot, slots)
	if s.Generation != 4 || len(s.Versions) != 2 || s.Versions[0].Slot != "a" || s.Versions[1].Slot != "b" {
		t.Fatalf("state %+v", s)
	}
	if !s.Versions[0].IssuedAt.Equal(instant("2026-03-06T09:00:00Z")) || !s.Versions[0].ActivatedAt.IsZero() {
		t.Errorf("v3 timestamps %+v", s.Versions[0])
	}
	versions := []*versionModel{{versionRecord: row(7, "active", "2026-01-05T09:00:00Z")}}
	s = engineState(lifecycle.ModeSeries, versions)
	if s.Generation != 7 || s.Versions[0].Slot != "" || s.Versions[0].Status != lifecycle.StatusActive {
		t.Errorf("state %+v", s)
	}
	if s := engineState[*versionModel](lifecycle.ModeSeries, nil); s.Generation != 0 || len(s.Versions) != 0 {
		t.Errorf("empty state %+v", s)
	}
}

// TestSetNext: next_transition is unknown without a complete record,
// "none" when nothing is scheduled, and otherwise the next transition after
// the record's newest timestamp, not after the plan time.
func TestSetNext(t *testing.T) {
	spec := lifecycle.Spec{Key: "f/n", Mode: lifecycle.ModeSeries, Schedule: lifecycle.Schedule{
		Period: 30 * 24 * time.Hour, Overlap: 24 * time.Hour, Propagation: time.Hour, TTL: 90 * 24 * time.Hour,
	}}
	var b lifecycleBase
	b.setNext(spec, nil)
	if !b.NextTransition.IsUnknown() || !b.NextTransitionAt.IsUnknown() {
		t.Errorf("without a record: %v %v, want unknown", b.NextTransition, b.NextTransitionAt)
	}
	state := lifecycle.State{Generation: 1, Versions: []lifecycle.Version{{
		Version: 1, Status: lifecycle.StatusActive, IssuedAt: instant("2026-01-05T09:00:00Z"), ActivatedAt: instant("2026-01-05T09:00:00Z"),
	}}}
	b.setNext(spec, &state)
	if b.NextTransition.ValueString() != "issue v2" || b.NextTransitionAt.ValueString() != "2026-02-04T09:00:00Z" {
		t.Errorf("next = %v at %v", b.NextTransition, b.NextTransitionAt)
	}
	pinned := spec
	pinned.Controls.Pin = 1
	b.setNext(pinned, &state)
	if b.NextTransition.ValueString() != "none" || !b.NextTransitionAt.IsNull() {
		t.Errorf("pinned: next = %v at %v, want none at null", b.NextTransition, b.NextTransitionAt)
	}
}

// lifecycleResources are the harness configurations of both lifecycle
// resources.
var lifecycleResources = []struct {
	typeName string
	spec     lifecycleSpec
	record   string // the attribute that holds the recorded versions
}{
	{"rotation_secret", lifecycleSpec{typ: "hmac"}, "versions"},
	{"rotation_schedule", lifecycleSpec{}, "slots"},
}

// withAttributes returns object v with the named attributes replaced.
func withAttributes(v tftypes.Value, set map[string]tftypes.Value) tftypes.Value {
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		panic(err)
	}
	for k, x := range set {
		m[k] = x
	}
	return tftypes.NewValue(v.Type(), m)
}

// TestLifecycleAdapter_undecidablePlan: when an input the engine reads is
// unknown at plan time, the plan of either resource leaves the record and
// everything derived from it unknown, keeps id, and warns about nothing.
func TestLifecycleAdapter_undecidablePlan(t *testing.T) {
	for _, r := range lifecycleResources {
		t.Run(r.typeName, func(t *testing.T) {
			h := newProtoHarnessFor(t, r.typeName).at("2026-01-05T09:00:00Z")
			h.applyPlanned(r.spec, must(h.mustPlan(r.spec)))
			cfg := h.config(r.spec)
			var sched tftypes.Value
			var m map[string]tftypes.Value
			_ = cfg.As(&m)
			sched = withAttributes(m["schedule"], map[string]tftypes.Value{"period": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})
			cfg = withAttributes(cfg, map[string]tftypes.Value{"schedule": sched})

			ctx := context.Background()
			cdv := dynamic(t, h.typ, cfg)
			prior := dynamic(t, h.typ, h.state)
			proposed := dynamic(t, h.typ, proposedNew(h.schema.Block, h.state, cfg))
			resp, err := h.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: r.typeName, PriorState: &prior, ProposedNewState: &proposed, Config: &cdv,
			})
			if err != nil || hasErrors(resp.Diagnostics) {
				t.Fatalf("plan: %v %s", err, diagText(resp.Diagnostics))
			}
			if len(resp.Diagnostics) != 0 {
				t.Errorf("diagnostics: %s", diagText(resp.Diagnostics))
			}
			planned, err := resp.PlannedState.Unmarshal(h.typ)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{r.record, "active_version", "next_transition", "next_transition_at"} {
				expect(t, planned, "<unknown>", name)
			}
			expect(t, planned, "unit/prod", "id")
		})
	}
}

// TestLifecycleAdapter_applyDecides: an apply handed a plan that did not
// decide (its record unknown) decides at the apply time, stamps and, for
// rotation_secret, generates material, so the new state is fully known.
func TestLifecycleAdapter_applyDecides(t *testing.T) {
	for _, r := range lifecycleResources {
		t.Run(r.typeName, func(t *testing.T) {
			h := newProtoHarnessFor(t, r.typeName)
			h.at("2026-01-05T09:00:00Z").applyPlanned(r.spec, must(h.mustPlan(r.spec)))
			planned, _ := h.at("2026-02-04T09:00:00Z").mustPlan(r.spec)
			undecided := map[string]tftypes.Value{}
			for name, typ := range h.typ.AttributeTypes {
				switch name {
				case r.record, "next_transition", "next_transition_at", "active_version", "active_slot", "generation",
					"active_kid", "active_secret", "active_public_key_pem", "accepted_kids", "accepted_secrets", "jwks":
					undecided[name] = tftypes.NewValue(typ, tftypes.UnknownValue)
				}
			}
			st := h.at("2026-02-04T09:30:00Z").applyPlanned(r.spec, withAttributes(planned, undecided))
			expect(t, st, "activate v2", "next_transition")
			expect(t, st, "2026-02-04T10:30:00Z", "next_transition_at")
			expect(t, st, int64(1), "active_version")
			if r.typeName == "rotation_secret" {
				expect(t, st, "2026-02-04T09:30:00Z", "versions", 1, "issued_at")
				if kid, _ := get(st, "versions", 1, "kid").(string); kid == "" {
					t.Errorf("v2 has no kid: %v", get(st, "versions", 1))
				}
				if n := count(get(st, "accepted_secrets")); n != 2 {
					t.Errorf("accepted_secrets has %d entries, want 2", n)
				}
			} else {
				expect(t, st, "2026-02-04T09:30:00Z", "slots", "b", "issued_at")
				expect(t, st, "v2", "slots", "b", "keeper")
			}
		})
	}
}

// TestLifecycleAdapter_hooks: only rotation_secret has material and its
// own configuration checks; rotation_schedule has neither hook.
func TestLifecycleAdapter_hooks(t *testing.T) {
	var schedule any = &scheduleResourceModel{}
	if _, ok := schedule.(configChecker); ok {
		t.Error("rotation_schedule has a configChecker")
	}
	if _, ok := schedule.(materialIssuer[*slotModel]); ok {
		t.Error("rotation_schedule has a materialIssuer")
	}
	// The secret's hooks are asserted at compile time in resource_secret.go;
	// here the adapter must find them through the same type assertions.
	var secret any = &secretModel{}
	if _, ok := secret.(materialIssuer[*versionModel]); !ok {
		t.Error("rotation_secret has no materialIssuer")
	}
	if diags := issueMaterial[*slotModel](context.Background(), schedule, nil); diags != nil {
		t.Errorf("issueMaterial without a hook: %v", diags)
	}
	// Metadata names each resource from its noun.
	for want, factory := range map[string]func() resource.Resource{"rotation_secret": NewSecretResource, "rotation_schedule": NewScheduleResource} {
		var resp resource.MetadataResponse
		factory().Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "rotation"}, &resp)
		if resp.TypeName != want {
			t.Errorf("TypeName = %q, want %q", resp.TypeName, want)
		}
	}
}
