package main

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The figures of issue 15 ("`check` near the physical floor, with memory
// bounded by the plan's size"), measured side by side in one run.

type exitResult struct {
	code  int
	first string // first line of output
}

type opaTest struct {
	Package  string `json:"package"`
	Name     string `json:"name"`
	Duration int64  `json:"duration"` // ns
	Fail     bool   `json:"fail"`
	Error    any    `json:"error"`
}

// target15 is one row of the issue's table: the measured value, how it
// compares with the target and, when missed, what limits it.
type target15 struct {
	figure, target, measured string
	short                    string // the figure, in the list of limits
	met                      bool
	by                       string // how far from the target, when missed
	limit                    string // what limits it, when missed
}

// over is the verdict of an upper-bound target (value ≤ bound).
func over(value, bound float64) (bool, string) {
	if math.IsNaN(value) {
		return false, "not measured"
	}
	if value <= bound {
		return true, ""
	}
	return false, fmt.Sprintf("%.2f× the target (+%.0f%%)", value/bound, 100*(value/bound-1))
}

// under is the verdict of a lower-bound target (value ≥ bound).
func under(value, bound float64) (bool, string) {
	if math.IsNaN(value) {
		return false, "not measured"
	}
	if value >= bound {
		return true, ""
	}
	return false, fmt.Sprintf("%.0f%% short", 100*(1-value/bound))
}

// worst keeps the verdict of the pair (pure / mixed) that misses more.
func worst(okA bool, byA string, a, boundA float64, okB bool, byB string, b, boundB float64, upper bool) (bool, string) {
	switch {
	case okA && okB:
		return true, ""
	case okA:
		return false, "mixed: " + byB
	case okB:
		return false, "pure: " + byA
	}
	if upper == (a/boundA >= b/boundB) {
		return false, "pure: " + byA + "; mixed: " + byB
	}
	return false, "mixed: " + byB + "; pure: " + byA
}

func (r *report) nmax() int {
	n := 0
	for _, c := range r.checkerCases("checker") {
		n = max(n, c.n)
	}
	return n
}

func fus(secs float64) string {
	if math.IsNaN(secs) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f µs", secs*1e6)
}

func fmb(kb float64) string {
	if math.IsNaN(kb) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MB", kb*1024/1e6)
}

// computeIssue15 fills r.issue15 from the measurements.
func (r *report) computeIssue15() {
	n := r.nmax()
	pure, mixed := fmt.Sprintf("n=%d m=0", n), fmt.Sprintf("n=%d m=%d", n, 10*n)
	startup, startupRSS := r.med("checker", "n=0 m=0", "check")
	if math.IsNaN(startup) {
		startup = 0
	}
	type measured struct {
		check, checkRSS, conftest, decode, read, readRSS float64
		size                                             int64
	}
	get := func(cas string) measured {
		var m measured
		m.check, m.checkRSS = r.med("checker", cas, "check")
		m.conftest = r.secs("checker", cas, "conftest")
		m.decode = r.secs("checker", cas, "decode")
		m.read, m.readRSS = r.med("checker", cas, "read")
		m.size = r.sizes["checker "+cas][0]
		return m
	}
	p, x := get(pure), get(mixed)
	N := fcount(n)

	// Where check's time goes, for the limits.
	split := func(label string, m measured) string {
		eval := m.check - m.read - startup
		return fmt.Sprintf("%s: `check` %s = start-up %s (compiling the bundle: the empty plan) + reading %s (the reader alone, %s the decode floor of %s) + rule evaluation %s (%.0f%% of `check`, %s the floor on its own)",
			label, fsecs(m.check), fsecs(startup), fsecs(m.read), fratio(m.read/m.decode), fsecs(m.decode), fsecs(eval), 100*eval/m.check, fratio(eval/m.decode))
	}
	// Growth of the evaluation per family from N/10 to N: a constant
	// per-family cost stays flat.
	growth := func() string {
		small := n / 10
		if small == 0 {
			return ""
		}
		cas := fmt.Sprintf("n=%d m=0", small)
		sc, sr := r.secs("checker", cas, "check"), r.secs("checker", cas, "read")
		a := (sc - sr - startup) / float64(small)
		z := (p.check - p.read - startup) / float64(n)
		if math.IsNaN(a) || math.IsNaN(z) || a <= 0 {
			return ""
		}
		s := fmt.Sprintf(" Rule evaluation per family (start-up excluded) is %s at N = %s and %s at N = %s", fus(a), fcount(small), fus(z), N)
		if z/a > 1.3 {
			return s + fmt.Sprintf(": %s per family for 10× the families, so the cost is not a constant per family but grows with N (a lookup or comprehension over all families per family, quadratic overall); `opa eval --profile` on a plan of N families finds the rule.", fratio(z/a))
		}
		return s + ": about constant, so the cost is the Rego work per family, spread over every rule of the bundle (docs/architecture.md, “What a family costs to check”, has the profile and the design change the target needs)."
	}()

	// 1, 2: check ÷ decode floor.
	fp, fx := p.check/p.decode, x.check/x.decode
	ok, by := over(fp, 4)
	r.issue15 = append(r.issue15, target15{figure: fmt.Sprintf("`check` ÷ JSON-decode floor, N = %s, pure plan", N), short: "`check` ÷ decode floor, pure", target: "≤ 4×", measured: fratio(fp), met: ok, by: by,
		limit: split("pure", p) + "." + growth})
	ok, by = over(fx, 2)
	r.issue15 = append(r.issue15, target15{figure: fmt.Sprintf("same, mixed with %s unrelated resources", fcount(10*n)), short: "`check` ÷ decode floor, mixed", target: "≤ 2×", measured: fratio(fx), met: ok, by: by,
		limit: split("mixed", x) + ". The reader skips the unrelated resources after checking their syntax; what remains above the floor is the rules' evaluation of the families."})

	// 3: rule evaluation per family = (check − read) ÷ N.
	ep, ex := (p.check-p.read)/float64(n), (x.check-x.read)/float64(n)
	okA, byA := over(ep, 150e-6)
	okB, byB := over(ex, 150e-6)
	ok, by = worst(okA, byA, ep, 150e-6, okB, byB, ex, 150e-6, true)
	r.issue15 = append(r.issue15, target15{figure: "rule evaluation per family, (`check` − read) ÷ N, pure / mixed", short: "rule evaluation per family", target: "≤ 150 µs", measured: fus(ep) + " / " + fus(ex), met: ok, by: by,
		limit: fmt.Sprintf("Per-family Rego cost: (`check` − read) ÷ N includes the start-up (%s, %s per family at N = %s); the rest is evaluating the bundle's rules, in shards on every core (%s here), so the CPU time per family is that many times the wall time.%s", fsecs(startup), fus(startup/float64(n)), N, r.meta["nproc"], growth) + r.coresText(pure, p.read, ep) + r.floorText()})

	// 4: peak RSS ÷ plan size.
	rp, rx := p.checkRSS*1024/float64(p.size), x.checkRSS*1024/float64(x.size)
	okA, byA = over(rp, 4)
	okB, byB = over(rx, 4)
	ok, by = worst(okA, byA, rp, 4, okB, byB, rx, 4, true)
	r.issue15 = append(r.issue15, target15{figure: fmt.Sprintf("peak RSS ÷ plan size, N = %s, pure / mixed (%s / %s)", N, fbytes(p.size), fbytes(x.size)), short: "peak RSS ÷ plan size", target: "≤ 4×", measured: fratio(rp) + " / " + fratio(rx), met: ok, by: by,
		limit: fmt.Sprintf("The reader alone peaks at %s (pure, %s the plan) and %s (mixed, %s); `check` at %s and %s, of which %s is there for an empty plan (the Go runtime and the compiled bundle). What neither the empty plan nor the reader accounts for, about %s and %s, is held while the rules are evaluated: `check` keeps the rotation resources as their checked JSON and builds the OPA values of 100 families at a time, one shard per core (docs/architecture.md, “Sharded evaluation”), so what is live is about the JSON of the rotation resources, the values and OPA's caches of the shards being evaluated, and the Go heap's headroom (`check` runs the collector at GOGC = 70 unless GOGC is set).",
			fmem(p.readRSS), fratio(p.readRSS*1024/float64(p.size)), fmem(x.readRSS), fratio(x.readRSS*1024/float64(x.size)), fmem(p.checkRSS), fmem(x.checkRSS), fmem(startupRSS), fmem(max(0, p.checkRSS-p.readRSS-startupRSS)), fmem(max(0, x.checkRSS-x.readRSS-startupRSS)))})

	if t := &r.issue15[len(r.issue15)-1]; !t.met && max(p.checkRSS, x.checkRSS) < 2*startupRSS {
		t.limit += " At these plan sizes the empty plan's memory dominates: the ratio is not the one of a big plan."
	}

	// 5: hostile input.
	hs, hrss := r.med("hostile", "x", "check")
	rs, rrss := r.med("hostile", "x", "read")
	codes := r.exitCodes("hostile", "x", "check")
	okT, byT := over(hs, 5)
	okM, byM := over(hrss*1024, 500e6)
	clearExit := len(codes) > 0
	for _, c := range codes {
		clearExit = clearExit && (c == 0 || c == 2)
	}
	var miss []string
	if !okT {
		miss = append(miss, "time "+byT)
	}
	if !okM {
		miss = append(miss, "memory "+byM)
	}
	if !clearExit {
		miss = append(miss, "exit code not 0 or 2")
	}
	r.issue15 = append(r.issue15, target15{figure: fmt.Sprintf("`{\"format_version\":\"1.2\",\"x\":[…]}` with %s of `{\"a\":1}` under an unknown key: time, peak RSS, exit", fbytes(r.sizes["hostile"][0])), short: "hostile input", target: "≤ 5 s, ≤ 500 MB, exit 0 or 2",
		measured: fmt.Sprintf("%s, %s, exit %s", fsecs(hs), fmb(hrss), r.exitSummary("hostile", "x", "check")), met: len(miss) == 0, by: strings.Join(miss, "; "),
		limit: fmt.Sprintf("The reader alone takes %s and %s on this file; `check` adds the start-up and an evaluation over an empty plan.", fsecs(rs), fmb(rrss))})

	// 6: conftest ÷ check.
	cp, cx := p.conftest/p.check, x.conftest/x.check
	okA, byA = under(cp, 3)
	okB, byB = under(cx, 3)
	ok, by = worst(okA, byA, cp, 3, okB, byB, cx, 3, false)
	r.issue15 = append(r.issue15, target15{figure: fmt.Sprintf("conftest ÷ `check`, N = %s, pure / mixed", N), short: "conftest ÷ `check`", target: "keep ≥ 3×", measured: fratio(cp) + " / " + fratio(cx), met: ok, by: by,
		limit: fmt.Sprintf("conftest %s / %s, `check` %s / %s. Both evaluate the same Rego; where the rules' evaluation dominates, `check` gains only on reading (conftest decodes and converts the whole document, once per namespace), and the ratio tends to that of the evaluation alone.", fsecs(p.conftest), fsecs(x.conftest), fsecs(p.check), fsecs(x.check))})

	// 7: the policy test suite, slowest test.
	slow, name, _ := r.slowestTest()
	ok, by = over(slow, 0.5)
	r.issue15 = append(r.issue15, target15{figure: "the policy test suite (`opa test`, as tools/policy-test.sh runs it), slowest test", short: "slowest policy test", target: "≤ 0.5 s", measured: fmt.Sprintf("%s (`%s`)", fsecs(slow), name), met: ok, by: by,
		limit: fmt.Sprintf("`%s` is the slowest; a test evaluates the rules on one small document, so its time is the bundle's evaluation (the per-family Rego cost) plus the load of the machine.", name)})
}

func (r *report) exitCodes(section, cas, tool string) []int {
	var out []int
	for _, e := range r.exits[key{section, cas, tool}] {
		out = append(out, e.code)
	}
	return out
}

// exitSummary is "0" when every run exited 0, else the codes of the runs.
func (r *report) exitSummary(section, cas, tool string) string {
	codes := r.exitCodes(section, cas, tool)
	if len(codes) == 0 {
		return "n/a"
	}
	same := true
	for _, c := range codes {
		same = same && c == codes[0]
	}
	if same {
		return strconv.Itoa(codes[0])
	}
	var s []string
	for _, c := range codes {
		s = append(s, strconv.Itoa(c))
	}
	return strings.Join(s, ", ")
}

// slowestTest is the median over the runs of the slowest test's duration
// (seconds), that test's name (the slowest of the median run) and the
// median total of the suite's durations.
func (r *report) slowestTest() (secs float64, name string, total float64) {
	type run struct {
		slow, total float64
		name        string
	}
	var runs []run
	for _, tests := range r.opaTests {
		var rn run
		for _, t := range tests {
			d := float64(t.Duration) / 1e9
			rn.total += d
			if d > rn.slow {
				rn.slow, rn.name = d, strings.TrimPrefix(t.Package, "data.")+"."+t.Name
			}
		}
		runs = append(runs, rn)
	}
	if len(runs) == 0 {
		return math.NaN(), "n/a", math.NaN()
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].slow < runs[j].slow })
	var slows, totals []float64
	for _, rn := range runs {
		slows = append(slows, rn.slow)
		totals = append(totals, rn.total)
	}
	return median(slows), runs[(len(runs)-1)/2].name, median(totals)
}

