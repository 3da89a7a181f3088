package policy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadParams(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, file, body string
		want             map[string]any // data.rotation.params
		err              string
	}{
		{name: "bare yaml", file: "p.yaml", body: "max_ttl:\n  high: 30d\nallowed_owners: [team-a]\n",
			want: map[string]any{"max_ttl": map[string]any{"high": "30d"}, "allowed_owners": []any{"team-a"}}},
		{name: "conftest yaml", file: "c.yml", body: "rotation:\n  params:\n    enforce_review: true\n",
			want: map[string]any{"enforce_review": true}},
		{name: "bare json", file: "p.json", body: `{"overlap_cache_factor": 1.5}`,
			want: map[string]any{"overlap_cache_factor": "1.5"}},
		{name: "conftest json", file: "c.json", body: `{"rotation": {"params": {"owner_pattern": "team-.*"}}}`,
			want: map[string]any{"owner_pattern": "team-.*"}},
		{name: "yaml timestamp stays a string", file: "t.yaml", body: "now: 2026-01-05T09:00:00Z\n",
			want: map[string]any{"now": "2026-01-05T09:00:00Z"}},
		{name: "json read as yaml", file: "p.params", body: `{"enforce_review": false}`,
			want: map[string]any{"enforce_review": false}},
		{name: "empty", file: "e.yaml", body: "\n", err: "empty file"},
		{name: "list", file: "l.yaml", body: "- a\n- b\n", err: "expected a mapping of parameters, got an array"},
		{name: "bad yaml", file: "b.yaml", body: "a: [\n", err: "not YAML"},
		{name: "bad json", file: "b.json", body: `{"a":`, err: "truncated JSON"},
		{name: "two docs", file: "d.yaml", body: "a: 1\n---\nb: 2\n", err: "more than one YAML document"},
		{name: "non-string key", file: "k.yaml", body: "1: a\ntrue: b\n", err: "not a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			data, err := LoadParams(p)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), p) {
					t.Fatalf("err = %v, want one naming %s and containing %q", err, p, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := normalizeNumbers(ParamsOf(data))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("params = %#v, want %#v", got, tc.want)
			}
		})
	}
	if _, err := LoadParams(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing: %v", err)
	}
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalizeNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeNumbers(e)
		}
		return out
	case interface{ String() string }:
		return x.String()
	}
	return v
}
