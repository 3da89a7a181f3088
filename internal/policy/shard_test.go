package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

// pinnedClock sets params.now: a state's time-based rules otherwise read
// the wall clock, and two evaluations a moment apart could word a finding
// differently (a plan has its timestamp).
var pinnedClock = map[string]any{"rotation": map[string]any{"params": map[string]any{"now": "2026-01-05T09:00:00Z"}}}

// shardEngines are the engine that evaluates every document whole and one
// that cuts it into shards of one family each, the smallest shards.
func shardEngines(t *testing.T, data map[string]any) (whole, sharded *Engine) {
	t.Helper()
	return newEngine(t, Options{ShardSize: -1, Data: data}), newEngine(t, Options{ShardSize: 1, Workers: 2, Data: data})
}

func findingLines(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		line := fmt.Sprintf("%s %s %s %s", f.Severity, f.Namespace, f.RuleName, f.Message)
		if f.Waiver != nil {
			line += fmt.Sprintf(" (waiver %d)", f.Waiver.Index)
		}
		out = append(out, line)
	}
	return out
}

// familyLinks evaluates family_of over the whole document.
func familyLinks(t *testing.T, e *Engine, doc *Document) map[string]string {
	t.Helper()
	rs, err := rego.New(rego.Compiler(e.compiler), rego.Store(e.store), rego.Query("fo := data.rotation.lib.terraform.family_of"), rego.ParsedInput(doc.Value)).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("family_of: %v (%d results)", err, len(rs))
	}
	out := map[string]string{}
	for a, f := range rs[0].Bindings["fo"].(map[string]any) {
		out[a] = f.(string)
	}
	return out
}

// compareSharded evaluates the document in raw whole and in shards of one
// family, read as `check` reads it (its resources deferred, see
// tfjson.ReadOptions.Defer) and without deferring, and fails unless the
// findings and the waived findings are the same. It returns whether the
// document was cut into shards; where it was, the predicted links must be
// the bundle's links over the whole document and no shard may have sent it
// back to a whole evaluation.
func compareSharded(t *testing.T, whole, sharded *Engine, name string, raw []byte) bool {
	t.Helper()
	ctx := context.Background()
	doc, err := ReadInput(name, bytes.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	deferred, err := tfjson.Read(name, bytes.NewReader(raw), tfjson.ReadOptions{Defer: true})
	if err != nil {
		t.Fatal(err)
	}
	wantF, wantW, wantErr := whole.EvaluateAll(ctx, doc)
	for _, d := range []*Document{doc, deferred} {
		gotF, gotW, gotErr := sharded.EvaluateAll(ctx, d)
		if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
			t.Fatalf("%s (deferred %v): errors differ: whole %v, sharded %v", name, d.Deferred(), wantErr, gotErr)
		}
		if a, b := strings.Join(findingLines(wantF), "\n"), strings.Join(findingLines(gotF), "\n"); a != b {
			t.Errorf("%s (deferred %v): findings differ\nwhole:\n%s\nsharded:\n%s", name, d.Deferred(), a, b)
		}
		if a, b := strings.Join(findingLines(wantW), "\n"), strings.Join(findingLines(gotW), "\n"); a != b {
			t.Errorf("%s (deferred %v): waived findings differ\nwhole:\n%s\nsharded:\n%s", name, d.Deferred(), a, b)
		}
		// The document evaluated whole from its deferred reading.
		if d.Deferred() {
			f, w, err := whole.EvaluateAll(ctx, d)
			if err != nil || strings.Join(findingLines(f), "\n") != strings.Join(findingLines(wantF), "\n") || len(w) != len(wantW) {
				t.Errorf("%s: the deferred document evaluated whole differs: %v", name, err)
			}
		}
	}
	plan, ok := planShards(doc, 1)
	if !ok || wantErr != nil {
		return false
	}
	if dplan, dok := planShards(deferred, 1); !dok || fmt.Sprint(dplan.shards, dplan.predicted) != fmt.Sprint(plan.shards, plan.predicted) {
		t.Errorf("%s: the heads of the deferred document give another shard plan", name)
	}
	links := familyLinks(t, whole, doc)
	for a, f := range plan.predicted {
		if links[a] != f {
			t.Errorf("%s: %s: predicted family %q, the bundle links %q", name, a, f, links[a])
		}
	}
	for _, d := range []*Document{doc, deferred} {
		p, _ := planShards(d, 1)
		if _, _, err := sharded.evaluateShards(ctx, d, p); err != nil {
			t.Errorf("%s (deferred %v): the shards were not relied on: %v", name, d.Deferred(), err)
		}
	}
	return true
}

