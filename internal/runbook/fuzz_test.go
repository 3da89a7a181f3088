package runbook

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRunbook feeds arbitrary documents through the reader, the projection
// and both renderers: no input may panic, and every page must stay
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
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ReadFrom("fuzz.json", bytes.NewReader(b), 1<<20)
		if err != nil {
			return
		}
		// Periods far below the horizon make the projection run up to its
		// step limit (TestTruncatedProjection covers it): too slow to fuzz.
		for _, r := range in.Resources {
			if d := r.dur("", "schedule", "period"); d.OK && d.D < time.Hour {
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
