package tfjson

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Deferred resources (ReadOptions.Defer).
//
// `check` evaluates a large document in shards (internal/policy/shard.go),
// and a shard needs the values of its own resources only. With Defer the
// reader checks every rotation resource exactly as it would build it (the
// same shapes and value errors; the resource is read without being built
// unless it holds a number OPA might refuse), but keeps its JSON bytes and
// a Head: the fields that say which resource it is and what links it to a
// family. Document.Resolve builds the values of the resources in a shard's
// document; Document.Materialize builds the whole document, equal to what a
// read without Defer returns, for a document evaluated whole. The bytes of
// JSON take less memory than the values (an OPA object carries a hash map
// per object), and the values of one shard at a time are live instead of
// all of them.
//
// The value of a deferred resource in Value is a placeholder (a null term
// of its own); Document.HeadOf gives its Head, the fields the shard plan
// reads, kept as Go values (an OPA object would cost more than the JSON).
//
// With Defer, the document also leaves out what the bundle never reads:
// prior_state (read by the runbook, which does not defer), planned_values
// in a plan with a resource_changes array (the bundle reads it only
// without one), and the blocks of rotation_secret_family resources in the
// configuration (family.rego reads the blocks of secrets and schedules).

// Head is what the shard plan of `check` reads of a resource object (an
// element of resource_changes, of a module's resources, or of the
// configuration's resources).
type Head struct {
	Address, Mode, Type, Name, ModuleAddress string
	// Change: change is an object; Actions its actions when they are an
	// array of strings (ActionsOK); BeforeObject: change.before is an
	// object.
	Change, ActionsOK, BeforeObject bool
	Actions                         []string
	// After and Values: change.after and values are objects, with their
	// family and name members (nil when absent; strings and null as they
	// are, any other value as the number 0).
	After, Values            bool
	AfterFamily, AfterName   *ast.Term
	ValuesFamily, ValuesName *ast.Term
	// Refs: the strings of expressions.family.references; RefsState 0
	// when absent, 1 an array, 2 anything else.
	Refs      []string
	RefsState int
}

// HeadOf returns the Head of a resource term of the document: a deferred
// resource's placeholder, or a resource object. ok is false for anything
// else.
func (d *Document) HeadOf(t *ast.Term) (Head, bool) {
	if d.deferred != nil {
		if e, ok := d.deferred.entries[t]; ok {
			return e.head, true
		}
	}
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return Head{}, false
	}
	return headOf(obj), true
}

// deferredEntry is one resource kept as JSON.
type deferredEntry struct {
	head  Head
	raw   []byte
	base  int64 // offset of raw in the document, for error offsets
	depth int
	top   string // the top-level key it is under
}

// deferred is the deferred part of a document.
type deferred struct {
	entries map[*ast.Term]*deferredEntry // by head
}

// Deferred reports whether the document holds deferred resources (read
// with ReadOptions.Defer): Value then has heads in place of the rotation
// resources, and must not be evaluated before Materialize.
func (d *Document) Deferred() bool { return d.deferred != nil }

func (d *Document) build(b *builder, h *ast.Term) *ast.Term {
	e, ok := d.deferred.entries[h]
	if !ok {
		return h
	}
	ms := newMemScanner(e.raw, e.base)
	t, verr, err := b.build(ms, e.depth)
	if err != nil || verr != nil || t == nil {
		// The bytes were built once while reading, with the same result.
		panic(fmt.Sprintf("tfjson: a deferred resource no longer builds: %v %v", err, verr))
	}
	return t
}

// Materialize returns the document's value with every placeholder
// replaced by the resource's value: what Read without Defer returns, less
// what Defer leaves out.
func (d *Document) Materialize() ast.Value { return d.Resolve(d.Value) }

// Resolve returns v, a value made of parts of the document's value (a
// shard of it), with every placeholder replaced by the resource's value,
// built now. The values built by one call share equal parts, as those of
// one read do; v is returned as it is when nothing is deferred.
func (d *Document) Resolve(v ast.Value) ast.Value {
	if d.deferred == nil {
		return v
	}
	b := newBuilder(nil)
	var walk func(t *ast.Term) *ast.Term
	walk = func(t *ast.Term) *ast.Term {
		if _, ok := d.deferred.entries[t]; ok {
			return d.build(b, t)
		}
		switch v := t.Value.(type) {
		case *ast.Array:
			elems := make([]*ast.Term, v.Len())
			changed := false
			for i := range elems {
				elems[i] = walk(v.Elem(i))
				changed = changed || elems[i] != v.Elem(i)
			}
			if changed {
				return ast.ArrayTerm(elems...)
			}
		case ast.Object:
			pairs := make([][2]*ast.Term, 0, v.Len())
			changed := false
			v.Foreach(func(k, x *ast.Term) {
				y := walk(x)
				changed = changed || y != x
				pairs = append(pairs, [2]*ast.Term{k, y})
			})
			if changed {
				return ast.ObjectTerm(pairs...)
			}
		}
		return t
	}
	return walk(ast.NewTerm(v)).Value
}

