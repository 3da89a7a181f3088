// Command ruledocs writes the per-rule documentation (docs/rules/ROTnnn.md
// and docs/rules/README.md) from the rule METADATA and the policy fixtures;
// see internal/ruledocs. tools/docs.sh runs it: `generate` into docs/rules,
// `check` into a scratch directory that it compares with docs/rules.
//
//	go run ./tools/ruledocs [-root DIR] [-out DIR]
//
// It removes the pages of rules that no longer exist and leaves other files
// (docs/rules/embed.go) alone.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/rotationkit/terraform-provider-rotation/internal/ruledocs"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	out := flag.String("out", "docs/rules", "the directory to write the pages to")
	flag.Parse()
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "ruledocs:", err)
		os.Exit(1)
	}
}

var generated = regexp.MustCompile(`^(ROT[0-9]{3}|README)\.md$`)

func run(root, out string) error {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	pages, err := ruledocs.Generate(context.Background(), absRoot)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(absOut, 0o755); err != nil {
		return err
	}
	// Pages of rules that no longer exist go; other files (embed.go) stay.
	entries, err := os.ReadDir(absOut)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if generated.MatchString(e.Name()) {
			if _, ok := pages[e.Name()]; !ok {
				if err := os.Remove(filepath.Join(absOut, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	names := make([]string, 0, len(pages))
	for n := range pages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(absOut, n), pages[n], 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("ruledocs: wrote %d pages into %s\n", len(names), out)
	return nil
}
