// Command decodefloor is the floor of the checker benchmark: it reads a
// plan JSON file and only decodes it, the way `check` did before any policy
// runs (encoding/json with UseNumber into map[string]any), and with
// -convert also converts the result to an OPA value once
// (ast.InterfaceToValue), which is the least an embedded-OPA checker that
// passes the whole document as input has to do. With -reader it reads the
// file with the reader `check` uses now (internal/tfjson: only what the
// bundle reads, checked, its rotation resources kept as JSON for the
// shards to build; the rest built directly as an OPA value), and -reader-all keeps the
// whole document as `check --policy` does. It prints nothing but errors
// (and with -v the heap the value holds); time it from outside.
//
//	go run ./tools/bench/decodefloor [-convert | -reader | -reader-all] [-v] plan.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

func main() {
	convert := flag.Bool("convert", false, "also convert the decoded document to an OPA value")
	reader := flag.Bool("reader", false, "read with internal/tfjson (what `check` reads) instead of encoding/json")
	readerAll := flag.Bool("reader-all", false, "read with internal/tfjson, keeping the whole document")
	verbose := flag.Bool("v", false, "print the heap held by the value read")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: decodefloor [-convert | -reader | -reader-all] [-v] FILE")
		os.Exit(2)
	}
	var value any
	if *reader || *readerAll {
		// As `check` reads: the rotation resources deferred (kept as
		// their checked JSON, built shard by shard during the evaluation).
		doc, err := tfjson.ReadFile(flag.Arg(0), tfjson.ReadOptions{KeepAll: *readerAll, Defer: !*readerAll, MaxMemory: -1})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		value = doc.Value
		if *verbose {
			fmt.Printf("size %d kept %d value (estimated) %d memory estimate %d\n", doc.Size, doc.Kept, doc.ValueBytes, doc.Estimate)
		}
	} else {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		value = doc
		if *convert {
			v, err := ast.InterfaceToValue(doc)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			value, doc = v, nil
		}
	}
	if *verbose {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Printf("heap held: %d bytes\n", m.HeapAlloc)
	}
	runtime.KeepAlive(value)
}
