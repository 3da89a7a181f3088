package tfjson

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

// sameValue compares two OPA values exactly: kinds, numbers by their text
// (json.Number keeps the literal, and so must the reader), strings,
// members.
func sameValue(a, b ast.Value) error {
	switch x := a.(type) {
	case ast.Null:
		if _, ok := b.(ast.Null); ok {
			return nil
		}
	case ast.Boolean:
		if y, ok := b.(ast.Boolean); ok && x == y {
			return nil
		}
	case ast.Number:
		if y, ok := b.(ast.Number); ok && x == y {
			return nil
		}
	case ast.String:
		if y, ok := b.(ast.String); ok && x == y {
			return nil
		}
	case *ast.Array:
		y, ok := b.(*ast.Array)
		if !ok || x.Len() != y.Len() {
			break
		}
		for i := 0; i < x.Len(); i++ {
			if err := sameValue(x.Elem(i).Value, y.Elem(i).Value); err != nil {
				return fmt.Errorf("[%d]%w", i, err)
			}
		}
		return nil
	case ast.Object:
		y, ok := b.(ast.Object)
		if !ok || x.Len() != y.Len() {
			break
		}
		var err error
		x.Until(func(k, v *ast.Term) bool {
			w := y.Get(k)
			if w == nil {
				err = fmt.Errorf(".%v: missing", k)
				return true
			}
			if e := sameValue(v.Value, w.Value); e != nil {
				err = fmt.Errorf(".%v%w", k, e)
				return true
			}
			return false
		})
		if err == nil && x.Compare(y) != 0 {
			err = fmt.Errorf(": Compare says different")
		}
		return err
	}
	return fmt.Errorf(": %T %.80v != %T %.80v", a, a, b, b)
}

// compareWithReference checks that Read hands Rego exactly what the
// reference reader would, or refuses what it refuses.
func compareWithReference(t *testing.T, data []byte) {
	t.Helper()
	for _, keepAll := range []bool{false, true} {
		want, wantKind, werr := referenceRead(data, keepAll)
		doc, err := Read("doc.json", bytes.NewReader(data), ReadOptions{KeepAll: keepAll, MaxMemory: -1})
		if (err == nil) != (werr == nil) {
			t.Fatalf("keepAll=%v: Read error %v, reference error %v\ninput: %.300q", keepAll, err, werr, data)
		}
		if err != nil {
			var ie *InputError
			if !asInputError(err, &ie) || strings.Contains(ie.Reason, "\n") {
				t.Fatalf("keepAll=%v: error %#v is not a one-line *InputError", keepAll, err)
			}
			continue
		}
		if doc.Kind != wantKind {
			t.Fatalf("keepAll=%v: kind %s, reference %s", keepAll, doc.Kind, wantKind)
		}
		if e := sameValue(doc.Value, want); e != nil {
			t.Fatalf("keepAll=%v: value differs at input%v\ninput: %.300q", keepAll, e, data)
		}
	}
}

func asInputError(err error, target **InputError) bool {
	ie, ok := err.(*InputError)
	*target = ie
	return ok
}

