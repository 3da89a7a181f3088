package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// Options configure an Engine.
type Options struct {
	// PolicyDirs are extra directories (or .rego files) whose modules are
	// compiled together with the bundle; their *_test.rego files are skipped.
	PolicyDirs []string
	// Data is loaded into the store at the root of data: the result of
	// LoadParams (data.rotation.params), or nil.
	Data map[string]any
	// ParamsFile names the parameters file in error messages.
	ParamsFile string
	// Logger receives debug and warning messages (never input values);
	// nil discards them.
	Logger hclog.Logger
	// ShardSize is the number of families (each with its secrets and
	// schedules) evaluated together when a document is evaluated in shards
	// (shard.go): 0 means DefaultShardSize, a negative number evaluates
	// every document whole. Documents are never sharded with PolicyDirs:
	// extra modules may relate any resources.
	ShardSize int
	// Workers is the number of shards evaluated at once: 0 means
	// GOMAXPROCS.
	Workers int
}

// DefaultShardSize is Options.ShardSize when it is 0: OPA's caches for one
// shard stay a few megabytes, and the cost of cutting the document stays
// well under 1% (measured on 10 000 families: shards of 50, 100, 250, 500
// and 1000 families took 10.1, 9.5, 9.9, 10.5 and 11.1 s, and peaked at 346,
// 351, 392, 458 and 597 MB).
const DefaultShardSize = 100

// Engine holds the compiled policy set and its prepared query. It is safe
// for concurrent use by several goroutines.
type Engine struct {
	pq rego.PreparedEvalQuery
	// viewPQ is pq plus the view of the document (viewQuery), prepared on
	// first use: `check` never pays for it.
	viewPQ   rego.PreparedEvalQuery
	viewErr  error
	viewOnce sync.Once
	store    storage.Store
	targets  []target
	// waived are the packages' waived rules (the findings a valid
	// params.waiver covers, policies/lib/waivers.rego), collected under
	// their binding.
	waived     []target
	exceptions map[string]string // namespace -> binding of its exception values
	compiler   *ast.Compiler
	catalog    []Rule
	namespaces []string
	modules    int
	log        hclog.Logger
	// shardSize and workers: see Options; shardSize 0 evaluates whole.
	shardSize int
	workers   int
	// shardPQ is pq plus the family links of the document, prepared on
	// first use.
	shardPQ   rego.PreparedEvalQuery
	shardErr  error
	shardOnce sync.Once
}

// target is one deny/violation/warn rule of one package, collected by the
// query under binding.
type target struct {
	binding   string
	namespace string // package path without "data.", e.g. rotation.overlap
	rule      string // deny, warn, violation, deny_foo, ...
	severity  Severity
}

// New loads the embedded bundle and the extra policy directories, compiles
// them once and prepares the one query that evaluates every package.
func New(ctx context.Context, opts Options) (*Engine, error) {
	log := opts.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	start := time.Now()
	files, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	for _, dir := range opts.PolicyDirs {
		extra, err := loadDir(dir)
		if err != nil {
			return nil, err
		}
		log.Debug("loaded policy directory", "path", dir, "modules", len(extra))
		files = append(files, extra...)
	}
	if err := checkRuleHeads(files); err != nil {
		return nil, err
	}

	modules := make(map[string]*ast.Module, len(files))
	for _, f := range files {
		modules[f.name] = f.parsed
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(false)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("policies do not compile: %s", oneLine(compiler.Errors))
	}

	e := &Engine{compiler: compiler, exceptions: map[string]string{}, modules: len(files), log: log}
	switch {
	case len(opts.PolicyDirs) > 0 || opts.ShardSize < 0:
	case opts.ShardSize == 0:
		e.shardSize = DefaultShardSize
	default:
		e.shardSize = opts.ShardSize
	}
	e.workers = opts.Workers
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	e.collectTargets(files)
	e.catalog = buildCatalog(compiler)

	data := opts.Data
	if data == nil {
		data = map[string]any{}
	}
	store := inmem.NewFromObject(data)
	e.store = store

	query := e.query()
	log.Trace("prepared query", "query", query)
	pq, err := rego.New(
		rego.Compiler(compiler),
		rego.Store(store),
		rego.Query(query),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("preparing the policy query: %s", oneLine(err))
	}
	e.pq = pq

	if opts.Data != nil {
		if err := e.checkParams(ctx, store, opts); err != nil {
			return nil, err
		}
	}
	log.Debug("policies compiled", "modules", e.modules, "namespaces", len(e.namespaces), "rules", len(e.targets), "catalog", len(e.catalog), "elapsed", time.Since(start))
	return e, nil
}

