package provider

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Protocol-harness tests of issue 10 ("No flag day, ever"): a type change
// is a rotation, a replacement or destroy warns about the versions it
// drops, a damaged record is refused, a record ahead of the clock suspends
// the schedule, and a state of schema version 0 upgrades without a diff.

// tfStr and tfNum are tftypes values for configurations and states.
func tfStr(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func tfNum(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }

// setAt returns v with the value at path (attribute names and list
// indexes) replaced by x; x == nil sets it to null.
func setAt(v tftypes.Value, x *tftypes.Value, path ...any) tftypes.Value {
	if len(path) == 0 {
		if x == nil {
			return tftypes.NewValue(v.Type(), nil)
		}
		return *x
	}
	switch p := path[0].(type) {
	case string:
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			panic(err)
		}
		m = maps.Clone(m) // As may share the value's own storage
		m[p] = setAt(m[p], x, path[1:]...)
		return tftypes.NewValue(v.Type(), m)
	case int:
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			panic(err)
		}
		l = slices.Clone(l)
		l[p] = setAt(l[p], x, path[1:]...)
		return tftypes.NewValue(v.Type(), l)
	}
	panic(fmt.Sprintf("bad path element %v", path[0]))
}

// valueAt returns the raw value at path.
func valueAt(v tftypes.Value, path ...any) tftypes.Value {
	for _, p := range path {
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
			v = l[p]
		}
	}
	return v
}

func ptr(v tftypes.Value) *tftypes.Value { return &v }

// expectError fails the test unless one error of diags contains every one
// of subs.
func expectError(t *testing.T, diags []*tfprotov6.Diagnostic, subs ...string) {
	t.Helper()
	var errs []string
	for _, d := range diags {
		if d.Severity != tfprotov6.DiagnosticSeverityError {
			continue
		}
		text := d.Summary + ": " + d.Detail
		errs = append(errs, text)
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(text, sub)
		}
		if ok {
			return
		}
	}
	t.Errorf("no error contains %q; errors:\n%s", subs, strings.Join(errs, "\n"))
}

// TestSecretPlan_typeChange: changing type plans an update, not a
// replacement: a pending version of the new type, the old versions kept
// with their own type and options; after propagation the new one is active
// and the JWKS carries both key types until the old version is revoked.
func TestSecretPlan_typeChange(t *testing.T) {
	h := newProtoHarness(t)
	rsa := secretSpec{typ: "rsa", attrs: map[string]tftypes.Value{"rsa_bits": tfNum(2048)}}
	h.at("2026-01-05T09:00:00Z").apply(rsa, must(h.mustPlan(rsa)))

	ed := secretSpec{typ: "ed25519"}
	planned, diags := h.at("2026-01-06T09:00:00Z").mustPlan(ed)
	if ws := warningsOf(diags); len(ws) != 0 {
		t.Errorf("warnings: %q", ws)
	}
	if got := statuses(planned); got != "v1:active v2:pending" {
		t.Fatalf("planned %s", got)
	}
	expect(t, planned, "rsa", "versions", 0, "type")
	expect(t, planned, int64(2048), "versions", 0, "rsa_bits")
	expect(t, planned, "ed25519", "versions", 1, "type")
	expect(t, planned, nil, "versions", 1, "rsa_bits")
	expect(t, planned, "<unknown>", "versions", 1, "public_key_pem")
	st := h.apply(ed, planned)
	jwks, _ := get(st, "jwks").(string)
	if !strings.Contains(jwks, `"kty":"RSA"`) || !strings.Contains(jwks, `"kty":"OKP"`) {
		t.Errorf("jwks during the overlap = %s, want both key types", jwks)
	}
	expect(t, st, int64(1), "active_version")
	if n := count(get(st, "accepted_kids")); n != 2 {
		t.Errorf("accepted_kids has %d entries", n)
	}

	st = h.at("2026-01-06T10:00:00Z").apply(ed, must(h.mustPlan(ed)))
	if got := statuses(st); got != "v1:previous v2:active" {
		t.Fatalf("applied %s", got)
	}
	jwks, _ = get(st, "jwks").(string)
	if !strings.HasPrefix(jwks, `{"keys":[{"alg":"EdDSA"`) || !strings.Contains(jwks, `"kty":"RSA"`) {
		t.Errorf("jwks after the switch = %s, want the Ed25519 key first, then the RSA key", jwks)
	}
	st = h.at("2026-01-07T10:00:00Z").apply(ed, must(h.mustPlan(ed)))
	if got := statuses(st); got != "v1:revoked v2:active" {
		t.Fatalf("applied %s", got)
	}
	jwks, _ = get(st, "jwks").(string)
	if strings.Contains(jwks, `"kty":"RSA"`) {
		t.Errorf("jwks after the overlap = %s, want no RSA key", jwks)
	}
	expect(t, st, "rsa", "versions", 0, "type")
	expect(t, st, int64(2048), "versions", 0, "rsa_bits")
}

