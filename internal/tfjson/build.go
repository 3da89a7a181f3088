package tfjson

import (
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The builder turns kept JSON into OPA values directly, with no
// intermediate Go value, and makes them small:
//
//   - object keys and short strings are interned: every "address", "mode"
//     or "managed" of the document is one term;
//   - terms come from slabs and string bytes from an arena, so a value costs
//     a few large allocations instead of one per term;
//   - empty arrays and objects, null and booleans are OPA's interned terms;
//   - equal arrays and objects are built once (hash consing): values are
//     built bottom-up, so equal children are already the same term, and two
//     containers are equal when they hold the same terms. A plan repeats
//     itself a lot (after_unknown and the sensitive marks of every resource
//     of a type, change windows, planned_values' copy of each change.after),
//     and all of it is shared.
//
// The values are never modified after they are built (OPA treats its input
// as immutable), so sharing terms between them is safe: OPA's own interned
// terms are shared the same way.

const (
	// maxInternLen is the longest string interned; longer ones (ids,
	// descriptions, key material) rarely repeat.
	maxInternLen = 64
	// maxInterned bounds the intern tables (a document of distinct short
	// strings must not grow them without bound).
	maxInterned = 1 << 18
	// maxConsMembers is the largest container shared by hash consing (a
	// bigger one is compared member by member at too high a cost, and
	// rarely repeats).
	maxConsMembers = 32
	// maxConsed bounds the hash-consing table.
	maxConsed = 1 << 20
	slabSize  = 512
	arenaSize = 64 << 10
)

type builder struct {
	cons  map[uint64]*consEntry
	strs  map[string]*ast.Term
	nums  map[string]*ast.Term
	slab  []ast.Term
	arena []byte
	// The last slab and arena allocated, whole: reset starts over in them.
	slab0  []ast.Term
	arena0 []byte

	items []memberItem  // members of the objects under construction
	elems []*ast.Term   // elements of the arrays under construction
	errs  []memberError // value errors of the objects under construction

	// Accounting for the memory budget: keptDone bytes of JSON in finished
	// values, and the value being built since curStart; heap, an estimate
	// of the heap the values built hold (their terms, strings, objects and
	// arrays, as OPA lays them out, and the tables of this builder).
	keptDone int64
	curStart int64
	heap     int64
	budget   *budget
}

// consEntry is a container built once, with its members (the slice given
// to OPA's constructor; only the table refers to it for objects, and only
// while reading).
type consEntry struct {
	t     *ast.Term
	pairs [][2]*ast.Term // an object's members
	elems []*ast.Term    // an array's elements
	next  *consEntry     // same hash
}

type memberItem struct {
	key  string
	item [2]*ast.Term
}

type memberError struct {
	index int // index in items
	err   *shapeError
}

func newBuilder(b *budget) *builder {
	return &builder{
		cons: make(map[uint64]*consEntry, 1024),
		strs: make(map[string]*ast.Term, 1024), nums: make(map[string]*ast.Term, 256),
		budget: b,
	}
}

// reset forgets everything built so far and reuses the last slab and
// arena: only for a builder whose values are dropped before the next one
// is built (the check of a deferred resource).
func (b *builder) reset() {
	clear(b.cons)
	clear(b.strs)
	clear(b.nums)
	clear(b.slab0)
	b.slab = b.slab0
	b.arena = b.arena0[:0]
	b.items, b.elems, b.errs = b.items[:0], b.elems[:0], b.errs[:0]
	b.keptDone, b.curStart, b.heap = 0, 0, 0
}

func (b *builder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, slabSize)
		b.slab0 = b.slab
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	b.heap += 24 // the term; its value's own header is counted by the caller
	return t
}

// stringOf copies raw into the arena.
func (b *builder) stringOf(raw []byte) string {
	n := len(raw)
	if n == 0 {
		return ""
	}
	if n > arenaSize/8 {
		return string(raw)
	}
	b.heap += int64(n) + 16 // the bytes, and the string header of the value
	if cap(b.arena)-len(b.arena) < n {
		b.arena = make([]byte, 0, arenaSize)
		b.arena0 = b.arena
	}
	start := len(b.arena)
	b.arena = append(b.arena, raw...)
	return unsafe.String(&b.arena[start], n)
}

// str is the term of a decoded string.
func (b *builder) str(raw []byte) *ast.Term {
	if len(raw) == 0 {
		return ast.InternedEmptyString
	}
	if len(raw) > maxInternLen {
		return b.term(ast.String(b.stringOf(raw)))
	}
	if t, ok := b.strs[string(raw)]; ok {
		return t
	}
	s := b.stringOf(raw)
	t := b.term(ast.String(s))
	if len(b.strs) < maxInterned {
		b.strs[s] = t
		b.heap += 48
	}
	return t
}

