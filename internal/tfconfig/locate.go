package tfconfig

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// maxMovedHops bounds chains of moved blocks (and cycles among them).
const maxMovedHops = 16

// Location is a place in a configuration file. Lines and columns start at 1.
type Location struct {
	// File is the file's path: the configuration directory given to Load
	// joined with the file's path inside it.
	File      string
	Line      int
	Column    int
	EndLine   int
	EndColumn int
}

func (l Location) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

func location(r hcl.Range) Location {
	return Location{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column, EndLine: r.End.Line, EndColumn: r.End.Column}
}

// Match is where an address is declared.
type Match struct {
	// Address is the declaration's address (keys stripped): the address
	// asked for, or where moved blocks led.
	Address string
	// Block is the header of the declaration: the resource, data or
	// provider block, or the module block of a module call. When the
	// address is inside a module whose source is not local (registry, git,
	// ...), Block is that module call and ModuleCall is set.
	Block      Location
	ModuleCall bool
	// Moved is set when the address was found through moved blocks.
	Moved bool
	// Attribute is the attribute or nested block of the path asked for,
	// or of its longest prefix that is declared (Path says which); nil when
	// no path was asked or none of it is declared.
	Attribute *Location
	Path      string

	body hcl.Body
}

// Line is the most precise location: the attribute's when found, else the
// block's.
func (m Match) Line() Location {
	if m.Attribute != nil {
		return *m.Attribute
	}
	return m.Block
}

// Range is the whole block: header to closing brace.
func (m Match) Range() (Location, bool) {
	if m.body == nil {
		return Location{}, false
	}
	if nb, ok := m.body.(*hclsyntax.Body); ok {
		r := hcl.RangeBetween(m.Block.hclRange(), nb.EndRange)
		return location(r), true
	}
	return Location{}, false
}

func (l Location) hclRange() hcl.Range {
	return hcl.Range{Filename: l.File, Start: hcl.Pos{Line: l.Line, Column: l.Column}, End: hcl.Pos{Line: l.EndLine, Column: l.EndColumn}}
}

// NotFoundError says why an address has no declaration.
type NotFoundError struct {
	Address string
	Reason  string
}

func (e *NotFoundError) Error() string { return e.Address + ": " + e.Reason }

// Locate finds the declaration of address (a resource, data source,
// provider configuration or module call, with or without instance keys)
// and, when path is not empty, of the attribute or nested block it names
// inside it ("schedule.overlap", "consumer[0].cache_ttl", "hold_reason").
// Failing to find the path is not an error: Attribute is then nil or a
// prefix of it.
func (c *Config) Locate(address, path string) (Match, error) {
	a, err := ParseAddress(address)
	if err != nil {
		return Match{}, &NotFoundError{Address: address, Reason: err.Error()}
	}
	m, reason := c.find(a, 0)
	if reason != "" {
		return Match{}, &NotFoundError{Address: address, Reason: reason}
	}
	if path != "" && !m.ModuleCall && m.body != nil {
		if loc, found := resolvePath(m.body, path); found != "" {
			m.Attribute, m.Path = &loc, found
		}
	}
	return m, nil
}

// find resolves an address, following module calls, then moved blocks.
func (c *Config) find(a Address, hops int) (Match, string) {
	mod := c.root
	for _, name := range a.Modules {
		cl, ok := mod.calls[name]
		if !ok {
			return c.viaMoved(a, hops, fmt.Sprintf("no module %q in %s", name, mod.dir))
		}
		if cl.child == nil {
			if !cl.local {
				return Match{Address: a.String(), Block: location(cl.block.def), ModuleCall: true}, ""
			}
			return Match{}, fmt.Sprintf("module %q (source %q) could not be read", name, cl.source)
		}
		mod = cl.child
	}
	var b *block
	switch {
	case a.IsResource():
		b = mod.resources[a.ResourceKey()]
	case a.IsProvider():
		b = mod.provider(a.Provider, a.Alias)
		if b == nil {
			return Match{}, fmt.Sprintf("no provider %q block in %s", a.Provider, mod.dir)
		}
	default: // a module call
		parent := a
		parent.Modules = a.Modules[:len(a.Modules)-1]
		pm := c.moduleAt(parent.Modules)
		if pm != nil {
			if cl := pm.calls[a.Modules[len(a.Modules)-1]]; cl != nil {
				b = cl.block
			}
		}
	}
	if b == nil {
		what := a.ResourceKey()
		if !a.IsResource() {
			what = "module " + strconv.Quote(a.Modules[len(a.Modules)-1])
		}
		return c.viaMoved(a, hops, fmt.Sprintf("no %s block in %s", what, mod.dir))
	}
	return Match{Address: a.String(), Block: location(b.def), body: b.body}, ""
}

