// Command policydiff checks that a change to the Rego bundle keeps every
// verdict and message: it evaluates two versions of policies/ (a git
// revision or a directory, and by default the working tree) on the same
// inputs and reports every input on which they differ.
//
// The inputs are the policy fixtures (real `terraform show -json` output)
// and, for each, -mutations copies with random changes to their rotation
// resources: a value set to null, to a number or to another string (a bad
// duration, a team, a role), a value made unknown until apply, a value or a
// whole attribute marked sensitive. Each input is evaluated with several
// parameter sets (unknown inputs warned, a safety factor, enforced reviews,
// waivers, an invalid max_ttl, a pinned clock). Compared: deny, warn and
// waived of every package, and the view `runbook` reads
// (data.rotation.lib.view.document).
//
// A refactor of the bundle that means to change nothing (a faster helper,
// a rule that reads a table instead of a helper) runs it before it lands:
//
//	go run ./tools/policydiff -base HEAD            # working tree against HEAD
//	go run ./tools/policydiff -base v1 -next DIR    # two versions
//
// It exits 1 when an input differs, writing both results of the first
// differences to -out, and 2 on a usage or load error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/rego"
)

// The packages whose findings are compared.
const packages = `["gates", "hygiene", "material", "overlap", "ownership", "revocation", "ttl", "waivers"]`

// Parameter sets (data.rotation.params); each pins the clock, so a state's
// time-worded findings do not depend on when the two evaluations run.
var paramSets = []string{
	`{"now": "2026-01-05T09:00:00Z"}`,
	`{"unknown_inputs": "warn", "now": "2026-03-01T00:00:00Z"}`,
	`{"overlap_cache_factor": 1.5, "enforce_review": true, "enforce_max_wait": true, "now": "2027-06-01T00:00:00Z", "require_derived_material": {"high": true, "critical": true, "medium": true, "low": true}}`,
	`{"waivers": [{"rule": "ROT050", "reason": "r", "approver": "a", "expires": "2030-01-01", "resource": "*"}, {"rule": "ROT020", "resource": "rotation_secret.*", "reason": "r", "approver": "b", "expires": "2030-01-01"}], "max_ttl": {"high": "40d", "critical": "x"}, "allowed_owners": ["team-01", "team-platform"], "overlap_cache_factor": "bad", "now": "2026-01-05T09:00:00Z"}`,
}

func main() {
	base := flag.String("base", "HEAD", "the version to compare with: a git revision (its policies/) or a directory")
	next := flag.String("next", "policies", "the version under test: a directory or a git revision")
	inputs := flag.String("inputs", "policies/testdata/fixtures/*/*.json", "glob of the input documents")
	mutations := flag.Int("mutations", 20, "mutated copies of each input")
	out := flag.String("out", filepath.Join(os.TempDir(), "policydiff"), "where the results of the first differences are written")
	flag.Parse()

	baseDir, err := bundleDir(*base)
	if err != nil {
		fail("-base %s: %v", *base, err)
	}
	nextDir, err := bundleDir(*next)
	if err != nil {
		fail("-next %s: %v", *next, err)
	}
	docs, err := readInputs(*inputs, *mutations)
	if err != nil {
		fail("%v", err)
	}
	diffs, err := compare(context.Background(), baseDir, nextDir, docs, *out, os.Stdout)
	if err != nil {
		fail("%v", err)
	}
	fmt.Printf("policydiff: %d inputs x %d parameter sets, %d differ\n", len(docs), len(paramSets), diffs)
	if diffs > 0 {
		os.Exit(1)
	}
}