// deferResource checks the resource in raw as build would, keeps raw and
// returns its head. verr is the value error build reports (the resource is
// then not kept, as without Defer).
func (r *reader) deferResource(raw []byte, start int64, depth int) (*ast.Term, *shapeError, error) {
	if !riskyNumbers(raw) {
		if h, err := scanHead(raw, start, depth); err == nil {
			if r.unreadConfig(h) {
				return nil, nil, nil
			}
			ms := newMemScanner(raw, start)
			r.b.begin(ms)
			ms.pos = len(raw)
			r.b.heap += int64(len(raw)) + 256
			if err := r.b.finish(ms); err != nil {
				return nil, nil, err
			}
			return r.keep(h, raw, start, depth), nil, nil
		}
	}
	r.scratch.reset()
	ms := newMemScanner(raw, start)
	r.b.begin(ms)
	full, verr, err := r.scratch.build(ms, depth)
	if err != nil {
		return nil, nil, err
	}
	// The memory budget counts the bytes kept and the heads.
	r.b.heap += int64(len(raw))
	if err := r.b.finish(ms); err != nil {
		return nil, nil, err
	}
	if verr != nil || full == nil {
		if verr != nil { // its keys are in the scratch arena, which the next resource reuses
			segs := make([]string, len(verr.segs))
			for i, seg := range verr.segs {
				segs[i] = strings.Clone(seg)
			}
			verr = &shapeError{segs: segs, msg: verr.msg}
		}
		return nil, verr, nil
	}
	obj, ok := full.Value.(ast.Object)
	if !ok {
		return full, nil, nil // not reached: the shape check wants an object
	}
	r.b.heap += 256
	h := headOf(obj)
	if r.unreadConfig(h) {
		return nil, nil, nil
	}
	return r.keep(h, raw, start, depth), nil, nil
}

// unreadConfig: a family's block in the configuration, which the bundle
// never reads (family.rego reads the blocks of secrets and schedules).
func (r *reader) unreadConfig(h Head) bool {
	return r.curTop == "configuration" && h.Type == "rotation_secret_family"
}

// keep records a deferred resource and returns its placeholder.
func (r *reader) keep(h Head, raw []byte, start int64, depth int) *ast.Term {
	ph := ast.NewTerm(ast.Null{}) // a placeholder of its own
	if r.deferred == nil {
		r.deferred = &deferred{entries: map[*ast.Term]*deferredEntry{}}
	}
	r.deferred.entries[ph] = &deferredEntry{head: h, raw: bytes.Clone(raw), base: start, depth: depth, top: r.curTop}
	return ph
}

// headOf copies the head fields of a resource: nothing of the value is
// shared, so the value can be dropped.
func headOf(r ast.Object) Head {
	var h Head
	h.Address = stringAt(r, "address")
	h.Mode = stringAt(r, "mode")
	h.Type = stringAt(r, "type")
	h.Name = stringAt(r, "name")
	h.ModuleAddress = stringAt(r, "module_address")
	if change, ok := objectAt(r, "change"); ok {
		h.Change = true
		if a := change.Get(ast.InternedTerm("actions")); a != nil {
			h.Actions, h.ActionsOK = stringList(a)
		}
		_, h.BeforeObject = objectAt(change, "before")
		if after, ok := objectAt(change, "after"); ok {
			h.After = true
			h.AfterFamily, h.AfterName = scalarAt(after, "family"), scalarAt(after, "name")
		}
	}
	if values, ok := objectAt(r, "values"); ok {
		h.Values = true
		h.ValuesFamily, h.ValuesName = scalarAt(values, "family"), scalarAt(values, "name")
	}
	if refs := pathAt(r, "expressions", "family", "references"); refs != nil {
		h.RefsState = 2
		if a, ok := refs.Value.(*ast.Array); ok {
			h.RefsState = 1
			a.Foreach(func(x *ast.Term) {
				if s, ok := x.Value.(ast.String); ok {
					h.Refs = append(h.Refs, strings.Clone(string(s)))
				}
			})
		}
	}
	return h
}

