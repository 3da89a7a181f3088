package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

// The input documents are read by internal/tfjson (where plan and state
// JSON is read); these names keep the policy package's API.

// DefaultMaxInputBytes is the largest input document read: 1 GiB.
const DefaultMaxInputBytes = tfjson.DefaultMaxInputBytes

// StdinName is the file name that reads standard input.
const StdinName = tfjson.StdinName

// InputError is a problem with an input document: the file name and a short
// reason, meant to be printed on one line.
type InputError = tfjson.InputError

// Document is a decoded `terraform show -json` document: what the bundle
// reads of it (tfjson.ReadOptions.KeepAll keeps all of it).
type Document = tfjson.Document

// ReadInputFile reads and checks one plan or state JSON document, keeping
// what the bundle reads. path "-" reads standard input. Documents larger
// than maxBytes are refused (<= 0 means DefaultMaxInputBytes). Every
// failure is an *InputError.
func ReadInputFile(path string, maxBytes int64) (*Document, error) {
	return tfjson.ReadFile(path, tfjson.ReadOptions{MaxBytes: maxBytes})
}

// ReadInput decodes one document from r (named name in errors), reading at
// most maxBytes.
func ReadInput(name string, r io.Reader, maxBytes int64) (*Document, error) {
	return tfjson.Read(name, r, tfjson.ReadOptions{MaxBytes: maxBytes})
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