// TestSecretPlan_typeChangeWaitsForPending: a type change while a version
// is pending issues nothing and says so; the first apply after that
// version is active issues the new type.
func TestSecretPlan_typeChangeWaitsForPending(t *testing.T) {
	h := newProtoHarness(t)
	hmac := secretSpec{typ: "hmac"}
	h.at("2026-01-05T09:00:00Z").apply(hmac, must(h.mustPlan(hmac)))
	h.at("2026-02-04T09:00:00Z").apply(hmac, must(h.mustPlan(hmac))) // v2 pending until 10:00

	pw := secretSpec{typ: "password"}
	planned, diags := h.at("2026-02-04T09:10:00Z").mustPlan(pw)
	if got := statuses(planned); got != "v1:active v2:pending" {
		t.Fatalf("planned %s", got)
	}
	expectWarning(t, diags, `a new version is due because type changed to "password" (the newest accepted version, v2, is "hmac"), but v2 is still pending (issued 2026-02-04T09:00:00Z, active from 2026-02-04T10:00:00Z)`,
		"the new version is issued by the first apply once v2 is active")
	h.apply(pw, planned)

	planned, diags = h.at("2026-02-04T10:00:00Z").mustPlan(pw)
	if got := statuses(planned); got != "v1:previous v2:active v3:pending" {
		t.Fatalf("planned %s", got)
	}
	if ws := warningsOf(diags); len(ws) != 0 {
		t.Errorf("warnings: %q", ws)
	}
	expect(t, planned, "hmac", "versions", 1, "type")
	expect(t, planned, int64(32), "versions", 1, "hmac_bytes")
	expect(t, planned, "password", "versions", 2, "type")
	expect(t, planned, int64(32), "versions", 2, "length")
	expect(t, planned, true, "versions", 2, "special")
	st := h.apply(pw, planned)
	secret, _ := get(st, "versions", 2, "secret").(string)
	if len(secret) != 32 {
		t.Errorf("v3 secret has %d characters, want a 32-character password", len(secret))
	}
}

// TestSecretPlan_optionsDoNotRotate: changing a material option of the same
// type updates the attribute in place, issues nothing, and applies to the
// next version issued; each version records its own options.
func TestSecretPlan_optionsDoNotRotate(t *testing.T) {
	h := newProtoHarness(t)
	pw := secretSpec{typ: "password"}
	h.at("2026-01-05T09:00:00Z").apply(pw, must(h.mustPlan(pw)))
	long := secretSpec{typ: "password", attrs: map[string]tftypes.Value{"length": tfNum(40), "special": tftypes.NewValue(tftypes.Bool, false)}}
	planned, _ := h.at("2026-01-06T09:00:00Z").mustPlan(long)
	if got := statuses(planned); got != "v1:active" {
		t.Fatalf("changing length planned %s, want no new version", got)
	}
	expect(t, planned, int64(40), "length")
	expect(t, planned, int64(32), "versions", 0, "length")
	h.apply(long, planned)
	st := h.at("2026-02-04T09:00:00Z").apply(long, must(h.mustPlan(long)))
	if got := statuses(st); got != "v1:active v2:pending" {
		t.Fatalf("applied %s", got)
	}
	expect(t, st, int64(40), "versions", 1, "length")
	expect(t, st, false, "versions", 1, "special")
	expect(t, st, int64(32), "versions", 0, "length")
	if s, _ := get(st, "versions", 1, "secret").(string); len(s) != 40 {
		t.Errorf("v2 secret has %d characters, want 40", len(s))
	}
}