// collectTargets finds every rule conftest would evaluate: in each package
// the rules named deny, violation or warn, optionally followed by _suffix
// (conftest's patterns), and the packages' exception rules.
func (e *Engine) collectTargets(files []policyFile) {
	seen := map[string]bool{}
	seenNS := map[string]bool{}
	for _, f := range files {
		ns := strings.TrimPrefix(f.parsed.Package.Path.String(), "data.")
		if !seenNS[ns] {
			seenNS[ns] = true
			e.namespaces = append(e.namespaces, ns)
		}
		for _, r := range f.parsed.Rules {
			name := r.Head.Name.String()
			if name == "" && len(r.Head.Reference) == 1 {
				name = r.Head.Reference[0].Value.String()
			}
			var sev Severity
			switch {
			case name == WaivedRule:
				if len(r.Head.Args) > 0 {
					continue // a function, not the package's set
				}
				key := ns + "\x00" + name
				if !seen[key] {
					seen[key] = true
					e.waived = append(e.waived, target{binding: fmt.Sprintf("w%d", len(e.waived)), namespace: ns, rule: name})
				}
				continue
			case failureRule.MatchString(name):
				sev = Deny
			case warningRule.MatchString(name):
				sev = Warn
			case name == "exception":
				if _, ok := e.exceptions[ns]; !ok {
					e.exceptions[ns] = fmt.Sprintf("x%d", len(e.exceptions))
				}
				continue
			default:
				continue
			}
			key := ns + "\x00" + name
			if seen[key] {
				continue
			}
			seen[key] = true
			e.targets = append(e.targets, target{
				binding:   fmt.Sprintf("r%d", len(e.targets)),
				namespace: ns,
				rule:      name,
				severity:  sev,
			})
		}
	}
	sort.Strings(e.namespaces)
}

// query builds the single query of the whole policy set: one binding per
// rule, each an array comprehension so that an undefined rule gives [] and
// never makes the whole query undefined:
//
//	r0 := [v | v := data.rotation.hygiene.warn]
//	r1 := [v | v := data.rotation.overlap.deny]
//	...
//	x0 := [n | n := data.main.exception[_][_]]
//
// A rule's value is taken as a whole (a set of messages, usually), exactly
// as conftest queries data.<namespace>.<rule>.
func (e *Engine) query() string {
	var b strings.Builder
	for _, t := range e.targets {
		ref := pkgRef(t.namespace).Append(ast.StringTerm(t.rule))
		fmt.Fprintf(&b, "%s := [v | v := %s]\n", t.binding, ref)
	}
	for _, t := range e.waived {
		ref := pkgRef(t.namespace).Append(ast.StringTerm(t.rule))
		fmt.Fprintf(&b, "%s := [v | v := %s]\n", t.binding, ref)
	}
	nss := make([]string, 0, len(e.exceptions))
	for ns := range e.exceptions {
		nss = append(nss, ns)
	}
	sort.Strings(nss)
	for _, ns := range nss {
		ref := pkgRef(ns).Append(ast.StringTerm("exception"))
		fmt.Fprintf(&b, "%s := [n | n := %s[_][_]]\n", e.exceptions[ns], ref)
	}
	if b.Len() == 0 {
		return "true"
	}
	return b.String()
}

