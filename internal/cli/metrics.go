package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/ops"
)

const metricsUsage = `Usage: ` + Program + ` metrics [flags] [WORKSPACE=]STATE.json...

Writes the rotation indicators of states (` + "`terraform show -json`" + ` output; "-" reads
standard input) as metrics, evaluated at one instant: per secret and schedule
the age of the active version, versions by status, the next transition and how
overdue a due one is, held revocations, previous versions past their overlap,
ttl remaining and the last transition; per family the review. Labels name the
workspace (WORKSPACE=FILE, default "default"), address, resource type, family
and name. Serve the output with node_exporter's textfile collector or push it
to a Pushgateway; docs/metrics.md lists every metric and
examples/prometheus/rotation-alerts.yml has alert rules.

Flags:
  --format FORMAT     prometheus (default; the text exposition format 0.0.4, which
                      promtool check metrics lints) or openmetrics (OpenMetrics 1.0.0)
  --at TIME           RFC 3339 instant to evaluate at (default: now)
  --output FILE       write to FILE instead of standard output
  --log-level LEVEL   trace, debug, info, warn (default), error or off; logs go to stderr
  --log-json          log as JSON lines

Exit codes: 0 written, 2 bad usage or input (one line on stderr says why).
Secret values are never read or written.
`

var metricsFormats = []string{string(ops.FormatPrometheus), string(ops.FormatOpenMetrics)}

func runMetrics(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	var cfg opsConfig
	var at, logLevel string
	var logJSON bool
	fs.StringVar(&at, "at", "", "")
	fs.StringVar(&cfg.format, "format", string(ops.FormatPrometheus), "")
	fs.StringVar(&cfg.output, "output", "", "")
	fs.StringVar(&logLevel, "log-level", "warn", "")
	fs.BoolVar(&logJSON, "log-json", false, "")
	files, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if _, err := fmt.Fprint(stdout, metricsUsage); err != nil {
			return fail(stderr, "metrics", err)
		}
		return ExitOK
	}
	if err != nil {
		return fail(stderr, "metrics", err)
	}
	log, err := newLogger(stderr, "metrics", logLevel, logJSON)
	if err != nil {
		return fail(stderr, "metrics", err)
	}
	if !contains(metricsFormats, cfg.format) {
		return fail(stderr, "metrics", usagef("unknown --format %q; use prometheus or openmetrics", cfg.format))
	}
	if cfg.at, err = parseAt(at, dueClock); err != nil {
		return fail(stderr, "metrics", err)
	}
	if cfg.inputs, err = parseInputs("metrics", files); err != nil {
		return fail(stderr, "metrics", err)
	}

	start := time.Now()
	docs, err := readOps(context.Background(), cfg, log)
	if err != nil {
		return fail(stderr, "metrics", err)
	}
	for _, d := range docs {
		for _, c := range d.Credentials {
			if c.Problem != "" {
				log.Warn("cannot be evaluated: rotation_record_problem is 1", "file", d.File, "resource", c.Address, "reason", c.Problem)
			}
		}
	}
	col, err := ops.NewCollector(docs, cfg.at)
	if err != nil {
		return fail(stderr, "metrics", usagef("%v", err))
	}
	var buf bytes.Buffer
	if err := ops.WriteMetrics(&buf, col, ops.Format(cfg.format)); err != nil {
		return fail(stderr, "metrics", fmt.Errorf("encoding the metrics: %v", err))
	}
	if err := writeOutput(cfg, &buf, stdout); err != nil {
		return fail(stderr, "metrics", err)
	}
	log.Info("metrics written", "files", len(docs), "at", cfg.at.Format(time.RFC3339), "format", cfg.format, "bytes", buf.Len(), "elapsed", time.Since(start))
	return ExitOK
}