// planDestroy runs PlanResourceChange for destroying the harness's
// resource.
func (h *protoHarness) planDestroy() []*tfprotov6.Diagnostic {
	h.t.Helper()
	null := tftypes.NewValue(h.typ, nil)
	prior, proposed, cfg := dynamic(h.t, h.typ, h.state), dynamic(h.t, h.typ, null), dynamic(h.t, h.typ, null)
	resp, err := h.srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: h.typeName, PriorState: &prior, ProposedNewState: &proposed, Config: &cfg,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.Diagnostics
}

// TestPlan_replaceOrDestroyWarns: a plan that replaces (name changed) or
// destroys a lifecycle resource warns, naming the versions (and kids) that
// stop being accepted.
func TestPlan_replaceOrDestroyWarns(t *testing.T) {
	t.Run("rotation_secret", func(t *testing.T) {
		h := newProtoHarness(t)
		s := secretSpec{typ: "ed25519"}
		h.at("2026-01-05T09:00:00Z").apply(s, must(h.mustPlan(s)))
		h.at("2026-02-04T09:00:00Z").apply(s, must(h.mustPlan(s)))
		kid1, _ := get(h.state, "versions", 0, "kid").(string)
		kid2, _ := get(h.state, "versions", 1, "kid").(string)
		renamed := s
		renamed.name = "prod2"
		_, diags := h.mustPlan(renamed)
		expectWarning(t, diags, "Replacing rotation_secret unit/prod drops its accepted versions",
			`changes name from "prod" to "prod2", which replaces it`,
			fmt.Sprintf("v1 (active, kid %s), v2 (pending, kid %s) stop being accepted in the same apply", kid1, kid2))
		expectWarning(t, h.planDestroy(), "Destroying rotation_secret unit/prod drops its accepted versions",
			fmt.Sprintf("v1 (active, kid %s), v2 (pending, kid %s) stop being accepted", kid1, kid2))
		_, diags = h.mustPlan(s)
		for _, w := range warningsOf(diags) {
			if strings.Contains(w, "drops its accepted versions") {
				t.Errorf("an update warns: %s", w)
			}
		}
	})
	t.Run("rotation_schedule", func(t *testing.T) {
		h := newScheduleHarness(t)
		s := lifecycleSpec{}
		h.at("2026-01-05T09:00:00Z").apply(s, must(h.mustPlan(s)))
		renamed := s
		renamed.name = "blue"
		_, diags := h.mustPlan(renamed)
		expectWarning(t, diags, "Replacing rotation_schedule unit/prod drops its accepted versions", "v1 (slot a, active) stops being accepted")
		expectWarning(t, h.planDestroy(), "Destroying rotation_schedule unit/prod", "v1 (slot a, active) stops being accepted")
	})
}

