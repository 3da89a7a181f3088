package tfjson

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// RotationTypes are the resource types whose entries the reader keeps, in
// resource_changes and in the resources of every module tree. They are the
// types the bundle reads (_rotation_types in policies/lib/terraform.rego;
// TestRotationTypesMatchBundle compares the two).
var RotationTypes = []string{"rotation_secret", "rotation_schedule", "rotation_secret_family"}

func isRotationType(t []byte) bool {
	switch string(t) {
	case "rotation_secret", "rotation_schedule", "rotation_secret_family":
		return true
	}
	return false
}

// What the reader keeps, and which shape it checks, as a tree of nodes
// from the document down. A key that its object's node does not list is
// checked for JSON syntax only and dropped (with ReadOptions.KeepAll it is
// kept whole).
type nodeKind uint8

const (
	// keep: the whole value, which must be of one of the accepted kinds.
	keep nodeKind = iota + 1
	// object: an object; the keys listed in fields are read by their node
	// (the required ones must be present), the others are skipped.
	object
	// array: an array; each element is read by elem.
	array
	// mapOf: an object with any keys; each value is read by elem.
	mapOf
	// resource: a resource object (an entry of resource_changes or of a
	// module's resources), checked by fields like an object and kept whole
	// when its type is one of RotationTypes, else dropped.
	resource
)

// kinds is a set of JSON kinds, for keep nodes.
type kinds uint8

const (
	kObject kinds = 1 << iota
	kArray
	kString
	kNumber
	kBool
	kNull
	kAny = kObject | kArray | kString | kNumber | kBool | kNull
)

type node struct {
	kind     nodeKind
	accept   kinds // keep: the kinds accepted; containers: kNull if null is accepted too
	want     string
	fields   map[string]*node
	required []string
	elem     *node
}

func keepKinds(k kinds, want string) *node { return &node{kind: keep, accept: k, want: want} }

func objectNode(fields map[string]*node, required ...string) *node {
	return &node{kind: object, fields: fields, required: required, want: "an object"}
}

func nullable(n *node) *node {
	c := *n
	c.accept |= kNull
	c.want += " or null"
	return &c
}

func arrayNode(elem *node, want string) *node {
	return &node{kind: array, elem: elem, want: want}
}

// The filter. Its paths, and why, are listed in the package documentation
// (doc.go); TestBundleReadsOnlyKeptPaths checks every input reference of
// the bundle against it.
var (
	anyValue   = keepKinds(kAny, "any value")
	str        = keepKinds(kString, "a string")
	strOrNull  = keepKinds(kString|kNull, "a string or null")
	boolOrNull = keepKinds(kBool|kNull, "a boolean or null")

	// The attributes every resource object carries; the rules key
	// resources by address and test mode and type.
	resourceFields = map[string]*node{"address": str, "mode": str, "type": str, "name": str}

	// An element of resource_changes.
	resourceChange = &node{kind: resource, want: "an object", fields: map[string]*node{
		"address": str, "mode": str, "type": str, "name": str,
		"module_address": str,
		"change": objectNode(map[string]*node{
			"actions": arrayNode(str, "an array of strings"),
		}, "actions"),
	}, required: []string{"address", "mode", "type", "name", "change"}}

	// An element of a module's resources (values and configuration trees).
	moduleResource = &node{kind: resource, want: "an object", fields: resourceFields,
		required: []string{"address", "mode", "type", "name"}}

	// planned_values.root_module, values.root_module, prior_state.values.
	// root_module and their child_modules: the module skeleton and the
	// rotation resources.
	valuesModuleObject = objectNode(map[string]*node{
		"address":   str,
		"resources": nullable(arrayNode(moduleResource, "an array")),
		// child_modules: set in init (the tree is recursive)
	})
	valuesModule = nullable(valuesModuleObject)

	// configuration.root_module and the module of each module call.
	configModule = nullable(objectNode(map[string]*node{
		"resources": nullable(arrayNode(moduleResource, "an array")),
		// module_calls: set in init
	}))

	// The document.
	document = objectNode(map[string]*node{
		"format_version":    anyValue, // checked by the reader itself, with its own messages
		"terraform_version": strOrNull,
		"timestamp":         strOrNull,
		"applyable":         boolOrNull,
		"complete":          boolOrNull,
		"errored":           boolOrNull,
		"resource_changes":  nullable(arrayNode(resourceChange, "an array")),
		"planned_values":    nullable(objectNode(map[string]*node{"root_module": valuesModule})),
		"values":            nullable(objectNode(map[string]*node{"root_module": valuesModule})),
		"prior_state": nullable(objectNode(map[string]*node{
			"format_version":    strOrNull,
			"terraform_version": strOrNull,
			"values":            nullable(objectNode(map[string]*node{"root_module": valuesModule})),
		})),
		"configuration": nullable(objectNode(map[string]*node{
			"provider_config": nullable(&node{kind: mapOf, elem: keepKinds(kObject, "an object"), want: "an object"}),
			"root_module":     configModule,
		})),
	})
)