func (r *report) writeIssue15(b *bytes.Buffer) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("## Targets of issue 15\n\n")
	p("The figures of issue 15 (“`check` near the physical floor, with memory bounded by the plan's size”), from this run, at N = %s families. “read” is the reader `check` uses (internal/tfjson) run alone on the same file (`tools/bench/decodefloor -reader`); the decode floor is encoding/json alone (`tools/bench/decodefloor`).\n\n", fcount(r.nmax()))
	p("| figure | target | measured | |\n|---|---|---|---|\n")
	for _, t := range r.issue15 {
		verdict := "met"
		if !t.met {
			verdict = "**not met**"
			if t.by != "" {
				verdict += ": " + t.by
			}
		}
		p("| %s | %s | %s | %s |\n", t.figure, t.target, t.measured, verdict)
	}
	p("\n")
	var missed []target15
	for _, t := range r.issue15 {
		if !t.met {
			missed = append(missed, t)
		}
	}
	if len(missed) > 0 {
		p("What limits the targets that are missed:\n\n")
		for _, t := range missed {
			p("- **%s**: %s\n", t.short, t.limit)
		}
		p("\n")
	}
}

// writeHostile and writePolicyTests are the sections behind figures 5 and 7.
func (r *report) writeHostile(b *bytes.Buffer) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	if len(r.samples[key{"hostile", "x", "check"}]) == 0 {
		return
	}
	p("## A hostile or odd input\n\n")
	p("`{\"format_version\":\"1.2\",\"x\":[{\"a\":1},…]}`: a valid document of %s whose only big part is an array of small objects under a key no policy reads. encoding/json alone takes about a minute on it, so the floor is not run.\n\n", fbytes(r.sizes["hostile"][0]))
	p("| | time | peak RSS | exit code | first line of output |\n|---|---:|---:|---:|---|\n")
	for _, tool := range []struct{ id, label string }{{"check", "`check`"}, {"read", "the reader alone"}} {
		s, m := r.med("hostile", "x", tool.id)
		first := ""
		if e := r.exits[key{"hostile", "x", tool.id}]; len(e) > 0 {
			first = strings.ReplaceAll(e[0].first, "|", "\\|")
			if first != "" {
				first = "`" + first + "`"
			}
		}
		p("| %s | %s | %s | %s | %s |\n", tool.label, fsecs(s), fmem(m), r.exitSummary("hostile", "x", tool.id), first)
	}
	p("\n")
}