// TestPlan_damagedState: every plan checks the recorded state first; a
// record no apply can have written is refused with an error naming the
// version and the field and saying how to recover, never repaired.
func TestPlan_damagedState(t *testing.T) {
	const recovery = "restore the last good state and plan again: terraform.tfstate.backup"
	// secretAt brings a secret of type typ to v1 active, v2 pending.
	secretAt := func(t *testing.T, typ string) (*protoHarness, lifecycleSpec) {
		h := newProtoHarness(t)
		s := secretSpec{typ: typ}
		h.at("2026-01-05T09:00:00Z").apply(s, must(h.mustPlan(s)))
		h.at("2026-02-04T09:00:00Z").apply(s, must(h.mustPlan(s)))
		return h, s
	}
	swap := func(v tftypes.Value, names ...string) tftypes.Value {
		for _, n := range names {
			a, b := valueAt(v, "versions", 0, n), valueAt(v, "versions", 1, n)
			v = setAt(setAt(v, &b, "versions", 0, n), &a, "versions", 1, n)
		}
		return v
	}
	str := func(v tftypes.Value, path ...any) string { s, _ := get(v, path...).(string); return s }
	cases := []struct {
		name   string
		typ    string
		damage func(v tftypes.Value) tftypes.Value
		want   func(v tftypes.Value) []string // substrings of one error, given the undamaged state
	}{
		{"active secret null", "ed25519",
			func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "versions", 0, "secret") },
			func(tftypes.Value) []string {
				return []string{"versions[0].secret (v1) is null, but the material of an active version is kept in state while it is accepted"}
			}},
		{"pending secret null", "hmac",
			func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "versions", 1, "secret") },
			func(tftypes.Value) []string {
				return []string{"versions[1].secret (v2) is null, but the material of a pending version is kept in state"}
			}},
		{"public key null", "ecdsa-p256",
			func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "versions", 0, "public_jwk") },
			func(tftypes.Value) []string { return []string{"versions[0].public_jwk (v1) is null"} }},
		{"kids swapped", "ed25519",
			func(v tftypes.Value) tftypes.Value { return swap(v, "kid") },
			func(v tftypes.Value) []string {
				return []string{fmt.Sprintf(`versions[0].kid (v1) is %q, but the RFC 7638 thumbprint of the version's public key is %q: the kid or the material was swapped or altered`,
					str(v, "versions", 1, "kid"), str(v, "versions", 0, "kid"))}
			}},
		{"material swapped", "ecdsa-p384",
			func(v tftypes.Value) tftypes.Value { return swap(v, "secret", "public_key_pem", "public_jwk") },
			func(v tftypes.Value) []string {
				return []string{fmt.Sprintf(`versions[1].kid (v2) is %q, but the RFC 7638 thumbprint of the version's public key is %q`,
					str(v, "versions", 1, "kid"), str(v, "versions", 0, "kid"))}
			}},
		{"private key swapped", "ed25519",
			func(v tftypes.Value) tftypes.Value { return swap(v, "secret") },
			func(tftypes.Value) []string {
				return []string{"versions[0].public_key_pem (v1) is not the public key of the private key in versions[0].secret: the material was swapped or altered"}
			}},
		{"public JWK swapped", "ecdsa-p256",
			func(v tftypes.Value) tftypes.Value { return swap(v, "public_jwk") },
			func(tftypes.Value) []string {
				return []string{"versions[0].public_jwk (v1) is not the public JWK of the private key in versions[0].secret: the material was swapped or altered"}
			}},
		{"secret not a key", "ed25519",
			func(v tftypes.Value) tftypes.Value { return setAt(v, ptr(tfStr("hunter2")), "versions", 1, "secret") },
			func(tftypes.Value) []string {
				return []string{`versions[1].secret (v2) is not a private key of the version's type: type "ed25519": secret is not a PEM block`}
			}},
		{"issued_at unparsable", "hmac",
			func(v tftypes.Value) tftypes.Value {
				return setAt(v, ptr(tfStr("yesterday")), "versions", 1, "issued_at")
			},
			func(tftypes.Value) []string {
				return []string{`versions[1].issued_at (v2) is "yesterday", not an RFC 3339 timestamp`}
			}},
		{"issued_at null", "hmac",
			func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "versions", 0, "issued_at") },
			func(tftypes.Value) []string {
				return []string{"versions[0].issued_at (v1) is null, but every active version records it"}
			}},
		{"versions empty", "hmac",
			func(v tftypes.Value) tftypes.Value {
				return setAt(v, ptr(tftypes.NewValue(valueAt(v, "versions").Type(), []tftypes.Value{})), "versions")
			},
			func(tftypes.Value) []string {
				return []string{"versions is empty, but a rotation_secret records at least its active version from its first apply on"}
			}},
		{"versions null", "hmac",
			func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "versions") },
			func(tftypes.Value) []string { return []string{"versions is null"} }},
		{"last version number", "hmac",
			func(v tftypes.Value) tftypes.Value {
				return setAt(v, ptr(tfNum(math.MaxInt64)), "versions", 1, "version")
			},
			func(tftypes.Value) []string {
				return []string{"versions[1].version (v9223372036854775807) is 9223372036854775807, the largest version number there is: the next issue would wrap around to a negative number"}
			}},
		{"duplicate kid", "hmac",
			func(v tftypes.Value) tftypes.Value {
				kid := valueAt(v, "versions", 0, "kid")
				return setAt(v, &kid, "versions", 1, "kid")
			},
			func(v tftypes.Value) []string {
				return []string{fmt.Sprintf("versions[1].kid (v2) is %q, the kid of v1 too", str(v, "versions", 0, "kid"))}
			}},
		{"type null", "hmac",
			func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "versions", 0, "type") },
			func(tftypes.Value) []string {
				return []string{"versions[0].type (v1) is null, not one of password, hmac"}
			}},
		{"two pending", "hmac",
			func(v tftypes.Value) tftypes.Value {
				v = setAt(v, ptr(tfStr("pending")), "versions", 0, "status")
				return setAt(v, nil, "versions", 0, "activated_at")
			},
			func(tftypes.Value) []string {
				return []string{"versions holds 2 pending versions; at most one is pending"}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, s := secretAt(t, tc.typ)
			good := h.state
			h.state = tc.damage(good)
			_, diags := h.at("2026-02-04T09:30:00Z").plan(s)
			expectError(t, diags, append(tc.want(good), "Damaged state: rotation_secret unit/prod", recovery)...)
			// Nothing is repaired: the plan fails, the apply never runs.
			if !hasErrors(diags) {
				t.Fatal("the damaged state was planned")
			}
		})
	}

	scheduleCases := []struct {
		name   string
		damage func(v tftypes.Value) tftypes.Value
		want   string
	}{
		{"slots null", func(v tftypes.Value) tftypes.Value { return setAt(v, nil, "slots") },
			"slots is null, but a rotation_schedule records its two slots from its first apply on"},
		{"issued_at unparsable", func(v tftypes.Value) tftypes.Value {
			return setAt(v, ptr(tfStr("2026-13-01T00:00:00Z")), "slots", "a", "issued_at")
		}, `slots.a.issued_at (v1) is "2026-13-01T00:00:00Z", not an RFC 3339 timestamp`},
		{"wrong slot", func(v tftypes.Value) tftypes.Value { return setAt(v, ptr(tfNum(3)), "slots", "b", "version") },
			`slots.b.version (v3) is in slot "b", but version k lives in slot "a" when k is odd`},
		{"both unused", func(v tftypes.Value) tftypes.Value {
			v = setAt(v, nil, "slots", "a", "version")
			v = setAt(v, ptr(tfStr("unused")), "slots", "a", "status")
			v = setAt(v, nil, "slots", "b", "version")
			return setAt(v, ptr(tfStr("unused")), "slots", "b", "status")
		}, "slots holds no version in either slot"},
	}
	for _, tc := range scheduleCases {
		t.Run("rotation_schedule/"+tc.name, func(t *testing.T) {
			h := newScheduleHarness(t)
			s := lifecycleSpec{}
			h.at("2026-01-05T09:00:00Z").apply(s, must(h.mustPlan(s)))
			h.at("2026-02-04T09:00:00Z").apply(s, must(h.mustPlan(s)))
			h.state = tc.damage(h.state)
			_, diags := h.at("2026-02-04T09:30:00Z").plan(s)
			expectError(t, diags, tc.want, "Damaged state: rotation_schedule unit/prod", recovery)
		})
	}

	t.Run("destroy is not refused", func(t *testing.T) {
		h, _ := secretAt(t, "hmac")
		h.state = setAt(h.state, nil, "versions", 0, "issued_at")
		if diags := h.planDestroy(); hasErrors(diags) {
			t.Errorf("destroying a damaged record: %s", diagText(diags))
		}
	})
}

