package tfconfig

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// notResources are the reference roots that do not name a resource.
var notResources = map[string]bool{
	"var": true, "local": true, "module": true, "each": true, "count": true,
	"path": true, "terraform": true, "self": true,
}

// References lists the resources the matched block refers to in its
// attributes and nested blocks (family = rotation_secret_family.f.id gives
// rotation_secret_family.f), as absolute addresses without keys, sorted.
// Only native-syntax blocks are read; a module call or a JSON block gives
// none.
func (m Match) References() []string {
	nb, ok := m.body.(*hclsyntax.Body)
	if !ok || m.ModuleCall {
		return nil
	}
	a, err := ParseAddress(m.Address)
	if err != nil {
		return nil
	}
	prefix := ""
	for _, mod := range a.Modules {
		prefix += "module." + mod + "."
	}
	seen := map[string]bool{}
	var walk func(b *hclsyntax.Body)
	add := func(tr hcl.Traversal) {
		root := tr.RootName()
		if notResources[root] {
			return
		}
		want := 2
		if root == "data" {
			want = 3
		}
		parts := []string{root}
		for _, step := range tr[1:] {
			if len(parts) == want {
				break
			}
			at, ok := step.(hcl.TraverseAttr)
			if !ok {
				break
			}
			parts = append(parts, at.Name)
		}
		if len(parts) < want {
			return
		}
		if addr := prefix + strings.Join(parts, "."); addr != m.Address {
			seen[addr] = true
		}
	}
	walk = func(b *hclsyntax.Body) {
		for _, at := range b.Attributes {
			for _, tr := range at.Expr.Variables() {
				add(tr)
			}
		}
		for _, blk := range b.Blocks {
			walk(blk.Body)
		}
	}
	walk(nb)
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