func (r *report) writePolicyTests(b *bytes.Buffer) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	if len(r.opaTests) == 0 {
		return
	}
	slow, _, total := r.slowestTest()
	wall := r.secs("policy-tests", "opa test", "opa")
	tests := r.opaTests[0]
	failed := 0
	for _, t := range tests {
		if t.Fail || t.Error != nil {
			failed++
		}
	}
	p("## The policy test suite\n\n")
	p("`opa test --format json policies` (%s), as `tools/policy-test.sh` runs it (no `-v`, which traces): %d tests, %d failed or errored; the whole run %s (wall clock, start-up included), the tests' own durations %s in all; the slowest test %s (medians of %d runs). The slowest tests:\n\n", r.meta["opa_version"], len(tests), failed, fsecs(wall), fsecs(total), fsecs(slow), len(r.opaTests))
	per := map[string][]float64{}
	for _, run := range r.opaTests {
		for _, t := range run {
			n := strings.TrimPrefix(t.Package, "data.") + "." + t.Name
			per[n] = append(per[n], float64(t.Duration)/1e9)
		}
	}
	type row struct {
		name string
		secs float64
	}
	var rows []row
	for n, d := range per {
		rows = append(rows, row{n, median(d)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].secs > rows[j].secs })
	p("| test | duration (median) |\n|---|---:|\n")
	for i, rw := range rows {
		if i == 5 {
			break
		}
		p("| `%s` | %s |\n", rw.name, fsecs(rw.secs))
	}
	p("\n")
}