// TestPlan_recordAhead: after applies with a clock in 2030, a plan at the
// real time changes nothing and warns, naming the instant, the version and
// the field; an explicit action still works.
func TestPlan_recordAhead(t *testing.T) {
	for _, r := range lifecycleResources {
		t.Run(r.typeName, func(t *testing.T) {
			h := newProtoHarnessFor(t, r.typeName)
			h.at("2030-01-05T09:00:00Z").apply(r.spec, must(h.mustPlan(r.spec)))
			planned, diags := h.at("2026-03-01T09:00:00Z").mustPlan(r.spec)
			if errs := incompatible(h.state, planned, nil); len(errs) > 0 || !planned.Equal(h.state) {
				t.Errorf("the plan changes the record: %v", errs)
			}
			expectWarning(t, diags, "the record is ahead of the clock: v1 issued_at 2030-01-05T09:00:00Z is later than the evaluation time 2026-03-01T09:00:00Z",
				"Scheduled steps (issue, activate, revoke) are suspended until 2030-01-05T09:00:00Z",
				"explicit actions (rotate_triggers, a type change, pin_active_version, revoke_versions) still work",
				"terraform.tfstate.backup")
			rotate := r.spec
			rotate.triggers = map[string]string{"incident": "INC-7"}
			st := h.apply(rotate, must(h.mustPlan(rotate)))
			expect(t, st, "2026-03-01T09:00:00Z", r.record, map[string]any{"versions": 1, "slots": "b"}[r.record], "issued_at")
			expect(t, st, "pending", r.record, map[string]any{"versions": 1, "slots": "b"}[r.record], "status")
		})
	}
}