func stringAt(o ast.Object, key string) string {
	if t := o.Get(ast.InternedTerm(key)); t != nil {
		if s, ok := t.Value.(ast.String); ok {
			return strings.Clone(string(s))
		}
	}
	return ""
}

func scalarAt(o ast.Object, key string) *ast.Term {
	if t := o.Get(ast.InternedTerm(key)); t != nil {
		return scalarCopy(t)
	}
	return nil
}

func stringList(t *ast.Term) ([]string, bool) {
	a, ok := t.Value.(*ast.Array)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, a.Len())
	for i := 0; i < a.Len(); i++ {
		s, ok := a.Elem(i).Value.(ast.String)
		if !ok {
			return nil, false
		}
		out = append(out, strings.Clone(string(s)))
	}
	return out, true
}

func objectAt(o ast.Object, key string) (ast.Object, bool) {
	t := o.Get(ast.InternedTerm(key))
	if t == nil {
		return nil, false
	}
	v, ok := t.Value.(ast.Object)
	return v, ok
}

func pathAt(o ast.Object, keys ...string) *ast.Term {
	for i, k := range keys {
		t := o.Get(ast.InternedTerm(k))
		if t == nil || i == len(keys)-1 {
			return t
		}
		next, ok := t.Value.(ast.Object)
		if !ok {
			return nil
		}
		o = next
	}
	return nil
}

// scalarCopy copies a string (its bytes: the built value's arena is
// reused) and null; anything else becomes the number 0.
func scalarCopy(t *ast.Term) *ast.Term {
	switch v := t.Value.(type) {
	case ast.String:
		return ast.StringTerm(strings.Clone(string(v)))
	case ast.Null:
		return ast.InternedNullTerm
	}
	return ast.InternedTerm(0)
}

// dropUnread leaves out of a deferred document what the bundle does not
// read: prior_state, and planned_values when resource_changes is an array;
// their deferred bytes go with them.
func (r *reader) dropUnread(v *ast.Term) *ast.Term {
	top, ok := v.Value.(ast.Object)
	if !ok {
		return v
	}
	drop := map[string]bool{"prior_state": true}
	if rc := top.Get(ast.InternedTerm("resource_changes")); rc != nil {
		if _, isArr := rc.Value.(*ast.Array); isArr {
			drop["planned_values"] = true
		}
	}
	var pairs [][2]*ast.Term
	top.Foreach(func(k, x *ast.Term) {
		if s, _ := k.Value.(ast.String); !drop[string(s)] {
			pairs = append(pairs, [2]*ast.Term{k, x})
		}
	})
	if r.deferred != nil {
		for h, e := range r.deferred.entries {
			if drop[e.top] {
				delete(r.deferred.entries, h)
			}
		}
	}
	return ast.ObjectTerm(pairs...)
}

// riskyNumbers reports whether raw (JSON whose syntax is checked) holds a
// number OPA might refuse: one with an exponent, or a long one. Only those
// need the value built to find out (ast.NumberChecked).
func riskyNumbers(raw []byte) bool {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '-' || '0' <= c && c <= '9':
			j := i
			for j < len(raw) && (raw[j] == '-' || raw[j] == '+' || raw[j] == '.' || raw[j] == 'e' || raw[j] == 'E' || '0' <= raw[j] && raw[j] <= '9') {
				if raw[j] == 'e' || raw[j] == 'E' {
					return true
				}
				j++
			}
			if j-i > 64 {
				return true
			}
			i = j - 1
		}
	}
	return false
}

