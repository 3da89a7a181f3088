// Package cli implements the binary's policy subcommands: `check` (the
// bundled Rego policies, OPA embedded, on plan and state JSON),
// `policies` (list or export the bundle), `runbook` (the credential
// lifecycle plan, internal/runbook), `due` and `metrics` (what is due and
// what the dashboards show, internal/ops). main.go dispatches to Run.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Version is reported by SARIF output (tool.driver.version). main sets it
// from its own version variable; by default it is the module version from
// the build information ("(devel)" for a local build).
var Version = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}()

// Program is the name used in messages and usage text.
const Program = "terraform-provider-rotation"

// Exit codes of the subcommands.
const (
	ExitOK       = 0 // no finding at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on
	ExitUsage    = 2 // bad usage or input, or an internal error
)

// Usage is the part of the binary's help text that describes these
// subcommands (one line each), for main's usage message.
const Usage = `  ` + Program + ` check [flags] PLAN.json...   check plans/states against the bundled policies (--help for flags)
  ` + Program + ` policies [--export DIR]      list the bundled rules, or write the bundle for conftest/OPA
  ` + Program + ` runbook [flags] PLAN.json    write the credential lifecycle plan (Markdown or HTML; --help for flags)
  ` + Program + ` due [flags] STATE.json...    list the transitions due now or --within a window (exit 1 when due)
  ` + Program + ` metrics [flags] STATE.json...  write rotation metrics (Prometheus text or OpenMetrics)
`

// Run runs the subcommand named by args[0] and returns its exit code.
// handled is false (and nothing is written) when args[0] is not one of this
// package's subcommands. A panic anywhere below is turned into exit code 2
// and one line on stderr: never a stack trace.
func Run(args []string, stdout, stderr io.Writer) (exitCode int, handled bool) {
	if len(args) == 0 {
		return 0, false
	}
	var cmd func([]string, io.Writer, io.Writer) int
	switch args[0] {
	case "check":
		cmd = runCheck
	case "policies":
		cmd = runPolicies
	case "runbook":
		cmd = runRunbook
	case "due":
		cmd = runDue
	case "metrics":
		cmd = runMetrics
	default:
		return 0, false
	}
	defer func() {
		if r := recover(); r != nil {
			_, _ = fmt.Fprintf(stderr, "%s %s: internal error: %s\n", Program, args[0], flatten(fmt.Sprint(r)))
			exitCode, handled = ExitUsage, true
		}
	}()
	return cmd(args[1:], stdout, stderr), true
}

// errUsage is printed as one line and exits with 2.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usagef(format string, a ...any) error { return errUsage{fmt.Sprintf(format, a...)} }

// fail prints err as one line, prefixed with the command, and returns 2.
func fail(stderr io.Writer, cmd string, err error) int {
	_, _ = fmt.Fprintf(stderr, "%s %s: %s\n", Program, cmd, flatten(err.Error()))
	return ExitUsage
}

func flatten(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// parseArgs parses flags and positional arguments in any order (flags may
// follow file names, as in `check plan.json --format json`); "--" ends the
// flags. -h/--help is reported as flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	fs.SetOutput(io.Discard)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v (see --help)", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// fs.Parse stops at the first non-flag or after "--".
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// isTerminal reports whether w is a terminal (a character device) and
// colour is welcome (NO_COLOR unset, TERM not "dumb").
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	if _, set := os.LookupEnv("NO_COLOR"); set || os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
