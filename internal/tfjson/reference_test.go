package tfjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The reference reader of the tests: encoding/json (UseNumber) into Go
// values, the filter written plainly over map[string]any, then
// ast.InterfaceToValue — what the streaming reader must hand Rego, for any
// document. It is written apart from the reader's node table on purpose:
// the two must agree without sharing code.

func referenceRead(data []byte, keepAll bool) (ast.Value, string, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, "", err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("data after the document")
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, "", fmt.Errorf("not an object")
	}
	fv, ok := obj["format_version"]
	if !ok {
		return nil, "", fmt.Errorf("no format_version")
	}
	fvs, ok := fv.(string)
	if !ok || !supportedFormat.MatchString(fvs) {
		return nil, "", fmt.Errorf("bad format_version")
	}
	if _, ok := obj["provider_schemas"]; ok {
		return nil, "", fmt.Errorf("schema")
	}
	kind := "state"
	if _, ok := obj["planned_values"]; ok {
		kind = "plan"
	} else if _, ok := obj["resource_changes"]; ok {
		kind = "plan"
	}
	f := &refFilter{keepAll: keepAll}
	kept, err := f.document(obj)
	if err != nil {
		return nil, "", err
	}
	v, err := ast.InterfaceToValue(kept)
	if err != nil {
		return nil, "", err
	}
	return v, kind, nil
}

type refFilter struct{ keepAll bool }

var refRotation = map[string]bool{"rotation_secret": true, "rotation_schedule": true, "rotation_secret_family": true}

func isString(v any) bool { _, ok := v.(string); return ok }
func isBool(v any) bool   { _, ok := v.(bool); return ok }

// fields applies fn to each key of obj that it handles (returning keep,
// value, error); the other keys are dropped, or kept with keepAll.
func (f *refFilter) fields(obj map[string]any, handled map[string]func(any) (any, error)) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range obj {
		fn, ok := handled[k]
		if !ok {
			if f.keepAll {
				out[k] = v
			}
			continue
		}
		nv, err := fn(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = nv
	}
	return out, nil
}

func want(pred func(any) bool, nullOK bool) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil && nullOK || v != nil && pred(v) {
			return v, nil
		}
		return nil, fmt.Errorf("wrong kind")
	}
}

func (f *refFilter) document(doc map[string]any) (map[string]any, error) {
	strOrNull := want(isString, true)
	boolOrNull := want(isBool, true)
	valuesHolder := f.nullableObject(func(o map[string]any) (any, error) {
		return f.fields(o, map[string]func(any) (any, error){"root_module": f.valuesModule})
	})
	return f.fields(doc, map[string]func(any) (any, error){
		"format_version":    func(v any) (any, error) { return v, nil },
		"terraform_version": strOrNull,
		"timestamp":         strOrNull,
		"applyable":         boolOrNull,
		"complete":          boolOrNull,
		"errored":           boolOrNull,
		"resource_changes": func(v any) (any, error) {
			return f.resources(v, true)
		},
		"planned_values": valuesHolder,
		"values":         valuesHolder,
		"prior_state": f.nullableObject(func(o map[string]any) (any, error) {
			return f.fields(o, map[string]func(any) (any, error){
				"format_version":    strOrNull,
				"terraform_version": strOrNull,
				"values":            valuesHolder,
			})
		}),
		"configuration": f.nullableObject(func(o map[string]any) (any, error) {
			return f.fields(o, map[string]func(any) (any, error){
				"provider_config": f.nullableObject(func(pc map[string]any) (any, error) {
					for _, c := range pc {
						if _, ok := c.(map[string]any); !ok {
							return nil, fmt.Errorf("provider config not an object")
						}
					}
					return pc, nil
				}),
				"root_module": f.configModule,
			})
		}),
	})
}

func (f *refFilter) nullableObject(fn func(map[string]any) (any, error)) func(any) (any, error) {
	return func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		o, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("not an object")
		}
		return fn(o)
	}
}

// resources filters an array of resource objects (resource_changes when
// change is set, else a module's resources).
func (f *refFilter) resources(v any, change bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not an array")
	}
	out := []any{}
	for i, x := range list {
		r, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("[%d] not an object", i)
		}
		for _, k := range []string{"address", "mode", "type", "name"} {
			if !isString(r[k]) {
				return nil, fmt.Errorf("[%d].%s", i, k)
			}
		}
		if change {
			if ma, ok := r["module_address"]; ok && !isString(ma) {
				return nil, fmt.Errorf("[%d].module_address", i)
			}
			c, ok := r["change"].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("[%d].change", i)
			}
			actions, ok := c["actions"].([]any)
			if !ok {
				return nil, fmt.Errorf("[%d].change.actions", i)
			}
			for _, a := range actions {
				if !isString(a) {
					return nil, fmt.Errorf("[%d].change.actions[]", i)
				}
			}
		}
		if f.keepAll || refRotation[r["type"].(string)] {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *refFilter) valuesModule(v any) (any, error) {
	return f.nullableObject(func(m map[string]any) (any, error) {
		return f.fields(m, map[string]func(any) (any, error){
			"address":   want(isString, false),
			"resources": func(v any) (any, error) { return f.resources(v, false) },
			"child_modules": func(v any) (any, error) {
				if v == nil {
					return nil, nil
				}
				list, ok := v.([]any)
				if !ok {
					return nil, fmt.Errorf("not an array")
				}
				out := make([]any, len(list))
				for i, c := range list {
					if c == nil { // null is not a module
						return nil, fmt.Errorf("[%d] null", i)
					}
					m, err := f.valuesModule(c)
					if err != nil {
						return nil, fmt.Errorf("[%d]: %w", i, err)
					}
					out[i] = m
				}
				return out, nil
			},
		})
	})(v)
}

func (f *refFilter) configModule(v any) (any, error) {
	return f.nullableObject(func(m map[string]any) (any, error) {
		return f.fields(m, map[string]func(any) (any, error){
			"resources": func(v any) (any, error) { return f.resources(v, false) },
			"module_calls": f.nullableObject(func(calls map[string]any) (any, error) {
				out := map[string]any{}
				for name, c := range calls {
					call, ok := c.(map[string]any)
					if !ok {
						return nil, fmt.Errorf("%s: not an object", name)
					}
					kept, err := f.fields(call, map[string]func(any) (any, error){
						"source": want(isString, false),
						"module": f.configModule,
					})
					if err != nil {
						return nil, err
					}
					out[name] = kept
				}
				return out, nil
			}),
		})
	})(v)
}
