package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

const policiesUsage = `Usage: ` + Program + ` policies [--export DIR]

Without flags, lists the bundled rules (id, severity, title) from their METADATA annotations.

  --export DIR   write the bundle for conftest and OPA users: every policy file except the
                 *_test.rego tests, a params.yaml with the default parameters (conftest's --data
                 shape) and a README.md; then run
                   conftest test --all-namespaces -p DIR plan.json
                   conftest test --all-namespaces -p DIR --data DIR/params.yaml plan.json
                   opa eval -d DIR -i plan.json 'data.rotation'
`

func runPolicies(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policies", flag.ContinueOnError)
	export := fs.String("export", "", "")
	logLevel := fs.String("log-level", "warn", "")
	logJSON := fs.Bool("log-json", false, "")
	rest, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if _, err := fmt.Fprint(stdout, policiesUsage); err != nil {
			return fail(stderr, "policies", err)
		}
		return ExitOK
	}
	if err != nil {
		return fail(stderr, "policies", err)
	}
	if len(rest) > 0 {
		return fail(stderr, "policies", usagef("unexpected argument %q (see --help)", rest[0]))
	}
	log, err := newLogger(stderr, "policies", *logLevel, *logJSON)
	if err != nil {
		return fail(stderr, "policies", err)
	}
	ctx := context.Background()
	engine, err := policy.New(ctx, policy.Options{Logger: log})
	if err != nil {
		return fail(stderr, "policies", err)
	}
	if *export != "" {
		if err := exportBundle(ctx, engine, *export, stdout); err != nil {
			return fail(stderr, "policies", err)
		}
		return ExitOK
	}
	if err := listRules(stdout, engine.Rules()); err != nil {
		return fail(stderr, "policies", fmt.Errorf("writing the list: %v", err))
	}
	return ExitOK
}

func listRules(w io.Writer, rules []policy.Rule) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
	unchecked := 0
	for _, r := range rules {
		sevs := make([]string, 0, len(r.Severities))
		for _, s := range r.Severities {
			sevs = append(sevs, string(s))
		}
		if len(sevs) == 0 {
			sevs = []string{string(r.Severity)}
		}
		if r.CanWarnUnchecked {
			unchecked++
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, strings.Join(sevs, "|"), r.Title)
	}
	_ = tw.Flush()
	_, _ = fmt.Fprintf(&buf, "\n%d rules. %d of them also warn \"could not be checked\" when a value they need is unknown until apply or invalid.\n", len(rules), unchecked)
	_, _ = fmt.Fprintln(&buf, "Severity deny fails `check` (exit 1); warn fails it only with --fail-on warn. warn|deny: the rule warns or denies depending on the resource or a parameter.")
	_, err := w.Write(buf.Bytes())
	return err
}

func exportBundle(ctx context.Context, engine *policy.Engine, dir string, stdout io.Writer) error {
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return fmt.Errorf("--export %s: not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--export %s: %v", dir, err)
	}
	written, err := policy.ExportBundle(dir)
	if err != nil {
		return fmt.Errorf("--export %s: %v", dir, err)
	}
	defaults, err := engine.ParamDefaults(ctx)
	if err != nil {
		return err
	}
	params, err := sampleParams(defaults)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "params.yaml"), params, 0o644); err != nil {
		return fmt.Errorf("--export %s: %v", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(exportReadme(engine.Rules())), 0o644); err != nil {
		return fmt.Errorf("--export %s: %v", dir, err)
	}
	_, err = fmt.Fprintf(stdout, "wrote %d policy files, params.yaml and README.md to %s\nrun: conftest test --all-namespaces -p %s plan.json\n", len(written), dir, dir)
	return err
}

// sampleParams renders the defaults in conftest's --data shape.
func sampleParams(defaults map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`# Parameters of the rotation policies, with their default values.
# Edit and pass with:   conftest test --all-namespaces -p DIR --data DIR/params.yaml plan.json
#                       terraform-provider-rotation check --params DIR/params.yaml plan.json
# (opa eval -d DIR loads this file as data, so its values apply there too.)
# A file only needs the keys it changes; lib/params.rego documents each key.
`)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"rotation": map[string]any{"params": plainNumbers(defaults)}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func exportReadme(rules []policy.Rule) string {
	var b strings.Builder
	b.WriteString(`# rotation policies (exported)

Written by ` + "`" + Program + " policies --export`" + ` (` + Version + `). Rego v1, one package per
concern (rotation.ttl, rotation.ownership, rotation.overlap, rotation.revocation,
rotation.hygiene) and helpers under rotation.lib. Input: ` + "`terraform show -json`" + ` of a plan or
a state.

    conftest test --all-namespaces -p . plan.json
    conftest test --all-namespaces -p . --data params.yaml plan.json
    opa eval -d . -i plan.json 'data.rotation'

Every message starts with the rule id and the resource address. The tests (*_test.rego)
are not exported; they live in the provider's repository.

| id | severity | rule |
|---|---|---|
`)
	for _, r := range rules {
		sevs := make([]string, 0, len(r.Severities))
		for _, s := range r.Severities {
			sevs = append(sevs, string(s))
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.ID, strings.Join(sevs, ", "), strings.ReplaceAll(r.Title, "|", `\|`))
	}
	return b.String()
}

// plainNumbers replaces json.Number (how OPA returns numbers) by int64 or
// float64, which YAML writes as numbers rather than strings.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainNumbers(e)
		}
		return out
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}
