package tfjson

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// InputError is a problem with an input document: the file name and a short
// reason, meant to be printed on one line. The reason names JSON paths,
// kinds and byte offsets, never a value of the document (a state holds
// secrets in clear).
type InputError struct {
	File   string
	Reason string
}

func (e *InputError) Error() string { return e.File + ": " + e.Reason }

// shapeError: the value at a JSON path does not have the shape the reader
// expects there. It is kept with the member it was found in until the
// document's end, since a later duplicate key replaces that member (as in
// encoding/json, the last of duplicate keys wins).
type shapeError struct {
	segs []string // path segments, innermost first
	msg  string
}

// under prefixes the path with seg (the error is propagated one level up).
func (e *shapeError) under(seg string) *shapeError {
	return &shapeError{segs: append(e.segs[:len(e.segs):len(e.segs)], seg), msg: e.msg}
}

// path is the JSON path, e.g. resource_changes[3].change.actions.
func (e *shapeError) path() string {
	var b strings.Builder
	for i := len(e.segs) - 1; i >= 0; i-- {
		seg := e.segs[i]
		if !strings.HasPrefix(seg, "[") && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

func (e *shapeError) Error() string {
	if len(e.segs) == 0 {
		return e.msg
	}
	return e.path() + ": " + e.msg
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// keySegment is an object key as a path segment: name, or ["odd key"].
func keySegment(k string) string {
	if identifier.MatchString(k) {
		return k
	}
	return "[" + strconv.Quote(k) + "]"
}

func indexSegment(i int) string { return "[" + strconv.Itoa(i) + "]" }

// kind names the JSON kind a value starts with, for messages.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// budgetError: the kept part of the document would need more memory than
// the budget.
type budgetError struct {
	kept, offset, estimate, limit int64
	flag                          string
}

func (e *budgetError) Error() string {
	return fmt.Sprintf("over the memory budget: %s kept at byte %d", byteSize(e.kept), e.offset)
}