// moduleAt returns the loaded module at a module path, or nil.
func (c *Config) moduleAt(path []string) *module {
	mod := c.root
	for _, name := range path {
		cl := mod.calls[name]
		if cl == nil || cl.child == nil {
			return nil
		}
		mod = cl.child
	}
	return mod
}

func (m *module) provider(name, alias string) *block {
	key := func(n string) string {
		if alias != "" {
			return n + "." + alias
		}
		return n
	}
	if b := m.providers[key(name)]; b != nil {
		return b
	}
	// name may be the provider's type with another local name.
	for _, local := range sortedKeys(m.providerTypes) {
		if m.providerTypes[local] == name {
			if b := m.providers[key(local)]; b != nil {
				return b
			}
		}
	}
	return nil
}

// viaMoved rewrites an address that is not declared with the moved blocks
// of the module that holds it or of any module above (deepest first), and
// looks the result up.
func (c *Config) viaMoved(a Address, hops int, reason string) (Match, string) {
	if hops >= maxMovedHops || a.IsProvider() {
		return Match{}, reason
	}
	for d := len(a.Modules); d >= 0; d-- {
		mod := c.moduleAt(a.Modules[:d])
		if mod == nil {
			continue
		}
		rel := a
		rel.Modules = a.Modules[d:]
		for _, mv := range mod.moved {
			to, ok := rewrite(rel, mv.from, mv.to)
			if !ok {
				continue
			}
			to.Modules = append(append([]string{}, a.Modules[:d]...), to.Modules...)
			m, r := c.find(to, hops+1)
			if r == "" {
				m.Moved = true
				return m, ""
			}
		}
	}
	return Match{}, reason
}

// rewrite applies one moved block (from -> to, relative to its module) to
// an address relative to the same module.
func rewrite(a, from, to Address) (Address, bool) {
	if from.IsResource() {
		if !to.IsResource() || !sameModules(a.Modules, from.Modules) || !a.IsResource() || a.ResourceKey() != from.ResourceKey() {
			return Address{}, false
		}
		return to, true
	}
	if from.IsProvider() || to.IsResource() || to.IsProvider() || len(from.Modules) == 0 {
		return Address{}, false
	}
	if len(a.Modules) < len(from.Modules) || !sameModules(a.Modules[:len(from.Modules)], from.Modules) {
		return Address{}, false
	}
	out := a
	out.Modules = append(append([]string{}, to.Modules...), a.Modules[len(from.Modules):]...)
	return out, true
}

