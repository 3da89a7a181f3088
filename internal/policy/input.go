package policy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/open-policy-agent/opa/v1/ast"
)

// DefaultMaxInputBytes is the largest input document read: 1 GiB. A plan of
// thousands of secrets is a few tens of megabytes; anything near this size is
// a mistake (or an attack) and would need many times its size in memory.
const DefaultMaxInputBytes int64 = 1 << 30

// StdinName is the file name that reads standard input.
const StdinName = "-"

// InputError is a problem with an input document: the file name and a short
// reason, meant to be printed on one line.
type InputError struct {
	File   string
	Reason string
}

func (e *InputError) Error() string { return e.File + ": " + e.Reason }

// Document is a decoded `terraform show -json` document.
type Document struct {
	File          string
	Kind          string // "plan" or "state"
	FormatVersion string
	// Value is the whole document as an OPA value, converted once and
	// passed to every evaluation as the parsed input.
	Value ast.Value
}

// supportedFormat matches the format_version values this checker reads:
// major version 1, any minor (Terraform and OpenTofu write "1.0" to "1.2").
var supportedFormat = regexp.MustCompile(`^1\.[0-9]+$`)

// ReadInputFile reads and checks one plan or state JSON document. path "-"
// reads standard input. Documents larger than maxBytes are refused (<= 0
// means DefaultMaxInputBytes). Every failure is an *InputError.
func ReadInputFile(path string, maxBytes int64) (*Document, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxInputBytes
	}
	if path == StdinName {
		return ReadInput("(stdin)", os.Stdin, maxBytes)
	}
	fail := func(format string, a ...any) error { return &InputError{File: path, Reason: fmt.Sprintf(format, a...)} }
	info, err := os.Stat(path)
	if err != nil {
		return nil, fail("cannot read: %s", describeOSError(err))
	}
	switch {
	case info.IsDir():
		return nil, fail("not a file (a directory)")
	case info.Mode().IsRegular():
		if info.Size() == 0 {
			return nil, fail("empty file (expected the output of `terraform show -json`)")
		}
		if info.Size() > maxBytes {
			return nil, fail("too large: %s, more than the %s limit for an input document", byteSize(info.Size()), byteSize(maxBytes))
		}
	case info.Mode()&(os.ModeNamedPipe|os.ModeCharDevice) != 0:
		// A pipe or /dev/stdin: read as a stream, with the same limit.
	default:
		return nil, fail("not a regular file (%s)", info.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail("cannot read: %s", describeOSError(err))
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose on close
	return ReadInput(path, f, maxBytes)
}

// ReadInput decodes one document from r (named name in errors), reading at
// most maxBytes.
func ReadInput(name string, r io.Reader, maxBytes int64) (*Document, error) {
	fail := func(format string, a ...any) error { return &InputError{File: name, Reason: fmt.Sprintf(format, a...)} }
	if maxBytes <= 0 {
		maxBytes = DefaultMaxInputBytes
	}
	cr := &countingReader{r: io.LimitReader(r, maxBytes+1)}
	br := bufio.NewReaderSize(cr, 64<<10)

	head, err := br.Peek(512)
	head = append([]byte(nil), head...) // Peek's slice is only valid until the next read
	if len(head) == 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fail("cannot read: %s", describeOSError(err))
		}
		return nil, fail("empty file (expected the output of `terraform show -json`)")
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, fail("a binary plan file (zip), not JSON; convert it with `terraform show -json PLANFILE > plan.json`")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, fail("UTF-16 text, not UTF-8 JSON (PowerShell's > writes UTF-16; use `| Out-File -Encoding utf8`)")
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3) // a UTF-8 byte order mark: harmless, skip it
		head = head[3:]
	}

	dec := json.NewDecoder(br)
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if cr.n > maxBytes {
			return nil, fail("too large: more than the %s limit for an input document", byteSize(maxBytes))
		}
		var se *json.SyntaxError
		if first := firstNonSpace(head); errors.As(err, &se) && first != '{' && first != '[' && first != 0 {
			return nil, fail("not JSON: the file starts with %q, not a JSON object (expected the output of `terraform show -json`)", rune(first))
		}
		return nil, fail("%s", describeJSONError(err, dec.InputOffset()))
	}
	// Nothing but white space may follow the document.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if cr.n > maxBytes {
			return nil, fail("too large: more than the %s limit for an input document", byteSize(maxBytes))
		}
		return nil, fail("not JSON: unexpected data after the JSON document at byte %d", dec.InputOffset())
	}
	if cr.n > maxBytes {
		return nil, fail("too large: more than the %s limit for an input document", byteSize(maxBytes))
	}

	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fail("not a Terraform plan or state document: the JSON is %s, not an object (expected the output of `terraform show -json`)", jsonKind(doc))
	}
	fv, present := obj["format_version"]
	if !present {
		if _, ok := obj["provider_schemas"]; ok {
			return nil, fail("not a Terraform plan or state document: this is `terraform providers schema -json` output")
		}
		return nil, fail("not a Terraform plan or state document: no format_version (expected the output of `terraform show -json`)")
	}
	fvs, ok := fv.(string)
	if !ok {
		return nil, fail("not a Terraform plan or state document: format_version is %s, not a string", jsonKind(fv))
	}
	if !supportedFormat.MatchString(fvs) {
		return nil, fail("unsupported format_version %q: this checker reads format 1.x (Terraform >= 0.12, OpenTofu)", fvs)
	}
	if _, ok := obj["provider_schemas"]; ok {
		return nil, fail("not a Terraform plan or state document: this is `terraform providers schema -json` output")
	}
	kind := "state"
	if _, ok := obj["planned_values"]; ok {
		kind = "plan"
	} else if _, ok := obj["resource_changes"]; ok {
		kind = "plan"
	}
	v, err := ast.InterfaceToValue(obj)
	if err != nil {
		return nil, fail("cannot convert the document: %v", err)
	}
	return &Document{File: name, Kind: kind, FormatVersion: fvs, Value: v}, nil
}

// describeJSONError explains a decoding failure without quoting the input
// (it may hold secrets).
func describeJSONError(err error, offset int64) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("truncated JSON: the document ends after %d bytes before it is complete", offset)
	case errors.Is(err, io.EOF):
		return "empty file: only white space (expected the output of `terraform show -json`)"
	case errors.As(err, &se):
		if se.Offset <= 1 {
			return fmt.Sprintf("not JSON: %s at byte %d (expected the output of `terraform show -json`)", se.Error(), se.Offset)
		}
		return fmt.Sprintf("not JSON: %s at byte %d", se.Error(), se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("not JSON: %s at byte %d", te.Error(), te.Offset)
	}
	return "cannot read: " + describeOSError(err)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func byteSize(n int64) string {
	const (
		kib = 1 << 10
		mib = 1 << 20
		gib = 1 << 30
	)
	switch {
	case n >= gib && n%gib == 0:
		return fmt.Sprintf("%d GiB", n/gib)
	case n >= gib:
		return fmt.Sprintf("%.1f GiB", float64(n)/gib)
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	case n >= kib:
		return fmt.Sprintf("%.1f KiB", float64(n)/kib)
	}
	return fmt.Sprintf("%d bytes", n)
}

// firstNonSpace is the first byte of b that is not JSON white space (0 when
// there is none).
func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