func pkgRef(ns string) ast.Ref {
	ref := ast.Ref{ast.DefaultRootDocument}
	for _, p := range strings.Split(ns, ".") {
		ref = append(ref, ast.StringTerm(p))
	}
	return ref
}

// Rules returns the rule catalog read from the METADATA annotations of the
// compiled modules (bundle and --policy directories), sorted by id.
func (e *Engine) Rules() []Rule { return e.catalog }

// Finding is one message of a deny/violation/warn rule.
type Finding struct {
	File     string   `json:"file"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Resource string   `json:"resource"`
	Message  string   `json:"message"`
	// Namespace and RuleName say which rule produced the message
	// (rotation.overlap, deny).
	Namespace string `json:"-"`
	RuleName  string `json:"-"`
	// Metadata holds the other keys of an object message ({"msg": ...,
	// "details": ...}).
	Metadata map[string]any `json:"-"`
	// Waiver is set on a waived finding: the params.waivers entry that
	// covers it. Severity is then the severity it would have had.
	Waiver *Waiver `json:"waiver,omitempty"`
}

// WaivedRule is the rule of each bundled package that holds its findings a
// valid params.waivers entry covers (policies/lib/waivers.rego): objects
// {rule, resource, severity, message, waiver, reason, approver, expires}.
// conftest does not read it; the covered findings are not in deny or warn.
const WaivedRule = "waived"

// Waiver is the params.waivers entry that covers a waived finding.
type Waiver struct {
	// Index is the entry's position in params.waivers.
	Index    int    `json:"index"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	// Expires is the UTC date (YYYY-MM-DD) through whose end the waiver
	// holds.
	Expires string `json:"expires"`
}

// Justification is the waiver in one line, for reports: `params.waivers[0]:
// "INC-1234", approved by team-a, expires 2027-03-01 (end of day, UTC)`.
func (w *Waiver) Justification() string {
	return fmt.Sprintf("params.waivers[%d]: %q, approved by %s, expires %s (end of day, UTC)", w.Index, w.Reason, w.Approver, w.Expires)
}

// Evaluate runs the prepared query on one document: one evaluation for the
// whole policy set, or one per shard of a large document (shard.go), the
// document's value passed as the parsed input (it is converted to an OPA
// value once, when it is read). It is EvaluateAll without the waived
// findings.
func (e *Engine) Evaluate(ctx context.Context, doc *Document) ([]Finding, error) {
	findings, _, err := e.EvaluateAll(ctx, doc)
	return findings, err
}

// EvaluateAll returns the findings of the policy set and the waived
// findings of the same evaluation: those a valid params.waivers entry moved
// out of deny and warn, each with its Waiver. Waived findings never fail a
// check. A document with more families than the shard size is evaluated in
// shards, and whole when the shards cannot be relied on (shard.go).
func (e *Engine) EvaluateAll(ctx context.Context, doc *Document) (findings, waived []Finding, err error) {
	start := time.Now()
	if plan, ok := planShards(doc, e.shardSize); ok {
		findings, waived, err := e.evaluateShards(ctx, doc, plan)
		if err == nil {
			e.log.Debug("evaluated in shards", "file", doc.File, "kind", doc.Kind, "shards", len(plan.shards), "findings", len(findings), "waived", len(waived), "elapsed", time.Since(start))
			return findings, waived, nil
		}
		e.log.Debug("evaluating whole", "file", doc.File, "reason", err.Error())
	}
	doc = materialized(doc)
	bindings, err := e.eval(ctx, e.pq, doc)
	if err != nil {
		return nil, nil, err
	}
	if findings, err = e.findings(doc, bindings); err != nil {
		return nil, nil, err
	}
	if waived, err = e.waivedFindings(doc, bindings); err != nil {
		return nil, nil, err
	}
	e.log.Debug("evaluated", "file", doc.File, "kind", doc.Kind, "findings", len(findings), "waived", len(waived), "elapsed", time.Since(start))
	return findings, waived, nil
}