// compare evaluates both bundles on every input under every parameter set
// and returns how many evaluations differ; the first five are written to
// out (both results and the input) and named on w.
func compare(ctx context.Context, baseDir, nextDir string, docs []input, out string, w io.Writer) (int, error) {
	bq, err := prepare(ctx, baseDir)
	if err != nil {
		return 0, fmt.Errorf("loading %s: %w", baseDir, err)
	}
	nq, err := prepare(ctx, nextDir)
	if err != nil {
		return 0, fmt.Errorf("loading %s: %w", nextDir, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	diffs := 0
	for _, d := range docs {
		for i := range paramSets {
			a, b := evaluate(ctx, bq[i], d.doc), evaluate(ctx, nq[i], d.doc)
			if reflect.DeepEqual(a, b) {
				continue
			}
			diffs++
			if diffs <= 5 {
				stem := filepath.Join(out, fmt.Sprintf("diff-%d", diffs))
				for suffix, v := range map[string]any{"-base.json": a, "-next.json": b, "-input.json": d.doc} {
					if err := write(stem+suffix, v); err != nil {
						return diffs, err
					}
				}
				fmt.Fprintf(w, "differs: %s with params %s (%s-{base,next,input}.json)\n", d.name, paramSets[i], stem)
			}
		}
	}
	return diffs, nil
}

// fail reports a usage or load error and exits 2.
func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "policydiff: "+format+"\n", a...)
	os.Exit(2)
}

// bundleDir is v itself when it is a directory, else the policies/ of the
// git revision v, extracted to a temporary directory.
func bundleDir(v string) (string, error) {
	if st, err := os.Stat(v); err == nil && st.IsDir() {
		return v, nil
	}
	tmp, err := os.MkdirTemp("", "policydiff-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("sh", "-c", `git archive "$1" policies | tar -x -C "$2"`, "sh", v, tmp)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("not a directory, and git archive %s policies failed: %v", v, err)
	}
	return filepath.Join(tmp, "policies"), nil
}

// skipNonBundle leaves out what conftest and `check` do not load: tests
// and their data.
func skipNonBundle(_ string, info fs.FileInfo, _ int) bool {
	if info.IsDir() {
		return info.Name() == "testdata"
	}
	return strings.HasSuffix(info.Name(), "_test.rego")
}

func prepare(ctx context.Context, dir string) ([]rego.PreparedEvalQuery, error) {
	var out []rego.PreparedEvalQuery
	for _, p := range paramSets {
		with := " with data.rotation.params as " + p
		q := fmt.Sprintf("P := %s\n", packages) +
			"deny := {p: data.rotation[p].deny | some p in P}" + with + "\n" +
			"warn := {p: data.rotation[p].warn | some p in P}" + with + "\n" +
			"waived := {p: data.rotation[p].waived | some p in P}" + with + "\n" +
			"view := data.rotation.lib.view.document" + with
		pq, err := rego.New(rego.Load([]string{dir}, skipNonBundle), rego.Query(q)).PrepareForEval(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, pq)
	}
	return out, nil
}

func evaluate(ctx context.Context, pq rego.PreparedEvalQuery, doc any) any {
	rs, err := pq.Eval(ctx, rego.EvalInput(doc))
	if err != nil {
		return "error: " + err.Error()
	}
	if len(rs) != 1 {
		return fmt.Sprintf("%d results", len(rs))
	}
	b := rs[0].Bindings
	delete(b, "P")
	return b
}

func write(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

type input struct {
	name string
	doc  any
}

func readInputs(glob string, mutations int) ([]input, error) {
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("-inputs %s: no file matches", glob)
	}
	var docs []input
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var d any
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		docs = append(docs, input{f, d})
		for m := 0; m < mutations; m++ {
			var md map[string]any
			_ = json.Unmarshal(raw, &md)
			mutate(rand.New(rand.NewPCG(uint64(m), 7)), md, 1+m%6)
			docs = append(docs, input{fmt.Sprintf("%s (mutation %d)", f, m), md})
		}
	}
	return docs, nil
}

// target is one rotation resource of a plan: its values, unknown markers
// and sensitive marks.
type target struct{ values, unknown, marks map[string]any }

