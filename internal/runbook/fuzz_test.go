package runbook

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// FuzzRunbook feeds arbitrary documents through the reader, the policies'
// view, the projection and both renderers: no input may panic, and every page must stay
// well-formed XML.
func FuzzRunbook(f *testing.F) {
	paths, _ := filepath.Glob(fixtures + "/*/*.json")
	paths = append(paths, "testdata/two-slot-state.json")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, "expected.json") {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"format_version":"1.0","values":{"root_module":{"resources":[{"type":"rotation_schedule","mode":"managed","address":"rotation_schedule.x","values":{"slots":{"a":{"version":3,"status":"active"}},"schedule":{"period":"1d","overlap":"0s","ttl":"2d"}}}]}}}`))
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	engine := defaultEngine(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := policy.ReadInput("fuzz.json", bytes.NewReader(b), 1<<20)
		if err != nil {
			return
		}
		in, err := Evaluate(context.Background(), engine, doc, now)
		if err != nil {
			return
		}
		// Periods far below the horizon make the projection run up to its
		// step limit (TestTruncatedProjection covers it): too slow to fuzz.
		for _, s := range in.view.Secrets {
			if d := durOf(s.Schedule["period"]); d.Valid && d.D < time.Hour {
				return
			}
		}
		rep, err := Build(in, Options{Now: now, Horizon: 7 * 24 * time.Hour})
		if err != nil {
			return
		}
		var md, page bytes.Buffer
		if err := rep.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteHTML(&page); err != nil {
			t.Fatal(err)
		}
		parseXML(t, "the page", page.String())
	})
}
