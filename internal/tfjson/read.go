package tfjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"

	"github.com/open-policy-agent/opa/v1/ast"
)

// DefaultMaxInputBytes is the largest input document read: 1 GiB. A plan of
// thousands of secrets is a few tens of megabytes; anything near this size is
// a mistake (or an attack).
const DefaultMaxInputBytes int64 = 1 << 30

// DefaultMaxMemory is the default memory budget (ReadOptions.MaxMemory).
const DefaultMaxMemory int64 = 2 << 30

// The memory budget's estimate of what `check` needs for a document:
//
//	MemoryBase + MemoryPerKeptByte × kept + MemoryPerValueByte × value
//
// MemoryBase is the process and the compiled bundle; kept is the bytes of
// JSON the reader keeps, and MemoryPerKeptByte what the rules build over
// them during the evaluation (records, maps, comprehensions); value is the
// reader's estimate of the heap the OPA value holds (about 1.7 bytes per
// kept byte on the genplan plans, thanks to interning and hash consing, but
// 28 for a hostile array of distinct one-key objects), and
// MemoryPerValueByte leaves the garbage collector its headroom. Measured
// peak RSS of `check` evaluating the whole document at once (Go 1.26, OPA
// 1.22): 45 MiB + 12.3 per kept byte on the densest plan (genplan pure,
// N = 10 000: 54.8 MB kept, 93 MB of value, 718 MB), 4.9 per kept byte on a
// no-op plan of existing secrets. `check` now evaluates large documents in
// shards from deferred resources (about 200 MB on that plan), but a shard
// that cannot be relied on sends the document to one whole evaluation, so
// the estimate stays that of the whole evaluation (it counts the same bytes
// of JSON kept).
const (
	MemoryBase         = 64 << 20
	MemoryPerKeptByte  = 12
	MemoryPerValueByte = 2
)

// StdinName is the file name that reads standard input.
const StdinName = "-"

// ReadOptions configure Read and ReadFile.
type ReadOptions struct {
	// MaxBytes is the largest document read (<= 0: DefaultMaxInputBytes).
	MaxBytes int64
	// MaxMemory is the memory budget: a document whose kept part would need
	// more (see MemoryBase) is refused as soon as the reader knows it (0:
	// DefaultMaxMemory; < 0: no budget).
	MaxMemory int64
	// MemoryFlag names the setting that raises the budget in the error
	// ("--max-memory"); empty leaves the hint out.
	MemoryFlag string
	// KeepAll keeps the whole document instead of what the bundle reads:
	// extra policies may read anything. The shape checks are the same.
	KeepAll bool
	// Defer keeps each rotation resource as its JSON bytes and a head
	// (deferred.go), for an evaluation in shards; ignored with KeepAll.
	Defer bool
}

// Document is a `terraform show -json` document as the policies see it.
type Document struct {
	File          string
	Kind          string // "plan" or "state"
	FormatVersion string
	// Value is the document as an OPA value: what the bundle reads (see
	// the package documentation), or all of it with ReadOptions.KeepAll.
	// It is passed to every evaluation as the parsed input.
	Value ast.Value
	// Size is the document's size in bytes; Kept the bytes of JSON that
	// Value holds; ValueBytes the reader's estimate of the heap Value
	// holds; Estimate the memory budget's estimate for the document.
	Size, Kept, ValueBytes, Estimate int64

	deferred *deferred // ReadOptions.Defer: see Deferred
}

// supportedFormat matches the format_version values this checker reads:
// major version 1, any minor (Terraform and OpenTofu write "1.0" to "1.2").
var supportedFormat = regexp.MustCompile(`^1\.[0-9]+$`)

const expectShow = "(expected the output of `terraform show -json`)"

