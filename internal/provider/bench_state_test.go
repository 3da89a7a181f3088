package provider

import (
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestBenchStateSize is a measurement for `make bench` (tools/bench.sh),
// not a check: it runs only when ROTATION_BENCH_STATE_OUT names a file. It
// drives one ed25519 rotation_secret (history_limit 10, the default;
// period 30d, overlap 1d, propagation 1h, ttl 90d) through the provider
// protocol the way Terraform does (plan, re-plan and apply at each
// scheduled transition, with the test clock at the transition's time), and
// records the size of the secret's state after each completed rotation
// (the new version active, the old one revoked): the JSON of the
// resource's attributes as Terraform stores them in terraform.tfstate
// (compact; every attribute, null ones included, keys sorted). It also
// writes the apply times of the first five rotations, so that the bench
// can replay them with the real Terraform CLI and compare the sizes.
func TestBenchStateSize(t *testing.T) {
	out := os.Getenv("ROTATION_BENCH_STATE_OUT")
	if out == "" {
		t.Skip("measurement for tools/bench.sh; set ROTATION_BENCH_STATE_OUT=FILE to run it")
	}
	const rotations = 100
	h := newProtoHarness(t)
	spec := secretSpec{typ: "ed25519"}
	h.clock.t = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

	type point struct {
		Rotations  int   `json:"rotations"`
		Versions   int   `json:"versions"`
		Bytes      int   `json:"bytes"`
		Generation int64 `json:"generation"`
	}
	var result struct {
		Points     []point  `json:"points"`
		ApplyTimes []string `json:"apply_times_first_5"`
	}
	done := 0
	for step := 0; done < rotations; step++ {
		if step > 10*rotations {
			t.Fatal("too many applies")
		}
		planned, _ := h.mustPlan(spec)
		st := h.apply(spec, planned)
		vals := map[string]tftypes.Value{}
		if err := st.As(&vals); err != nil {
			t.Fatal(err)
		}
		if done < 5 {
			result.ApplyTimes = append(result.ApplyTimes, h.clock.t.Format(time.RFC3339))
		}
		var versions []tftypes.Value
		if err := vals["versions"].As(&versions); err != nil {
			t.Fatal(err)
		}
		var accepted []tftypes.Value
		if err := vals["accepted_kids"].As(&accepted); err != nil {
			t.Fatal(err)
		}
		var gen big.Float
		if err := vals["active_version"].As(&gen); err != nil {
			t.Fatal(err)
		}
		g, _ := gen.Int64()
		if len(accepted) == 1 && g == int64(done)+2 {
			// Version done+2 is active and its predecessor revoked: one
			// more rotation is complete.
			done++
			b, err := json.Marshal(tfJSON(t, st))
			if err != nil {
				t.Fatal(err)
			}
			result.Points = append(result.Points, point{Rotations: done, Versions: len(versions), Bytes: len(b), Generation: g})
		} else if done == 0 && step == 0 {
			b, err := json.Marshal(tfJSON(t, st))
			if err != nil {
				t.Fatal(err)
			}
			result.Points = append(result.Points, point{Rotations: 0, Versions: len(versions), Bytes: len(b), Generation: g})
		}
		var next string
		if err := vals["next_transition_at"].As(&next); err != nil || next == "" {
			t.Fatalf("next_transition_at after step %d: %v", step, err)
		}
		at, err := time.Parse(time.RFC3339, next)
		if err != nil {
			t.Fatal(err)
		}
		h.clock.t = at
	}
	b, err := json.MarshalIndent(result, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// The apply times again, one a line, for the shell.
	if err := os.WriteFile(out+".times", []byte(strings.Join(result.ApplyTimes, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tfJSON converts a state value to the JSON Terraform writes for it in
// terraform.tfstate ("attributes").
func tfJSON(t *testing.T, v tftypes.Value) any {
	t.Helper()
	if v.IsNull() {
		return nil
	}
	typ := v.Type()
	switch {
	case typ.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case typ.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case typ.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('f', -1))
	case typ.Is(tftypes.List{}), typ.Is(tftypes.Set{}), typ.Is(tftypes.Tuple{}):
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			t.Fatal(err)
		}
		out := make([]any, len(elems))
		for i, e := range elems {
			out[i] = tfJSON(t, e)
		}
		return out
	case typ.Is(tftypes.Map{}), typ.Is(tftypes.Object{}):
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			t.Fatal(err)
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = tfJSON(t, e)
		}
		return out
	}
	t.Fatalf("unexpected type %s", typ)
	return nil
}
