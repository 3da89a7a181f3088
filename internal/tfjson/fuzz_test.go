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
	compareDeferred(t, data)
}

// compareDeferred checks that a read with Defer refuses what a read
// without it refuses, with the same message, and that its materialized
// value is the value without Defer less what Defer leaves out
// (prior_state, and planned_values beside a resource_changes array).
func compareDeferred(t *testing.T, data []byte) {
	t.Helper()
	eager, eerr := Read("doc.json", bytes.NewReader(data), ReadOptions{MaxMemory: -1})
	doc, err := Read("doc.json", bytes.NewReader(data), ReadOptions{Defer: true, MaxMemory: -1})
	if (err == nil) != (eerr == nil) || err != nil && err.Error() != eerr.Error() {
		t.Fatalf("Defer: error %v, without Defer %v\ninput: %.300q", err, eerr, data)
	}
	if err != nil {
		return
	}
	want := eager.Value
	if top, ok := want.(ast.Object); ok {
		drop := map[string]bool{"prior_state": true}
		if rc := top.Get(ast.StringTerm("resource_changes")); rc != nil {
			if _, isArr := rc.Value.(*ast.Array); isArr {
				drop["planned_values"] = true
			}
		}
		kept := ast.NewObject()
		top.Foreach(func(k, v *ast.Term) {
			switch s, _ := k.Value.(ast.String); {
			case drop[string(s)]:
			case s == "configuration":
				kept.Insert(k, withoutFamilyBlocks(v))
			default:
				kept.Insert(k, v)
			}
		})
		want = kept
	}
	if e := sameValue(doc.Materialize(), want); e != nil {
		t.Fatalf("Defer: materialized value differs at input%v\ninput: %.300q", e, data)
	}
	if doc.Kind != eager.Kind {
		t.Fatalf("Defer: kind %s, without Defer %s", doc.Kind, eager.Kind)
	}
	// Each head, read from the JSON, is the head of the value built.
	if doc.deferred != nil {
		for ph, e := range doc.deferred.entries {
			full := ast.NewTerm(doc.Resolve(ast.NewArray(ph))).Value.(*ast.Array).Elem(0)
			obj, ok := full.Value.(ast.Object)
			if !ok {
				t.Fatalf("Defer: a deferred resource builds %T", full.Value)
			}
			if want := headOf(obj); fmt.Sprintf("%#v", headText(e.head)) != fmt.Sprintf("%#v", headText(want)) {
				t.Fatalf("Defer: head\n%#v\nbuilt value's head\n%#v\ninput: %.300q", headText(e.head), headText(want), data)
			}
		}
	}
}

// withoutFamilyBlocks is a configuration without the rotation_secret_family
// blocks of its modules' resources (Defer leaves them out).
func withoutFamilyBlocks(t *ast.Term) *ast.Term {
	var module func(m *ast.Term) *ast.Term
	module = func(m *ast.Term) *ast.Term {
		obj, ok := m.Value.(ast.Object)
		if !ok {
			return m
		}
		out := ast.NewObject()
		obj.Foreach(func(k, v *ast.Term) {
			switch s, _ := k.Value.(ast.String); s {
			case "resources":
				if arr, ok := v.Value.(*ast.Array); ok {
					var keep []*ast.Term
					arr.Foreach(func(r *ast.Term) {
						if o, ok := r.Value.(ast.Object); ok {
							if typ := o.Get(ast.StringTerm("type")); typ != nil && typ.Value.Compare(ast.String("rotation_secret_family")) == 0 {
								return
							}
						}
						keep = append(keep, r)
					})
					v = ast.ArrayTerm(keep...)
				}
			case "module_calls":
				if calls, ok := v.Value.(ast.Object); ok {
					nc := ast.NewObject()
					calls.Foreach(func(ck, cv *ast.Term) {
						if call, ok := cv.Value.(ast.Object); ok {
							nv := ast.NewObject()
							call.Foreach(func(kk, vv *ast.Term) {
								if s, _ := kk.Value.(ast.String); s == "module" {
									vv = module(vv)
								}
								nv.Insert(kk, vv)
							})
							cv = ast.NewTerm(nv)
						}
						nc.Insert(ck, cv)
					})
					v = ast.NewTerm(nc)
				}
			}
			out.Insert(k, v)
		})
		return ast.NewTerm(out)
	}
	cfg, ok := t.Value.(ast.Object)
	if !ok {
		return t
	}
	out := ast.NewObject()
	cfg.Foreach(func(k, v *ast.Term) {
		if s, _ := k.Value.(ast.String); s == "root_module" {
			v = module(v)
		}
		out.Insert(k, v)
	})
	return ast.NewTerm(out)
}

// headText is a Head with its terms as text, to compare heads.
func headText(h Head) []any {
	term := func(t *ast.Term) string {
		if t == nil {
			return "<nil>"
		}
		return t.String()
	}
	return []any{h.Address, h.Mode, h.Type, h.Name, h.ModuleAddress, h.Change, h.ActionsOK, h.BeforeObject, h.Actions,
		h.After, h.Values, term(h.AfterFamily), term(h.AfterName), term(h.ValuesFamily), term(h.ValuesName), h.Refs, h.RefsState}
}

func asInputError(err error, target **InputError) bool {
	ie, ok := err.(*InputError)
	*target = ie
	return ok
}

