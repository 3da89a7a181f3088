// Command report writes docs/benchmarks.md from the measurements
// tools/bench.sh collected in its work directory: every number in the page
// comes from those files (medians of the runs, ratios, which targets are
// met), nothing is typed by hand.
//
//	go run ./tools/bench/report -dir WORKDIR -o docs/benchmarks.md
//
// Inputs in WORKDIR (written by tools/bench.sh):
//
//	results.tsv   section, case, tool, run, wall seconds, peak RSS (KiB)
//	sizes.tsv     case, plan bytes, resources
//	meta.txt      key=value: versions, runs, start time, elapsed seconds
//	commands.txt  section, command (one line each, as run)
//	state.json    state size per rotation (internal/provider TestBenchStateSize)
//	state-real.tfstate  the real Terraform state after 5 rotations
//	decide.txt    `go test -bench BenchmarkDecide` output (internal/lifecycle)
//	keygen.txt    `go test -bench BenchmarkGenerate` output (internal/material)
//	exits.tsv     section, case, tool, run, exit code, first line of output
//	              (the measurements whose exit code is a result)
//	opa-test-N.json  `opa test --format json policies` of run N
//	regofloor.tsv stage, µs of CPU per family, families
//	              (tools/bench/regofloor on one plan)
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", "", "work directory of tools/bench.sh")
	out := flag.String("o", "docs/benchmarks.md", "output file")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: report -dir WORKDIR [-o FILE]")
		os.Exit(2)
	}
	r, err := load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	var b bytes.Buffer
	r.write(&b)
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	for _, t := range r.issue15 {
		fmt.Printf("%-70s %-18s %s\n", t.figure, t.measured, map[bool]string{true: "met", false: "NOT MET: " + t.by}[t.met])
	}
	for _, t := range r.targets {
		fmt.Printf("%-70s %-18s %s\n", t.name, t.measured, map[bool]string{true: "met", false: "NOT MET"}[t.met])
	}
}

// ---------------------------------------------------------------------------
// Inputs

type sample struct{ secs, rssKB float64 }

type key struct{ section, cas, tool string }

type report struct {
	dir      string
	samples  map[key][]sample
	sizes    map[string][2]int64 // case -> bytes, resources
	meta     map[string]string
	commands [][2]string
	state    stateResult
	stateTF  int // bytes of the real Terraform state's attributes after 5 rotations (0: missing)
	decide   map[string][]benchLine
	keygen   map[string][]benchLine
	targets  []target
	issue15  []target15
	exits    map[key][]exitResult
	opaTests [][]opaTest // per run
	floor    []floorStage

	foreachGrowth string  // "1 000 → 2 000 families (2.00×) takes 3.05× the time"
	foreachRatio  float64 // time growth ÷ size growth of the last two for_each sizes (1 = linear)
}

// floorStage is one line of tools/bench/regofloor: the least CPU time per
// family of one stage of the evaluation, on one core.
type floorStage struct {
	name     string
	us       float64
	families int
}

type stateResult struct {
	Points []struct {
		Rotations, Versions, Bytes int
	} `json:"points"`
}

type benchLine struct {
	nsPerOp float64
	metrics map[string]float64
}

func load(dir string) (*report, error) {
	r := &report{dir: dir, samples: map[key][]sample{}, sizes: map[string][2]int64{}, meta: map[string]string{}}
	if err := eachLine(filepath.Join(dir, "results.tsv"), func(f []string) error {
		if len(f) != 6 {
			return fmt.Errorf("results.tsv: %d fields", len(f))
		}
		secs, err1 := strconv.ParseFloat(f[4], 64)
		rss, err2 := strconv.ParseFloat(f[5], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("results.tsv: bad numbers in %q", f)
		}
		k := key{f[0], f[1], f[2]}
		r.samples[k] = append(r.samples[k], sample{secs, rss})
		return nil
	}); err != nil {
		return nil, err
	}
	_ = eachLine(filepath.Join(dir, "sizes.tsv"), func(f []string) error {
		if len(f) == 3 {
			b, _ := strconv.ParseInt(f[1], 10, 64)
			n, _ := strconv.ParseInt(f[2], 10, 64)
			r.sizes[f[0]] = [2]int64{b, n}
		}
		return nil
	})
	_ = eachLine(filepath.Join(dir, "meta.txt"), func(f []string) error {
		line := strings.Join(f, "\t")
		if k, v, ok := strings.Cut(line, "="); ok {
			r.meta[k] = v
		}
		return nil
	})
	_ = eachLine(filepath.Join(dir, "commands.txt"), func(f []string) error {
		if len(f) >= 2 {
			r.commands = append(r.commands, [2]string{f[0], strings.Join(f[1:], "\t")})
		}
		return nil
	})
	if b, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
		if err := json.Unmarshal(b, &r.state); err != nil {
			return nil, fmt.Errorf("state.json: %v", err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "state-real.tfstate")); err == nil {
		r.stateTF = stateAttributesBytes(b)
	}
	_ = eachLine(filepath.Join(dir, "regofloor.tsv"), func(f []string) error {
		if len(f) == 3 {
			us, err1 := strconv.ParseFloat(f[1], 64)
			n, err2 := strconv.Atoi(f[2])
			if err1 == nil && err2 == nil {
				r.floor = append(r.floor, floorStage{f[0], us, n})
			}
		}
		return nil
	})
	r.decide = parseBench(filepath.Join(dir, "decide.txt"))
	r.keygen = parseBench(filepath.Join(dir, "keygen.txt"))
	r.exits = map[key][]exitResult{}
	_ = eachLine(filepath.Join(dir, "exits.tsv"), func(f []string) error {
		if len(f) >= 5 {
			rc, _ := strconv.Atoi(f[4])
			k := key{f[0], f[1], f[2]}
			r.exits[k] = append(r.exits[k], exitResult{rc, strings.Join(f[5:], " ")})
		}
		return nil
	})
	runs, _ := filepath.Glob(filepath.Join(dir, "opa-test-*.json"))
	sort.Strings(runs)
	for _, path := range runs {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var tests []opaTest
		if err := json.Unmarshal(b, &tests); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Base(path), err)
		}
		r.opaTests = append(r.opaTests, tests)
	}
	return r, nil
}