// ReadFile reads and checks one plan or state JSON document; path "-" reads
// standard input. Every failure is an *InputError.
func ReadFile(path string, opts ReadOptions) (*Document, error) {
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxInputBytes
	}
	if path == StdinName {
		return Read("(stdin)", os.Stdin, opts)
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
		// A size of 0 is not trusted: files of /proc and /sys say 0 and
		// have content. The stream tells whether the file is empty.
		if info.Size() > maxBytes {
			return nil, fail("too large: %s for an input document", overLimit(info.Size(), maxBytes))
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
	return Read(path, f, opts)
}

// reader is the state of one Read.
type reader struct {
	b        *builder
	keepAll  bool
	rotation bool // the resource being checked has a rotation type

	// With ReadOptions.Defer: the builder that checks each resource, the
	// resources kept as JSON, and the top-level key being read.
	deferOn  bool
	scratch  *builder
	deferred *deferred
	curTop   string

	// The top-level keys that tell what the document is.
	hasFormat, isPlan, isSchema bool
	format, formatKind          string
}

// Read reads one document from r, named name in errors.
func Read(name string, r io.Reader, opts ReadOptions) (*Document, error) {
	fail := func(format string, a ...any) error { return &InputError{File: name, Reason: fmt.Sprintf(format, a...)} }
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxInputBytes
	}
	bg := &budget{limit: opts.MaxMemory, flag: opts.MemoryFlag}
	if bg.limit == 0 {
		bg.limit = DefaultMaxMemory
	}
	s := newScanner(r, 64<<10, maxBytes)
	describe := func(err error, first byte) error {
		return &InputError{File: name, Reason: describeError(err, first, maxBytes)}
	}

	if _, err := s.ensure(4); err != nil {
		return nil, describe(err, 0)
	}
	head := s.buf[s.pos:s.end]
	switch {
	case len(head) == 0:
		return nil, fail("empty file %s", expectShow)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, fail("a binary plan file (zip), not JSON; convert it with `terraform show -json PLANFILE > plan.json`")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, fail("UTF-16 text, not UTF-8 JSON (PowerShell's > writes UTF-16; use `| Out-File -Encoding utf8`)")
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		s.pos += 3 // a UTF-8 byte order mark: harmless, skip it
	}

	first, ok, err := s.peek()
	if err != nil {
		return nil, describe(err, 0)
	}
	if !ok {
		return nil, fail("empty file: only white space %s", expectShow)
	}
	if first != '{' {
		if !startsValue(first) {
			return nil, fail("not JSON: the file starts with %s, not a JSON object %s", quoteChar(first), expectShow)
		}
		if err := s.skip(0); err != nil {
			return nil, describe(err, first)
		}
		if err := trailing(s); err != nil {
			return nil, describe(err, first)
		}
		return nil, fail("not a Terraform plan or state document: the JSON is %s, not an object %s", kindOf(first), expectShow)
	}

	rd := &reader{b: newBuilder(bg), keepAll: opts.KeepAll, deferOn: opts.Defer && !opts.KeepAll}
	if rd.deferOn {
		rd.scratch = newBuilder(nil)
	}
	v, verr, err := rd.walk(s, document, true, 0)
	if err != nil {
		return nil, describe(err, first)
	}
	if err := trailing(s); err != nil {
		return nil, describe(err, first)
	}

	if !rd.hasFormat {
		if rd.isSchema {
			return nil, fail("not a Terraform plan or state document: this is `terraform providers schema -json` output")
		}
		return nil, fail("not a Terraform plan or state document: no format_version %s", expectShow)
	}
	if rd.formatKind != "a string" {
		return nil, fail("not a Terraform plan or state document: format_version is %s, not a string", rd.formatKind)
	}
	if !supportedFormat.MatchString(rd.format) {
		return nil, fail("unsupported format_version %q: this checker reads format 1.x (Terraform >= 0.12, OpenTofu)", rd.format)
	}
	if rd.isSchema {
		return nil, fail("not a Terraform plan or state document: this is `terraform providers schema -json` output")
	}
	if verr != nil {
		return nil, fail("%s", verr.Error())
	}
	kind := "state"
	if rd.isPlan {
		kind = "plan"
	}
	if rd.deferOn {
		v = rd.dropUnread(v)
	}
	return &Document{File: name, Kind: kind, FormatVersion: rd.format, Value: v.Value,
		Size: s.offset(), Kept: rd.b.keptDone, ValueBytes: rd.b.heap, Estimate: estimate(rd.b.keptDone, rd.b.heap),
		deferred: rd.deferred}, nil
}

// trailing checks that nothing but white space follows the document.
func trailing(s *scanner) error {
	_, ok, err := s.peek()
	if err != nil {
		return err
	}
	if ok {
		return &trailingError{offset: s.offset()}
	}
	return nil
}

type trailingError struct{ offset int64 }

func (e *trailingError) Error() string { return "unexpected data after the JSON document" }

// describeError explains a failure to read without quoting the input
// beyond one offending byte outside a string.
func describeError(err error, first byte, maxBytes int64) string {
	var (
		se *syntaxError
		te *truncatedError
		de *depthError
		re *readError
		le *limitError
		be *budgetError
		tr *trailingError
	)
	switch {
	case errors.As(err, &le):
		return fmt.Sprintf("too large: more than the %s limit for an input document", byteSize(maxBytes))
	case errors.As(err, &te):
		return fmt.Sprintf("truncated JSON: the document ends after %d bytes before it is complete", te.size)
	case errors.As(err, &se):
		if first != '{' && first != '[' && first != 0 {
			return fmt.Sprintf("not JSON: the file starts with %s, not a JSON object %s", quoteChar(first), expectShow)
		}
		if se.offset <= 1 {
			return fmt.Sprintf("not JSON: %s at byte %d %s", se.msg, se.offset, expectShow)
		}
		return fmt.Sprintf("not JSON: %s at byte %d", se.msg, se.offset)
	case errors.As(err, &tr):
		return fmt.Sprintf("not JSON: unexpected data after the JSON document at byte %d", tr.offset)
	case errors.As(err, &de):
		return fmt.Sprintf("too deeply nested: more than %d levels of arrays and objects at byte %d", MaxDepth, de.offset)
	case errors.As(err, &be):
		return be.describe()
	case errors.As(err, &re):
		return "cannot read: " + describeOSError(re.err)
	}
	return "cannot read: " + describeOSError(err)
}

// budget is the memory budget of one read.
type budget struct {
	limit int64 // < 0: none
	flag  string
}

func (bg *budget) check(kept, value int64, s *scanner) error {
	if bg == nil || bg.limit < 0 {
		return nil
	}
	if est := estimate(kept, value); est > bg.limit {
		return &budgetError{kept: kept, offset: s.offset(), estimate: est, limit: bg.limit, flag: bg.flag}
	}
	return nil
}

// estimate is the memory `check` needs for kept bytes of JSON that make a
// value of value bytes.
func estimate(kept, value int64) int64 {
	return MemoryBase + MemoryPerKeptByte*kept + MemoryPerValueByte*value
}

func (e *budgetError) describe() string {
	hint := ""
	if e.flag != "" {
		hint = fmt.Sprintf("; raise it with %s", e.flag)
	}
	return fmt.Sprintf("too large to check within the memory budget: by byte %d the parts of the document the policies read already hold %s of JSON, which needs about %s of memory, more than the %s budget%s",
		e.offset, byteSize(e.kept), byteSize(e.estimate), byteSize(e.limit), hint)
}

func describeOSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
