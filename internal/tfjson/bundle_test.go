package tfjson

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

const policiesDir = "../../policies"

// bundleModules parses every policy file of the bundle (the tests aside).
func bundleModules(t *testing.T) map[string]*ast.Module {
	t.Helper()
	mods := map[string]*ast.Module{}
	err := filepath.WalkDir(policiesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(path, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		mods[path] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) < 5 {
		t.Fatalf("only %d policy files under %s", len(mods), policiesDir)
	}
	return mods
}

// inputPaths lists the static part of every reference to input in the
// modules: input.configuration.root_module -> [configuration root_module];
// a bare `input` gives an empty path.
func inputPaths(mods map[string]*ast.Module) map[string][]string {
	paths := map[string][]string{}
	add := func(where string, ref ast.Ref) {
		var p []string
		for _, t := range ref[1:] {
			s, ok := t.Value.(ast.String)
			if !ok {
				break
			}
			p = append(p, string(s))
		}
		paths[strings.Join(p, ".")+"\x00"+where] = p
	}
	for name, m := range mods {
		for _, imp := range m.Imports {
			if ref, ok := imp.Path.Value.(ast.Ref); ok && ref.HasPrefix(ast.InputRootRef) {
				add(name, ref)
			}
		}
		ast.NewGenericVisitor(func(x any) bool {
			switch x := x.(type) {
			case ast.Ref:
				if x[0].Equal(ast.InputRootDocument) {
					add(name, x)
					return true
				}
			case ast.Var:
				if x.Equal(ast.InputRootDocument.Value) {
					add(name, ast.InputRootRef)
				}
			}
			return false
		}).Walk(m)
	}
	return paths
}

// keeps reports whether the reader keeps the value at path (a chain of
// object keys from the document), or part of it as the table describes.
func keeps(path []string) bool {
	if len(path) == 0 {
		return false // the whole document: only with KeepAll
	}
	n := document
	for _, seg := range path {
		switch n.kind {
		case keep, resource:
			return true // kept whole below
		case mapOf:
			n = n.elem
		case object:
			if n = n.fields[seg]; n == nil {
				return false
			}
		default: // an array is indexed by numbers: no static key below
			return false
		}
	}
	return true
}

// Every `input.` path that a policy file of the bundle references is one the
// reader keeps. A rule that starts reading another part of the document
// fails here until the filter (filter.go) and the package documentation
// (doc.go) list it. Below the paths that this test sees, the bundle reads
// resources only through their type (RotationTypes, checked by
// TestRotationTypesMatchBundle), and every kept resource is kept whole.
func TestBundleReadsOnlyKeptPaths(t *testing.T) {
	for _, self := range []struct {
		path []string
		want bool
	}{
		{[]string{"resource_changes"}, true},
		{[]string{"configuration", "provider_config", "rotation", "name"}, true},
		{[]string{"configuration", "root_module", "module_calls", "m", "module", "resources"}, true},
		{[]string{"planned_values", "root_module", "child_modules"}, true},
		{[]string{"variables"}, false},
		{[]string{"planned_values", "outputs"}, false},
		{[]string{"configuration", "root_module", "variables"}, false},
		{nil, false},
	} {
		if got := keeps(self.path); got != self.want {
			t.Fatalf("keeps(%v) = %v, want %v", self.path, got, self.want)
		}
	}

	paths := inputPaths(bundleModules(t))
	if len(paths) == 0 {
		t.Fatal("no reference to input found in the bundle")
	}
	seen := map[string]bool{}
	for key, p := range paths {
		where := key[strings.IndexByte(key, 0)+1:]
		if !keeps(p) {
			t.Errorf("%s reads %s, which the reader drops: add it to the filter in internal/tfjson/filter.go and to the list in doc.go", where, strings.TrimSuffix("input."+strings.Join(p, "."), "."))
		}
		seen["input."+strings.Join(p, ".")] = true
	}
	var list []string
	for p := range seen {
		list = append(list, p)
	}
	sort.Strings(list)
	t.Logf("input paths read by the bundle: %s", strings.Join(list, ", "))
}

// The resource types the reader keeps are the types the bundle reads.
func TestRotationTypesMatchBundle(t *testing.T) {
	var opts []func(*rego.Rego)
	for name, m := range bundleModules(t) {
		opts = append(opts, rego.ParsedModule(m))
		_ = name
	}
	opts = append(opts, rego.Query("x = data.rotation.lib.terraform._rotation_types"))
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("evaluating _rotation_types: %v %v", rs, err)
	}
	var got []string
	for _, v := range rs[0].Bindings["x"].([]any) {
		got = append(got, v.(string))
	}
	want := append([]string(nil), RotationTypes...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("the bundle reads the types %v, the reader keeps %v", got, want)
	}
	for _, typ := range want {
		if !isRotationType([]byte(typ)) {
			t.Errorf("isRotationType(%q) is false", typ)
		}
	}
}

// A deferred read (`check`) leaves out more than the filter: prior_state,
// and planned_values beside a resource_changes array (dropUnread). The
// bundle reads planned_values only where a plan has no resource_changes
// array: the records' fallback (resources.rego) and is_plan, which holds
// through resource_changes first (terraform.rego). A rule that reads either
// elsewhere would see nothing in `check` and the real value in conftest, so
// it fails here until dropUnread keeps what it reads.
func TestBundleReadsNothingDeferredDrops(t *testing.T) {
	allowed := map[string]map[string]bool{
		"planned_values": {
			filepath.Join(policiesDir, "lib", "resources.rego"): true,
			filepath.Join(policiesDir, "lib", "terraform.rego"): true,
		},
		"prior_state": {},
	}
	paths := inputPaths(bundleModules(t))
	read := map[string]bool{}
	for key, p := range paths {
		where := key[strings.IndexByte(key, 0)+1:]
		if len(p) == 0 {
			continue // the whole document: TestBundleReadsOnlyKeptPaths refuses it
		}
		files, dropped := allowed[p[0]]
		if !dropped {
			continue
		}
		read[p[0]] = true
		if !files[where] {
			fix := "keep it in dropUnread (internal/tfjson/deferred.go)"
			if p[0] == "planned_values" {
				fix += ", or read it only where resource_changes is not an array, as resources.rego does, and list the file here"
			}
			t.Errorf("%s reads input.%s, which a deferred read (check) leaves out: %s", where, strings.Join(p, "."), fix)
		}
	}
	// The exception is still needed: the fallback reads planned_values.
	if !read["planned_values"] {
		t.Errorf("the bundle no longer reads input.planned_values: drop the exception from this test")
	}
}
