// Command regofloor measures the floor under issue 15's per-family target:
// what reading a family costs in OPA's evaluator before any rule judges it,
// and what the bundle costs on top. It evaluates one plan in-process, on
// one core (GOMAXPROCS 1), with the exported bundle and one prepared query
// per stage, and prints the least CPU time of -runs evaluations of each
// stage, per family. The garbage collector is off while a stage evaluates:
// its work varies from run to run, and without it the figures are a floor
// (`check` pays the collector on top):
//
//	records    the resource records every rule reads (tf.resources)
//	base       records, family links, the schedule table and the consumers
//	reads      base, and one field() read of every attribute the rules read
//	           (the 16 of a secret, the 12 of its family, the versions'
//	           statuses), once per secret: what a bundle that walks each
//	           family once and builds one object per family pays at least
//	walk-once  reads, and 60 rules that each test one attribute of that
//	           object: the floor of such a bundle with as many rules as this one
//	bundle     the deny and warn of every package, what `check` evaluates
//	supplied   the 60 rules of walk-once alone, on the facts handed in
//	           already computed (the input is the facts object the reads
//	           stage built, evaluated once beforehand): what would be left
//	           in Rego if the reader normalized each family in Go
//
// Output: TSV lines "stage<TAB>µs per family<TAB>families", one per stage.
// `make bench` (tools/bench.sh) runs it on the plan of 1000 families and the
// page quotes it under the per-family target.
//
//	go run ./tools/bench/regofloor -bundle DIR [-runs 5] plan.json
//
// DIR is `terraform-provider-rotation policies --export DIR`.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

// The top-level attributes the rules read, of a secret and of its family.
var (
	secretAttributes = []string{"name", "family", "type", "material", "history_limit", "active_version", "hold_revocation", "hold_reason", "emission_gate", "revocation_gate", "revoke_versions", "revoke_reason", "pin_active_version", "used_after_revocation", "rotate_triggers", "next_transition"}
	familyAttributes = []string{"owner", "backup_owner", "classification", "name", "purpose", "runbook_url", "review_interval", "reviewed_at", "artifact_lifetime", "max_cache_ttl", "required_overlap", "storage"}
)

const rules = 60

// A stage evaluates query on the plan, or on the precomputed facts when
// supplied is set.
type stage struct {
	name, query string
	supplied    bool
}

var stages = []stage{
	{"records", `x := count(data.rotation.lib.terraform.resources)`, false},
	{"base", `x := [count(data.rotation.lib.terraform.resources), count(data.rotation.lib.terraform.family_of), count(data.rotation.lib.terraform.sched), count(data.rotation.lib.terraform.consumers)]`, false},
	{"reads", `x := count(data.regofloor.facts)`, false},
	{"walk-once", `x := [count(data.regofloor.facts), count(data.regofloor.deny)]`, false},
	{"bundle", `x := [[p, data.rotation[p].deny, data.rotation[p].warn] | some p in ["gates", "hygiene", "material", "overlap", "ownership", "revocation", "ttl", "waivers"]]`, false},
	{"supplied", `x := count(data.regofloor.supplied.deny)`, true},
}

func main() {
	bundle := flag.String("bundle", "", "the exported bundle (terraform-provider-rotation policies --export DIR)")
	runs := flag.Int("runs", 5, "evaluations per stage; the best counts")
	flag.Parse()
	if *bundle == "" || flag.NArg() != 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: regofloor -bundle DIR [-runs N] plan.json")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	if err := run(*bundle, flag.Arg(0), *runs); err != nil {
		fmt.Fprintln(os.Stderr, "regofloor:", err)
		os.Exit(1)
	}
}

// result is one stage's least CPU time per family.
type result struct {
	stage     string
	perFamily time.Duration
	families  int
}

func run(bundle, plan string, runs int) error {
	results, err := measureAll(context.Background(), bundle, plan, runs)
	if err != nil {
		return err
	}
	for _, r := range results {
		fmt.Printf("%s\t%.1f\t%d\n", r.stage, float64(r.perFamily.Nanoseconds())/1e3, r.families)
	}
	return nil
}

