package policy

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

// BenchmarkCheck measures one `check` of a plan with N secret families (a
// family and a secret each): decoding the JSON into an OPA value and the
// one evaluation of the whole bundle. The engine is compiled once, outside
// the loop, as `check` does per run.
func BenchmarkCheck(b *testing.B) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 10, 100, 500} {
		plan := policytest.Plan(policytest.Families(n)...)
		b.Run(fmt.Sprintf("families=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(plan)))
			b.ReportAllocs()
			for b.Loop() {
				doc, err := ReadInput("plan.json", bytes.NewReader(plan), 0)
				if err != nil {
					b.Fatal(err)
				}
				fs, err := e.Evaluate(context.Background(), doc)
				if err != nil {
					b.Fatal(err)
				}
				if len(fs) != 0 {
					b.Fatalf("clean plan has findings: %v", fs[0].Message)
				}
			}
		})
	}
}

// BenchmarkNew measures loading and compiling the bundle and preparing the
// query (once per run).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
