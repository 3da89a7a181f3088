// Command decodefloor is the floor of the checker benchmark: it reads a
// plan JSON file and only decodes it, the way `check` does before any
// policy runs (encoding/json with UseNumber into map[string]any), and with
// -convert also converts the result to an OPA value once
// (ast.InterfaceToValue), which is the least an embedded-OPA checker that
// passes the whole document as input has to do. It prints nothing but
// errors; time it from outside.
//
//	go run ./tools/bench/decodefloor [-convert] plan.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/open-policy-agent/opa/v1/ast"
)

func main() {
	convert := flag.Bool("convert", false, "also convert the decoded document to an OPA value")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: decodefloor [-convert] FILE")
		os.Exit(2)
	}
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
	if *convert {
		if _, err := ast.InterfaceToValue(doc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
