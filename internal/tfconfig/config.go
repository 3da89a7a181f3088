// Package tfconfig reads a Terraform/OpenTofu configuration (the .tf and
// .tf.json files of a root module and of the child modules it calls with
// local sources) with github.com/hashicorp/hcl/v2, only to find where things
// are declared: the file and line of a resource, data, provider or module
// block, and of an attribute or nested block inside it. It evaluates nothing
// but literal module sources and moved addresses, and never reads variable
// values, so it works on a configuration that does not plan.
//
// Locate maps the address of a plan or state (module.a["x"].rotation_secret.jwt[0])
// to its declaration: instance keys are stripped (count and for_each
// instances share one block), module calls with a local source are followed,
// a call with any other source (registry, git, ...) stands for everything
// inside it, and moved blocks map an old address onto the new one.
package tfconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// maxModuleDepth bounds the module tree (cycles through ../ sources).
const maxModuleDepth = 32

// Config is a loaded configuration: the root module and its local child
// modules.
type Config struct {
	// Dir is the root module's directory as given to Load.
	Dir string
	// Problems lists what could not be read (a file that does not parse, a
	// local module source that is not a directory), one line each with the
	// file name; the rest of the configuration is still usable.
	Problems []string

	root    *module
	modules map[string]*module // by cleaned directory
}

// module is one directory's declarations.
type module struct {
	dir       string
	resources map[string]*block // "type.name" or "data.type.name"
	providers map[string]*block // "name" or "name.alias"
	calls     map[string]*call
	moved     []moved
	// sources: local names of required_providers -> provider type (the last
	// part of their source address).
	providerTypes map[string]string
}

// call is a module block.
type call struct {
	block  *block
	source string
	local  bool
	child  *module // nil when not local or not loadable
}

// moved is a moved block: from and to, relative to its module, keys
// stripped.
type moved struct {
	block    *block
	from, to Address
}

// block is a declaration: its file, its header range (type and labels) and
// its body, native or JSON.
type block struct {
	file   string
	def    hcl.Range
	native *hclsyntax.Body
	body   hcl.Body
}

// Load reads the configuration rooted at dir. It fails only when dir cannot
// be read or holds no configuration file (.tf, .tf.json, .tofu, .tofu.json); files that do not parse and
// missing local modules are listed in Problems.
func Load(dir string) (*Config, error) {
	info, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such directory", dir)
		}
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	files, err := configFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .tf or .tofu files", dir)
	}
	c := &Config{Dir: dir, modules: map[string]*module{}}
	c.root = c.load(dir, 0)
	return c, nil
}

// HasConfig reports whether dir holds configuration files.
func HasConfig(dir string) bool {
	files, err := configFiles(dir)
	return err == nil && len(files) > 0
}

// configFiles lists the configuration files of a module directory, primary
// files first (sorted), then override files (override.tf, *_override.tf),
// as Terraform reads them; OpenTofu's .tofu and .tofu.json files too, each
// in place of the .tf or .tf.json file of the same name.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	var primary, override []string
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~") {
			continue
		}
		base := ""
		switch {
		case strings.HasSuffix(name, ".tf.json"):
			base = strings.TrimSuffix(name, ".tf.json")
			if names[base+".tofu.json"] {
				continue // OpenTofu reads x.tofu.json instead of x.tf.json
			}
		case strings.HasSuffix(name, ".tf"):
			base = strings.TrimSuffix(name, ".tf")
			if names[base+".tofu"] {
				continue // OpenTofu reads x.tofu instead of x.tf
			}
		case strings.HasSuffix(name, ".tofu.json"):
			base = strings.TrimSuffix(name, ".tofu.json")
		case strings.HasSuffix(name, ".tofu"):
			base = strings.TrimSuffix(name, ".tofu")
		default:
			continue
		}
		if base == "override" || strings.HasSuffix(base, "_override") {
			override = append(override, name)
		} else {
			primary = append(primary, name)
		}
	}
	sort.Strings(primary)
	sort.Strings(override)
	return append(primary, override...), nil
}

func (c *Config) problem(format string, a ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, a...))
}