func init() {
	valuesModuleObject.fields["child_modules"] = nullable(arrayNode(valuesModuleObject, "an array"))
	configModule.fields["module_calls"] = nullable(&node{kind: mapOf, want: "an object", elem: objectNode(map[string]*node{
		"source": str,
		"module": configModule,
	})})
}

// accepts reports whether a value starting with c fits n.
func (n *node) accepts(c byte) bool {
	switch n.kind {
	case object, mapOf, resource:
		return c == '{' || c == 'n' && n.accept&kNull != 0
	case array:
		return c == '[' || c == 'n' && n.accept&kNull != 0
	}
	switch c {
	case '{':
		return n.accept&kObject != 0
	case '[':
		return n.accept&kArray != 0
	case '"':
		return n.accept&kString != 0
	case 't', 'f':
		return n.accept&kBool != 0
	case 'n':
		return n.accept&kNull != 0
	}
	return n.accept&kNumber != 0
}

// keepAllNode reads a value whole, whatever it is (ReadOptions.KeepAll).
var keepAllNode = anyValue

// walk reads one value under node n (nil: skip it, checking its syntax).
// With build it returns the kept value (nil when nothing is kept), else it
// only checks. A shape error (the value does not fit n, or a number OPA
// refuses) is returned apart from fatal errors (syntax, I/O, limits): the
// caller decides whether it counts. depth is the nesting depth of the
// value's container.
func (r *reader) walk(s *scanner, n *node, build bool, depth int) (*ast.Term, *shapeError, error) {
	if n == nil {
		return nil, nil, s.skip(depth)
	}
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	if !startsValue(c) {
		return nil, nil, s.errAt("invalid character %s looking for beginning of value", quoteChar(c))
	}
	if !n.accepts(c) {
		if err := s.skip(depth); err != nil {
			return nil, nil, err
		}
		return nil, &shapeError{msg: "expected " + n.want + ", found " + kindOf(c)}, nil
	}
	if c == 'n' && n.kind != keep { // null where a container may be
		if err := s.literal("null"); err != nil {
			return nil, nil, err
		}
		return ast.InternedNullTerm, nil, nil
	}
	switch n.kind {
	case keep:
		if !build {
			return nil, nil, s.skip(depth)
		}
		r.b.begin(s)
		t, verr, err := r.b.build(s, depth)
		if err != nil {
			return nil, nil, err
		}
		if err := r.b.finish(s); err != nil {
			return nil, nil, err
		}
		return t, verr, nil
	case array:
		return r.array(s, n, build, depth+1)
	case resource:
		return r.resource(s, n, build, depth)
	}
	return r.object(s, n, build, depth+1)
}

func (r *reader) array(s *scanner, n *node, build bool, depth int) (*ast.Term, *shapeError, error) {
	if depth > MaxDepth {
		return nil, nil, &depthError{offset: s.offset() + 1}
	}
	b := r.b
	s.pos++ // [
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	if c == ']' {
		s.pos++
		if !build {
			return nil, nil, nil
		}
		return ast.InternedEmptyArray, nil, nil
	}
	start := len(b.elems)
	defer func() {
		clear(b.elems[start:])
		b.elems = b.elems[:start]
	}()
	var first *shapeError
	for i := 0; ; i++ {
		v, verr, err := r.walk(s, n.elem, build && first == nil, depth)
		if err != nil {
			return nil, nil, err
		}
		if verr != nil && first == nil {
			first = verr.under(indexSegment(i))
		}
		if v != nil && first == nil {
			b.elems = append(b.elems, v)
		}
		c, err := s.next()
		if err != nil {
			return nil, nil, err
		}
		if c == ']' {
			s.pos++
			break
		}
		if c != ',' {
			return nil, nil, s.errAt("invalid character %s after array element", quoteChar(c))
		}
		s.pos++
	}
	if first != nil || !build {
		return nil, first, nil
	}
	if len(b.elems) == start {
		return ast.InternedEmptyArray, nil, nil
	}
	return b.array0(b.elemsFrom(start)), nil, nil
}

// resource reads a resource object: it checks its shape, and keeps it whole
// (built from the bytes captured while checking) when its type is one of
// RotationTypes or the reader keeps everything.
func (r *reader) resource(s *scanner, n *node, build bool, depth int) (*ast.Term, *shapeError, error) {
	if build {
		s.startCapture()
	}
	start := s.offset()
	r.rotation = false
	_, verr, err := r.object(s, n, false, depth+1)
	if err != nil {
		return nil, nil, err
	}
	if !build {
		return nil, verr, nil
	}
	raw := s.endCapture()
	if verr != nil || !r.rotation && !r.keepAll {
		return nil, verr, nil
	}
	if r.deferOn {
		return r.deferResource(raw, start, depth)
	}
	ms := newMemScanner(raw, start)
	r.b.begin(ms)
	t, verr, err := r.b.build(ms, depth)
	if err != nil {
		return nil, nil, err
	}
	if err := r.b.finish(ms); err != nil {
		return nil, nil, err
	}
	return t, verr, nil
}