// num is the term of a number's text, or a value error when OPA refuses it
// (an exponent out of its range), exactly as ast.InterfaceToValue does for
// a json.Number.
func (b *builder) num(text []byte) (*ast.Term, *shapeError) {
	if t := ast.InternedIntNumberTermFromString(string(text)); t != nil {
		return t, nil
	}
	if len(text) <= maxInternLen {
		if t, ok := b.nums[string(text)]; ok {
			return t, nil
		}
	}
	s := b.stringOf(text)
	n, err := ast.NumberChecked(s)
	if err != nil {
		return nil, &shapeError{msg: "a number out of the range OPA accepts (binary exponent beyond ±100000)"}
	}
	t := b.term(n)
	if len(text) <= maxInternLen && len(b.nums) < maxInterned {
		b.nums[s] = t
		b.heap += 48
	}
	return t, nil
}

// begin and finish bracket one kept value read from s, for the budget.
func (b *builder) begin(s *scanner) { b.curStart = s.offset() }

func (b *builder) finish(s *scanner) error {
	b.keptDone += s.offset() - b.curStart
	b.curStart = s.offset()
	return b.budget.check(b.keptDone, b.heap, s)
}

// progress checks the budget in the middle of a value.
func (b *builder) progress(s *scanner) error {
	return b.budget.check(b.keptDone+s.offset()-b.curStart, b.heap, s)
}

// build reads one whole value. A value error (a number OPA refuses) is
// returned as *shapeError with the path below this value; the value is then
// read to its end but not kept. depth is the nesting depth of the value's
// container.
func (b *builder) build(s *scanner, depth int) (*ast.Term, *shapeError, error) {
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	switch c {
	case '{':
		return b.object(s, depth+1)
	case '[':
		return b.array(s, depth+1)
	case '"':
		raw, err := s.readString()
		if err != nil {
			return nil, nil, err
		}
		return b.str(raw), nil, nil
	case 't':
		return ast.InternedTerm(true), nil, s.literal("true")
	case 'f':
		return ast.InternedTerm(false), nil, s.literal("false")
	case 'n':
		return ast.InternedNullTerm, nil, s.literal("null")
	}
	if c == '-' || '0' <= c && c <= '9' {
		text, err := s.number(true)
		if err != nil {
			return nil, nil, err
		}
		t, verr := b.num(text)
		return t, verr, nil
	}
	return nil, nil, s.errAt("invalid character %s looking for beginning of value", quoteChar(c))
}