// loadNote says how loaded the machine was (the bench runs wherever it is
// started; a shared machine makes every time an upper bound).
func (r *report) loadNote() string {
	start, end := r.meta["loadavg_start"], r.meta["loadavg_end"]
	if start == "" {
		return ""
	}
	l1, _ := strconv.ParseFloat(strings.Fields(start)[0], 64)
	s := fmt.Sprintf("The load average (1, 5, 15 min) was %s when the run started and %s when it ended, on %s cores", start, end, r.meta["nproc"])
	if l1 >= 1 {
		return s + ": **other jobs loaded the machine while it was measured**, so the times are upper bounds of what a quiet machine gives and the ratios between tools measured in the same run are the figures to read. "
	}
	return s + ". "
}

// coresText compares the pure plan of the largest size on one core
// (GOMAXPROCS=1) with all cores: the CPU the rules take per family, how far
// the shards scale, and what the per-family target needs at that cost.
// perFamily is (check − read) ÷ N on all cores.
func (r *report) coresText(cas string, read, perFamily float64) string {
	one := r.secs("checker-1core", cas, "check")
	cores, err := strconv.Atoi(r.meta["nproc"])
	n := r.nmax()
	if math.IsNaN(one) || math.IsNaN(read) || math.IsNaN(perFamily) || err != nil || cores < 1 || n == 0 || perFamily <= 0 {
		return ""
	}
	cpu := (one - read) / float64(n)
	speedup := cpu / perFamily
	const target = 150e-6
	s := fmt.Sprintf(" On one core (`GOMAXPROCS=1`, the same pure plan) it is %s per family, start-up included: about the CPU the rules take.", fus(cpu))
	if cores == 1 {
		return s
	}
	eff := speedup / float64(cores)
	s += fmt.Sprintf(" The %d cores ran it %s faster (%.0f%% of perfect scaling).", cores, fratio(speedup), 100*eff)
	if cpu <= target {
		return s
	}
	perfect := int(math.Ceil(cpu / target))
	s += fmt.Sprintf(" At that CPU per family, the target needs %d cores scaling perfectly", perfect)
	if eff < 1 {
		// At the measured efficiency: cores × (wall per family) ÷ target.
		s += fmt.Sprintf(" (%d at the scaling measured here, if it held)", int(math.Ceil(float64(cores)*perFamily/target)))
	}
	return s + fmt.Sprintf(", or, on %d cores, an evaluator %s cheaper per family than OPA's.", cores, fratio(perFamily/target))
}