func measureAll(ctx context.Context, bundle, plan string, runs int) ([]result, error) {
	doc, err := tfjson.ReadFile(plan, tfjson.ReadOptions{})
	if err != nil {
		return nil, err
	}
	families, err := count(ctx, bundle, doc.Value)
	if err != nil {
		return nil, err
	}
	if families == 0 {
		return nil, fmt.Errorf("%s has no rotation_secret_family", plan)
	}
	facts, err := precomputed(ctx, bundle, doc.Value)
	if err != nil {
		return nil, err
	}
	var results []result
	for _, s := range stages {
		input := doc.Value
		if s.supplied {
			input = facts
		}
		best, err := measure(ctx, bundle, s.query, input, runs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		results = append(results, result{s.name, best / time.Duration(families), families})
	}
	return results, nil
}

func prepare(ctx context.Context, bundle, query string) (rego.PreparedEvalQuery, error) {
	return rego.New(
		rego.Query(query),
		rego.Load([]string{bundle}, func(path string, info os.FileInfo, _ int) bool {
			return !info.IsDir() && strings.HasSuffix(path, "_test.rego")
		}),
		rego.Module("regofloor.rego", module()),
		rego.Module("supplied.rego", suppliedModule()),
	).PrepareForEval(ctx)
}

// precomputed is the input of the supplied stage: {"facts": facts}, the
// facts of the plan evaluated once.
func precomputed(ctx context.Context, bundle string, input ast.Value) (ast.Value, error) {
	pq, err := prepare(ctx, bundle, `x := data.regofloor.facts`)
	if err != nil {
		return nil, err
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 {
		return nil, fmt.Errorf("computing the facts: %v", err)
	}
	return ast.InterfaceToValue(map[string]any{"facts": rs[0].Bindings["x"]})
}

func count(ctx context.Context, bundle string, input ast.Value) (int, error) {
	pq, err := prepare(ctx, bundle, `x := count(data.rotation.lib.terraform.families)`)
	if err != nil {
		return 0, err
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 {
		return 0, fmt.Errorf("counting the families: %v", err)
	}
	n, ok := rs[0].Bindings["x"].(json.Number)
	if !ok {
		return 0, fmt.Errorf("counting the families: %v is not a number", rs[0].Bindings["x"])
	}
	families, err := n.Int64()
	return int(families), err
}

func measure(ctx context.Context, bundle, query string, input ast.Value, runs int) (time.Duration, error) {
	pq, err := prepare(ctx, bundle, query)
	if err != nil {
		return 0, err
	}
	var best time.Duration
	for i := 0; i < runs; i++ {
		runtime.GC()
		debug.SetGCPercent(-1)
		start := cpuTime()
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
		elapsed := cpuTime() - start
		debug.SetGCPercent(100)
		if err != nil {
			return 0, err
		}
		if len(rs) != 1 {
			return 0, fmt.Errorf("%d results", len(rs))
		}
		if best == 0 || elapsed < best {
			best = elapsed
		}
	}
	return best, nil
}

// cpuTime is the CPU time the process has used (user and system, every
// thread: the garbage collector's too). Unlike the wall clock it does not
// count the time other jobs of a shared machine take the core.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		panic(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// module is the synthetic package: facts, one object per secret with a
// field() of every attribute the rules read, and rules that each test one.
func module() string {
	var b strings.Builder
	b.WriteString("package regofloor\n\nimport data.rotation.lib.terraform as tf\n\nfacts[a] := x if {\n\tsome a, s in tf.secrets\n\tf := tf.families[tf.family_of[a]]\n\tx := {\n")
	for _, k := range secretAttributes {
		fmt.Fprintf(&b, "\t\t%q: tf.field(s, [%q]),\n", k, k)
	}
	for _, k := range familyAttributes {
		fmt.Fprintf(&b, "\t\t%q: tf.field(f, [%q]),\n", "family_"+k, k)
	}
	b.WriteString("\t\t\"schedule\": tf.sched[a],\n\t\t\"consumers\": tf.consumers[f.address],\n")
	b.WriteString("\t\t\"statuses\": [tf.field(s, array.concat(e.path, [\"status\"])) | some e in tf.versions(s)],\n\t}\n}\n")
	writeRules(&b, factKeys(), "facts")
	return b.String()
}

// factKeys are the keys of a facts object the rules test.
func factKeys() []string {
	keys := append([]string{}, secretAttributes...)
	for _, k := range familyAttributes {
		keys = append(keys, "family_"+k)
	}
	return keys
}

// writeRules writes the 60 rules, each testing one attribute of every
// object of the facts at ref.
func writeRules(b *strings.Builder, keys []string, ref string) {
	for i := 0; i < rules; i++ {
		k := keys[i%len(keys)]
		fmt.Fprintf(b, "\ndeny contains msg if {\n\tsome a, x in %s\n\tx[%q].state == \"known\"\n\tx[%q].value == \"never-%d\"\n\tmsg := sprintf(\"R%d %%s\", [a])\n}\n", ref, k, k, i, i)
	}
}

// suppliedModule is the same rules on facts handed in as input.facts.
func suppliedModule() string {
	var b strings.Builder
	b.WriteString("package regofloor.supplied\n")
	writeRules(&b, factKeys(), "input.facts")
	return b.String()
}
