package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// LoadParams reads a --params file and returns the data document to load
// into the policy store (the document whose data.rotation.params the rules
// read).
//
// Two shapes are accepted:
//
//   - conftest's --data shape, a top-level `rotation:` mapping with a
//     `params:` key: the whole file is loaded at the root of data, exactly
//     as `conftest test --data FILE` loads it (so any other top-level keys
//     are visible to --policy rules too);
//   - a bare parameters mapping (max_ttl, allowed_owners, owner_pattern,
//     overlap_cache_factor, enforce_review, enforce_max_wait, now,
//     unknown_inputs, decommission, require_derived_material): loaded at
//     data.rotation.params.
//
// Files ending in .json are read as JSON, anything else as YAML (which also
// reads JSON). Only the keys a file sets change; the others keep the
// defaults of policies/lib/params.rego.
func LoadParams(path string) (map[string]any, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("--params %s: %s", path, fmt.Sprintf(format, a...))
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fail("cannot read: %s", describeOSError(err))
	}
	if info.IsDir() {
		return nil, fail("not a file (a directory)")
	}
	if info.Size() > 16<<20 {
		return nil, fail("too large for a parameters file (%s)", byteSize(info.Size()))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fail("cannot read: %s", describeOSError(err))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fail("empty file (expected a YAML or JSON mapping of parameters)")
	}
	var doc any
	if strings.EqualFold(filepath.Ext(path), ".json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, fail("%s", describeJSONError(err, int64(len(raw))))
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return nil, fail("not JSON: unexpected data after the JSON document at byte %d", dec.InputOffset())
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&doc); err != nil {
			return nil, fail("not YAML: %s", oneLine(err))
		}
		var extra any
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return nil, fail("more than one YAML document")
		}
		doc, err = normalizeYAML(doc)
		if err != nil {
			return nil, fail("%v", err)
		}
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fail("expected a mapping of parameters, got %s", jsonKind(doc))
	}
	// Round trip through JSON so the store holds only JSON types.
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fail("%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil {
		return nil, fail("%v", err)
	}
	if IsConftestDataShape(data) {
		return data, nil
	}
	return map[string]any{"rotation": map[string]any{"params": data}}, nil
}

// IsConftestDataShape reports whether doc is {rotation: {params: ...}}.
func IsConftestDataShape(doc map[string]any) bool {
	rot, ok := doc["rotation"].(map[string]any)
	if !ok {
		return false
	}
	_, ok = rot["params"]
	return ok
}

// ParamsOf returns the parameters object of a data document from LoadParams
// (nil when absent or not an object).
func ParamsOf(data map[string]any) map[string]any {
	rot, _ := data["rotation"].(map[string]any)
	p, _ := rot["params"].(map[string]any)
	return p
}

// normalizeYAML turns what yaml.v3 decodes into JSON types: string keys only,
// timestamps as RFC 3339 strings (as conftest's YAML loader, which goes
// through JSON, gives them).
func normalizeYAML(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := normalizeYAML(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
		return x, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("mapping key %v is not a string", k)
			}
			n, err := normalizeYAML(e)
			if err != nil {
				return nil, err
			}
			out[ks] = n
		}
		return out, nil
	case []any:
		for i, e := range x {
			n, err := normalizeYAML(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
		return x, nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	}
	return v, nil
}
