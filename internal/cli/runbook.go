package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/runbook"
)

const runbookUsage = `Usage: ` + Program + ` runbook [flags] PLAN_OR_STATE.json

Writes the credential lifecycle plan of an architecture review from a plan or
state (` + "`terraform show -json`" + ` output; "-" reads standard input): per secret family
the one-page runbook (purpose, storage, owners, blast radius, consumers and
caches, overlap arithmetic, rollout order with concrete dates, verification,
rollback with pin_active_version, schedule, next review) and a timeline of every
version over the horizon, projected with the provider's lifecycle engine.

Flags:
  --format FORMAT     markdown (default; timeline as a Mermaid gantt chart) or html
                      (one self-contained page with SVG timelines)
  --horizon DURATION  length of the timeline, e.g. 90d or 26w (default 180d)
  --now TIME          RFC 3339 instant to plan from (default: the plan's timestamp,
                      else the newest timestamp in the state, else the current time)
  --output FILE       write to FILE instead of standard output
  --log-level LEVEL   trace, debug, info, warn (default), error or off; logs go to stderr
  --log-json          log as JSON lines

Exit codes: 0 written, 2 bad usage or input (one line on stderr says why).
Secret values are never read or written. See docs/runbook.md.
`

var runbookFormats = []string{"markdown", "html"}

func runRunbook(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runbook", flag.ContinueOnError)
	var format, horizon, now, output, logLevel string
	var logJSON bool
	fs.StringVar(&format, "format", "markdown", "")
	fs.StringVar(&horizon, "horizon", "180d", "")
	fs.StringVar(&now, "now", "", "")
	fs.StringVar(&output, "output", "", "")
	fs.StringVar(&logLevel, "log-level", "warn", "")
	fs.BoolVar(&logJSON, "log-json", false, "")
	files, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if _, err := fmt.Fprint(stdout, runbookUsage); err != nil {
			return fail(stderr, "runbook", err)
		}
		return ExitOK
	}
	if err != nil {
		return fail(stderr, "runbook", err)
	}
	log, err := newLogger(stderr, "runbook", logLevel, logJSON)
	if err != nil {
		return fail(stderr, "runbook", err)
	}

	if format == "md" {
		format = "markdown"
	}
	if !contains(runbookFormats, format) {
		return fail(stderr, "runbook", usagef("unknown --format %q; use markdown or html", format))
	}
	hz, err := duration.Parse(horizon)
	if err != nil {
		return fail(stderr, "runbook", usagef("--horizon: %v", err))
	}
	if hz <= 0 || hz > runbook.MaxHorizon {
		return fail(stderr, "runbook", usagef("--horizon %s is out of range: use more than 0s and at most %s", horizon, duration.Format(runbook.MaxHorizon)))
	}
	var at time.Time
	if now != "" {
		at, err = time.Parse(time.RFC3339, now)
		if err != nil {
			return fail(stderr, "runbook", usagef("--now %q is not an RFC 3339 time such as 2026-01-05T09:00:00Z", now))
		}
	}
	switch len(files) {
	case 0:
		return fail(stderr, "runbook", usagef("no input file; usage: %s runbook [flags] PLAN_OR_STATE.json (see --help)", Program))
	case 1:
	default:
		return fail(stderr, "runbook", usagef("one input file expected, got %d; write one runbook per plan or state", len(files)))
	}
	if files[0] == "" {
		return fail(stderr, "runbook", usagef("empty file name"))
	}

	start := time.Now()
	in, err := runbook.Read(files[0], maxInputBytes)
	if err != nil {
		return fail(stderr, "runbook", err)
	}
	log.Debug("read", "file", in.File, "kind", in.Kind, "resources", len(in.Resources))
	source := in.File
	if source != "(stdin)" {
		source = filepath.Base(source)
	}
	rep, err := runbook.Build(in, runbook.Options{
		Now: at, Horizon: hz, Source: source, Generator: Program + " " + Version, Logger: log,
	})
	if err != nil {
		return fail(stderr, "runbook", err)
	}
	if len(rep.Families) == 0 && len(rep.Orphans) == 0 {
		log.Warn("no rotation resources in the document", "file", in.File)
	}

	var buf bytes.Buffer
	if format == "html" {
		err = rep.WriteHTML(&buf)
	} else {
		err = rep.WriteMarkdown(&buf)
	}
	if err != nil {
		return fail(stderr, "runbook", fmt.Errorf("rendering: %v", err))
	}
	if output != "" {
		if err := os.WriteFile(output, buf.Bytes(), 0o644); err != nil {
			return fail(stderr, "runbook", fmt.Errorf("--output %s: %v", output, describeErr(err)))
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fail(stderr, "runbook", fmt.Errorf("writing the runbook: %v", err))
	}
	log.Info("runbook written", "file", in.File, "format", format, "families", len(rep.Families), "orphans", len(rep.Orphans),
		"now", rep.Now.Format(time.RFC3339), "now_source", rep.NowSource, "horizon", duration.Format(hz), "bytes", buf.Len(), "elapsed", time.Since(start))
	return ExitOK
}

// describeErr drops the operation and path os errors repeat.
func describeErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
