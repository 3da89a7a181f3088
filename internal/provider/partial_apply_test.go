package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// applyResp runs ApplyResourceChange with planned and returns the
// provider's whole answer (new state and diagnostics), recording nothing.
func (h *protoHarness) applyResp(s secretSpec, planned tftypes.Value) (tftypes.Value, []*tfprotov6.Diagnostic) {
	h.t.Helper()
	ctx := context.Background()
	cdv := dynamic(h.t, h.typ, h.config(s))
	prior := dynamic(h.t, h.typ, h.state)
	pdv := dynamic(h.t, h.typ, planned)
	resp, err := h.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: h.typeName, PriorState: &prior, PlannedState: &pdv, Config: &cdv,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	newState, err := resp.NewState.Unmarshal(h.typ)
	if err != nil {
		h.t.Fatalf("new state: %v", err)
	}
	return newState, resp.Diagnostics
}

// TestApplyFailed_recordUnchangedAndReplanConverges (docs/failure-modes.md,
// "A partial apply"): an apply of a rotation resource that fails part way
// (here: the material seed changed between plan and apply, so nothing can
// be derived) hands Terraform back the prior record unchanged, with no
// version half issued; the next plan decides the same step again from that
// record, and its apply converges to the state the failed apply was to
// write.
func TestApplyFailed_recordUnchangedAndReplanConverges(t *testing.T) {
	h := newDerivedHarness(t, seedA)
	s := derivedSpec("ed25519")
	before := h.step("2026-01-05T09:00:00Z", s) // v1 active

	planned := must(h.at("2026-02-04T09:00:00Z").mustPlan(s)) // v2 due
	if got := statuses(planned); got != "v1:active v2:pending" {
		t.Fatalf("planned %s", got)
	}
	h.configureSeeds(seedB) // the seed changes before the apply
	newState, diags := h.applyResp(s, planned)
	expectError(t, diags, "The material seed changed since the plan", "Nothing was derived")
	if !newState.Equal(before) {
		t.Fatalf("a failed apply returned a record other than the prior one: %s", statuses(newState))
	}

	// The next plan, with the right seed, decides the same step again.
	h.configureSeeds(seedA)
	st := h.step("2026-02-04T09:30:00Z", s)
	if got := statuses(st); got != "v1:active v2:pending" {
		t.Fatalf("after the re-plan: %s", got)
	}
	expect(t, st, "2026-02-04T09:30:00Z", "versions", 1, "issued_at")
	if got := get(st, "versions", 0, "kid"); got != get(before, "versions", 0, "kid") {
		t.Errorf("v1's kid changed: %v", got)
	}
}