// ViewRule is the rule of the bundle that holds the normalized view of a
// document (policies/lib/view.rego): every rotation resource read once,
// with its fields, durations, family, consumers, controls and versions.
const ViewRule = "data.rotation.lib.view.document"

// EvalOptions adjust one evaluation.
type EvalOptions struct {
	// Time is the instant time.now_ns() returns; zero means the current
	// time. The bundle's time-based rules read the clock only for a state
	// evaluated without params.now (a plan has its timestamp).
	Time time.Time
}

// Evaluation is what EvaluateWithView returns: the findings of the policy
// set, exactly as Evaluate returns them, and the view the rules were
// evaluated over.
type Evaluation struct {
	Findings []Finding
	// Waived are the findings valid params.waivers entries cover (not in
	// Findings), each with its Waiver.
	Waived []Finding
	// View is the value of ViewRule as JSON.
	View json.RawMessage
}

// EvaluateWithView evaluates the policy set and the bundle's normalized view
// of the document in one query, so that a report built from the view shows
// the verdicts of the very same evaluation (the runbook does this). The
// query is prepared on first use.
func (e *Engine) EvaluateWithView(ctx context.Context, doc *Document, opts EvalOptions) (*Evaluation, error) {
	start := time.Now()
	e.viewOnce.Do(func() {
		e.viewPQ, e.viewErr = e.prepareWith(ctx, "view", "view := [v | v := "+ViewRule+"]")
	})
	if e.viewErr != nil {
		return nil, e.viewErr
	}
	doc = materialized(doc)
	var extra []rego.EvalOption
	if !opts.Time.IsZero() {
		extra = append(extra, rego.EvalTime(opts.Time))
	}
	bindings, err := e.eval(ctx, e.viewPQ, doc, extra...)
	if err != nil {
		return nil, err
	}
	findings, err := e.findings(doc, bindings)
	if err != nil {
		return nil, err
	}
	waived, err := e.waivedFindings(doc, bindings)
	if err != nil {
		return nil, err
	}
	wrapped, _ := bindings["view"].([]any)
	if len(wrapped) != 1 {
		return nil, &InputError{File: doc.File, Reason: "policy evaluation failed: " + ViewRule + " is undefined"}
	}
	view, err := json.Marshal(wrapped[0])
	if err != nil {
		return nil, &InputError{File: doc.File, Reason: "policy evaluation failed: the view: " + err.Error()}
	}
	e.log.Debug("evaluated with view", "file", doc.File, "kind", doc.Kind, "findings", len(findings), "view_bytes", len(view), "elapsed", time.Since(start))
	return &Evaluation{Findings: findings, Waived: waived, View: view}, nil
}

// materialized is doc with its deferred resources built (a document read
// with tfjson.ReadOptions.Defer and evaluated whole), or doc itself.
func materialized(doc *Document) *Document {
	if !doc.Deferred() {
		return doc
	}
	return &Document{File: doc.File, Kind: doc.Kind, FormatVersion: doc.FormatVersion, Value: doc.Materialize(),
		Size: doc.Size, Kept: doc.Kept, ValueBytes: doc.ValueBytes, Estimate: doc.Estimate}
}

// prepareWith prepares the query of the whole policy set plus one more
// binding (the view, the family links of a shard), named what in errors.
func (e *Engine) prepareWith(ctx context.Context, what, binding string) (rego.PreparedEvalQuery, error) {
	query := e.query() + "\n" + binding + "\n"
	e.log.Trace("prepared "+what+" query", "query", query)
	pq, err := rego.New(
		rego.Compiler(e.compiler),
		rego.Store(e.store),
		rego.Query(query),
	).PrepareForEval(ctx)
	if err != nil {
		return pq, fmt.Errorf("preparing the %s query: %s", what, oneLine(err))
	}
	return pq, nil
}