func eachLine(path string, fn func([]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(strings.Split(line, "\t")); err != nil {
			return err
		}
	}
	return sc.Err()
}

// stateAttributesBytes is the compact JSON size of the attributes of the
// rotation_secret in a terraform.tfstate (as the provider test measures).
func stateAttributesBytes(b []byte) int {
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes json.RawMessage `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if json.Unmarshal(b, &st) != nil {
		return 0
	}
	for _, r := range st.Resources {
		if r.Type == "rotation_secret" && len(r.Instances) == 1 {
			var c bytes.Buffer
			if json.Compact(&c, r.Instances[0].Attributes) == nil {
				return c.Len()
			}
		}
	}
	return 0
}

var benchRE = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)

// parseBench reads `go test -bench` output: name (without the -GOMAXPROCS
// suffix) -> one line per -count run.
func parseBench(path string) map[string][]benchLine {
	out := map[string][]benchLine{}
	_ = eachLine(path, func(f []string) error {
		m := benchRE.FindStringSubmatch(strings.Join(f, " "))
		if m == nil {
			return nil
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		bl := benchLine{nsPerOp: ns, metrics: map[string]float64{}}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				bl.metrics[fields[i+1]] = v
			}
		}
		out[m[1]] = append(out[m[1]], bl)
		return nil
	})
	return out
}

// ---------------------------------------------------------------------------
// Statistics

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (r *report) med(section, cas, tool string) (secs, rssKB float64) {
	ss := r.samples[key{section, cas, tool}]
	var t, m []float64
	for _, s := range ss {
		t = append(t, s.secs)
		m = append(m, s.rssKB)
	}
	return median(t), median(m)
}

func (r *report) secs(section, cas, tool string) float64 {
	s, _ := r.med(section, cas, tool)
	return s
}

func benchMedian(lines []benchLine) (ns float64, metrics map[string]float64) {
	var xs []float64
	metrics = map[string]float64{}
	per := map[string][]float64{}
	for _, l := range lines {
		xs = append(xs, l.nsPerOp)
		for k, v := range l.metrics {
			per[k] = append(per[k], v)
		}
	}
	for k, v := range per {
		metrics[k] = median(v)
	}
	return median(xs), metrics
}

// ---------------------------------------------------------------------------
// Formatting

func fsecs(s float64) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case s < 0.1:
		return fmt.Sprintf("%.3f s", s)
	case s < 10:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

func fmem(kb float64) string {
	switch {
	case math.IsNaN(kb):
		return "n/a"
	case kb >= 1024*1024:
		return fmt.Sprintf("%.1f GiB", kb/1024/1024)
	}
	return fmt.Sprintf("%.0f MiB", kb/1024)
}

func fbytes(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

func fratio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", x)
}

func fcount(n int) string {
	s := strconv.Itoa(n)
	if n < 10000 {
		return s
	}
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	return strings.Join(append([]string{s}, out...), " ")
}

func fns(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "n/a"
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func fper(ns float64) string {
	if math.IsNaN(ns) || ns == 0 {
		return "n/a"
	}
	v := 1e9 / ns
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1f M/s", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f k/s", v/1e3)
	case v >= 10:
		return fmt.Sprintf("%.0f /s", v)
	}
	return fmt.Sprintf("%.2f /s", v)
}

type target struct {
	name, measured string
	met            bool
}

func (r *report) addTarget(name string, value float64, measured string, ok bool) {
	if math.IsNaN(value) {
		measured, ok = "not measured", false
	}
	r.targets = append(r.targets, target{name, measured, ok})
}

func yes(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}