// scanHead reads the Head of the resource object in raw without building
// it: what headOf gives for the built value (the last of duplicate keys
// wins, strings decoded as the builder decodes them). raw is a resource
// object whose syntax and shape are checked.
func scanHead(raw []byte, base int64, depth int) (Head, error) {
	var h Head
	s := newMemScanner(raw, base)
	str := func() (*ast.Term, error) { // a scalar member value, as scalarCopy
		c, err := s.next()
		if err != nil {
			return nil, err
		}
		switch c {
		case '"':
			b, err := s.readString()
			if err != nil {
				return nil, err
			}
			return ast.StringTerm(string(b)), nil
		case 'n':
			return ast.InternedNullTerm, s.literal("null")
		}
		return ast.InternedTerm(0), s.skip(depth + 4)
	}
	plain := func() (string, error) {
		t, err := str()
		if err != nil {
			return "", err
		}
		if v, ok := t.Value.(ast.String); ok {
			return string(v), nil
		}
		return "", nil
	}
	// familyAndName reads the family and name members of the object at the
	// read position (change.after, values).
	familyAndName := func(family, name **ast.Term, depth int) error {
		return members(s, func(key string) error {
			var err error
			switch key {
			case "family":
				*family, err = str()
			case "name":
				*name, err = str()
			default:
				err = s.skip(depth)
			}
			return err
		})
	}
	err := members(s, func(key string) error {
		var err error
		switch key {
		case "address":
			h.Address, err = plain()
		case "mode":
			h.Mode, err = plain()
		case "type":
			h.Type, err = plain()
		case "name":
			h.Name, err = plain()
		case "module_address":
			h.ModuleAddress, err = plain()
		case "change":
			h.Change, h.ActionsOK, h.Actions, h.BeforeObject = false, false, nil, false
			h.After, h.AfterFamily, h.AfterName = false, nil, nil
			if c, e := s.next(); e != nil || c != '{' {
				return skipOr(s, e, depth+2)
			}
			h.Change = true
			return members(s, func(key string) error {
				switch key {
				case "actions":
					h.Actions, h.ActionsOK = nil, false
					c, err := s.next()
					if err != nil || c != '[' {
						return skipOr(s, err, depth+3)
					}
					return stringElems(s, depth+3, &h.Actions, &h.ActionsOK, true)
				case "before":
					c, err := s.next()
					if err != nil {
						return err
					}
					h.BeforeObject = c == '{'
					return s.skip(depth + 3)
				case "after":
					h.After, h.AfterFamily, h.AfterName = false, nil, nil
					if c, e := s.next(); e != nil || c != '{' {
						return skipOr(s, e, depth+3)
					}
					h.After = true
					return familyAndName(&h.AfterFamily, &h.AfterName, depth+4)
				}
				return s.skip(depth + 3)
			})
		case "values":
			h.Values, h.ValuesFamily, h.ValuesName = false, nil, nil
			if c, e := s.next(); e != nil || c != '{' {
				return skipOr(s, e, depth+2)
			}
			h.Values = true
			return familyAndName(&h.ValuesFamily, &h.ValuesName, depth+3)
		case "expressions":
			h.Refs, h.RefsState = nil, 0
			if c, e := s.next(); e != nil || c != '{' {
				return skipOr(s, e, depth+2)
			}
			return members(s, func(key string) error {
				if key != "family" {
					return s.skip(depth + 3)
				}
				h.Refs, h.RefsState = nil, 0
				if c, e := s.next(); e != nil || c != '{' {
					return skipOr(s, e, depth+3)
				}
				return members(s, func(key string) error {
					if key != "references" {
						return s.skip(depth + 4)
					}
					h.Refs, h.RefsState = nil, 2
					c, err := s.next()
					if err != nil || c != '[' {
						return skipOr(s, err, depth+4)
					}
					h.RefsState = 1
					var ok bool
					return stringElems(s, depth+4, &h.Refs, &ok, false)
				})
			})
		default:
			err = s.skip(depth + 1)
		}
		return err
	})
	return h, err
}

func skipOr(s *scanner, err error, depth int) error {
	if err != nil {
		return err
	}
	return s.skip(depth)
}

// members calls f with each key of the object at the read position; f
// consumes the member's value.
func members(s *scanner, f func(key string) error) error {
	s.pos++ // {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c == '}' {
		s.pos++
		return nil
	}
	for {
		b, err := s.readString()
		if err != nil {
			return err
		}
		key := string(b)
		if err := s.colon(); err != nil {
			return err
		}
		if err := f(key); err != nil {
			return err
		}
		if c, err = s.next(); err != nil {
			return err
		}
		s.pos++
		if c == '}' {
			return nil
		}
		if _, err = s.next(); err != nil {
			return err
		}
	}
}

// stringElems reads the array at the read position into *out: its
// strings (all must be strings when all is set: *ok then says whether
// they were).
func stringElems(s *scanner, depth int, out *[]string, ok *bool, all bool) error {
	s.pos++ // [
	*ok = true
	c, err := s.next()
	if err != nil {
		return err
	}
	if c == ']' {
		s.pos++
		if all {
			*out = []string{}
		}
		return nil
	}
	for {
		if c == '"' {
			b, err := s.readString()
			if err != nil {
				return err
			}
			*out = append(*out, string(b))
		} else {
			*ok = false
			if err := s.skip(depth); err != nil {
				return err
			}
		}
		if c, err = s.next(); err != nil {
			return err
		}
		s.pos++
		if c == ']' {
			break
		}
		if c, err = s.next(); err != nil {
			return err
		}
	}
	if all && !*ok {
		*out = nil
	}
	return nil
}
