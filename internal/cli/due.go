package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/ops"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

const dueUsage = `Usage: ` + Program + ` due [flags] [WORKSPACE=]STATE_OR_PLAN.json...

Lists, per rotation_secret and rotation_schedule, the transitions due at --at
(issue, activate, revoke: what a plan at that instant does) or within --within
after it, why a step waits (a closed change window, a hold, a pin, a busy slot,
a record ahead of the clock) and the next transition after. Input is
` + "`terraform show -json`" + ` output of a state (or a plan, read as applied at --at); "-"
reads standard input. WORKSPACE=FILE names the workspace a state belongs to
(default: "default"), for a workflow that builds a matrix of workspaces from the
JSON output.

Flags:
  --at TIME           RFC 3339 instant to evaluate at (default: now)
  --within DURATION   also list the transitions due up to --at + DURATION, e.g. 1d or 7d,
                      each at the time an apply would make it (default 0s)
  --format FORMAT     text (default) or json (schema_version 1, see docs/due.md)
  --output FILE       write to FILE instead of standard output
  --log-level LEVEL   trace, debug, info, warn (default), error or off; logs go to stderr
  --log-json          log as JSON lines

Exit codes: 0 nothing due, 1 something due, 2 bad usage or input, or a resource
that cannot be evaluated (one line on stderr says why). See docs/due.md.
`

var dueFormats = []string{"text", "json"}

// opsConfig is what `due` and `metrics` share: the instant, the inputs and
// where the output goes.
type opsConfig struct {
	format string
	at     time.Time
	output string
	inputs []ops.Input
}

// parseAt reads --at ("" is the current time, to the second).
func parseAt(s string, clock func() time.Time) (time.Time, error) {
	if s == "" {
		return clock().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--at %q is not an RFC 3339 time such as 2026-01-05T09:00:00Z", s)
	}
	return t.UTC(), nil
}

// parseInputs reads the positional arguments: [WORKSPACE=]FILE each; an
// argument given twice counts once, a workspace named twice is refused.
func parseInputs(cmd string, files []string) ([]ops.Input, error) {
	if len(files) == 0 {
		return nil, usagef("no input files; usage: %s %s [flags] [WORKSPACE=]STATE.json... (see --help)", Program, cmd)
	}
	exists := func(name string) bool { _, err := os.Stat(name); return err == nil }
	var out []ops.Input
	seen, seenWS := map[string]bool{}, map[string]string{}
	for _, f := range files {
		in, err := ops.ParseInput(f, exists)
		if err != nil {
			return nil, usagef("%v", err)
		}
		ws := in.Workspace
		if ws == "" {
			ws = ops.DefaultWorkspace
		}
		key := ws + "\x00" + in.File
		if seen[key] {
			continue // the same argument twice
		}
		seen[key] = true
		if prev, ok := seenWS[ws]; ok {
			return nil, usagef("%s and %s are both for workspace %q: name each state's workspace with WORKSPACE=FILE", prev, in.File, ws)
		}
		seenWS[ws] = in.File
		out = append(out, in)
	}
	return out, nil
}

// readOps reads and evaluates every input at cfg.at with the embedded
// bundle (its view of the document; no extra policies or parameters: the
// verdicts are check's business).
func readOps(ctx context.Context, cfg opsConfig, log hclog.Logger) ([]*ops.Document, error) {
	engine, err := policy.New(ctx, policy.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	var docs []*ops.Document
	for _, in := range cfg.inputs {
		doc, err := tfjson.ReadFile(in.File, tfjson.ReadOptions{MaxBytes: maxInputBytes})
		if err != nil {
			return nil, err
		}
		d, err := ops.Read(ctx, engine, doc, in.Workspace, cfg.at, log)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// writeOutput writes buf to --output or standard output.
func writeOutput(cfg opsConfig, buf *bytes.Buffer, stdout io.Writer) error {
	if cfg.output != "" {
		if err := os.WriteFile(cfg.output, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--output %s: %v", cfg.output, describeErr(err))
		}
		return nil
	}
	_, err := stdout.Write(buf.Bytes())
	return err
}

// dueClock is the wall clock of `due` and `metrics` (tests replace it).
var dueClock = time.Now

func runDue(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("due", flag.ContinueOnError)
	var cfg opsConfig
	var at, within, logLevel string
	var logJSON bool
	fs.StringVar(&at, "at", "", "")
	fs.StringVar(&within, "within", "0s", "")
	fs.StringVar(&cfg.format, "format", "text", "")
	fs.StringVar(&cfg.output, "output", "", "")
	fs.StringVar(&logLevel, "log-level", "warn", "")
	fs.BoolVar(&logJSON, "log-json", false, "")
	files, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if _, err := fmt.Fprint(stdout, dueUsage); err != nil {
			return fail(stderr, "due", err)
		}
		return ExitOK
	}
	if err != nil {
		return fail(stderr, "due", err)
	}
	log, err := newLogger(stderr, "due", logLevel, logJSON)
	if err != nil {
		return fail(stderr, "due", err)
	}
	if !contains(dueFormats, cfg.format) {
		return fail(stderr, "due", usagef("unknown --format %q; use text or json", cfg.format))
	}
	if cfg.at, err = parseAt(at, dueClock); err != nil {
		return fail(stderr, "due", err)
	}
	w, err := duration.Parse(within)
	if err != nil {
		return fail(stderr, "due", usagef("--within: %v", err))
	}
	if w > ops.MaxWithin {
		return fail(stderr, "due", usagef("--within %s is too long: at most %s", within, duration.Format(ops.MaxWithin)))
	}
	if cfg.inputs, err = parseInputs("due", files); err != nil {
		return fail(stderr, "due", err)
	}

	start := time.Now()
	docs, err := readOps(context.Background(), cfg, log)
	if err != nil {
		return fail(stderr, "due", err)
	}
	rep := ops.Due(docs, ops.DueOptions{At: cfg.at, Within: w, Generator: Program + " " + Version})
	var buf bytes.Buffer
	if cfg.format == "json" {
		err = rep.WriteJSON(&buf)
	} else {
		err = rep.WriteText(&buf)
	}
	if err != nil {
		return fail(stderr, "due", fmt.Errorf("rendering: %v", err))
	}
	if err := writeOutput(cfg, &buf, stdout); err != nil {
		return fail(stderr, "due", err)
	}
	log.Info("due evaluated", "files", len(docs), "at", rep.At, "within", rep.Within, "due", rep.Due, "problems", rep.Problems, "elapsed", time.Since(start))
	switch {
	case rep.Problems > 0:
		_, _ = fmt.Fprintf(stderr, "%s due: %d resource(s) could not be evaluated: %s\n", Program, rep.Problems, flatten(firstProblem(rep)))
		return ExitUsage
	case rep.Due:
		return ExitFindings
	}
	return ExitOK
}

// firstProblem names the first resource that could not be evaluated, and
// why.
func firstProblem(rep *ops.DueReport) string {
	for _, d := range rep.Documents {
		for _, r := range d.Resources {
			if r.Problem != nil {
				return d.File + ": " + r.Address + ": " + *r.Problem
			}
		}
	}
	return ""
}
