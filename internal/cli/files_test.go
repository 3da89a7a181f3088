package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 10, item 8: `check --output` and `runbook --output` never replace
// what they read, whatever path names it.
func TestOutputNeverReplacesAnInput(t *testing.T) {
	dir := t.TempDir()
	clean, _, _ := inputs(t, dir)
	original, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(clean, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.json")
	if err := os.Link(clean, hard); err != nil {
		t.Fatal(err)
	}
	params := writeFile(t, dir, "params.yaml", []byte("enforce_review: true\n"))
	other := dir + "/sub/../clean.json" // another spelling (filepath.Join would clean it)
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"check same name", []string{"check", "--output", clean, clean}, "--output " + clean + " is the input file " + clean + ": the report would replace it"},
		{"check other spelling", []string{"check", "--output", other, clean}, "is the input file " + clean + " (the same file through another path or a link)"},
		{"check symlink", []string{"check", "--output", link, clean}, "--output " + link + " is the input file " + clean + " (the same file through another path or a link)"},
		{"check input through a symlink", []string{"check", "--output", clean, link}, "is the input file " + link},
		{"check hard link", []string{"check", "--output", hard, clean}, "is the input file " + clean},
		{"check second input", []string{"check", "--output", clean, hard, clean}, "is the input file " + hard},
		{"check params file", []string{"check", "--params", params, "--output", params, clean}, "is the --params file " + params},
		{"runbook same name", []string{"runbook", "--output", clean, clean}, "--output " + clean + " is the input file " + clean + ": the report would replace it"},
		{"runbook symlink", []string{"runbook", "--output", link, clean}, "(the same file through another path or a link)"},
		{"runbook params file", []string{"runbook", "--params", params, "--output", params, clean}, "is the --params file " + params},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != ExitUsage || stdout != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", code, stdout, stderr, tc.want)
			}
			if b, _ := os.ReadFile(clean); string(b) != string(original) {
				t.Fatalf("the input was changed")
			}
			if b, _ := os.ReadFile(params); string(b) != "enforce_review: true\n" {
				t.Fatalf("the params file was changed")
			}
		})
	}
	// A new file, or another existing one, is written.
	out := filepath.Join(dir, "report.txt")
	if code, _, stderr := run(t, "check", "--output", out, clean); code != 0 || stderr != "" {
		t.Fatalf("new --output: exit %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--output", out, clean); code != 0 || stderr != "" {
		t.Fatalf("existing --output: exit %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "runbook", "--output", filepath.Join(dir, "r.md"), clean); code != 0 || stderr != "" {
		t.Fatalf("runbook --output: exit %d %q", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--output", dir, clean); code != ExitUsage || !strings.Contains(stderr, "is a directory") {
		t.Errorf("--output DIR: exit %d %q", code, stderr)
	}
}

// Issue 10, item 8: `policies --export ""` is a usage error, and an export
// never overwrites files that are not an unchanged previous export.
func TestPoliciesExportRefusesToOverwrite(t *testing.T) {
	if code, stdout, stderr := run(t, "policies", "--export", ""); code != ExitUsage || stdout != "" || !strings.Contains(stderr, "--export needs a directory") {
		t.Errorf(`--export "": exit %d, stdout %q, stderr %q`, code, stdout, stderr)
	}
	if code, _, stderr := run(t, "policies", "--force"); code != ExitUsage || !strings.Contains(stderr, "--force only applies to --export") {
		t.Errorf("--force alone: exit %d %q", code, stderr)
	}

	// A directory with other files: refused, nothing written.
	dir := t.TempDir()
	mine := writeFile(t, dir, "lib/terraform.rego", []byte("package mine\n"))
	notes := writeFile(t, dir, "notes.txt", []byte("keep\n"))
	code, stdout, stderr := run(t, "policies", "--export", dir)
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "the directory is not empty and holds no export of this command (lib/terraform.rego, notes.txt): nothing written") || !strings.Contains(stderr, "--force") {
		t.Fatalf("non-empty: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if files, _ := listFiles(dir); strings.Join(files, " ") != "lib/terraform.rego notes.txt" {
		t.Fatalf("files after a refused export: %v", files)
	}
	// --force overwrites the bundle's files and leaves the others.
	code, stdout, stderr = run(t, "policies", "--export", dir, "--force")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "(--force: left lib/terraform.rego, notes.txt as they were)") {
		t.Fatalf("--force: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) == "package mine\n" {
		t.Errorf("--force did not write lib/terraform.rego")
	}
	if b, _ := os.ReadFile(notes); string(b) != "keep\n" {
		t.Errorf("--force changed notes.txt")
	}

	// A previous export is replaced; the files it has and the bundle no
	// longer has are removed.
	fresh := filepath.Join(t.TempDir(), "export")
	if code, _, stderr := run(t, "policies", "--export", fresh); code != 0 {
		t.Fatalf("first export: %s", stderr)
	}
	stale := writeFile(t, fresh, "lib/old.rego", []byte("package rotation.lib.old\n"))
	manifest := filepath.Join(fresh, manifestName)
	m, _ := os.ReadFile(manifest)
	m = append(m, []byte("9c2f1e6e0c0b2c5e1f9d4f87a0d3a2c1b1e1a6f3a0c6d1e9b2f3a4c5d6e7f801  lib/old.rego\n")...)
	if err := os.WriteFile(manifest, m, 0o644); err != nil {
		t.Fatal(err)
	}
	// lib/old.rego's checksum does not match: it counts as changed.
	if code, _, stderr := run(t, "policies", "--export", fresh); code != ExitUsage || !strings.Contains(stderr, "holds files that are not an unchanged previous export (lib/old.rego (changed))") {
		t.Fatalf("changed file: exit %d %q", code, stderr)
	}
	// With the right checksum it is the previous export's own file.
	m, _ = os.ReadFile(manifest)
	fixed := strings.Replace(string(m), "9c2f1e6e0c0b2c5e1f9d4f87a0d3a2c1b1e1a6f3a0c6d1e9b2f3a4c5d6e7f801", sha256Hex(t, stale), 1)
	if err := os.WriteFile(manifest, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "policies", "--export", fresh)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "(replacing the previous export; removed lib/old.rego, which the bundle no longer has)") {
		t.Fatalf("re-export: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("lib/old.rego left: %v", err)
	}
	// An edited params.yaml is not overwritten silently.
	writeFile(t, fresh, "params.yaml", []byte("rotation:\n  params:\n    enforce_review: true\n"))
	if code, _, stderr := run(t, "policies", "--export", fresh); code != ExitUsage || !strings.Contains(stderr, "(params.yaml (changed))") {
		t.Errorf("edited params.yaml: exit %d %q", code, stderr)
	}
	// A file where the directory should be.
	file := writeFile(t, t.TempDir(), "x", []byte("x"))
	if code, _, stderr := run(t, "policies", "--export", file); code != ExitUsage || !strings.Contains(stderr, "not a directory") {
		t.Errorf("--export FILE: exit %d %q", code, stderr)
	}
}

func sha256Hex(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