// Every fixture gives the same findings in shards of one family as whole.
func TestShardedEvaluationMatchesFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "policies", "testdata", "fixtures", "*", "*.json"))
	if err != nil || len(files) < 30 {
		t.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	params := map[string]any{"rotation": map[string]any{"params": map[string]any{
		"waivers": []any{
			map[string]any{"rule": "ROT050", "resource": "rotation_secret.*", "reason": "INC-1", "approver": "team-a", "expires": "2099-01-01"},
			map[string]any{"rule": "ROT041", "resource": "nothing.matches", "reason": "INC-2", "approver": "team-a", "expires": "2000-01-01"},
		},
		"now": "2026-01-05T09:00:00Z",
	}}}
	for _, data := range []map[string]any{pinnedClock, params} {
		whole, sharded := shardEngines(t, data)
		cut := 0
		for _, f := range files {
			if strings.HasSuffix(f, "expected.json") {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if compareSharded(t, whole, sharded, f, raw) {
				cut++
			}
		}
		if cut < 5 {
			t.Errorf("only %d fixtures were cut into shards: the comparison proves little", cut)
		}
	}
}

// Random plans and states built to stress the family link: families of
// the same name in several modules, count and for_each instances,
// references with and without instance keys, several references, unknown
// family values, removals.
func TestShardedEvaluationMatchesRandomDocuments(t *testing.T) {
	whole, sharded := shardEngines(t, pinnedClock)
	famTemplate, secTemplate := templates(t)
	cut := 0
	const n = 120
	for seed := int64(1); seed <= n; seed++ {
		raw := randomDocument(rand.New(rand.NewPCG(uint64(seed), 15)), famTemplate, secTemplate)
		if compareSharded(t, whole, sharded, fmt.Sprintf("random-%d.json", seed), raw) {
			cut++
		}
	}
	if cut < n/2 {
		t.Errorf("only %d of %d documents were cut into shards", cut, n)
	}
}

// A plan of many clean families is cut into shards, and a finding about
// the parameters comes out once, not once per shard.
func TestShardedFindingsAreMergedOnce(t *testing.T) {
	data := map[string]any{"rotation": map[string]any{"params": map[string]any{"waivers": []any{map[string]any{"rule": "ROT050"}}}}}
	_, sharded := shardEngines(t, data)
	doc, err := ReadInput("plan.json", bytes.NewReader(policytest.Plan(policytest.Families(5)...)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if plan, ok := planShards(doc, 1); !ok || len(plan.shards) != 5 {
		t.Fatalf("5 families in shards of 1: %v", plan)
	}
	fs, _, err := sharded.EvaluateAll(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	n := 0
	for _, l := range findingLines(fs) {
		lines[l]++
		if lines[l] == 2 {
			t.Errorf("finding reported more than once: %s", l)
		}
		if strings.Contains(l, "ROT090: params.waivers[0]") {
			n++
		}
	}
	if n != 4 { // approver, expires, reason and resource missing
		t.Errorf("ROT090 findings: %d, want 4: %v", n, findingLines(fs))
	}
}

// Documents the plan does not cut: too few families, extra policies, a
// plan read from planned_values.
func TestShardPlanRefuses(t *testing.T) {
	small, err := ReadInput("plan.json", bytes.NewReader(policytest.Plan(policytest.Families(3)...)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := planShards(small, 3); ok {
		t.Error("3 families, shard size 3: cut")
	}
	if _, ok := planShards(small, 2); !ok {
		t.Error("3 families, shard size 2: not cut")
	}
	var m map[string]any
	if err := json.Unmarshal(policytest.Plan(policytest.Families(3)...), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "resource_changes")
	raw, _ := json.Marshal(m)
	pv, err := ReadInput("plan.json", bytes.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := planShards(pv, 1); ok {
		t.Error("a plan without resource_changes: cut")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.rego"), []byte("package extra\n\ndeny contains \"x\" if false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, Options{PolicyDirs: []string{dir}, ShardSize: 1})
	if e.shardSize != 0 {
		t.Errorf("with --policy directories the shard size is %d, want 0 (whole)", e.shardSize)
	}
}

func templates(t *testing.T) (fam, sec map[string]any) {
	t.Helper()
	var doc struct {
		ResourceChanges []struct {
			Type   string `json:"type"`
			Change struct {
				After map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(policytest.Plan(policytest.Clean("x")), &doc); err != nil {
		t.Fatal(err)
	}
	for _, rc := range doc.ResourceChanges {
		if rc.Type == familyType {
			fam = rc.Change.After
		} else {
			sec = rc.Change.After
		}
	}
	return fam, sec
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func randomDocument(r *rand.Rand, famTemplate, secTemplate map[string]any) []byte {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	modules := []struct{ address, path string }{{"", ""}, {"module.a", "module.a"}, {`module.b["x"]`, "module.b"}, {`module.b["y"]`, "module.b"}}
	state := r.IntN(4) == 0
	type res struct {
		module, address, typ, rname string
		values, unknown             map[string]any
		actions                     []any
		before                      map[string]any
	}
	var all []res
	seen := map[string]bool{}
	conf := map[string]map[string]map[string]any{} // config path -> type.name -> block
	addr := func(module, typ, rname, key string) string {
		a := typ + "." + rname + key
		if module != "" {
			a = module + "." + a
		}
		return a
	}
	for i, nf := 0, 1+r.IntN(6); i < nf; i++ {
		m := modules[r.IntN(len(modules))]
		rname, key := pick("f", "g"), pick("", "", `["k1"]`, `["k2"]`, "[0]")
		a := addr(m.address, familyType, rname, key)
		if seen[a] {
			continue
		}
		seen[a] = true
		v := clone(famTemplate)
		unknown := map[string]any{}
		switch name := pick("fam-1", "fam-2", "fam-3", "unknown"); name {
		case "unknown":
			delete(v, "name")
			unknown["name"] = true
		default:
			v["name"], v["id"] = name, name
		}
		all = append(all, res{module: m.address, address: a, typ: familyType, rname: rname, values: v, unknown: unknown, actions: []any{"no-op"}, before: v})
	}
	for i, ns := 0, r.IntN(7); i < ns; i++ {
		m := modules[r.IntN(len(modules))]
		typ := pick("rotation_secret", "rotation_secret", "rotation_schedule")
		rname, key := pick("s", "t", "u"), pick("", "", `["k1"]`, "[1]")
		a := addr(m.address, typ, rname, key)
		if seen[a] {
			continue
		}
		seen[a] = true
		v := clone(secTemplate)
		unknown := map[string]any{}
		switch fam := pick("fam-1", "fam-2", "fam-3", "fam-9", "unknown"); fam {
		case "unknown":
			delete(v, "family")
			unknown["family"] = true
		default:
			v["family"] = fam
		}
		actions := []any{pick("no-op", "update", "create")}
		before := v
		switch r.IntN(8) {
		case 0:
			actions = []any{"delete"}
		case 1:
			actions = []any{"delete", "create"}
		}
		if actions[0] == "create" {
			before = nil
		}
		all = append(all, res{module: m.address, address: a, typ: typ, rname: rname, values: v, unknown: unknown, actions: actions, before: before})
		block := conf[m.path]
		if block == nil {
			block = map[string]map[string]any{}
			conf[m.path] = block
		}
		if _, ok := block[typ+"."+rname]; !ok {
			var refs []any
			switch r.IntN(5) {
			case 0:
			case 1:
				refs = []any{"rotation_secret_family.f.id", "rotation_secret_family.f"}
			case 2:
				refs = []any{`rotation_secret_family.f["k1"].id`, `rotation_secret_family.f["k1"]`}
			case 3:
				refs = []any{"rotation_secret_family.g.id", "rotation_secret_family.g", "rotation_secret_family.f.name", "rotation_secret_family.f"}
			case 4:
				refs = []any{"var.family"}
			}
			block[typ+"."+rname] = map[string]any{"address": typ + "." + rname, "mode": "managed", "type": typ, "name": rname,
				"expressions": map[string]any{"family": map[string]any{"references": nonNilAny(refs)}}}
		}
	}
	doc := map[string]any{"format_version": "1.2", "terraform_version": "1.5.7", "timestamp": policytest.Timestamp.Format("2006-01-02T15:04:05Z")}
	if state {
		byModule := map[string][]any{}
		for _, x := range all {
			byModule[x.module] = append(byModule[x.module], map[string]any{"address": x.address, "mode": "managed", "type": x.typ, "name": x.rname, "values": x.values, "sensitive_values": map[string]any{}})
		}
		var kids []any
		for _, m := range modules[1:] {
			kids = append(kids, map[string]any{"address": m.address, "resources": nonNilAny(byModule[m.address])})
		}
		doc["values"] = map[string]any{"root_module": map[string]any{"resources": nonNilAny(byModule[""]), "child_modules": kids}}
		raw, _ := json.Marshal(doc)
		return raw
	}
	var rcs []any
	sort.Slice(all, func(i, j int) bool { return all[i].address < all[j].address })
	for _, x := range all {
		rc := map[string]any{"address": x.address, "mode": "managed", "type": x.typ, "name": x.rname,
			"change": map[string]any{"actions": x.actions, "before": x.before, "after": x.values, "after_unknown": x.unknown, "after_sensitive": map[string]any{}, "before_sensitive": map[string]any{}}}
		if x.module != "" {
			rc["module_address"] = x.module
		}
		if len(x.actions) == 1 && x.actions[0] == "delete" {
			rc["change"].(map[string]any)["after"] = nil
		}
		rcs = append(rcs, rc)
	}
	doc["resource_changes"] = nonNilAny(rcs)
	module := func(path string) map[string]any {
		var rs []any
		names := make([]string, 0, len(conf[path]))
		for k := range conf[path] {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			rs = append(rs, conf[path][k])
		}
		return map[string]any{"resources": nonNilAny(rs)}
	}
	root := module("")
	root["module_calls"] = map[string]any{
		"a": map[string]any{"source": "./a", "module": module("module.a")},
		"b": map[string]any{"source": "./b", "module": module("module.b")},
	}
	doc["configuration"] = map[string]any{"root_module": root}
	raw, _ := json.Marshal(doc)
	return raw
}

func nonNilAny(x []any) []any {
	if x == nil {
		return []any{}
	}
	return x
}