// load reads the module in dir, once per directory.
func (c *Config) load(dir string, depth int) *module {
	key := filepath.Clean(dir)
	if m, ok := c.modules[key]; ok {
		return m
	}
	m := &module{
		dir:           dir,
		resources:     map[string]*block{},
		providers:     map[string]*block{},
		calls:         map[string]*call{},
		providerTypes: map[string]string{},
	}
	c.modules[key] = m
	files, err := configFiles(dir)
	if err != nil {
		c.problem("%v", err)
		return m
	}
	for _, name := range files {
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			c.problem("%s: %v", path, err)
			continue
		}
		var f *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(name, ".json") {
			f, diags = hcljson.Parse(src, path)
		} else {
			f, diags = hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		}
		if diags.HasErrors() || f == nil {
			c.problem("%s", firstError(diags, path))
			continue
		}
		c.readFile(m, path, f)
	}
	for _, name := range sortedKeys(m.calls) {
		cl := m.calls[name]
		if !cl.local {
			continue
		}
		if depth+1 >= maxModuleDepth {
			c.problem("%s: module %q: modules nested more than %d deep", cl.block.file, name, maxModuleDepth)
			continue
		}
		childDir := filepath.Join(dir, filepath.FromSlash(cl.source))
		if !HasConfig(childDir) {
			c.problem("%s:%d: module %q: source %q is not a directory with .tf files", cl.block.file, cl.block.def.Start.Line, name, cl.source)
			continue
		}
		cl.child = c.load(childDir, depth+1)
	}
	return m
}

func firstError(diags hcl.Diagnostics, path string) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Subject != nil {
				return fmt.Sprintf("%s:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Summary)
			}
			return fmt.Sprintf("%s: %s", path, d.Summary)
		}
	}
	return path + ": does not parse"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "moved"},
	{Type: "terraform"},
}}

// readFile records the declarations of one file. A name declared twice
// keeps its first declaration (Terraform refuses duplicates; override files
// come last, so the primary declaration wins).
func (c *Config) readFile(m *module, path string, f *hcl.File) {
	content, _, diags := f.Body.PartialContent(topSchema)
	if diags.HasErrors() && content == nil {
		c.problem("%s", firstError(diags, path))
		return
	}
	for _, hb := range content.Blocks {
		b := &block{file: path, def: hb.DefRange, body: hb.Body}
		if nb, ok := hb.Body.(*hclsyntax.Body); ok {
			b.native = nb
		}
		switch hb.Type {
		case "resource", "data":
			key := hb.Labels[0] + "." + hb.Labels[1]
			if hb.Type == "data" {
				key = "data." + key
			}
			if _, dup := m.resources[key]; !dup {
				m.resources[key] = b
			}
		case "provider":
			key := hb.Labels[0]
			if alias, ok := literalAttr(hb.Body, "alias"); ok && alias != "" {
				key += "." + alias
			}
			if _, dup := m.providers[key]; !dup {
				m.providers[key] = b
			}
		case "module":
			if _, dup := m.calls[hb.Labels[0]]; dup {
				continue
			}
			src, _ := literalAttr(hb.Body, "source")
			m.calls[hb.Labels[0]] = &call{block: b, source: src, local: isLocalSource(src)}
		case "moved":
			from, errFrom := traversalAttr(hb.Body, "from")
			to, errTo := traversalAttr(hb.Body, "to")
			if errFrom != nil || errTo != nil {
				c.problem("%s:%d: moved block: %v", path, hb.DefRange.Start.Line, errors.Join(errFrom, errTo))
				continue
			}
			m.moved = append(m.moved, moved{block: b, from: from, to: to})
		case "terraform":
			c.readRequiredProviders(m, hb.Body)
		}
	}
}

// readRequiredProviders records terraform { required_providers { name = {
// source = "ns/type" } } } so that a provider address written with its type
// (provider["registry.terraform.io/ns/type"]) finds a block with another
// local name.
func (c *Config) readRequiredProviders(m *module, body hcl.Body) {
	content, _, _ := body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "required_providers"}}})
	if content == nil {
		return
	}
	for _, rp := range content.Blocks {
		attrs, _ := rp.Body.JustAttributes()
		for name, attr := range attrs {
			pairs, diags := hcl.ExprMap(attr.Expr)
			if diags.HasErrors() {
				continue
			}
			for _, kv := range pairs {
				k, diags := kv.Key.Value(nil)
				if diags.HasErrors() || !k.Type().Equals(cty.String) || k.IsNull() || k.AsString() != "source" {
					continue
				}
				v, diags := kv.Value.Value(nil)
				if diags.HasErrors() || !v.Type().Equals(cty.String) || v.IsNull() {
					continue
				}
				src := v.AsString()
				m.providerTypes[name] = src[strings.LastIndex(src, "/")+1:]
			}
		}
	}
}

// isLocalSource reports whether a module source is a local path, as
// Terraform decides it: it starts with ./ or ../ (or their Windows forms).
func isLocalSource(src string) bool {
	for _, p := range []string{"./", "../", ".\\", "..\\"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}