// object reads an object under an object, mapOf or resource node.
func (r *reader) object(s *scanner, n *node, build bool, depth int) (*ast.Term, *shapeError, error) {
	if depth > MaxDepth {
		return nil, nil, &depthError{offset: s.offset() + 1}
	}
	b := r.b
	s.pos++ // {
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	start, errStart := len(b.items), len(b.errs)
	defer func() {
		clear(b.items[start:])
		b.items = b.items[:start]
		b.errs = b.errs[:errStart]
	}()
	var present uint32 // bit i: n.required[i] is present
	top := depth == 1 && n == document
	if c == '}' {
		s.pos++
	} else {
		for {
			if c != '"' {
				return nil, nil, s.errAt("invalid character %s looking for beginning of object key string", quoteChar(c))
			}
			raw, err := s.readString()
			if err != nil {
				return nil, nil, err
			}
			var f *node
			if n.kind == mapOf {
				f = n.elem
			} else {
				f = n.fields[string(raw)]
			}
			if f == nil && r.keepAll {
				f = keepAllNode
			}
			var k *ast.Term
			var key string
			if f != nil {
				k = b.str(raw)
				ks, _ := k.Value.(ast.String) // b.str makes strings only
				key = string(ks)
				for i, req := range n.required {
					if req == key {
						present |= 1 << i
					}
				}
			}
			if top {
				r.topKey(raw)
				r.curTop = string(raw)
			}
			if err := s.colon(); err != nil {
				return nil, nil, err
			}
			var v *ast.Term
			var verr *shapeError
			switch {
			case n.kind == resource && key == "type":
				v, verr, err = r.resourceType(s, f, depth)
			case top && key == "format_version":
				v, verr, err = r.formatVersion(s, build, depth)
			default:
				v, verr, err = r.walk(s, f, build, depth)
			}
			if err != nil {
				return nil, nil, err
			}
			if f != nil {
				if verr != nil {
					b.errs = append(b.errs, memberError{index: len(b.items) - start, err: verr})
				}
				b.items = append(b.items, memberItem{key: key, item: [2]*ast.Term{k, v}})
			}
			c, err = s.next()
			if err != nil {
				return nil, nil, err
			}
			if c == '}' {
				s.pos++
				break
			}
			if c != ',' {
				return nil, nil, s.errAt("invalid character %s after object key:value pair", quoteChar(c))
			}
			s.pos++
			if c, err = s.next(); err != nil {
				return nil, nil, err
			}
		}
	}
	items := b.items[start:]
	dedupe(items)
	for _, e := range b.errs[errStart:] {
		if items[e.index].item[0] != nil {
			return nil, e.err.under(keySegment(items[e.index].key)), nil
		}
	}
	for i, req := range n.required {
		if present&(1<<i) == 0 {
			return nil, &shapeError{segs: []string{keySegment(req)}, msg: "missing (expected " + n.fields[req].want + ")"}, nil
		}
	}
	if !build {
		return nil, nil, nil
	}
	for i := range items {
		if items[i].item[1] == nil {
			items[i].item[0] = nil
		}
	}
	return b.object0(items), nil, nil
}

// resourceType reads the type of a resource, noting whether it is a
// rotation type (the last type key counts, as the last of duplicate keys
// does).
func (r *reader) resourceType(s *scanner, f *node, depth int) (*ast.Term, *shapeError, error) {
	r.rotation = false
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	if c != '"' {
		return r.walk(s, f, false, depth)
	}
	raw, err := s.readString()
	if err != nil {
		return nil, nil, err
	}
	r.rotation = isRotationType(raw)
	return nil, nil, nil
}

// topKey notes the presence of the top-level keys that tell what the
// document is.
func (r *reader) topKey(raw []byte) {
	switch string(raw) {
	case "format_version":
		r.hasFormat = true
	case "planned_values", "resource_changes":
		r.isPlan = true
	case "provider_schemas":
		r.isSchema = true
	}
}

// formatVersion reads the top-level format_version (its checks come after
// the document is read, with their own messages).
func (r *reader) formatVersion(s *scanner, build bool, depth int) (*ast.Term, *shapeError, error) {
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	r.formatKind = kindOf(c)
	r.format = ""
	if c != '"' {
		return r.walk(s, anyValue, build, depth)
	}
	raw, err := s.readString()
	if err != nil {
		return nil, nil, err
	}
	r.format = string(raw)
	return r.b.str(raw), nil, nil
}
