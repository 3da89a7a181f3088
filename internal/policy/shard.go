package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Sharded evaluation (docs/architecture.md, "Sharded evaluation").
//
// Every rule of the bundle judges one family and its secrets and
// schedules, one removed secret, the provider configurations or the
// parameters. So a document can be evaluated in shards: a few hundred
// families with their secrets each, every shard a document of its own (the
// same top-level keys, the resource lists cut down to the shard's
// resources), and the findings of all shards merged. The findings about
// the provider configuration or the parameters come out of every shard and
// are the same: the merge keeps one of each. OPA's per-query caches of the
// rules' documents then hold one shard at a time, not the whole plan, and
// two shards are evaluated at once on two cores.
//
// Which family a secret belongs to (policies/lib/family.rego) is the one
// link between resources that could differ in a shard: its fallbacks look
// for families by name and configuration block among those present. The
// shard plan predicts each secret's family with the same steps here
// (predictFamily) and puts the two in one shard; every shard's evaluation
// returns the links it made, and a single one that differs from the
// prediction (or a secret the prediction cannot be sure of) sends the
// whole document to one evaluation, as without shards. Verdicts are the
// same either way (TestShardedEvaluationMatches).

// shardResource is one rotation resource of the document as the bundle's
// resources and removals see it (policies/lib/resources.rego).
type shardResource struct {
	address string
	module  string // module address with instance keys, "" at the root
	typ     string
	rname   string
	// value is change.after.family of a secret, change.after.name of a
	// family (values.family, values.name in a state); nil when absent.
	value *ast.Term
	// record: in the bundle's resources (a removal only is not).
	record bool
}

// shardPlan is how a document is cut: the resources of each shard, and the
// family predicted for each secret ("" for none).
type shardPlan struct {
	doc       *Document
	kind      string  // "plan" (resource_changes) or "state" (values.root_module)
	shards    [][]int // indexes into entries, per shard, in document order
	entries   []shardEntry
	predicted map[string]string
}

// shardEntry is one kept entry: a resource_changes element (plan) or a
// module resource (state), with the resource it stands for.
type shardEntry struct {
	res  shardResource
	term *ast.Term
}

var (
	familyRefPattern   = regexp.MustCompile(`^(rotation_secret_family\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)(?:\.|$)`)
	instanceKeyPattern = regexp.MustCompile(`\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]`)
)

const familyType = "rotation_secret_family"

func isSecretType(t string) bool { return t == "rotation_secret" || t == "rotation_schedule" }

func isRotationType(t string) bool { return t == familyType || isSecretType(t) }

