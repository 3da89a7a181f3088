package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

const policiesUsage = `Usage: ` + Program + ` policies [--export DIR [--force]]

Without flags, lists the bundled rules (id, severity, title) from their METADATA annotations.

  --export DIR   write the bundle for conftest and OPA users: every policy file except the
                 *_test.rego tests, a params.yaml with the default parameters (conftest's --data
                 shape), a README.md and EXPORT.sha256 (what was written, for sha256sum -c);
                 then run
                   conftest test --all-namespaces -p DIR plan.json
                   conftest test --all-namespaces -p DIR --data DIR/params.yaml plan.json
                   opa eval -d DIR -i plan.json 'data.rotation'
                 DIR must be new, empty, or hold an unchanged previous export (which is
                 replaced, files it no longer has removed); anything else is refused
  --force        write into DIR anyway: the bundle's files are overwritten, other files are left
`

func runPolicies(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policies", flag.ContinueOnError)
	export := fs.String("export", "", "")
	force := fs.Bool("force", false, "")
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
	exporting := flagGiven(fs, "export")
	if exporting && strings.TrimSpace(*export) == "" {
		return fail(stderr, "policies", usagef("--export needs a directory: --export DIR (without --export the rules are listed)"))
	}
	if *force && !exporting {
		return fail(stderr, "policies", usagef("--force only applies to --export DIR"))
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
	if exporting {
		if err := exportBundle(ctx, engine, *export, *force, stdout); err != nil {
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
	unchecked, closed := 0, 0
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
		if r.FailsClosed {
			closed++
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, strings.Join(sevs, "|"), r.Title)
	}
	_ = tw.Flush()
	_, _ = fmt.Fprintf(&buf, "\n%d rules. %d of them deny when a value they need is unknown until apply or invalid (fail closed; params.unknown_inputs = warn makes them warn instead),\nand %d warn \"could not be checked\" when they cannot judge something (a missing family, an invalid parameter, or with unknown_inputs = warn).\n", len(rules), closed, unchecked)
	_, _ = fmt.Fprintln(&buf, "Severity deny fails `check` (exit 1); warn fails it only with --fail-on warn. warn|deny: the rule warns or denies depending on the resource or a parameter.")
	_, err := w.Write(buf.Bytes())
	return err
}

// exportBundle writes the bundle into dir (see planExport for when a
// directory that is not empty may be written; force writes anyway).
func exportBundle(ctx context.Context, engine *policy.Engine, dir string, force bool, stdout io.Writer) error {
	files, err := policy.BundleFiles()
	if err != nil {
		return fmt.Errorf("--export %s: %v", dir, err)
	}
	rego := len(files)
	defaults, err := engine.ParamDefaults(ctx)
	if err != nil {
		return err
	}
	params, err := sampleParams(defaults)
	if err != nil {
		return err
	}
	files["params.yaml"] = params
	files["README.md"] = []byte(exportReadme(engine.Rules()))
	plan, err := planExport(dir, files)
	if err != nil {
		return err
	}
	if len(plan.refusal) > 0 && !force {
		what := "is not empty and holds no export of this command"
		if plan.previous {
			what = "holds files that are not an unchanged previous export"
		}
		return usagef("--export %s: the directory %s (%s): nothing written; export into a new or empty directory, or add --force to overwrite the bundle's files there (other files are left as they are)", dir, what, refusalText(plan.refusal))
	}
	if err := plan.write(dir); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %d policy files, params.yaml, README.md and %s to %s", rego, manifestName, dir)
	switch {
	case len(plan.refusal) > 0:
		fmt.Fprintf(&b, " (--force: left %s as they were)", refusalText(plan.refusal))
	case plan.previous:
		b.WriteString(" (replacing the previous export")
		if len(plan.removed) > 0 {
			fmt.Fprintf(&b, "; removed %s, which the bundle no longer has", refusalText(plan.removed))
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, "\nrun: conftest test --all-namespaces -p %s plan.json\n", dir)
	_, err = io.WriteString(stdout, b.String())
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
are not exported; they live in the provider's repository. EXPORT.sha256 lists the files
written (` + "`sha256sum -c EXPORT.sha256`" + ` verifies them); an export into this directory
replaces them only while they are unchanged.

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
