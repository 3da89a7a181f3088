package tfjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

func readString(doc string, opts ReadOptions) (*Document, error) {
	return Read("plan.json", strings.NewReader(doc), opts)
}

// rc is a resource_changes entry as Terraform writes it, with replacements.
func rc(typ string, edit ...string) string {
	fields := map[string]string{
		"address": `"` + typ + `.x"`, "mode": `"managed"`, "type": `"` + typ + `"`, "name": `"x"`,
		"change": `{"actions":["create"],"before":null,"after":{"name":"n"},"after_unknown":{}}`,
	}
	order := []string{"address", "mode", "type", "name", "change"}
	for i := 0; i+1 < len(edit); i += 2 {
		if _, ok := fields[edit[i]]; !ok {
			order = append(order, edit[i])
		}
		fields[edit[i]] = edit[i+1]
	}
	var parts []string
	for _, k := range order {
		if v := fields[k]; v != "-" {
			parts = append(parts, fmt.Sprintf("%q:%s", k, v))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func plan(entries ...string) string {
	return `{"format_version":"1.2","resource_changes":[` + strings.Join(entries, ",") + `]}`
}

// Issue 10, item 8: a plan whose resource_changes entries are not objects,
// or whose actions or type have the wrong type, passed `check` (exit 0) and
// gave an empty runbook. Every entry the policies read is now checked for
// the shape Terraform writes, and the error names the JSON path.
func TestShapeErrors(t *testing.T) {
	secret := "s3cr3t-in-state"
	cases := []struct{ name, doc, want string }{
		{"entry not an object", plan(rc("rotation_secret"), rc("null_resource"), rc("rotation_secret_family"), `5`),
			"resource_changes[3]: expected an object, found a number"},
		{"entry null", plan(`null`), "resource_changes[0]: expected an object, found null"},
		{"actions a number", plan(rc("null_resource"), rc("null_resource"), rc("null_resource"), rc("null_resource", "change", `{"actions":7}`)),
			"resource_changes[3].change.actions: expected an array of strings, found a number"},
		{"actions of numbers", plan(rc("rotation_secret", "change", `{"actions":["create",1]}`)),
			"resource_changes[0].change.actions[1]: expected a string, found a number"},
		{"actions missing", plan(rc("rotation_secret", "change", `{"after":{}}`)),
			"resource_changes[0].change.actions: missing (expected an array of strings)"},
		{"type a number", plan(rc("rotation_secret", "type", `42`)), "resource_changes[0].type: expected a string, found a number"},
		{"type an object", plan(rc("rotation_secret", "type", `{"v":"`+secret+`"}`)), "resource_changes[0].type: expected a string, found an object"},
		{"type missing", plan(rc("rotation_secret", "type", `-`)), "resource_changes[0].type: missing (expected a string)"},
		{"address missing", plan(rc("null_resource", "address", `-`)), "resource_changes[0].address: missing (expected a string)"},
		{"change missing", plan(rc("null_resource", "change", `-`)), "resource_changes[0].change: missing (expected an object)"},
		{"change an array", plan(rc("null_resource", "change", `["`+secret+`"]`)), "resource_changes[0].change: expected an object, found an array"},
		{"module_address", plan(rc("rotation_secret", "module_address", `1`)), "resource_changes[0].module_address: expected a string, found a number"},
		{"resource_changes an object", `{"format_version":"1.2","resource_changes":{}}`, "resource_changes: expected an array or null, found an object"},
		{"planned_values resource", `{"format_version":"1.2","planned_values":{"root_module":{"resources":["` + secret + `"]}}}`,
			"planned_values.root_module.resources[0]: expected an object, found a string"},
		{"child module resource", `{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"address":"module.a","resources":[{"address":"a","mode":"managed","type":"x","name":"a"},{"address":"b","mode":1,"type":"x","name":"b"}]}]}}}`,
			"planned_values.root_module.child_modules[0].resources[1].mode: expected a string, found a number"},
		{"child module not an object", `{"format_version":"1.0","values":{"root_module":{"child_modules":[true]}}}`,
			"values.root_module.child_modules[0]: expected an object, found a boolean"},
		{"state resource", `{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret","values":{"secret":"` + secret + `"}}]}}}`,
			"values.root_module.resources[0].name: missing (expected a string)"},
		{"prior state", `{"format_version":"1.2","prior_state":{"values":{"root_module":{"resources":[[]]}}}}`,
			"prior_state.values.root_module.resources[0]: expected an object, found an array"},
		{"configuration resource", `{"format_version":"1.2","configuration":{"root_module":{"module_calls":{"m":{"module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret"}]}}}}}}`,
			"configuration.root_module.module_calls.m.module.resources[0].name: missing (expected a string)"},
		{"module call key", `{"format_version":"1.2","configuration":{"root_module":{"module_calls":{"a b":3}}}}`,
			`configuration.root_module.module_calls["a b"]: expected an object, found a number`},
		{"provider config", `{"format_version":"1.2","configuration":{"provider_config":{"rotation":"x"}}}`,
			"configuration.provider_config.rotation: expected an object, found a string"},
		{"timestamp", `{"format_version":"1.2","timestamp":20260105}`, "timestamp: expected a string or null, found a number"},
		{"number out of range", plan(rc("rotation_secret", "change", `{"actions":["create"],"after":{"n":1e999999}}`)),
			"resource_changes[0].change.after.n: a number out of the range OPA accepts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(tc.doc, ReadOptions{})
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *InputError, got %v", err)
			}
			if !strings.HasPrefix(err.Error(), "plan.json: "+tc.want) {
				t.Errorf("error %q\nwant      %q", err, "plan.json: "+tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error quotes a value: %q", err)
			}
			// The reference reader refuses it too.
			if _, _, err := referenceRead([]byte(tc.doc), false); err == nil {
				t.Errorf("the reference reader accepts it")
			}
		})
	}
}

// The last of duplicate keys wins, as in encoding/json: a bad first value
// replaced by a good one is fine, and the other way round is not.
func TestDuplicateKeys(t *testing.T) {
	ok := []string{
		`{"format_version":2,"format_version":"1.2"}`,
		`{"format_version":"1.2","resource_changes":[5],"resource_changes":[]}`,
		plan(rc("rotation_secret", "type", `1`, "type", `"rotation_secret"`)),
		plan(`{"address":"a","mode":"managed","type":"x","name":"a","change":{"actions":3},"change":{"actions":[]}}`),
		plan(rc("rotation_secret", "change", `{"actions":["create"],"after":{"n":1e999999,"n":1}}`)),
	}
	for _, doc := range ok {
		if _, err := readString(doc, ReadOptions{}); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
		compareWithReference(t, []byte(doc))
	}
	bad := []string{
		`{"format_version":"1.2","format_version":2}`,
		`{"format_version":"1.2","resource_changes":[],"resource_changes":[5]}`,
		plan(`{"address":"a","mode":"managed","type":"x","name":"a","change":{"actions":[]},"change":{"actions":3}}`),
	}
	for _, doc := range bad {
		if _, err := readString(doc, ReadOptions{}); err == nil {
			t.Errorf("%s: accepted", doc)
		}
		compareWithReference(t, []byte(doc))
	}
	// The kept value is the last one.
	doc, err := readString(plan(rc("rotation_secret", "change", `{"actions":["create"],"after":{"n":1},"after":{"n":2}}`)), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := doc.Value.Find(ast.MustParseRef(`x.resource_changes[0].change.after.n`)[1:])
	if err != nil || n.Compare(ast.Number("2")) != 0 {
		t.Fatalf("after.n = %v, %v", n, err)
	}
}

// What the filter keeps and drops.
func TestFilter(t *testing.T) {
	doc := `{"format_version":"1.2","terraform_version":"1.5.7","timestamp":"2026-01-05T09:00:00Z","applyable":true,
	"variables":{"v":{"value":"x"}},"output_changes":{"o":{}},"resource_drift":[{"bad":"shape is not checked here"}],
	"relevant_attributes":[{"resource":"a","attribute":["b"]}],"checks":[],"unknown":{"a":[1,2,3]},
	"planned_values":{"outputs":{"o":{}},"root_module":{"address":"","resources":[` + `{"address":"rotation_secret.x","mode":"managed","type":"rotation_secret","name":"x","values":{"a":1},"sensitive_values":{}},` +
		`{"address":"null_resource.y","mode":"managed","type":"null_resource","name":"y","values":{}}],"child_modules":[{"address":"module.m","resources":[]}]}},
	"resource_changes":[` + rc("rotation_secret_family") + `,` + rc("aws_instance") + `,` + rc("rotation_schedule") + `],
	"configuration":{"provider_config":{"rotation":{"name":"rotation","full_name":"registry.terraform.io/rotationkit/rotation"},"aws":{"name":"aws"}},
	"root_module":{"variables":{"v":{}},"outputs":{},"resources":[{"address":"aws_instance.y","mode":"managed","type":"aws_instance","name":"y"}],
	"module_calls":{"m":{"source":"./m","expressions":{"x":{}},"count_expression":{},"module":{"resources":[{"address":"rotation_secret.s","mode":"managed","type":"rotation_secret","name":"s","expressions":{"family":{"references":["rotation_secret_family.f.id"]}}}]}}}}}}`
	got, err := readString(doc, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format_version":"1.2","terraform_version":"1.5.7","timestamp":"2026-01-05T09:00:00Z","applyable":true,
	"planned_values":{"root_module":{"address":"","resources":[{"address":"rotation_secret.x","mode":"managed","type":"rotation_secret","name":"x","values":{"a":1},"sensitive_values":{}}],"child_modules":[{"address":"module.m","resources":[]}]}},
	"resource_changes":[` + rc("rotation_secret_family") + `,` + rc("rotation_schedule") + `],
	"configuration":{"provider_config":{"rotation":{"name":"rotation","full_name":"registry.terraform.io/rotationkit/rotation"},"aws":{"name":"aws"}},
	"root_module":{"resources":[],"module_calls":{"m":{"source":"./m","module":{"resources":[{"address":"rotation_secret.s","mode":"managed","type":"rotation_secret","name":"s","expressions":{"family":{"references":["rotation_secret_family.f.id"]}}}]}}}}}}`
	if err := sameValue(got.Value, ast.MustParseTerm(want).Value); err != nil {
		t.Errorf("kept value differs at %v:\n%v", err, got.Value)
	}
	if got.Kind != "plan" || got.FormatVersion != "1.2" || got.Size != int64(len(doc)) {
		t.Errorf("kind %s, format %s, size %d", got.Kind, got.FormatVersion, got.Size)
	}
	compareWithReference(t, []byte(doc))

	all, err := readString(doc, ReadOptions{KeepAll: true})
	if err != nil {
		t.Fatal(err)
	}
	var native any
	if err := json.Unmarshal([]byte(doc), &native); err != nil {
		t.Fatal(err)
	}
	if err := sameValue(all.Value, ast.MustInterfaceToValue(native)); err != nil {
		t.Errorf("KeepAll: value differs at %v", err)
	}
}

// Issue 10, item 9: a truncated document reported "ends after 0 bytes"
// whatever its length; the message now says how many bytes there were.
func TestTruncatedSaysHowManyBytes(t *testing.T) {
	valid := policytest.Plan(policytest.Clean("a"))
	for _, n := range []int{1, 10, len(valid) / 2, len(valid) - 1} {
		_, err := Read("plan.json", bytes.NewReader(valid[:n]), ReadOptions{})
		want := fmt.Sprintf("plan.json: truncated JSON: the document ends after %d bytes before it is complete", n)
		if err == nil || err.Error() != want {
			t.Errorf("%d bytes: %v, want %q", n, err, want)
		}
	}
}

func sparseFile(t *testing.T, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 10, item 9: the size limit read "1.0 GiB, more than the 1 GiB
// limit". A size over the limit never prints as the limit now.
func TestSizeLimitMessage(t *testing.T) {
	cases := []struct {
		size int64
		want string
	}{
		{DefaultMaxInputBytes + 1, "too large: 1 073 741 825 bytes, more than the 1 GiB (1 073 741 824 bytes) limit for an input document"},
		{1288490188, "too large: 1.2 GiB (1 288 490 188 bytes), more than the 1 GiB limit for an input document"},
		{2 << 30, "too large: 2 GiB (2 147 483 648 bytes), more than the 1 GiB limit for an input document"},
	}
	for _, tc := range cases {
		p := sparseFile(t, tc.size)
		_, err := ReadFile(p, ReadOptions{})
		if err == nil || err.Error() != p+": "+tc.want {
			t.Errorf("size %d: %v\nwant %s", tc.size, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "1.0 GiB") {
			t.Errorf("size %d: prints a rounded size equal to the limit: %v", tc.size, err)
		}
	}
	if got := overLimit(1500, 1000); got != "1.5 KiB (1 500 bytes), more than the 1000 bytes limit" {
		t.Errorf("overLimit(1500, 1000) = %q", got)
	}
	if got := overLimit(1001, 1000); got != "1001 bytes, more than the 1000 bytes limit" {
		t.Errorf("overLimit(1001, 1000) = %q", got)
	}
	// A stream over the limit.
	_, err := Read("pipe", strings.NewReader(`{"format_version":"1.2","x":"`+strings.Repeat("a", 2000)+`"}`), ReadOptions{MaxBytes: 1000})
	if err == nil || err.Error() != "pipe: too large: more than the 1000 bytes limit for an input document" {
		t.Errorf("stream: %v", err)
	}
}

// Issue 10, item 9: files of /proc (size 0 in stat, with content) were
// reported as empty. They are read as streams.
func TestProcFilesAreRead(t *testing.T) {
	const p = "/proc/self/status"
	info, err := os.Stat(p)
	if err != nil || info.Size() != 0 {
		t.Skipf("%s: no /proc with size-0 files here (%v)", p, err)
	}
	_, err = ReadFile(p, ReadOptions{})
	if err == nil || strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "not JSON: the file starts with 'N'") {
		t.Fatalf("err = %v, want a not-JSON error about its content", err)
	}
	// An empty regular file is still empty.
	empty := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(empty, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "empty file (expected the output of `terraform show -json`)") {
		t.Fatalf("empty: %v", err)
	}
}

// Nesting is bounded at encoding/json's limit, with a clear error, in kept
// and skipped parts alike.
func TestDepth(t *testing.T) {
	cases := []struct {
		name, prefix, suffix string
		opened               int // containers opened by the prefix
	}{
		{"skipped", `{"format_version":"1.2","x":`, `}`, 1},
		{"kept", `{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret","name":"a","values":`, `}]}}}`, 5},
	}
	for _, tc := range cases {
		mk := func(depth int) string {
			k := depth - tc.opened
			return tc.prefix + strings.Repeat("[", k) + strings.Repeat("]", k) + tc.suffix
		}
		ok, bad := mk(MaxDepth), mk(MaxDepth+1)
		if _, _, err := referenceRead([]byte(ok), false); err != nil {
			t.Fatalf("%s: test bug: encoding/json refuses depth %d: %v", tc.name, MaxDepth, err)
		}
		if _, _, err := referenceRead([]byte(bad), false); err == nil {
			t.Fatalf("%s: test bug: encoding/json accepts depth %d", tc.name, MaxDepth+1)
		}
		for _, keepAll := range []bool{false, true} {
			if _, err := readString(ok, ReadOptions{KeepAll: keepAll}); err != nil {
				t.Errorf("%s: depth %d: %v", tc.name, MaxDepth, err)
			}
			_, err := readString(bad, ReadOptions{KeepAll: keepAll})
			want := fmt.Sprintf("plan.json: too deeply nested: more than 10000 levels of arrays and objects at byte %d", len(tc.prefix)+MaxDepth+1-tc.opened)
			if err == nil || err.Error() != want {
				t.Errorf("%s: depth %d: %v\nwant %s", tc.name, MaxDepth+1, err, want)
			}
		}
	}
}

// Skipped parts are checked for syntax only: reading them allocates
// nothing that grows with their size.
func TestSkippedPartsAreNotAllocated(t *testing.T) {
	small := `{"format_version":"1.2","x":[]}`
	junk := `{"format_version":"1.2","x":[` + strings.Repeat(`{"a":1},`, 1<<19) + `{"a":1}]}` // 4 MiB
	allocated := func(doc string) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := readString(doc, ReadOptions{}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	base, big := allocated(small), allocated(junk)
	if big > base+64<<10 {
		t.Fatalf("reading 4 MiB under an unknown key allocated %d bytes more than an empty one", big-base)
	}
}

// A document whose kept part would need more than the memory budget is
// refused as soon as the reader knows it, naming the flag.
func TestMemoryBudget(t *testing.T) {
	var entries []string
	for i := 0; i < 400; i++ {
		entries = append(entries, rc("rotation_secret"))
	}
	doc := plan(entries...)
	doc = doc[:len(doc)-2] + `,"not json`                                         // broken after the entries: the budget error comes first
	budget := int64(MemoryBase + 40<<10*(MemoryPerKeptByte+MemoryPerValueByte*2)) // about 40 KiB may be kept
	_, err := readString(doc, ReadOptions{MaxMemory: budget, MemoryFlag: "--max-memory"})
	if err == nil || !strings.Contains(err.Error(), "plan.json: too large to check within the memory budget: by byte ") ||
		!strings.HasSuffix(err.Error(), "more than the 64.6 MiB budget; raise it with --max-memory") {
		t.Fatalf("err = %v", err)
	}
	ok := plan(entries[:200]...)
	if len(ok) > 40<<10 {
		t.Fatalf("test bug: the plan is %d bytes", len(ok))
	}
	if _, err := readString(ok, ReadOptions{MaxMemory: budget}); err != nil {
		t.Fatal(err)
	}
	d, err := readString(ok, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Kept < int64(len(ok))*9/10 || d.Kept > int64(len(ok)) {
		t.Errorf("kept %d of %d bytes", d.Kept, len(ok))
	}

	// Few bytes that make a big value: 300 000 distinct one-key objects
	// inside a rotation resource (3.7 MB) would hold about 100 MB.
	var b strings.Builder
	b.WriteString(`{"format_version":"1.2","values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret","name":"a","values":{"x":[`)
	for i := 0; i < 300000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"a":%d}`, i)
	}
	b.WriteString(`]}}]}}}`)
	_, err = readString(b.String(), ReadOptions{MaxMemory: 256 << 20})
	if err == nil || !strings.Contains(err.Error(), "too large to check within the memory budget") {
		t.Errorf("a value of many small objects: %v", err)
	}
}

// The existing messages for documents that are not plans.
func TestNotAPlan(t *testing.T) {
	cases := []struct{ doc, want string }{
		{"", "empty file (expected the output of `terraform show -json`)"},
		{" \n\t", "empty file: only white space"},
		{"resource \"x\" {}", "not JSON: the file starts with 'r', not a JSON object"},
		{"\xe9t\xe9", `not JSON: the file starts with '\xe9', not a JSON object`},
		{"terraform {}", "not JSON: the file starts with 't', not a JSON object"},
		{`[{"format_version":"1.2"}]`, "not a Terraform plan or state document: the JSON is an array, not an object"},
		{`"plan"`, "not a Terraform plan or state document: the JSON is a string, not an object"},
		{`{"format_version":"1.2"} x`, "not JSON: unexpected data after the JSON document at byte 25"},
		{`{"format_version":"1.2"}{}`, "not JSON: unexpected data after the JSON document at byte 24"},
		{`{"format_version":"1.2",}`, "not JSON: invalid character '}' looking for beginning of object key string at byte 25"},
		{`{"format_version":"1.2","a":"\q"}`, `not JSON: invalid character 'q' in string escape code at byte 31`},
		{`{"resource_changes": []}`, "not a Terraform plan or state document: no format_version"},
		{`{"provider_schemas": {}}`, "this is `terraform providers schema -json` output"},
		{`{"format_version":"1.0","provider_schemas": {}}`, "this is `terraform providers schema -json` output"},
		{`{"format_version": 1.2}`, "format_version is a number, not a string"},
		{`{"format_version": "2.0"}`, `unsupported format_version "2.0"`},
		{"PK\x03\x04...", "a binary plan file (zip)"},
		{"\xFF\xFE{\x00", "UTF-16 text"},
	}
	for _, tc := range cases {
		_, err := readString(tc.doc, ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v\nwant %q", tc.doc, err, tc.want)
		}
	}
	for _, tc := range []struct{ doc, kind string }{
		{"\xEF\xBB\xBF{\"format_version\":\"1.1\",\"planned_values\":{}}", "plan"},
		{`{"format_version":"1.10","resource_changes":[]}`, "plan"},
		{`{"format_version":"1.0"}`, "state"},
	} {
		d, err := readString(tc.doc, ReadOptions{})
		if err != nil || d.Kind != tc.kind {
			t.Errorf("%q: %v %v", tc.doc, d, err)
		}
	}
}

// Errors never quote the document's values (a state holds secrets in
// clear): only paths, kinds, offsets and one offending byte outside a
// string.
func TestErrorsDoNotQuoteValues(t *testing.T) {
	secret := "s3cr3t-value"
	docs := []string{
		`{"format_version":"1.0","values":{"x":"` + secret, // truncated
		`{"format_version":"9.9","x":"` + secret + `"}`,
		`{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"a","mode":"managed","type":"rotation_secret","name":"a","values":{"secret":"` + secret + `\u12x"}}]}}}`,
		`{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"` + secret + `","mode":"managed","type":["` + secret + `"],"name":"a"}]}}}`,
		`{"format_version":"1.0","x":"` + secret + "\x01" + `"}`,
		`{"format_version":"1.0","x":"` + secret + `" "` + secret + `"}`,
		`{"format_version":"1.0","timestamp":{"` + secret + `":1}}`,
	}
	for _, doc := range docs {
		_, err := readString(doc, ReadOptions{})
		if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3c") {
			t.Errorf("%q: %v", doc, err)
		}
	}
}

// sameValue is strict: the fuzz comparison relies on it.
func TestSameValueIsStrict(t *testing.T) {
	pairs := [][2]string{
		{`{"a":1}`, `{"a":1.0}`},
		{`{"a":[1,2]}`, `{"a":[2,1]}`},
		{`{"a":"x"}`, `{"a":"x","b":null}`},
		{`{"a":null}`, `{"a":false}`},
	}
	for _, p := range pairs {
		if sameValue(ast.MustParseTerm(p[0]).Value, ast.MustParseTerm(p[1]).Value) == nil {
			t.Errorf("%s and %s compare equal", p[0], p[1])
		}
	}
}
