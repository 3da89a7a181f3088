package tfconfig

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	c, err := Load("testdata/nested")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 0 {
		t.Fatalf("problems: %v", c.Problems)
	}
	main := filepath.Join("testdata", "nested", "main.tf")
	app := filepath.Join("testdata", "nested", "modules", "app", "main.tf")
	keys := filepath.Join("testdata", "nested", "modules", "keys", "main.tf")
	json := filepath.Join("testdata", "nested", "generated.tf.json")
	cases := []struct {
		name, address, path string
		block               string // file:line of the block
		line                string // file:line of Match.Line()
		found               string // Match.Path
		moved, call         bool
	}{
		{"count instance, nested block attribute", "rotation_secret.renamed[1]", "schedule.overlap", main + ":58", main + ":67", "schedule.overlap", false, false},
		{"attribute not set: its block", "rotation_secret.renamed[0]", "schedule.ttl", main + ":58", main + ":65", "schedule", false, false},
		{"attribute not set, no block: the resource", "rotation_secret.renamed[0]", "hold_reason", main + ":58", main + ":58", "", false, false},
		{"top-level attribute", "rotation_secret.renamed", "hold_revocation", main + ":58", main + ":63", "hold_revocation", false, false},
		{"moved", "rotation_secret.old[0]", "", main + ":58", main + ":58", "", true, false},
		{"moved chain", "rotation_secret.older[1]", "schedule.overlap", main + ":58", main + ":67", "schedule.overlap", true, false},
		{"nth nested block", "rotation_secret_family.f", "consumer[1].cache_ttl", main + ":43", main + ":54", "consumer[1].cache_ttl", false, false},
		{"override file: the primary declaration", "rotation_secret_family.f", "owner", main + ":43", main + ":45", "owner", false, false},
		{"for_each module, list attribute", `module.apps["x"].rotation_secret_family.app`, "consumer[1].cache_ttl", app + ":6", app + ":10", "consumer[1].cache_ttl", false, false},
		{"nested modules with keys", `module.apps["y"].module.keys[0].rotation_secret.jwt["a"]`, "schedule.ttl", keys + ":13", keys + ":20", "schedule.ttl", false, false},
		{"moved module", `module.legacy["x"].module.keys[0].rotation_secret.jwt["a"]`, "", keys + ":13", keys + ":13", "", true, false},
		{"moved inside a child module", `module.apps["x"].module.keys[0].rotation_secret.legacy_jwt["b"]`, "", keys + ":13", keys + ":13", "", true, false},
		{"dynamic block", `module.apps["x"].module.keys[0].rotation_secret_family.keys`, "consumer[3].cache_ttl", keys + ":1", keys + ":8", "consumer[3].cache_ttl", false, false},
		{"registry module: its call", "module.vendor.module.inner.rotation_secret.x[0]", "schedule.overlap", main + ":23", main + ":23", "", false, true},
		{"module call", `module.apps["x"]`, "", main + ":18", main + ":18", "", false, false},
		{"provider by type, alias", `provider["registry.terraform.io/rotationkit/rotation"].lab`, "now", main + ":13", main + ":15", "now", false, false},
		{"provider by configuration key", `provider["rot.lab"]`, "", main + ":13", main + ":13", "", false, false},
		{"JSON syntax", "rotation_secret.json", "schedule.overlap", json + ":4", json + ":8", "schedule.overlap", false, false},
		{"JSON moved", "rotation_secret.json_old", "schedule", json + ":4", json + ":6", "schedule", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := c.Locate(tc.address, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Block.String(); got != tc.block {
				t.Errorf("block %s, want %s", got, tc.block)
			}
			if got := m.Line().String(); got != tc.line {
				t.Errorf("line %s, want %s", got, tc.line)
			}
			if m.Path != tc.found || m.Moved != tc.moved || m.ModuleCall != tc.call {
				t.Errorf("path %q moved %v call %v, want %q %v %v", m.Path, m.Moved, m.ModuleCall, tc.found, tc.moved, tc.call)
			}
		})
	}
	for _, addr := range []string{"rotation_secret.nope", "module.nope.rotation_secret.x", `provider["aws"]`, "data.rotation_secret.renamed", "params", "", "rotation_secret.x[", `module.apps["x].a.b`} {
		_, err := c.Locate(addr, "")
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Errorf("%q: error %v, want a NotFoundError", addr, err)
		}
	}
}