// eval runs a prepared query over doc and returns the bindings of its one
// result.
func (e *Engine) eval(ctx context.Context, pq rego.PreparedEvalQuery, doc *Document, opts ...rego.EvalOption) (rego.Vars, error) {
	rs, err := pq.Eval(ctx, append([]rego.EvalOption{rego.EvalParsedInput(doc.Value)}, opts...)...)
	if err != nil {
		return nil, &InputError{File: doc.File, Reason: "policy evaluation failed: " + oneLine(err)}
	}
	if len(rs) != 1 {
		return nil, &InputError{File: doc.File, Reason: fmt.Sprintf("policy evaluation failed: %d results for the query", len(rs))}
	}
	return rs[0].Bindings, nil
}

// findings collects the messages of every deny/violation/warn rule from the
// bindings of the query, minus the rules a package excepts.
func (e *Engine) findings(doc *Document, bindings rego.Vars) ([]Finding, error) {
	excepted := map[string]map[string]bool{}
	for ns, b := range e.exceptions {
		vals, _ := bindings[b].([]any)
		m := map[string]bool{}
		for _, v := range vals {
			if s, ok := v.(string); ok {
				m[s] = true
			}
		}
		excepted[ns] = m
	}
	var out []Finding
	for _, t := range e.targets {
		if excepted[t.namespace][trimRulePrefix(t.rule)] {
			e.log.Debug("rule excepted", "namespace", t.namespace, "rule", t.rule)
			continue
		}
		wrapped, _ := bindings[t.binding].([]any)
		if len(wrapped) != 1 {
			continue // rule undefined
		}
		values, ok := wrapped[0].([]any)
		if !ok {
			continue // not a set or array: conftest ignores it too
		}
		for _, v := range values {
			f := Finding{File: doc.File, Severity: t.severity, Namespace: t.namespace, RuleName: t.rule}
			switch m := v.(type) {
			case string:
				f.Message = m
			case map[string]any:
				msg, ok := m["msg"].(string)
				if !ok {
					return nil, &InputError{File: doc.File, Reason: fmt.Sprintf("policy data.%s.%s returned an object without a string \"msg\"", t.namespace, t.rule)}
				}
				f.Message = msg
				for k, x := range m {
					if k == "msg" {
						continue
					}
					if f.Metadata == nil {
						f.Metadata = map[string]any{}
					}
					f.Metadata[k] = x
				}
			default:
				continue
			}
			f.Rule, f.Resource = ParseMessage(f.Message)
			if f.Rule == "" {
				f.Rule = t.namespace + "." + t.rule
			}
			out = append(out, f)
		}
	}
	SortFindings(out)
	return out, nil
}

// waivedFindings collects the waived sets of the packages from the
// bindings of the query.
func (e *Engine) waivedFindings(doc *Document, bindings rego.Vars) ([]Finding, error) {
	var out []Finding
	for _, t := range e.waived {
		wrapped, _ := bindings[t.binding].([]any)
		if len(wrapped) != 1 {
			continue
		}
		values, _ := wrapped[0].([]any)
		for _, v := range values {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, &InputError{File: doc.File, Reason: fmt.Sprintf("policy data.%s.%s holds a value that is not an object", t.namespace, t.rule)}
			}
			msg, _ := m["message"].(string)
			sev, _ := m["severity"].(string)
			w := &Waiver{}
			w.Reason, _ = m["reason"].(string)
			w.Approver, _ = m["approver"].(string)
			w.Expires, _ = m["expires"].(string)
			switch n := m["waiver"].(type) {
			case json.Number:
				i, _ := n.Int64()
				w.Index = int(i)
			case float64:
				w.Index = int(n)
			case int:
				w.Index = n
			}
			if msg == "" || (sev != string(Deny) && sev != string(Warn)) {
				return nil, &InputError{File: doc.File, Reason: fmt.Sprintf("policy data.%s.%s holds an entry without a message or a severity", t.namespace, t.rule)}
			}
			f := Finding{File: doc.File, Severity: Severity(sev), Message: msg, Namespace: t.namespace, RuleName: t.rule, Waiver: w}
			f.Rule, f.Resource = ParseMessage(msg)
			out = append(out, f)
		}
	}
	SortFindings(out)
	return out, nil
}