// seedDocuments are the fuzz seeds: real plans and states (the policy
// fixtures, made with Terraform), hand-made plans, and documents at the
// edges of JSON and of the filter.
func seedDocuments(t testing.TB) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob("../../policies/testdata/fixtures/*/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	seeds = append(seeds,
		policytest.Plan(policytest.Clean("a"), policytest.Clean("b")),
		[]byte(`{"format_version":"1.2","x":[{"a":1},{"a":1}],"timestamp":"2026-01-05T09:00:00Z"}`),
		[]byte(`{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"rotation_secret.s","mode":"managed","type":"rotation_secret","name":"s","values":{"n":-0.5e-7,"big":123456789012345678901234567890,"e":1E+400,"s":"\u00e9\ud83d\ude00\ud800x\\\"\/\b\f\n\r\t","bad":"\xff\xfe"}}]}}}`),
		[]byte(`{"format_version":"1.2","resource_changes":[{"address":"a","mode":"managed","type":"rotation_secret","name":"a","change":{"actions":["create"],"after":{"k":1,"k":2}}},{"address":"b","mode":"managed","type":"null_resource","name":"b","change":{"actions":["create"]}}]}`),
		[]byte(`{"format_version":"1.2","resource_changes":[{"type":1,"type":"rotation_secret","address":"a","mode":"managed","name":"a","change":{"actions":[1],"actions":["update"]}}]}`),
		[]byte(`{"format_version":"1.2","resource_changes":[1],"resource_changes":[]}`),
		[]byte(`{"format_version":"1.2","resource_changes":[{"address":"a","mode":"managed","type":"x","name":"a","change":{"actions":3}}]}`),
		[]byte(`{"format_version":"1.2","configuration":{"provider_config":{"rotation":{"name":"rotation"}},"root_module":{"resources":[],"module_calls":{"m":{"source":"./m","expressions":{},"module":{"resources":[{"address":"rotation_secret.s","mode":"managed","type":"rotation_secret","name":"s","expressions":{"family":{"references":["rotation_secret_family.f.id"]}}}]}}}}}}`),
		[]byte(`{"format_version":"1.1","planned_values":{"root_module":{"child_modules":[{"address":"module.a","resources":[{"address":"module.a.null_resource.x","mode":"managed","type":"null_resource","name":"x"}],"child_modules":[{"address":"module.a.module.b"}]}]}},"prior_state":{"format_version":"1.0","values":{"root_module":{}}}}`),
		[]byte(`{"format_version":"1.2","timestamp":5}`),
		[]byte(`{"format_version":"1.2","e":1e999999,"values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret","name":"a","values":{"x":1e999999,"x":1}}]}}}`),
		[]byte(`{"format_version":"1.2","values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret","name":"a","values":{"x":1e999999}}]}}}`),
		[]byte(`{"format_version":"1.2"} `),
		[]byte(`{"format_version":"1.2"} {}`),
		[]byte("\xEF\xBB\xBF{\"format_version\":\"1.2\"}"),
		[]byte(`{"format_version":"1.2","a":[1,2,`),
		[]byte(`{"format_version":"1.2","a":"\u12"}`),
		[]byte(`{"format_version":"1.2","a":01}`),
		[]byte(`{"format_version":"1.2","a":-}`),
		[]byte(`{"format_version":"1.2","a":1.}`),
		[]byte(`{"format_version":"1.2","a":tru}`),
		[]byte("{\"format_version\":\"1.2\",\"a\":\"\x01\"}"),
		[]byte(`[{"format_version":"1.2"}]`),
		[]byte(`"x"`),
		[]byte(`{"format_version":2}`),
		[]byte(`{"provider_schemas":{}}`),
		[]byte(`{"format_version":"1.2","resource_changes":null,"planned_values":null,"configuration":{"root_module":null}}`),
		[]byte(`{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[null]}}}`),
		[]byte(`{"format_version":"1.2","configuration":{"provider_config":{"x":1}}}`),
	)
	return seeds
}

// TestReaderMatchesReference runs the fuzz comparison over the seeds: every
// fixture, hand-made documents and edge cases.
func TestReaderMatchesReference(t *testing.T) {
	for i, seed := range seedDocuments(t) {
		t.Run(fmt.Sprint(i), func(t *testing.T) { compareWithReference(t, seed) })
	}
}

// FuzzReader: for any document, the reader hands Rego exactly what
// encoding/json (UseNumber), the same filter written over map[string]any
// and ast.InterfaceToValue would, with and without KeepAll; both refuse
// the same documents.
//
//	go test -run '^$' -fuzz FuzzReader -fuzztime 5m ./internal/tfjson
func FuzzReader(f *testing.F) {
	for _, seed := range seedDocuments(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithReference(t, data)
	})
}