func TestLoadProblems(t *testing.T) {
	c, err := Load("testdata/broken")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "bad.tf") {
		t.Fatalf("problems %v", c.Problems)
	}
	if _, err := c.Locate("rotation_secret.ok", ""); err != nil {
		t.Error(err)
	}
	if _, err := c.Locate("rotation_secret.bad", ""); err == nil {
		t.Error("a resource of an unparsable file was found")
	}
	for _, dir := range []string{"testdata/none", "testdata", "locate.go"} {
		if _, err := Load(dir); err == nil {
			t.Errorf("Load(%s) did not fail", dir)
		}
	}
	if HasConfig("testdata") || !HasConfig("testdata/nested") {
		t.Error("HasConfig")
	}
}

func TestParseAddress(t *testing.T) {
	for in, want := range map[string]string{
		`module.a["x: y"].module.b.rotation_secret.jwt[0]`: "module.a.module.b.rotation_secret.jwt",
		`data.rotation_x.y`:                              "data.rotation_x.y",
		`module.m.provider["rotation"]`:                  `module.m.provider["rotation"]`,
		`provider["registry.terraform.io/o/rotation"].x`: `provider["rotation.x"]`,
		`module.module.module.x`:                         "module.module.module.x",
		`rotation_secret.module`:                         "rotation_secret.module",
		`module.a[0]`:                                    "module.a",
		`module.a["q\"]"].rotation_secret.s`:             "module.a.rotation_secret.s",
	} {
		a, err := ParseAddress(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if a.String() != want {
			t.Errorf("%s: %s, want %s", in, a, want)
		}
	}
}

func TestLocateFirst(t *testing.T) {
	c, err := Load("testdata/nested")
	if err != nil {
		t.Fatal(err)
	}
	main := filepath.Join("testdata", "nested", "main.tf")
	for _, tc := range []struct {
		paths []string
		line  string
	}{
		{nil, main + ":58"},
		{[]string{"hold_reason", "hold_revocation"}, main + ":63"},
		{[]string{"schedule.ttl", "schedule.overlap"}, main + ":67"},
		{[]string{"schedule.ttl", "hold_reason"}, main + ":65"},
		{[]string{"versions"}, main + ":58"},
	} {
		m, err := c.LocateFirst("rotation_secret.renamed[0]", tc.paths)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Line().String(); got != tc.line {
			t.Errorf("%v: %s, want %s", tc.paths, got, tc.line)
		}
	}
}

func TestReferencesAndRange(t *testing.T) {
	c, err := Load("testdata/nested")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Locate("rotation_secret.renamed[0]", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.References(), ","); got != "rotation_secret_family.f" {
		t.Errorf("references %q", got)
	}
	r, ok := m.Range()
	if !ok || r.Line != 58 || r.EndLine != 69 {
		t.Errorf("range %+v %v", r, ok)
	}
	m, err = c.Locate(`module.apps["x"].module.keys[0].rotation_secret.jwt["a"]`, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.References(), ","); got != "module.apps.module.keys.rotation_secret_family.keys" {
		t.Errorf("references %q", got)
	}
	m, err = c.Locate("module.vendor.rotation_secret.x", "")
	if err != nil {
		t.Fatal(err)
	}
	if refs := m.References(); refs != nil {
		t.Errorf("module call references %v", refs)
	}
}

// TestTofuFiles: .tofu files are read, in place of the .tf file of the
// same name (OpenTofu's rule).
func TestTofuFiles(t *testing.T) {
	c, err := Load("testdata/tofu")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{
		"rotation_secret.s":         filepath.Join("testdata", "tofu", "main.tofu") + ":3",
		"rotation_secret.only_tofu": filepath.Join("testdata", "tofu", "extra.tofu") + ":1",
	} {
		m, err := c.Locate(addr, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Block.String(); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
}
