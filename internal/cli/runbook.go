package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/runbook"
)

const runbookUsage = `Usage: ` + Program + ` runbook [flags] PLAN_OR_STATE.json

Writes the credential lifecycle plan of an architecture review from a plan or
state (` + "`terraform show -json`" + ` output; "-" reads standard input): per secret family
the one-page runbook (purpose, storage, owners, blast radius, consumers and
caches, overlap arithmetic, rollout order with concrete dates, verification,
rollback with pin_active_version, schedule, next review) and a timeline of every
version over the horizon, projected with the provider's lifecycle engine. The
document is read and judged by the same policies as ` + "`check`" + `: the verdicts of the
overlap arithmetic and the notes are check's findings, with the same flags.

Flags:
  --format FORMAT     markdown (default; timeline as a Mermaid gantt chart) or html
                      (one self-contained page with SVG timelines)
  --horizon DURATION  length of the timeline, e.g. 90d or 26w (default 180d)
  --now TIME          RFC 3339 instant to plan from, also params.now for the policies (default:
                      params.now, else the plan's timestamp, else the newest timestamp in the
                      state, else the current time)
` + policyFlagsUsage + `  --output FILE       write to FILE instead of standard output
  --log-level LEVEL   trace, debug, info, warn (default), error or off; logs go to stderr
  --log-json          log as JSON lines

Exit codes: 0 written, 2 bad usage or input (one line on stderr says why).
Secret values are never read or written. See docs/runbook.md.
`

var runbookFormats = []string{"markdown", "html"}

// runbookConfig is a parsed `runbook` command line.
type runbookConfig struct {
	policyFlags
	format  string
	horizon time.Duration
	now     time.Time
	output  string
	file    string
}

func runRunbook(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runbook", flag.ContinueOnError)
	var cfg runbookConfig
	var horizon, now, logLevel string
	var logJSON bool
	fs.StringVar(&cfg.format, "format", "markdown", "")
	fs.StringVar(&horizon, "horizon", "180d", "")
	fs.StringVar(&now, "now", "", "")
	fs.StringVar(&cfg.output, "output", "", "")
	fs.StringVar(&logLevel, "log-level", "warn", "")
	fs.BoolVar(&logJSON, "log-json", false, "")
	cfg.register(fs)
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
	if err := cfg.validate(horizon, now, files); err != nil {
		return fail(stderr, "runbook", err)
	}
	if err := checkOutput(cfg.output, []string{cfg.file}, cfg.params, cfg.policies); err != nil {
		return fail(stderr, "runbook", err)
	}

	start := time.Now()
	rep, in, err := buildRunbook(context.Background(), cfg, log)
	if err != nil {
		return fail(stderr, "runbook", err)
	}
	if len(rep.Families) == 0 && len(rep.Orphans) == 0 {
		log.Warn("no rotation resources in the document", "file", in.File)
	}

	var buf bytes.Buffer
	if cfg.format == "html" {
		err = rep.WriteHTML(&buf)
	} else {
		err = rep.WriteMarkdown(&buf)
	}
	if err != nil {
		return fail(stderr, "runbook", fmt.Errorf("rendering: %v", err))
	}
	if cfg.output != "" {
		if err := os.WriteFile(cfg.output, buf.Bytes(), 0o644); err != nil {
			return fail(stderr, "runbook", outputError(cfg.output, err))
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fail(stderr, "runbook", fmt.Errorf("writing the runbook: %v", err))
	}
	log.Info("runbook written", "file", in.File, "format", cfg.format, "families", len(rep.Families), "orphans", len(rep.Orphans),
		"now", rep.Now.Format(time.RFC3339), "now_source", rep.NowSource, "horizon", duration.Format(cfg.horizon), "bytes", buf.Len(), "elapsed", time.Since(start))
	return ExitOK
}

func (c *runbookConfig) validate(horizon, now string, files []string) error {
	if c.format == "md" {
		c.format = "markdown"
	}
	if !contains(runbookFormats, c.format) {
		return usagef("unknown --format %q; use markdown or html", c.format)
	}
	hz, err := duration.Parse(horizon)
	if err != nil {
		return usagef("--horizon: %v", err)
	}
	if hz <= 0 || hz > runbook.MaxHorizon {
		return usagef("--horizon %s is out of range: use more than 0s and at most %s", horizon, duration.Format(runbook.MaxHorizon))
	}
	c.horizon = hz
	if now != "" {
		c.now, err = time.Parse(time.RFC3339, now)
		if err != nil {
			return usagef("--now %q is not an RFC 3339 time such as 2026-01-05T09:00:00Z", now)
		}
	}
	switch len(files) {
	case 0:
		return usagef("no input file; usage: %s runbook [flags] PLAN_OR_STATE.json (see --help)", Program)
	case 1:
	default:
		return usagef("one input file expected, got %d; write one runbook per plan or state", len(files))
	}
	if files[0] == "" {
		return usagef("empty file name")
	}
	c.file = files[0]
	return nil
}

// buildRunbook compiles the policies (with --params, --policy and --now as
// params.now) and builds the runbook of the input file with them.
func buildRunbook(ctx context.Context, cfg runbookConfig, log hclog.Logger) (*runbook.Report, *runbook.Input, error) {
	engine, err := cfg.newEngine(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	return buildRunbookWith(ctx, engine, cfg, log)
}

// newEngine compiles the policies for the runbook: --now, when given, is
// also params.now, so that the rules judge time (ROT003, ROT013) at the
// runbook's instant.
func (c *runbookConfig) newEngine(ctx context.Context, log hclog.Logger) (*policy.Engine, error) {
	var now string
	if !c.now.IsZero() {
		now = c.now.UTC().Format(time.RFC3339Nano)
	}
	return c.engine(ctx, log, now)
}

// buildRunbookWith reads the document with check's reader, evaluates the
// policies and their view of it in one query and builds the report.
func buildRunbookWith(ctx context.Context, engine *policy.Engine, cfg runbookConfig, log hclog.Logger) (*runbook.Report, *runbook.Input, error) {
	// The same reader and options as check: extra policies may read
	// anything, so with them the whole document is kept.
	doc, err := cfg.read(cfg.file)
	if err != nil {
		return nil, nil, err
	}
	in, err := runbook.Evaluate(ctx, engine, doc, cfg.now)
	if err != nil {
		return nil, nil, err
	}
	families, credentials, findings := in.Counts()
	log.Debug("read", "file", in.File, "kind", in.Kind, "families", families, "credentials", credentials, "findings", findings)
	source := in.File
	if source != "(stdin)" {
		source = filepath.Base(source)
	}
	rep, err := runbook.Build(in, runbook.Options{
		Now: cfg.now, Horizon: cfg.horizon, Source: source, Generator: Program + " " + Version, Logger: log,
	})
	if err != nil {
		return nil, nil, err
	}
	return rep, in, nil
}

// describeErr drops the operation and path os errors repeat.
func describeErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