// planShards cuts doc into shards of at most size groups (a family with
// the secrets linked to it, or a resource on its own). ok is false when
// the document is not one the plan can cut safely: no shards are made and
// the caller evaluates it whole.
func planShards(doc *Document, size int) (*shardPlan, bool) {
	top, isObj := doc.Value.(ast.Object)
	if !isObj || size <= 0 {
		return nil, false
	}
	p := &shardPlan{predicted: map[string]string{}, doc: doc}
	var refs map[string][]string
	switch rc := get(top, "resource_changes"); {
	case rc != nil:
		arr, isArr := rc.Value.(*ast.Array)
		if !isArr || !p.planEntries(arr) {
			return nil, false
		}
		p.kind = "plan"
		var ok bool
		if refs, ok = configRefs(doc, top); !ok {
			return nil, false
		}
	case get(top, "planned_values") != nil:
		return nil, false // read from planned_values: rare, evaluated whole
	default:
		values, isObj := termObject(get(top, "values"))
		if !isObj {
			return nil, false
		}
		root, isObj := termObject(get(values, "root_module"))
		if !isObj || !p.stateEntries(root) {
			return nil, false
		}
		p.kind = "state"
	}

	// The records, by address; a duplicate address is an error the whole
	// evaluation reports.
	records := map[string]bool{}
	for _, e := range p.entries {
		if !e.res.record {
			continue
		}
		if records[e.res.address] {
			return nil, false
		}
		records[e.res.address] = true
	}
	fams, ok := indexFamilies(p.entries)
	if !ok {
		return nil, false
	}

	// Groups: a family and the secrets predicted to link to it; every
	// other resource (a secret without a family, a removal) alone, except
	// that entries of one address stay together.
	uf := newUnionFind()
	for _, e := range p.entries {
		uf.add(e.res.address)
		if !e.res.record || !isSecretType(e.res.typ) {
			continue
		}
		fam, sure := fams.predict(e.res, refs[confKey(e.res)])
		if !sure {
			return nil, false
		}
		p.predicted[e.res.address] = fam
		if fam != "" {
			uf.union(e.res.address, fam)
		}
	}
	groupOf := map[string]int{}
	var groups [][]int
	for i, e := range p.entries {
		root := uf.find(e.res.address)
		g, seen := groupOf[root]
		if !seen {
			g = len(groups)
			groupOf[root] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	if len(groups) <= size {
		return nil, false // one shard: nothing to gain
	}
	for start := 0; start < len(groups); start += size {
		end := min(start+size, len(groups))
		var idx []int
		for _, g := range groups[start:end] {
			idx = append(idx, g...)
		}
		sort.Ints(idx)
		p.shards = append(p.shards, idx)
	}
	return p, true
}

// planEntries reads the rotation entries of resource_changes as
// resources.rego does: a record unless its actions are only delete or
// forget, a removal when a secret's actions delete or forget it and it had
// values before.
func (p *shardPlan) planEntries(arr *ast.Array) bool {
	ok := true
	arr.Until(func(t *ast.Term) bool {
		h, isRes := p.doc.HeadOf(t)
		if !isRes {
			ok = false
			return true
		}
		if !isRotationType(h.Type) || h.Mode != "managed" {
			return false // neither a record nor a removal: not read
		}
		if h.Address == "" || !h.Change || !h.ActionsOK {
			ok = false
			return true
		}
		removing := false
		for _, a := range h.Actions {
			removing = removing || a == "delete" || a == "forget"
		}
		key := strings.Join(h.Actions, ",")
		res := shardResource{address: h.Address, module: h.ModuleAddress, typ: h.Type, rname: h.Name}
		res.record = key != "delete" && key != "forget"
		if h.After {
			res.value = h.AfterFamily
			if h.Type == familyType {
				res.value = h.AfterName
			}
		}
		removal := isSecretType(h.Type) && removing && h.BeforeObject
		if res.record || removal {
			p.entries = append(p.entries, shardEntry{res: res, term: t})
		}
		return false
	})
	return ok
}

// stateEntries reads the rotation resources of a state's module tree
// (modules.rego's "values" tree: child_modules at any depth).
func (p *shardPlan) stateEntries(root ast.Object) bool {
	ok := true
	var visit func(m ast.Object, depth int)
	visit = func(m ast.Object, depth int) {
		if !ok {
			return
		}
		if depth > 64 {
			ok = false
			return
		}
		module, _ := str(get(m, "address"))
		arr, isArr := arrayMember(m, "resources")
		if !isArr {
			ok = false
			return
		}
		arr.Foreach(func(t *ast.Term) {
			h, isRes := p.doc.HeadOf(t)
			if !isRes {
				ok = false
				return
			}
			if !isRotationType(h.Type) || h.Mode != "managed" {
				return
			}
			if h.Address == "" {
				ok = false
				return
			}
			res := shardResource{address: h.Address, module: module, typ: h.Type, rname: h.Name, record: true}
			if h.Values {
				res.value = h.ValuesFamily
				if h.Type == familyType {
					res.value = h.ValuesName
				}
			}
			p.entries = append(p.entries, shardEntry{res: res, term: t})
		})
		kids, isArr := arrayMember(m, "child_modules")
		if !isArr {
			ok = false
			return
		}
		kids.Foreach(func(t *ast.Term) {
			if child, isObj := t.Value.(ast.Object); isObj {
				visit(child, depth+1)
			}
		})
	}
	visit(root, 0)
	return ok
}

// configRefs are the references of the family argument of every secret and
// schedule block in the configuration, keyed as family.rego keys them
// (module path without instance keys | type.name). ok is false for a
// configuration the bundle would read differently or fail on.
func configRefs(doc *Document, top ast.Object) (map[string][]string, bool) {
	refs := map[string][]string{}
	cfg := get(top, "configuration")
	if cfg == nil {
		return refs, true
	}
	cfgObj, isObj := cfg.Value.(ast.Object)
	if !isObj {
		return nil, false
	}
	rootTerm := get(cfgObj, "root_module")
	if rootTerm == nil {
		return refs, true
	}
	if b, isBool := rootTerm.Value.(ast.Boolean); isBool && !bool(b) {
		return refs, true
	}
	root, isObj := rootTerm.Value.(ast.Object)
	if !isObj {
		return nil, false
	}
	ok := true
	var visit func(path string, m ast.Object, depth int)
	visit = func(path string, m ast.Object, depth int) {
		if !ok {
			return
		}
		if depth > 64 {
			ok = false
			return
		}
		arr, isArr := arrayMember(m, "resources")
		if !isArr {
			ok = false
			return
		}
		arr.Foreach(func(t *ast.Term) {
			h, isRes := doc.HeadOf(t)
			if !isRes {
				ok = false
				return
			}
			if !isSecretType(h.Type) {
				return
			}
			key := path + "|" + h.Type + "." + h.Name
			if _, dup := refs[key]; dup || h.Name == "" || h.RefsState == 2 {
				ok = false
				return
			}
			refs[key] = append([]string{}, h.Refs...)
		})
		if mc := get(m, "module_calls"); mc != nil {
			calls, isObj := mc.Value.(ast.Object)
			if !isObj {
				ok = false
				return
			}
			calls.Foreach(func(k, v *ast.Term) {
				name, isStr := str(k)
				call, isObj := v.Value.(ast.Object)
				if !isStr || !isObj {
					ok = false
					return
				}
				if child, isObj := termObject(get(call, "module")); isObj {
					visit(strings.TrimPrefix(path+".module."+name, "."), child, depth+1)
				}
			})
		}
	}
	visit("", root, 0)
	return refs, ok
}

func confKey(r shardResource) string {
	return instanceKeyPattern.ReplaceAllString(r.module, "") + "|" + r.typ + "." + r.rname
}

// familyIndex is family.rego's maps: family addresses by name, by
// configuration resource, and by both.
type familyIndex struct {
	byAddress  map[string]shardResource
	byName     map[string][]string
	byConf     map[string][]string
	byConfName map[string][]string
}

func indexFamilies(entries []shardEntry) (*familyIndex, bool) {
	x := &familyIndex{byAddress: map[string]shardResource{}, byName: map[string][]string{}, byConf: map[string][]string{}, byConfName: map[string][]string{}}
	for _, e := range entries {
		f := e.res
		if !f.record || f.typ != familyType {
			continue
		}
		// The bundle joins keys with "|" and prints non-string names
		// with sprintf: where either could make two keys equal, do not
		// predict.
		if strings.Contains(f.module, "|") {
			return nil, false
		}
		x.byAddress[f.address] = f
		conf := f.module + "|" + familyType + "." + f.rname
		x.byConf[conf] = append(x.byConf[conf], f.address)
		if f.value == nil || f.value.Value.Compare(ast.Null{}) == 0 {
			continue
		}
		name, isStr := str(f.value)
		if !isStr || strings.Contains(name, "|") {
			return nil, false
		}
		x.byName[name] = append(x.byName[name], f.address)
		x.byConfName[conf+"|"+name] = append(x.byConfName[conf+"|"+name], f.address)
	}
	for _, m := range []map[string][]string{x.byName, x.byConf, x.byConfName} {
		for _, v := range m {
			sort.Strings(v)
		}
	}
	return x, true
}

// predict is family.rego's _resolve for secret s whose family argument has
// the configuration references refs: the family's address ("" for none),
// and whether the prediction is sure (false where the bundle's answer
// would need more than the simple cases followed here).
func (x *familyIndex) predict(s shardResource, refs []string) (string, bool) {
	if strings.Contains(s.module, "|") {
		return "", false
	}
	indexed := map[string]bool{}
	unindexed := map[string]bool{}
	for _, ref := range refs {
		m := familyRefPattern.FindStringSubmatch(ref)
		if m == nil {
			continue
		}
		t := m[1]
		if strings.Contains(t, "[") {
			a := t
			if s.module != "" {
				a = s.module + "." + t
			}
			if _, isFam := x.byAddress[a]; isFam {
				indexed[a] = true
			}
		} else {
			unindexed[t] = true
		}
	}
	switch len(indexed) {
	case 0:
	case 1:
		for a := range indexed {
			return a, true
		}
	default:
		return "", false // several instances named: matched by name among them
	}
	ts := make([]string, 0, len(unindexed))
	for t := range unindexed {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	if len(ts) == 1 {
		if addrs := x.byConf[s.module+"|"+ts[0]]; len(addrs) == 1 {
			return addrs[0], true
		}
	}
	name, isStr := str(s.value)
	if !isStr {
		return "", true
	}
	if strings.Contains(name, "|") || name == "null" {
		return "", false
	}
	var matches []string
	for _, t := range ts {
		matches = append(matches, x.byConfName[s.module+"|"+t+"|"+name]...)
	}
	if len(matches) > 0 {
		sort.Strings(matches)
		return matches[0], true
	}
	addrs := x.byName[name]
	for _, a := range addrs {
		if x.byAddress[a].module == s.module {
			return a, true
		}
	}
	if len(addrs) > 0 {
		return addrs[0], true
	}
	return "", true
}

// input builds the document of shard i: the document's top-level keys,
// with the resource lists holding only the shard's entries and the
// configuration only the blocks of its secrets. The resources of a
// deferred document (tfjson.ReadOptions.Defer) are built here, for this
// shard only.
func (p *shardPlan) input(i int) ast.Value {
	doc := p.doc
	top, _ := doc.Value.(ast.Object) // planShards checked it
	keep := map[*ast.Term]bool{}
	confKeys := map[string]bool{}
	for _, j := range p.shards[i] {
		e := p.entries[j]
		keep[e.term] = true
		if isSecretType(e.res.typ) {
			confKeys[confKey(e.res)] = true
		}
	}
	out := ast.NewObjectWithCapacity(top.Len())
	top.Foreach(func(k, v *ast.Term) {
		key, _ := str(k)
		switch {
		case p.kind == "plan" && key == "resource_changes":
			terms := make([]*ast.Term, 0, len(p.shards[i]))
			for _, j := range p.shards[i] {
				terms = append(terms, p.entries[j].term)
			}
			v = ast.ArrayTerm(terms...)
		case p.kind == "plan" && key == "configuration":
			v = filterConfiguration(doc, v, confKeys)
		case p.kind == "state" && key == "values":
			if values, isObj := v.Value.(ast.Object); isObj { // planShards checked it
				v = ast.NewTerm(withKey(values, "root_module", filterStateModule(get(values, "root_module"), keep)))
			}
		}
		out.Insert(k, v)
	})
	return doc.Resolve(out)
}

func filterConfiguration(doc *Document, cfg *ast.Term, confKeys map[string]bool) *ast.Term {
	obj, isObj := cfg.Value.(ast.Object)
	if !isObj {
		return cfg
	}
	root, isObj := termObject(get(obj, "root_module"))
	if !isObj {
		return cfg
	}
	var module func(path string, m ast.Object) *ast.Term
	module = func(path string, m ast.Object) *ast.Term {
		out := ast.NewObject()
		m.Foreach(func(k, v *ast.Term) {
			switch key, _ := str(k); key {
			case "resources":
				arr, _ := v.Value.(*ast.Array) // configRefs checked it
				var kept []*ast.Term
				arr.Foreach(func(t *ast.Term) {
					h, _ := doc.HeadOf(t)
					if isSecretType(h.Type) && confKeys[path+"|"+h.Type+"."+h.Name] {
						kept = append(kept, t)
					}
				})
				v = ast.ArrayTerm(kept...)
			case "module_calls":
				calls, _ := v.Value.(ast.Object) // configRefs checked it
				filtered := ast.NewObjectWithCapacity(calls.Len())
				calls.Foreach(func(ck, cv *ast.Term) {
					name, _ := str(ck)
					call, _ := cv.Value.(ast.Object)
					if child, isObj := termObject(get(call, "module")); isObj {
						cv = ast.NewTerm(withKey(call, "module", module(strings.TrimPrefix(path+".module."+name, "."), child)))
					}
					filtered.Insert(ck, cv)
				})
				v = ast.NewTerm(filtered)
			}
			out.Insert(k, v)
		})
		return ast.NewTerm(out)
	}
	return ast.NewTerm(withKey(obj, "root_module", module("", root)))
}

func filterStateModule(t *ast.Term, keep map[*ast.Term]bool) *ast.Term {
	m, isObj := t.Value.(ast.Object)
	if !isObj {
		return t
	}
	out := ast.NewObject()
	m.Foreach(func(k, v *ast.Term) {
		switch key, _ := str(k); key {
		case "resources":
			var kept []*ast.Term
			arr, _ := v.Value.(*ast.Array) // stateEntries checked it
			arr.Foreach(func(r *ast.Term) {
				if keep[r] {
					kept = append(kept, r)
				}
			})
			v = ast.ArrayTerm(kept...)
		case "child_modules":
			var kids []*ast.Term
			arr, _ := v.Value.(*ast.Array) // stateEntries checked it
			arr.Foreach(func(c *ast.Term) {
				kids = append(kids, filterStateModule(c, keep))
			})
			v = ast.ArrayTerm(kids...)
		}
		out.Insert(k, v)
	})
	return ast.NewTerm(out)
}

// Small helpers over OPA values.

// arrayMember is the array at key of o: empty when o has no key, not ok
// when the value is not an array.
func arrayMember(o ast.Object, key string) (*ast.Array, bool) {
	t := get(o, key)
	if t == nil {
		return ast.NewArray(), true
	}
	a, ok := t.Value.(*ast.Array)
	return a, ok
}

func get(o ast.Object, key string) *ast.Term { return o.Get(ast.InternedTerm(key)) }

func str(t *ast.Term) (string, bool) {
	if t == nil {
		return "", false
	}
	s, isStr := t.Value.(ast.String)
	return string(s), isStr
}

func termObject(t *ast.Term) (ast.Object, bool) {
	if t == nil {
		return nil, false
	}
	o, isObj := t.Value.(ast.Object)
	return o, isObj
}

func withKey(o ast.Object, key string, v *ast.Term) ast.Object {
	out := ast.NewObjectWithCapacity(o.Len())
	o.Foreach(func(k, x *ast.Term) {
		if s, _ := str(k); s == key {
			x = v
		}
		out.Insert(k, x)
	})
	return out
}

type unionFind struct{ parent map[string]string }

func newUnionFind() *unionFind { return &unionFind{parent: map[string]string{}} }

func (u *unionFind) add(x string) {
	if _, ok := u.parent[x]; !ok {
		u.parent[x] = x
	}
}

func (u *unionFind) find(x string) string {
	u.add(x)
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b string) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[rb] = ra
	}
}

// evaluateShards evaluates the shards of plan, e.workers at a time, and
// merges their findings. It fails, and the caller evaluates the document
// whole, when any shard's evaluation fails (the whole evaluation reports
// the error as it would without shards) or links a secret to another
// family than the plan predicted.
func (e *Engine) evaluateShards(ctx context.Context, doc *Document, plan *shardPlan) ([]Finding, []Finding, error) {
	e.shardOnce.Do(func() {
		e.shardPQ, e.shardErr = e.prepareWith(ctx, "shard", "fo := [v | v := data.rotation.lib.terraform.family_of]")
	})
	if e.shardErr != nil {
		return nil, nil, e.shardErr
	}
	type result struct {
		findings, waived []Finding
		err              error
	}
	results := make([]result, len(plan.shards))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(e.workers, len(plan.shards)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := &results[i]
				r.findings, r.waived, r.err = e.evaluateShard(ctx, doc, plan, i)
				if r.err != nil {
					cancel()
				}
			}
		}()
	}