// mutate makes n random changes to the rotation resources of a plan (a
// state is left as it is).
func mutate(r *rand.Rand, doc map[string]any, n int) {
	var ts []target
	rcs, _ := doc["resource_changes"].([]any)
	for _, x := range rcs {
		rc, _ := x.(map[string]any)
		typ, _ := rc["type"].(string)
		ch, _ := rc["change"].(map[string]any)
		after, _ := ch["after"].(map[string]any)
		if !strings.HasPrefix(typ, "rotation_") || after == nil {
			continue
		}
		ts = append(ts, target{after, object(ch, "after_unknown"), object(ch, "after_sensitive")})
	}
	if len(ts) == 0 {
		return
	}
	for range n {
		t := ts[r.IntN(len(ts))]
		path := randomPath(r, t.values)
		if path == nil {
			continue
		}
		switch r.IntN(7) {
		case 0:
			set(t.values, path, nil)
		case 1: // unknown until apply: no value, an unknown marker
			if k, ok := path[0].(string); ok && len(path) == 1 {
				delete(t.values, k)
			} else {
				set(t.values, path, nil)
			}
			set(t.unknown, path, true)
		case 2:
			set(t.marks, path, true)
		case 3:
			words := []string{"1 h", "0s", "999d", "1h", "30d", "45d", "2h", "5m", "", "team-x", "critical", "low", "validator", "emitter", "both"}
			set(t.values, path, words[r.IntN(len(words))])
		case 4:
			set(t.values, path, float64(r.IntN(5)))
		case 5:
			set(t.unknown, path[:1], true)
		case 6:
			set(t.marks, path[:1], true)
		}
	}
}

// object is m[k] as an object, made one when it is not.
func object(m map[string]any, k string) map[string]any {
	o, ok := m[k].(map[string]any)
	if !ok {
		o = map[string]any{}
		m[k] = o
	}
	return o
}

// randomPath picks an attribute of v and, three times in four, goes one
// level further down.
func randomPath(r *rand.Rand, v map[string]any) []any {
	pick := func(m map[string]any) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys[r.IntN(len(keys))]
	}
	if len(v) == 0 {
		return nil
	}
	k := pick(v)
	path := []any{k}
	cur := v[k]
	for r.IntN(4) != 0 {
		switch c := cur.(type) {
		case map[string]any:
			if len(c) == 0 {
				return path
			}
			k := pick(c)
			path, cur = append(path, k), c[k]
		case []any:
			if len(c) == 0 {
				return path
			}
			i := r.IntN(len(c))
			path, cur = append(path, i), c[i]
		default:
			return path
		}
	}
	return path
}

// set stores val at path under root, making the objects and lists on the
// way (a list grows with empty objects up to the index).
func set(root map[string]any, path []any, val any) {
	var cur any = root
	for i, p := range path {
		if i == len(path)-1 {
			store(cur, p, val)
			return
		}
		cur = child(cur, p, path[i+1])
		if cur == nil {
			return
		}
	}
}

// child is the container at key p of cur, made (an object or a list, as
// the next key asks) when absent or of the wrong kind.
func child(cur any, p, nextKey any) any {
	switch cur.(type) {
	case map[string]any, []any:
	default:
		return nil
	}
	nx := load(cur, p)
	put := func(v any) { store(cur, p, v) }
	if idx, isIndex := nextKey.(int); isIndex {
		arr, _ := nx.([]any)
		for len(arr) <= idx {
			arr = append(arr, map[string]any{})
		}
		put(arr)
		return arr
	}
	if _, ok := nx.(map[string]any); !ok {
		nx = map[string]any{}
		put(nx)
	}
	return nx
}

// load is the element at key p (a string for an object, an int for a
// list) of container c, nil when there is none.
func load(c, p any) any {
	switch c := c.(type) {
	case map[string]any:
		if k, ok := p.(string); ok {
			return c[k]
		}
	case []any:
		if i, ok := p.(int); ok && i < len(c) {
			return c[i]
		}
	}
	return nil
}

// store sets the element at key p of container c (nothing when p does not
// fit c).
func store(c, p, v any) {
	switch c := c.(type) {
	case map[string]any:
		if k, ok := p.(string); ok {
			c[k] = v
		}
	case []any:
		if i, ok := p.(int); ok && i < len(c) {
			c[i] = v
		}
	}
}