// TestSecretUpgradeState_v0: states written by schema version 0 (before
// versions recorded their type; testdata/secret_v0_*.json were written by
// that release) upgrade with every version's type and options filled from
// the resource's, and the first plan after the upgrade is empty.
func TestSecretUpgradeState_v0(t *testing.T) {
	for _, tc := range []struct {
		file string
		spec secretSpec
		want map[string]any // per-version attribute -> value
	}{
		{"secret_v0_rsa.json", secretSpec{typ: "rsa"}, map[string]any{"type": "rsa", "rsa_bits": int64(3072), "length": nil, "special": nil, "hmac_bytes": nil}},
		{"secret_v0_password.json", secretSpec{typ: "password"}, map[string]any{"type": "password", "length": int64(32), "special": true, "rsa_bits": nil, "hmac_bytes": nil}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			h := newProtoHarness(t)
			resp, err := h.srv.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
				TypeName: "rotation_secret", Version: 0, RawState: &tfprotov6.RawState{JSON: raw},
			})
			if err != nil || hasErrors(resp.Diagnostics) {
				t.Fatalf("UpgradeResourceState: %v %s", err, diagText(resp.Diagnostics))
			}
			up, err := resp.UpgradedState.Unmarshal(h.typ)
			if err != nil {
				t.Fatal(err)
			}
			n := count(get(up, "versions"))
			if n != 2 {
				t.Fatalf("%d versions", n)
			}
			for i := range n {
				for name, want := range tc.want {
					expect(t, up, want, "versions", i, name)
				}
			}
			h.state = up
			// Nothing is due between the fixture's last apply and the next
			// transition: the plan is the state as it was.
			planned, diags := h.at("2026-02-04T12:00:00Z").mustPlan(tc.spec)
			if errs := incompatible(up, planned, nil); len(errs) > 0 || !planned.Equal(up) {
				t.Errorf("the first plan after the upgrade is not empty: %v\n%s", errs, diagText(diags))
			}
			// The version-1 state passes through unchanged.
			cur := dynamic(t, h.typ, up)
			b, err := cur.Unmarshal(h.typ)
			if err != nil || !b.Equal(up) {
				t.Fatalf("round trip: %v", err)
			}
		})
	}
}

// BenchmarkPlanRevokeVersions measures one plan (PlanResourceChange, as
// Terraform calls it) of a rotation_secret whose revoke_versions lists n
// versions, all pruned long ago (the record holds v(n+1) active alone), so
// the plan succeeds and changes nothing. The provider's handling is linear:
// ns/op grows about tenfold from 100 to 1 000 entries, and from 1 000 to
// 10 000 (beyond the cap of 1 000, which ValidateResourceConfig enforces
// and PlanResourceChange does not re-check). Before, the framework's
// duplicate check of a set compared every pair of elements each time it
// read the attribute: 5 000 entries took 36 s to plan.
func BenchmarkPlanRevokeVersions(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			h := newProtoHarness(b)
			s := secretSpec{typ: "hmac"}
			h.at("2026-01-05T09:00:00Z").applyPlanned(s, must(h.mustPlan(s)))
			h.state = setAt(h.state, ptr(tfNum(int64(n)+1)), "versions", 0, "version")
			s.reason = "INC-1"
			for i := range n {
				s.revoke = append(s.revoke, int64(i)+1)
			}
			cfg := h.config(s)
			cdv := dynamic(b, h.typ, cfg)
			prior := dynamic(b, h.typ, h.state)
			proposed := dynamic(b, h.typ, proposedNew(h.schema.Block, h.state, cfg))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				vresp, err := h.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "rotation_secret", Config: &cdv})
				if err != nil {
					b.Fatal(err)
				}
				resp, err := h.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: "rotation_secret", PriorState: &prior, ProposedNewState: &proposed, Config: &cdv,
				})
				if err != nil || hasErrors(resp.Diagnostics) {
					b.Fatalf("plan: %v %s", err, diagText(resp.Diagnostics))
				}
				if n <= maxRevokeVersions && hasErrors(vresp.Diagnostics) {
					b.Fatalf("validate: %s", diagText(vresp.Diagnostics))
				}
			}
		})
	}
}