func sameModules(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pathStep is one part of an attribute path: a name and an optional index.
type pathStep struct {
	name  string
	index int // -1 when none
}

func parsePath(path string) ([]pathStep, bool) {
	var out []pathStep
	for _, part := range strings.Split(path, ".") {
		st := pathStep{index: -1}
		name := part
		if i := strings.IndexByte(part, '['); i >= 0 {
			if !strings.HasSuffix(part, "]") {
				return nil, false
			}
			n, err := strconv.Atoi(part[i+1 : len(part)-1])
			if err != nil || n < 0 {
				return nil, false
			}
			name, st.index = part[:i], n
		}
		if name == "" {
			return nil, false
		}
		st.name = name
		out = append(out, st)
	}
	return out, len(out) > 0
}

// resolvePath finds the longest declared prefix of path inside body and
// returns its location and the prefix ("" when not even the first step is
// declared).
func resolvePath(body hcl.Body, path string) (Location, string) {
	steps, ok := parsePath(path)
	if !ok {
		return Location{}, ""
	}
	var best Location
	var found []string
	cur := node{body: body}
	for _, st := range steps {
		next, loc, ok := cur.child(st)
		if !ok {
			break
		}
		best = loc
		part := st.name
		if st.index >= 0 {
			part += "[" + strconv.Itoa(st.index) + "]"
		}
		found = append(found, part)
		cur = next
	}
	return best, strings.Join(found, ".")
}

// node is a place to descend into: a body (native or JSON) or an
// expression (an object or a list in an attribute).
type node struct {
	body hcl.Body
	expr hcl.Expression
}

// child finds step st below n: an attribute, or nested blocks of that type
// (dynamic blocks included), in a body; a key, or an element, in an
// object or list expression.
func (n node) child(st pathStep) (node, Location, bool) {
	if n.expr != nil {
		return exprChild(n.expr, st)
	}
	if nb, ok := n.body.(*hclsyntax.Body); ok {
		if a, ok := nb.Attributes[st.name]; ok {
			if st.index < 0 {
				return node{expr: a.Expr}, location(a.SrcRange), true
			}
			next, loc, ok := exprChild(a.Expr, pathStep{index: st.index})
			if !ok {
				return node{}, location(a.SrcRange), true
			}
			return next, loc, true
		}
		var blocks []*hclsyntax.Block
		for _, b := range nb.Blocks {
			if b.Type == st.name || b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == st.name {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) == 0 {
			return node{}, Location{}, false
		}
		i := 0
		if st.index > 0 {
			i = st.index
		}
		for j, b := range blocks {
			// A dynamic block expands into an unknown number of blocks:
			// an index at or past it lands on it.
			if b.Type == "dynamic" && j <= i {
				return node{body: dynamicContent(b)}, location(b.DefRange()), true
			}
		}
		if i >= len(blocks) {
			return node{}, Location{}, false
		}
		return node{body: blocks[i].Body}, location(blocks[i].DefRange()), true
	}
	// JSON (or another syntax): every property is an attribute; nested
	// blocks are objects or lists of objects.
	attrs, _ := n.body.JustAttributes()
	a, ok := attrs[st.name]
	if !ok {
		return node{}, Location{}, false
	}
	if st.index < 0 {
		// A block written as a one-element list of objects.
		if list, diags := hcl.ExprList(a.Expr); !diags.HasErrors() && len(list) == 1 {
			return node{expr: list[0]}, location(a.NameRange), true
		}
		return node{expr: a.Expr}, location(a.NameRange), true
	}
	next, loc, ok := exprChild(a.Expr, pathStep{index: st.index})
	if !ok {
		return node{}, location(a.NameRange), true
	}
	return next, loc, true
}

func dynamicContent(b *hclsyntax.Block) hcl.Body {
	for _, c := range b.Body.Blocks {
		if c.Type == "content" {
			return c.Body
		}
	}
	return b.Body
}

// exprChild descends into an object (by key) or a list (by index).
func exprChild(expr hcl.Expression, st pathStep) (node, Location, bool) {
	if st.index >= 0 && st.name == "" {
		list, diags := hcl.ExprList(expr)
		if diags.HasErrors() || st.index >= len(list) {
			return node{}, Location{}, false
		}
		return node{expr: list[st.index]}, location(list[st.index].Range()), true
	}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return node{}, Location{}, false
	}
	for _, kv := range pairs {
		key := keyString(kv.Key)
		if key != st.name {
			continue
		}
		loc := location(hcl.RangeBetween(kv.Key.Range(), kv.Value.Range()))
		if st.index < 0 {
			return node{expr: kv.Value}, loc, true
		}
		if next, l, ok := exprChild(kv.Value, pathStep{index: st.index}); ok {
			return next, l, true
		}
		return node{}, loc, true
	}
	return node{}, Location{}, false
}

// keyString reads an object key: a bare name or a literal string.
func keyString(expr hcl.Expression) string {
	if name := hcl.ExprAsKeyword(expr); name != "" {
		return name
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.String) {
		return ""
	}
	return v.AsString()
}

// LocateFirst is Locate with several candidate paths, most specific first:
// the first path that is declared in full wins; when none is, the match is
// that of the first path (its longest declared prefix, or the block).
func (c *Config) LocateFirst(address string, paths []string) (Match, error) {
	if len(paths) == 0 {
		return c.Locate(address, "")
	}
	var first Match
	for i, p := range paths {
		m, err := c.Locate(address, p)
		if err != nil {
			return Match{}, err
		}
		if m.Path == p {
			return m, nil
		}
		if i == 0 {
			first = m
		}
	}
	return first, nil
}