// floorText is what tools/bench/regofloor measured, for the per-family
// target: the CPU time per family of what every rule reads before it judges
// anything, against the CPU the target leaves on this machine's cores.
func (r *report) floorText() string {
	us := map[string]float64{}
	families := 0
	for _, f := range r.floor {
		us[f.name] = f.us
		families = f.families
	}
	for _, k := range []string{"records", "base", "reads", "walk-once", "bundle"} {
		if us[k] <= 0 {
			return ""
		}
	}
	cores, err := strconv.Atoi(r.meta["nproc"])
	if err != nil || cores < 1 {
		return ""
	}
	budget := 150 * float64(cores)
	verdict := "a rewrite of the rules alone cannot meet it: the records and the reads would have to get cheaper too"
	if us["walk-once"] < budget {
		verdict = fmt.Sprintf("a bundle that walks each family once would leave %s per family for the collector and for what its rules compute beyond one test each", fus((budget-us["walk-once"])*1e-6))
	}
	text := fmt.Sprintf(" The floor under it (`tools/bench/regofloor`: one core, the garbage collector off, %s families, CPU time per family): the resource records cost %s; with the family links, the schedule table and the consumers %s; with one `field()` read of each attribute the rules read, once per family as a bundle that walks each family once would read them, %s; with 60 rules testing one attribute each on top, %s; the whole bundle costs %s. The target leaves %s of CPU per family on %d cores (150 µs of wall time each): what every rule reads before judging anything takes %.0f%% of it, the single reads of a walk-once bundle %.0f%%, so %s.",
		fcount(families), fus(us["records"]*1e-6), fus(us["base"]*1e-6), fus(us["reads"]*1e-6), fus(us["walk-once"]*1e-6), fus(us["bundle"]*1e-6),
		fus(budget*1e-6), cores, 100*us["base"]/budget, 100*us["reads"]/budget, verdict)
	if s := us["supplied"]; s > 0 {
		// What the bundle computes beyond one test per attribute: its
		// repeated reads are counted here too, so the sum is an upper
		// bound of what Rego would keep.
		beyond := us["bundle"] - us["walk-once"]
		if beyond < 0 {
			beyond = 0
		}
		text += fmt.Sprintf(" If the reader normalized each family in Go and handed the facts in already computed, the same 60 rules would cost %s, and with what the bundle computes beyond one test each (the bundle less walk-once, %s) about %s: %.0f%% of the budget before the collector.",
			fus(s*1e-6), fus(beyond*1e-6), fus((s+beyond)*1e-6), 100*(s+beyond)/budget)
	}
	return text + " See docs/architecture.md, “What a family costs to check”."
}