// seedDocuments are the fuzz seeds: real plans and states (the policy
// fixtures, made with Terraform), hand-made plans, and documents at the
// edges of JSON and of the filter.
func seedDocuments(t testing.TB, maxFixture int) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob("../../policies/testdata/fixtures/*/*.json")
	for _, f := range files {
		if info, err := os.Stat(f); err != nil || info.Size() > int64(maxFixture) {
			continue
		}
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
	for i, seed := range seedDocuments(t, 1<<30) {
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
	// The small fixtures only: mutating the big ones is slow.
	for _, seed := range seedDocuments(f, 8<<10) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithReference(t, data)
	})
}

// FuzzReaderShapes is FuzzReader over documents generated from the fuzz
// input by a grammar that speaks the filter's vocabulary (its keys, the
// rotation types, odd numbers and strings, duplicate keys), so that the
// mutations explore the kept paths and their shape checks rather than
// JSON syntax.
//
//	go test -run '^$' -fuzz FuzzReaderShapes -fuzztime 5m ./internal/tfjson
func FuzzReaderShapes(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("resource_changes"))
	f.Add([]byte{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &docGen{in: data}
		compareWithReference(t, []byte(g.document()))
	})
}

type docGen struct {
	in  []byte
	pos int
}

func (g *docGen) next() int {
	if g.pos >= len(g.in) {
		return 0
	}
	g.pos++
	return int(g.in[g.pos-1])
}

var (
	genKeys = []string{"resource_changes", "planned_values", "prior_state", "values", "configuration", "root_module",
		"child_modules", "resources", "module_calls", "module", "provider_config", "address", "mode", "type", "name",
		"change", "actions", "after", "module_address", "timestamp", "terraform_version", "variables", "source",
		"format_version", "x", "expressions"}
	genScalars = []string{`"rotation_secret"`, `"rotation_schedule"`, `"rotation_secret_family"`, `"null_resource"`,
		`"managed"`, `"create"`, `"1.2"`, `""`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"a\"b\\c\/\n"`, "\"\xff\xfe\"",
		`0`, `-0`, `1`, `-1.5e-7`, `1E+400`, `1e999999`, `-1e-999999`, `123456789012345678901234567890`, `0.1`,
		`true`, `false`, `null`}
)

func (g *docGen) value(depth int) string {
	c := g.next()
	switch {
	case depth < 6 && c%16 == 2:
		return g.resource(depth + 1)
	case depth < 6 && c%16 == 3:
		return g.module(depth + 1)
	case depth < 6 && c%4 == 0:
		return g.object(depth + 1)
	case depth < 6 && c%4 == 1:
		parts := make([]string, g.next()%4)
		for i := range parts {
			parts[i] = g.value(depth + 1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return genScalars[g.next()%len(genScalars)]
}

func (g *docGen) object(depth int) string {
	parts := make([]string, g.next()%6)
	for i := range parts {
		parts[i] = fmt.Sprintf("%q:%s", genKeys[g.next()%len(genKeys)], g.value(depth))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// resource is a resource object as Terraform writes it, with occasional
// members left out, replaced or repeated.
func (g *docGen) resource(depth int) string {
	types := []string{`"rotation_secret"`, `"rotation_schedule"`, `"rotation_secret_family"`, `"aws_instance"`}
	members := []string{
		`"address":"r.a"`, `"mode":"managed"`, `"type":` + types[g.next()%len(types)], `"name":"a"`,
		`"change":{"actions":["create"],"after":` + g.value(depth+1) + `}`, `"values":` + g.value(depth),
	}
	var out []string
	for _, m := range members {
		switch g.next() % 16 {
		case 0: // left out
		case 1: // another value
			k, _, _ := strings.Cut(m, ":")
			out = append(out, k+":"+g.value(depth))
		case 2: // repeated
			out = append(out, m, m)
		default:
			out = append(out, m)
		}
	}
	return "{" + strings.Join(out, ",") + "}"
}

// module is a module of a values tree or of the configuration.
func (g *docGen) module(depth int) string {
	var parts []string
	for i := g.next() % 3; i > 0; i-- {
		parts = append(parts, g.resource(depth+1))
	}
	m := `{"address":"module.m","resources":[` + strings.Join(parts, ",") + `]`
	if depth < 5 && g.next()%2 == 0 {
		child := g.module(depth + 2)
		m += `,"child_modules":[` + child + `],"module_calls":{"c":{"source":"./c","module":` + child + `}}`
	}
	return m + "}"
}

// document is a plan or state skeleton (some parts left out) with
// generated members, after format_version "1.2" unless the input says
// otherwise.
func (g *docGen) document() string {
	var parts []string
	if g.next()%8 != 7 {
		parts = append(parts, `"format_version":"1.2"`)
	}
	if g.next()%3 != 0 {
		var rcs []string
		for i := g.next() % 4; i > 0; i-- {
			rcs = append(rcs, g.resource(2))
		}
		parts = append(parts, `"resource_changes":[`+strings.Join(rcs, ",")+`]`)
	}
	for _, k := range []string{"planned_values", "values", "prior_state"} {
		if g.next()%3 == 0 {
			parts = append(parts, `"`+k+`":{"root_module":`+g.module(2)+`,"outputs":`+g.value(2)+`}`)
		}
	}
	if g.next()%2 == 0 {
		parts = append(parts, `"configuration":{"provider_config":{"rotation":{"name":"rotation"}},"root_module":`+g.module(2)+`}`)
	}
	if extra := strings.TrimSuffix(strings.TrimPrefix(g.object(0), "{"), "}"); extra != "" {
		parts = append(parts, extra)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