feed:
	for i := range plan.shards {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	var findings, waived []Finding
	seen := map[string]bool{}
	for i, r := range results {
		if r.err != nil {
			return nil, nil, fmt.Errorf("shard %d of %d: %w", i+1, len(plan.shards), r.err)
		}
		for _, f := range r.findings {
			if k := findingKey(f); !seen[k] {
				seen[k] = true
				findings = append(findings, f)
			}
		}
		for _, f := range r.waived {
			if k := findingKey(f); !seen[k] {
				seen[k] = true
				waived = append(waived, f)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	SortFindings(findings)
	SortFindings(waived)
	return findings, waived, nil
}

func (e *Engine) evaluateShard(ctx context.Context, doc *Document, plan *shardPlan, i int) ([]Finding, []Finding, error) {
	sub := &Document{File: doc.File, Kind: doc.Kind, FormatVersion: doc.FormatVersion, Value: plan.input(i)}
	bindings, err := e.eval(ctx, e.shardPQ, sub)
	if err != nil {
		return nil, nil, err
	}
	links := map[string]any{}
	if wrapped, _ := bindings["fo"].([]any); len(wrapped) == 1 {
		links, _ = wrapped[0].(map[string]any)
	}
	for _, j := range plan.shards[i] {
		r := plan.entries[j].res
		if !r.record || !isSecretType(r.typ) {
			continue
		}
		got, _ := links[r.address].(string)
		if want := plan.predicted[r.address]; got != want {
			return nil, nil, fmt.Errorf("%s links to family %q in its shard, predicted %q", r.address, got, want)
		}
	}
	findings, err := e.findings(sub, bindings)
	if err != nil {
		return nil, nil, err
	}
	waived, err := e.waivedFindings(sub, bindings)
	if err != nil {
		return nil, nil, err
	}
	return findings, waived, nil
}

// findingKey identifies a finding across shards: the same message of the
// same rule (a finding about the parameters or the provider configuration
// comes out of every shard) is one finding, as in one evaluation of a set.
func findingKey(f Finding) string {
	meta, _ := json.Marshal(f.Metadata)
	idx := -1
	if f.Waiver != nil {
		idx = f.Waiver.Index
	}
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%d", f.Namespace, f.RuleName, f.Severity, f.Message, meta, idx)
}
