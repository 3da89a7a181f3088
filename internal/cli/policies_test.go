package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var idLine = regexp.MustCompile(`(?m)^#\s+id:\s+(ROT[0-9]{3})\s*$`)

// bundleIDs reads the rule ids annotated in the bundle's files on disk.
func bundleIDs(t *testing.T) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	root := filepath.Join("..", "..", "policies")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range idLine.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no rule ids found in policies/")
	}
	return ids
}

func TestPoliciesList(t *testing.T) {
	code, stdout, stderr := run(t, "policies")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && strings.HasPrefix(f[0], "ROT") {
			listed[f[0]] = f[1]
		}
	}
	for id := range bundleIDs(t) {
		if listed[id] == "" {
			t.Errorf("%s not listed:\n%s", id, stdout)
		}
	}
	if listed["ROT020"] != "deny" || listed["ROT040"] != "warn" {
		t.Errorf("severities: ROT020 %q, ROT040 %q", listed["ROT020"], listed["ROT040"])
	}
	if !strings.HasPrefix(stdout, "ID") || !strings.Contains(stdout, "overlap longer than the longest consumer cache") {
		t.Errorf("listing:\n%s", stdout)
	}
}

func TestPoliciesExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	code, stdout, stderr := run(t, "policies", "--export", dir)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "wrote") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	joined := strings.Join(files, " ")
	for _, want := range []string{"lib/terraform.rego", "lib/params.rego", "overlap/overlap.rego", "params.yaml", "README.md"} {
		if !strings.Contains(joined, want) {
			t.Errorf("%s not exported: %v", want, files)
		}
	}
	if strings.Contains(joined, "_test.rego") {
		t.Errorf("tests exported: %v", files)
	}
	// params.yaml is conftest's --data shape with the defaults.
	b, err := os.ReadFile(filepath.Join(dir, "params.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var params struct {
		Rotation struct {
			Params map[string]any `yaml:"params"`
		} `yaml:"rotation"`
	}
	if err := yaml.Unmarshal(b, &params); err != nil {
		t.Fatal(err)
	}
	maxTTL, _ := params.Rotation.Params["max_ttl"].(map[string]any)
	if maxTTL["critical"] != "30d" || maxTTL["low"] != "365d" {
		t.Errorf("params.yaml:\n%s", b)
	}
	// The export, used as a --policy directory on top of the bundle,
	// conflicts (same packages): check refuses with one line, proving the
	// exported files are the bundle's.
	clean, _, _ := inputs(t, t.TempDir())
	if code, _, stderr := run(t, "check", "--policy", dir, clean); code != 2 || !strings.Contains(stderr, "policies do not compile") {
		t.Errorf("--policy EXPORT: exit %d, %q", code, stderr)
	}
	// The sample params file is accepted by check and changes nothing.
	if code, stdout, stderr := run(t, "check", "--params", filepath.Join(dir, "params.yaml"), clean); code != 0 || stderr != "" {
		t.Errorf("--params params.yaml: exit %d, %q %q", code, stdout, stderr)
	}
}
