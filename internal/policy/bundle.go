package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/rotationkit/terraform-provider-rotation/policies"
)

// EmbeddedPrefix starts the module names of the bundled policies, so that
// they never collide with the file names of --policy directories (a
// directory holding a copy of the bundle then fails to compile with
// "conflicting rules" instead of silently replacing the bundled files).
const EmbeddedPrefix = "embedded:policies"

// conftest's rule name patterns (policy/engine.go in conftest).
var (
	warningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
	failureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
)

func isTestFile(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// excludeTests is the loader filter of the bundle: it skips *_test.rego (and
// anything that is not a .rego file), as Regal's ExcludeTestFilter does.
func excludeTests(_ string, info fs.FileInfo, _ int) bool {
	if info.IsDir() {
		return false
	}
	return isTestFile(info.Name()) || !strings.HasSuffix(info.Name(), ".rego")
}

// policyFile is one parsed policy module.
type policyFile struct {
	name   string // module name (file name, or EmbeddedPrefix + path)
	raw    []byte
	parsed *ast.Module
}

// loadEmbedded reads the bundled policies from the go:embed file system with
// OPA's bundle reader (Regal's approach): tests filtered out, METADATA
// annotations processed, Rego v1.
func loadEmbedded() ([]policyFile, error) {
	return loadBundleFS(policies.FS(), EmbeddedPrefix)
}

func loadBundleFS(fsys fs.FS, prefix string) ([]policyFile, error) {
	l, err := bundle.NewFSLoader(fsys)
	if err != nil {
		return nil, fmt.Errorf("embedded policies: %w", err)
	}
	b, err := bundle.NewCustomReader(l.WithFilter(excludeTests)).
		WithSkipBundleVerification(true).
		WithProcessAnnotations(true).
		WithRegoVersion(ast.RegoV1).
		WithBundleName("rotation").
		Read()
	if err != nil {
		return nil, fmt.Errorf("embedded policies: %w", err)
	}
	if len(b.Modules) == 0 {
		return nil, errors.New("embedded policies: no .rego files")
	}
	out := make([]policyFile, 0, len(b.Modules))
	for _, m := range b.Modules {
		name := prefix + "/" + strings.TrimPrefix(filepath.ToSlash(m.Path), "/")
		// Re-parse under the final name so that locations (compile errors,
		// annotations) name the module as the user sees it.
		parsed, err := ast.ParseModuleWithOpts(name, string(m.Raw), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, err
		}
		out = append(out, policyFile{name: name, raw: m.Raw, parsed: parsed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// loadDir reads the .rego files of a --policy directory (or a single .rego
// file), recursively, skipping *_test.rego, as Rego v1.
func loadDir(path string) ([]policyFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--policy %s: %s", path, describeOSError(err))
	}
	if !info.IsDir() && !strings.HasSuffix(path, ".rego") {
		return nil, fmt.Errorf("--policy %s: not a directory or .rego file", path)
	}
	res, err := loader.NewFileLoader().
		WithProcessAnnotation(true).
		WithRegoVersion(ast.RegoV1).
		Filtered([]string{path}, excludeTests)
	if err != nil {
		return nil, fmt.Errorf("--policy %s: %s", path, oneLine(err))
	}
	out := make([]policyFile, 0, len(res.Modules))
	for _, m := range res.Modules {
		out = append(out, policyFile{name: m.Name, raw: m.Raw, parsed: m.Parsed})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--policy %s: no .rego files (other than *_test.rego)", path)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// checkRuleHeads refuses `deny if ...`: a boolean rule can never report a
// message. conftest refuses only the ref-head form of this mistake and
// counts `deny if` as passing; the checker refuses both (a deliberate
// difference: such a rule is always a policy bug).
func checkRuleHeads(files []policyFile) error {
	for _, f := range files {
		for _, r := range f.parsed.Rules {
			if r.Head == nil || len(r.Head.Reference) != 1 || r.Head.Value == nil || r.Head.Key != nil {
				continue
			}
			name := r.Head.Reference[0].Value.String()
			if (failureRule.MatchString(name) || warningRule.MatchString(name)) && r.Head.Value.Equal(ast.BooleanTerm(true)) {
				return fmt.Errorf("%s:%d: rule %s uses 'if' without 'contains'; write `%s contains msg if { ... }`", f.name, r.Location.Row, name, name)
			}
		}
	}
	return nil
}

// describeOSError turns a file system error into a short reason.
func describeOSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// oneLine keeps the first line of a (possibly multi-line) error and says how
// many more there were.
func oneLine(err error) string {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		s := errs[0].Error()
		if len(errs) > 1 {
			s += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
		}
		return s
	}
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		rest := strings.Count(s[i:], "\n")
		s = strings.TrimSpace(s[:i]) + fmt.Sprintf(" (and %d more lines)", rest)
	}
	return s
}

// BundleFiles returns the bundled policies without *_test.rego, keyed by
// their slash-separated path in the bundle (lib/terraform.rego,
// overlap/overlap.rego, ...).
func BundleFiles() (map[string][]byte, error) {
	fsys := policies.FS()
	out := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || isTestFile(p) {
			return nil
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[p] = raw
		return nil
	})
	return out, err
}

// ExportBundle writes the bundled policies (without *_test.rego) to dir,
// keeping their layout (dir/lib/terraform.rego, dir/overlap/overlap.rego,
// ...), and returns the paths written, relative to dir.
func ExportBundle(dir string) ([]string, error) {
	fsys := policies.FS()
	var written []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || isTestFile(p) {
			return nil
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, raw, 0o644); err != nil {
			return err
		}
		written = append(written, p)
		return nil
	})
	return written, err
}