// trimRulePrefix is conftest's removeRulePrefix: the name an exception uses
// for a rule ("" for deny, violation and warn themselves).
func trimRulePrefix(rule string) string {
	if rule == "violation" || rule == "deny" || rule == "warn" {
		return ""
	}
	rule = strings.TrimPrefix(rule, "violation_")
	rule = strings.TrimPrefix(rule, "deny_")
	rule = strings.TrimPrefix(rule, "warn_")
	return rule
}

// SortFindings orders findings of one file by resource, rule, severity
// (deny first) and message.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Severity != b.Severity {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		return a.Message < b.Message
	})
}

// checkParams refuses parameters the bundle reports as invalid
// (data.rotation.lib.params.invalid: a max_ttl that is not a duration, an
// owner_pattern that is not a regular expression, ...) and logs the keys the
// bundle has no default for (typos). conftest would only turn an invalid
// parameter into "could not be checked" warnings; the checker treats it as a
// usage error (exit 2) so that a typo never weakens a check silently.
func (e *Engine) checkParams(ctx context.Context, store storage.Store, opts Options) error {
	if !e.hasPackage("rotation.lib.params") {
		return nil
	}
	rs, err := rego.New(
		rego.Compiler(e.compiler),
		rego.Store(store),
		rego.Query("invalid := [m | some m in data.rotation.lib.params.invalid]; defaults := [k | some k, _ in data.rotation.lib.params.defaults]"),
	).Eval(ctx)
	if err != nil {
		return fmt.Errorf("--params %s: %s", opts.ParamsFile, oneLine(err))
	}
	if len(rs) != 1 {
		return nil
	}
	if invalid, _ := rs[0].Bindings["invalid"].([]any); len(invalid) > 0 {
		msgs := make([]string, 0, len(invalid))
		for _, m := range invalid {
			msgs = append(msgs, fmt.Sprint(m))
		}
		sort.Strings(msgs)
		return fmt.Errorf("--params %s: %s", opts.ParamsFile, strings.Join(msgs, "; "))
	}
	known := map[string]bool{}
	defaults, _ := rs[0].Bindings["defaults"].([]any)
	for _, k := range defaults {
		if s, ok := k.(string); ok {
			known[s] = true
		}
	}
	if len(known) > 0 {
		var unknown []string
		for k := range ParamsOf(opts.Data) {
			if !known[k] {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			e.log.Warn("unknown parameter, ignored by the bundled rules", "file", opts.ParamsFile, "key", k)
		}
	}
	return nil
}

func (e *Engine) hasPackage(ns string) bool {
	for _, n := range e.namespaces {
		if n == ns {
			return true
		}
	}
	return false
}

// ParamDefaults returns the parameter defaults of the bundle
// (data.rotation.lib.params.defaults), for the sample params file of an
// export.
func (e *Engine) ParamDefaults(ctx context.Context) (map[string]any, error) {
	rs, err := rego.New(
		rego.Compiler(e.compiler),
		rego.Store(inmem.New()),
		rego.Query("d := data.rotation.lib.params.defaults"),
	).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the parameter defaults: %s", oneLine(err))
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("the bundle has no data.rotation.lib.params.defaults")
	}
	d, ok := rs[0].Bindings["d"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("data.rotation.lib.params.defaults is not an object")
	}
	return d, nil
}
