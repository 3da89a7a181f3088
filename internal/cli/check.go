package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

// maxInputBytes caps each input document; tests lower it.
var maxInputBytes = policy.DefaultMaxInputBytes

// formats of `check --format`.
var formats = []string{"text", "json", "sarif", "junit", "github"}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

const checkUsage = `Usage: ` + Program + ` check [flags] PLAN.json...
       ` + Program + ` check --explain RULE

Checks Terraform/OpenTofu plans and states (` + "`terraform show -json`" + ` output; "-" reads
standard input) against the bundled rotation policies, with OPA embedded.

Flags:
  --format FORMAT     text (default), json, sarif, junit or github
` + policyFlagsUsage + `  --fail-on LEVEL     deny (default) or warn: the lowest severity that makes the exit code 1
  --output FILE       write the report to FILE instead of standard output
  --max-memory SIZE   memory budget, e.g. 2GiB (default) or 512MiB: a document whose part the
                      policies read would need more is refused (exit 2) instead of swapping
  --config DIR        the Terraform configuration the plans were made from (default: the
                      current directory when it holds .tf files; '' turns it off): findings
                      point at the .tf line of their resource and attribute
  --explain RULE      print the documentation of a rule (docs/rules/RULE.md: what it checks,
                      why, how to fix it, examples) and exit
  --log-level LEVEL   trace, debug, info, warn (default), error or off; logs go to stderr
  --log-json          log as JSON lines

Findings a valid params.waivers entry covers are reported as waived and never fail;
a broken or expired waiver is itself a deny (ROT090).

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above --fail-on,
2 bad usage or input (one line on stderr says which file and why).
See docs/check.md.
`

type checkConfig struct {
	policyFlags
	format string
	failOn policy.Severity
	output string
	config string // "" when no configuration is read
	files  []string
	// maxMemory is the memory budget of reading each document.
	maxMemory int64
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var cfg checkConfig
	var failOn, logLevel, maxMemory string
	var logJSON bool
	fs.StringVar(&cfg.format, "format", "text", "")
	cfg.register(fs)
	fs.StringVar(&failOn, "fail-on", "deny", "")
	fs.StringVar(&cfg.output, "output", "", "")
	fs.StringVar(&maxMemory, "max-memory", "2GiB", "")
	fs.StringVar(&logLevel, "log-level", "warn", "")
	fs.BoolVar(&logJSON, "log-json", false, "")
	configFlag := fs.String("config", "", "")
	explainID := fs.String("explain", "", "")
	files, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if _, err := fmt.Fprint(stdout, checkUsage); err != nil {
			return fail(stderr, "check", err)
		}
		return ExitOK
	}
	if err != nil {
		return fail(stderr, "check", err)
	}
	if flagGiven(fs, "explain") {
		if len(files) > 0 {
			return fail(stderr, "check", usagef("--explain RULE prints a rule's documentation and takes no input files"))
		}
		return explain(*explainID, stdout, stderr)
	}
	log, err := newLogger(stderr, "check", logLevel, logJSON)
	if err != nil {
		return fail(stderr, "check", err)
	}
	if err := cfg.validate(failOn, files); err != nil {
		return fail(stderr, "check", err)
	}
	if err := checkOutput(cfg.output, cfg.files, cfg.params, cfg.policies); err != nil {
		return fail(stderr, "check", err)
	}
	if cfg.maxMemory, err = tfjson.ParseByteSize(maxMemory); err != nil || cfg.maxMemory == 0 {
		return fail(stderr, "check", usagef("--max-memory %q is not a size such as 2GiB or 512MiB", maxMemory))
	}
	cfg.config = configDir(*configFlag, flagGiven(fs, "config"))
	return check(context.Background(), cfg, log, stdout, stderr)
}

func (c *checkConfig) validate(failOn string, files []string) error {
	if !contains(formats, c.format) {
		return usagef("unknown --format %q; use one of %s", c.format, strings.Join(formats, ", "))
	}
	switch failOn {
	case "deny":
		c.failOn = policy.Deny
	case "warn":
		c.failOn = policy.Warn
	default:
		return usagef("unknown --fail-on %q; use deny or warn", failOn)
	}
	if len(files) == 0 {
		return usagef("no input files; usage: %s check [flags] PLAN.json... (see --help)", Program)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if f == "" {
			return usagef("empty file name")
		}
		if !seen[f] {
			seen[f] = true
			c.files = append(c.files, f)
		}
	}
	return nil
}

// checkGCPercent is the garbage collector's target `check` runs with
// unless GOGC is set: the heap may grow by 70% of what is live before a
// collection, instead of Go's 100%. What is live is mostly the document,
// read once and kept for the whole evaluation, while every shard's garbage
// is short-lived; measured on 10 000 families (a 59 MiB plan), 100% peaked
// at 245 MB in 9.3 s, 70% at 211 MB in 10.0 s, 50% at 211 MB in 11.6 s.
const checkGCPercent = 70

func check(ctx context.Context, cfg checkConfig, log hclog.Logger, stdout, stderr io.Writer) int {
	start := time.Now()
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(checkGCPercent))
	}
	engine, err := cfg.engine(ctx, log, "")
	if err != nil {
		return fail(stderr, "check", err)
	}

	rep := &report{rules: engine.Rules(), failOn: cfg.failOn}
	src := loadSources(cfg.config, rep.rules, log)
	for _, name := range cfg.files {
		// Defer: the rotation resources stay JSON until the shard that
		// holds them is evaluated (internal/tfjson/deferred.go).
		doc, err := cfg.readWith(name, tfjson.ReadOptions{MaxMemory: cfg.maxMemory, MemoryFlag: "--max-memory", Defer: true})
		if err != nil {
			return fail(stderr, "check", err)
		}
		log.Debug("read", "file", doc.File, "kind", doc.Kind, "bytes", doc.Size, "kept", doc.Kept, "memory_estimate", doc.Estimate)
		findings, waived, err := engine.EvaluateAll(ctx, doc)
		if err != nil {
			return fail(stderr, "check", err)
		}
		rep.results = append(rep.results, fileResult{file: doc.File, findings: findings, locs: src.locate(findings), waived: waived, waivedLocs: src.locate(waived)})
	}
	rep.note = src.note()
	deny, warn := rep.counts()
	log.Info("checked", "files", len(cfg.files), "deny", deny, "warn", warn, "waived", rep.waivedCount(), "elapsed", time.Since(start))

	var buf bytes.Buffer
	colour := cfg.output == "" && cfg.format == "text" && isTerminal(stdout)
	if err := rep.write(&buf, cfg.format, colour); err != nil {
		return fail(stderr, "check", err)
	}
	if cfg.output != "" {
		if err := os.WriteFile(cfg.output, buf.Bytes(), 0o644); err != nil {
			return fail(stderr, "check", outputError(cfg.output, err))
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fail(stderr, "check", fmt.Errorf("writing the report: %v", err))
	}
	return rep.exitCode()
}

// newLogger builds the go-hclog logger of a subcommand: stderr, the given
// level, plain or JSON lines. Callers never log input values, only file
// names, counts and durations.
func newLogger(w io.Writer, name, level string, asJSON bool) (hclog.Logger, error) {
	l := hclog.LevelFromString(level)
	if l == hclog.NoLevel {
		return nil, usagef("unknown --log-level %q; use trace, debug, info, warn, error or off", level)
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       Program + "." + name,
		Level:      l,
		Output:     w,
		JSONFormat: asJSON,
		Color:      hclog.ColorOff,
	}), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
