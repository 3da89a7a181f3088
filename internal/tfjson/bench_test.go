package tfjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The reader against the decode floor, on the plans of the checker
// benchmark (tools/genplan, as tools/bench.sh makes them): N families alone
// ("pure") and with 10 × N unrelated resources ("mixed"), plus the no-op
// plan of existing secrets. N is TFJSON_BENCH_FAMILIES (default 1000; the
// issue's figures are at 10000). Compare with benchstat:
//
//	go test -run '^$' -bench . -count 6 ./internal/tfjson | tee new.txt
//
// Decode is the floor: encoding/json with UseNumber into Go values, what
// `check` did first. DecodeConvert adds ast.InterfaceToValue: the whole
// former reader. Read is the reader (what the bundle reads), ReadAll the
// reader keeping everything (check --policy). held-B/op is the heap the
// value read holds afterwards, cpu-ns/op the CPU time per read (all
// threads, GC included), steadier than the wall clock on a shared machine.

var benchPlans struct {
	once  sync.Once
	err   error
	files map[string][]byte
}

func benchPlan(b *testing.B, name string) []byte {
	b.Helper()
	benchPlans.once.Do(func() {
		n := 1000
		if s := os.Getenv("TFJSON_BENCH_FAMILIES"); s != "" {
			if n, benchPlans.err = strconv.Atoi(s); benchPlans.err != nil {
				return
			}
		}
		dir, err := os.MkdirTemp("", "tfjson-bench")
		if err != nil {
			benchPlans.err = err
			return
		}
		defer func() { _ = os.RemoveAll(dir) }()
		bin := filepath.Join(dir, "genplan")
		if out, err := exec.Command("go", "build", "-o", bin, "../../tools/genplan").CombinedOutput(); err != nil {
			benchPlans.err = fmt.Errorf("building genplan: %v: %s", err, out)
			return
		}
		benchPlans.files = map[string][]byte{}
		for name, args := range map[string][]string{
			"pure":     {"-mode", "create", "-families", strconv.Itoa(n), "-unrelated", "0"},
			"mixed":    {"-mode", "create", "-families", strconv.Itoa(n), "-unrelated", strconv.Itoa(10 * n)},
			"existing": {"-mode", "existing", "-families", strconv.Itoa(n / 10), "-unrelated", strconv.Itoa(n)},
		} {
			f := filepath.Join(dir, name+".json")
			if out, err := exec.Command(bin, append(args, "-q", "-o", f)...).CombinedOutput(); err != nil {
				benchPlans.err = fmt.Errorf("genplan %v: %v: %s", args, err, out)
				return
			}
			if benchPlans.files[name], err = os.ReadFile(f); err != nil {
				benchPlans.err = err
				return
			}
		}
	})
	if benchPlans.err != nil {
		b.Fatal(benchPlans.err)
	}
	return benchPlans.files[name]
}

var benchCases = []string{"pure", "mixed", "existing"}

func runBench(b *testing.B, read func([]byte) (any, error)) {
	for _, name := range benchCases {
		b.Run(name, func(b *testing.B) {
			data := benchPlan(b, name)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := read(data); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(held(b, func() (any, error) { return read(data) })), "held-B/op")
		})
	}
}

// cpuTime is the CPU time of the process (user and system, all threads:
// the GC's too), in nanoseconds. On a shared machine it varies less than
// the wall clock.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// held is the heap that the value read holds.
func held(b *testing.B, read func() (any, error)) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v, err := read()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func BenchmarkDecode(b *testing.B) { runBench(b, decode) }

func BenchmarkDecodeConvert(b *testing.B) {
	runBench(b, func(data []byte) (any, error) {
		v, err := decode(data)
		if err != nil {
			return nil, err
		}
		return ast.InterfaceToValue(v)
	})
}

func BenchmarkRead(b *testing.B) {
	runBench(b, func(data []byte) (any, error) {
		return Read("plan.json", bytes.NewReader(data), ReadOptions{MaxMemory: -1})
	})
}

func BenchmarkReadAll(b *testing.B) {
	runBench(b, func(data []byte) (any, error) {
		return Read("plan.json", bytes.NewReader(data), ReadOptions{MaxMemory: -1, KeepAll: true})
	})
}
