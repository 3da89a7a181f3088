// Command genplan writes a synthetic `terraform show -json` plan for the
// benchmarks: N secret families (each a rotation_secret_family with two
// consumers and one rotation_secret) and M unrelated resources
// (terraform_data, as big plans are mostly resources of other providers),
// in exactly the shape Terraform 1.5.7 writes for the equivalent
// configuration with this provider (see genplan_test.go, which compares the
// output field by field with a real plan).
//
//	go run ./tools/genplan -families 1000 -unrelated 10000 -o plan.json
//	go run ./tools/genplan -families 3 -unrelated 3 -config DIR   # also write DIR/main.tf
//
// With -layout for_each the families and secrets are one resource block
// each with for_each over a local map (rotation_secret_family.f["0001"],
// rotation_secret.s["0001"], family = rotation_secret_family.f[each.key].id)
// instead of one block per family.
//
// Two kinds of plan:
//
//   - -mode existing (default): the secrets were created at -start and have
//     been rotated -rotations times by applies at the times the schedule
//     allowed (issue, activate after propagation, revoke after overlap,
//     each inside the change window); the plan is made one hour after the
//     last of those applies, when nothing is due, so every resource is a
//     no-op with its prior state. This is the plan a CI pipeline sees on
//     most days.
//   - -mode create: nothing exists yet; the plan creates everything at
//     -start.
//
// The secret's key material is real (ed25519 by default, from a generator
// seeded with -seed, so the output is reproducible) and so are the kids,
// public JWKs and JWKS; the lifecycle comes from the provider's own engine
// (internal/lifecycle). The plan's "timestamp" is the plan time (Terraform
// writes the wall clock there; the rules use it as "now").
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "genplan:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("genplan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := DefaultOptions()
	var start, out, configDir string
	var quiet bool
	fs.IntVar(&o.Families, "families", o.Families, "number of secret families (each: a family with two consumers and one rotation_secret)")
	fs.IntVar(&o.Unrelated, "unrelated", o.Unrelated, "number of unrelated resources (terraform_data)")
	fs.StringVar(&o.Mode, "mode", o.Mode, "existing (no-op plan of rotated secrets) or create")
	fs.IntVar(&o.Rotations, "rotations", o.Rotations, "existing mode: rotations completed before the plan")
	fs.StringVar(&o.Type, "type", o.Type, "rotation_secret type")
	fs.StringVar(&o.Layout, "layout", o.Layout, "resources (a resource block per family and secret) or for_each (one block each, for_each over a map)")
	fs.StringVar(&start, "start", o.Start.Format(time.RFC3339), "time of the first apply (create mode: of the plan), RFC 3339")
	fs.Int64Var(&o.Seed, "seed", o.Seed, "seed of the key material and ids")
	fs.StringVar(&out, "o", "-", "output file (- for standard output)")
	fs.StringVar(&configDir, "config", "", "also write the equivalent Terraform configuration to DIR/main.tf")
	fs.BoolVar(&quiet, "q", false, "do not print the summary on standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return fmt.Errorf("-start: %v", err)
	}
	o.Start = t.UTC()
	g, err := New(o)
	if err != nil {
		return err
	}
	if configDir != "" {
		if err := os.MkdirAll(configDir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(configDir, "main.tf"), g.Config(), 0o644); err != nil {
			return err
		}
	}
	w := stdout
	var f *os.File
	if out != "-" {
		if f, err = os.Create(out); err != nil {
			return err
		}
		w = f
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	if err := g.WritePlan(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
	}
	if !quiet {
		_, _ = fmt.Fprintf(stderr, "genplan: %d families, %d unrelated resources, mode %s, plan time %s, %d applies before it, %d bytes\n",
			o.Families, o.Unrelated, o.Mode, g.PlanTime().Format(time.RFC3339), len(g.ApplyTimes()), cw.n)
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