func (b *builder) object(s *scanner, depth int) (*ast.Term, *shapeError, error) {
	if depth > MaxDepth {
		return nil, nil, &depthError{offset: s.offset() + 1}
	}
	s.pos++ // {
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	if c == '}' {
		s.pos++
		return ast.InternedEmptyObject, nil, nil
	}
	start, errStart := len(b.items), len(b.errs)
	for {
		if c != '"' {
			return nil, nil, s.errAt("invalid character %s looking for beginning of object key string", quoteChar(c))
		}
		raw, err := s.readString()
		if err != nil {
			return nil, nil, err
		}
		k := b.str(raw)
		if err := s.colon(); err != nil {
			return nil, nil, err
		}
		v, verr, err := b.build(s, depth)
		if err != nil {
			return nil, nil, err
		}
		if verr != nil {
			b.errs = append(b.errs, memberError{index: len(b.items) - start, err: verr})
		}
		key, _ := k.Value.(ast.String) // b.str makes strings only
		b.items = append(b.items, memberItem{key: string(key), item: [2]*ast.Term{k, v}})
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
	items := b.items[start:]
	errs := b.errs[errStart:]
	defer func() {
		clear(b.items[start:])
		b.items = b.items[:start]
		b.errs = b.errs[:errStart]
	}()
	dedupe(items)
	// A value error counts unless a later member of the same key replaced
	// it (encoding/json keeps the last of duplicate keys).
	for _, e := range errs {
		if items[e.index].item[0] != nil {
			return nil, e.err.under(keySegment(items[e.index].key)), nil
		}
	}
	if err := b.progress(s); err != nil {
		return nil, nil, err
	}
	return b.object0(items), nil, nil
}

// dedupe clears (key term nil) every member that a later member of the same
// key replaces, as encoding/json does with duplicate keys: the last wins.
func dedupe(items []memberItem) {
	n := len(items)
	if n < 2 {
		return
	}
	if n <= 32 {
		for i := 0; i < n-1; i++ {
			for j := i + 1; j < n; j++ {
				if items[i].key == items[j].key {
					items[i].item[0] = nil
					break
				}
			}
		}
		return
	}
	last := make(map[string]int, n)
	for i := range items {
		if j, ok := last[items[i].key]; ok {
			items[j].item[0] = nil
		}
		last[items[i].key] = i
	}
}

// object0 is the term of the object of the members that remain after
// dedupe (key term not nil), shared with an equal one built before.
func (b *builder) object0(items []memberItem) *ast.Term {
	n := 0
	h := uint64(0x9E3779B97F4A7C15)
	for _, it := range items {
		if it.item[0] != nil {
			n++
			h += mix(ptr(it.item[0])*31 + ptr(it.item[1]))
		}
	}
	if n == 0 {
		return ast.InternedEmptyObject
	}
	h ^= uint64(n)
	cons := n <= maxConsMembers
	if cons {
		for e := b.cons[h]; e != nil; e = e.next {
			if e.pairs != nil && samePairs(e.pairs, items, n) {
				return e.t
			}
		}
	}
	pairs := make([][2]*ast.Term, 0, n)
	for _, it := range items {
		if it.item[0] != nil {
			pairs = append(pairs, it.item)
		}
	}
	t := b.term(ast.NewObject(pairs...))
	// OPA's object: its struct, a Go map of n entries, the members and
	// their index; the pairs given to it.
	b.heap += 112 + 48*int64(n) + 144*int64((n+7)/8) + 16*int64(n)
	if cons && len(b.cons) < maxConsed {
		b.cons[h] = &consEntry{t: t, pairs: pairs, next: b.cons[h]}
		b.heap += 80
	}
	return t
}

// samePairs reports whether the n remaining members of items are exactly
// the pairs (the same key and value terms).
func samePairs(pairs [][2]*ast.Term, items []memberItem, n int) bool {
	if len(pairs) != n {
		return false
	}
next:
	for _, it := range items {
		if it.item[0] == nil {
			continue
		}
		for _, p := range pairs {
			if p[0] == it.item[0] {
				if p[1] != it.item[1] {
					return false
				}
				continue next
			}
		}
		return false
	}
	return true
}

// array0 is the term of the array of elems (which it keeps), shared with an
// equal one built before.
func (b *builder) array0(elems []*ast.Term) *ast.Term {
	h := uint64(len(elems))
	for _, e := range elems {
		h = mix(h*31 + ptr(e))
	}
	cons := len(elems) <= maxConsMembers
	if cons {
	search:
		for e := b.cons[h]; e != nil; e = e.next {
			if e.elems == nil || len(e.elems) != len(elems) {
				continue
			}
			for i := range elems {
				if e.elems[i] != elems[i] {
					continue search
				}
			}
			return e.t
		}
	}
	t := b.term(ast.NewArray(elems...))
	b.heap += 48 + 16*int64(len(elems)) // OPA's array: its struct, the elements and their hashes
	if cons && len(b.cons) < maxConsed {
		b.cons[h] = &consEntry{t: t, elems: elems, next: b.cons[h]}
		b.heap += 80
	}
	return t
}

// elemsFrom copies the elements under construction from start, for an
// array (which keeps the slice).
func (b *builder) elemsFrom(start int) []*ast.Term {
	elems := make([]*ast.Term, len(b.elems)-start)
	copy(elems, b.elems[start:])
	return elems
}

func ptr(t *ast.Term) uint64 { return uint64(uintptr(unsafe.Pointer(t))) }

// mix is the finalizer of SplitMix64.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}

func (b *builder) array(s *scanner, depth int) (*ast.Term, *shapeError, error) {
	if depth > MaxDepth {
		return nil, nil, &depthError{offset: s.offset() + 1}
	}
	s.pos++ // [
	c, err := s.next()
	if err != nil {
		return nil, nil, err
	}
	if c == ']' {
		s.pos++
		return ast.InternedEmptyArray, nil, nil
	}
	start := len(b.elems)
	defer func() {
		clear(b.elems[start:])
		b.elems = b.elems[:start]
	}()
	var first *shapeError
	for i := 0; ; i++ {
		if first == nil {
			v, verr, err := b.build(s, depth)
			if err != nil {
				return nil, nil, err
			}
			if verr != nil {
				first = verr.under(indexSegment(i))
			}
			b.elems = append(b.elems, v)
		} else if err := s.skip(depth); err != nil {
			return nil, nil, err
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
	if first != nil {
		return nil, first, nil
	}
	if err := b.progress(s); err != nil {
		return nil, nil, err
	}
	return b.array0(b.elemsFrom(start)), nil, nil
}
