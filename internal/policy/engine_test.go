package policy

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
	"github.com/rotationkit/terraform-provider-rotation/policies"
)

func newEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func evaluate(t testing.TB, e *Engine, plan []byte) []Finding {
	t.Helper()
	doc, err := ReadInput("plan.json", bytes.NewReader(plan), 0)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Evaluate(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func keys(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, string(f.Severity)+" "+f.Rule+" "+f.Resource)
	}
	sort.Strings(out)
	return out
}

func TestEvaluateBundle(t *testing.T) {
	e := newEngine(t, Options{})
	short := policytest.Clean("jwt")
	short.Overlap = "30m"
	noWindow := policytest.Clean("win")
	noWindow.NoChangeWindow = true
	cases := []struct {
		name     string
		families []policytest.Family
		want     []string
	}{
		{"clean", []policytest.Family{policytest.Clean("a")}, []string{}},
		{"no resources", nil, []string{}},
		{"overlap too short", []policytest.Family{policytest.Clean("a"), short}, []string{"deny ROT020 rotation_secret.jwt"}},
		{"no change window", []policytest.Family{noWindow}, []string{"warn ROT041 rotation_secret.win"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := keys(evaluate(t, e, policytest.Plan(tc.families...)))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestROT020Message(t *testing.T) {
	e := newEngine(t, Options{})
	f := policytest.Clean("jwt")
	f.Overlap = "30m"
	got := evaluate(t, e, policytest.Plan(f))
	if len(got) != 1 {
		t.Fatalf("findings: %+v", got)
	}
	want := "ROT020 rotation_secret.jwt: overlap 30m must exceed 1h (longest consumer cache 1h + artifact lifetime 0s)"
	if got[0].Message != want || got[0].Namespace != "rotation.overlap" || got[0].RuleName != "deny" || got[0].File != "plan.json" {
		t.Errorf("finding %+v", got[0])
	}
}

func TestParamsChangeVerdict(t *testing.T) {
	plan := policytest.Plan(policytest.Clean("a")) // ttl 45d, high
	if got := keys(evaluate(t, newEngine(t, Options{}), plan)); len(got) != 0 {
		t.Fatalf("default params: %v", got)
	}
	for _, shape := range []map[string]any{
		{"rotation": map[string]any{"params": map[string]any{"max_ttl": map[string]any{"high": "30d"}}}},
	} {
		e := newEngine(t, Options{Data: shape, ParamsFile: "p.yaml"})
		got := keys(evaluate(t, e, plan))
		if strings.Join(got, ",") != "deny ROT001 rotation_secret.a" {
			t.Errorf("max_ttl high 30d: %v", got)
		}
	}
}

func TestInvalidParamsRefused(t *testing.T) {
	data := map[string]any{"rotation": map[string]any{"params": map[string]any{"max_ttl": map[string]any{"high": "ninety days"}, "owner_pattern": "("}}}
	_, err := New(context.Background(), Options{Data: data, ParamsFile: "p.yaml"})
	if err == nil || !strings.Contains(err.Error(), "--params p.yaml: params.max_ttl.high") || !strings.Contains(err.Error(), "owner_pattern") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownParamLogged(t *testing.T) {
	var buf bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Warn})
	data := map[string]any{"rotation": map[string]any{"params": map[string]any{"max_tll": "x", "enforce_review": true}}}
	newEngine(t, Options{Data: data, ParamsFile: "p.yaml", Logger: log})
	if !strings.Contains(buf.String(), "key=max_tll") || strings.Contains(buf.String(), "enforce_review") {
		t.Errorf("log: %s", buf.String())
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A --policy directory adds its rules, conftest-style: deny/violation/warn
// and _suffix variants, string and object messages, exceptions; its tests
// are skipped.
func TestExtraPolicyDir(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"naming/naming.rego": `package acme.naming

# METADATA
# title: secrets are named prod_*
# custom:
#   id: ACME001
#   severity: deny
#   remediation: Rename it.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "rotation_secret"
	not startswith(rc.name, "prod_")
	msg := sprintf("ACME001 %s: name %q does not start with prod_", [rc.address, rc.name])
}

violation_count contains {"msg": sprintf("ACME002: %d resources", [count(input.resource_changes)]), "n": count(input.resource_changes)} if {
	count(input.resource_changes) > 1
}

warn_tags contains "ACME003 everything: tag your secrets" if true

warn_excepted contains "ACME004 never shown" if true

exception contains ["excepted"] if true
`,
		"naming/naming_test.rego": "package acme.naming_test\n\nthis is not rego\n",
		"README.md":               "not a policy",
	})
	e := newEngine(t, Options{PolicyDirs: []string{dir}})
	got := evaluate(t, e, policytest.Plan(policytest.Clean("a")))
	want := []string{"deny ACME001 rotation_secret.a", "deny ACME002 ", "warn ACME003 everything"}
	if strings.Join(keys(got), "|") != strings.Join(want, "|") {
		t.Errorf("findings %v, want %v", keys(got), want)
	}
	for _, f := range got {
		if f.Rule == "ACME002" && (f.Metadata["n"] == nil || f.RuleName != "violation_count") {
			t.Errorf("object message: %+v", f)
		}
	}
	found := false
	for _, r := range e.Rules() {
		if r.ID == "ACME001" {
			found = r.Title == "secrets are named prod_*" && r.Severity == Deny && r.Remediation == "Rename it."
		}
	}
	if !found {
		t.Errorf("ACME001 missing from the catalog or wrong: %+v", e.Rules())
	}
}

func TestPolicyDirErrors(t *testing.T) {
	empty := writeFiles(t, map[string]string{"only_test.rego": "package x_test\n", "a.txt": "x"})
	broken := writeFiles(t, map[string]string{"b.rego": "package b\n\ndeny contains msg if {\n"})
	boolean := writeFiles(t, map[string]string{"c.rego": "package c\n\ndeny if { true }\n"})
	conflict := writeFiles(t, map[string]string{"d.rego": "package rotation.lib.duration\n\nvalid := true\n"})
	cases := []struct{ dir, want string }{
		{filepath.Join(empty, "missing"), "no such file or directory"},
		{empty, "no .rego files"},
		{broken, "b.rego:"},
		{boolean, "uses 'if' without 'contains'"},
		{conflict, "policies do not compile"},
	}
	for _, tc := range cases {
		_, err := New(context.Background(), Options{PolicyDirs: []string{tc.dir}})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("--policy %s: err = %v, want one line containing %q", tc.dir, err, tc.want)
		}
	}
}

var idLine = regexp.MustCompile(`(?m)^#\s+id:\s+(ROT[0-9]{3})\s*$`)

// The catalog holds every rule id annotated in the bundle's files on disk,
// and the embedded file system holds every non-test .rego file of policies/.
func TestCatalogAndEmbedMatchDisk(t *testing.T) {
	root := filepath.Join("..", "..", "policies")
	want := map[string]bool{}
	var onDisk []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		if isTestFile(p) {
			return nil // tests need not be embedded (the loader skips them anyway)
		}
		rel, _ := filepath.Rel(root, p)
		onDisk = append(onDisk, filepath.ToSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range idLine.FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	_ = fs.WalkDir(policies.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !isTestFile(p) {
			embedded = append(embedded, p)
		}
		return err
	})
	sort.Strings(onDisk)
	sort.Strings(embedded)
	if strings.Join(onDisk, " ") != strings.Join(embedded, " ") {
		t.Errorf("embedded %v, on disk %v: extend the go:embed pattern in policies/embed.go", embedded, onDisk)
	}
	e := newEngine(t, Options{})
	got := map[string]bool{}
	for _, r := range e.Rules() {
		got[r.ID] = true
		if r.Title == "" || r.Description == "" || r.Remediation == "" || (r.Severity != Deny && r.Severity != Warn) {
			t.Errorf("rule %s: incomplete METADATA: %+v", r.ID, r)
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("rule %s annotated on disk but not in the catalog", id)
		}
	}
	if len(want) < 16 {
		t.Errorf("only %d rule ids on disk", len(want))
	}
}

func TestExportBundle(t *testing.T) {
	dir := t.TempDir()
	written, err := ExportBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range written {
		if isTestFile(p) {
			t.Errorf("exported a test file %s", p)
		}
	}
	e := newEngine(t, Options{})
	// The export alone (as --policy would load it) compiles to the same
	// rules: load it as a bundle under another prefix.
	files, err := loadBundleFS(os.DirFS(dir), "exported")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(written) || len(files) == 0 {
		t.Fatalf("loaded %d of %d exported files", len(files), len(written))
	}
	_ = e
}

func TestEngineConcurrent(t *testing.T) {
	e := newEngine(t, Options{})
	short := policytest.Clean("jwt")
	short.Overlap = "30m"
	plan := policytest.Plan(short)
	done := make(chan []string, 8)
	for range 8 {
		go func() {
			doc, err := ReadInput("p", bytes.NewReader(plan), 0)
			if err != nil {
				done <- []string{err.Error()}
				return
			}
			fs, err := e.Evaluate(context.Background(), doc)
			if err != nil {
				done <- []string{err.Error()}
				return
			}
			done <- keys(fs)
		}()
	}
	for range 8 {
		if got := <-done; strings.Join(got, ",") != "deny ROT020 rotation_secret.jwt" {
			t.Errorf("got %v", got)
		}
	}
}
