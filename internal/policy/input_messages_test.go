package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

// Issue 10, items 8 and 9, through this package's API (check and runbook
// read documents through it). Each of these failed before internal/tfjson.

// A truncated document said "ends after 0 bytes" whatever its length.
func TestReadInputTruncatedSaysHowManyBytes(t *testing.T) {
	valid := policytest.Plan(policytest.Clean("a"))
	n := len(valid) / 2
	_, err := ReadInput("plan.json", strings.NewReader(string(valid[:n])), 0)
	want := fmt.Sprintf("plan.json: truncated JSON: the document ends after %d bytes before it is complete", n)
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

// The same for a --params JSON file.
func TestLoadParamsTruncatedSaysHowManyBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "params.json")
	if err := os.WriteFile(p, []byte(`{"max_ttl": {"high": "30d"`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadParams(p)
	if err == nil || !strings.Contains(err.Error(), "truncated JSON: the document ends after 26 bytes before it is complete") {
		t.Fatalf("err = %v", err)
	}
}

// The size limit read "1.0 GiB, more than the 1 GiB limit".
func TestReadInputFileSizeNeverReadsAsTheLimit(t *testing.T) {
	dir := t.TempDir()
	for size, want := range map[int64]string{
		DefaultMaxInputBytes + 1: "too large: 1 073 741 825 bytes, more than the 1 GiB (1 073 741 824 bytes) limit",
		1288490188:               "too large: 1.2 GiB (1 288 490 188 bytes), more than the 1 GiB limit",
	} {
		p := filepath.Join(dir, fmt.Sprintf("%d.json", size))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil { // sparse: fast
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = ReadInputFile(p, 0)
		if err == nil || !strings.Contains(err.Error(), p+": "+want) || strings.Contains(err.Error(), "1.0 GiB") {
			t.Errorf("size %d: %v\nwant %s", size, err, want)
		}
	}
}

// Files of /proc say size 0 and have content: they were reported as empty.
func TestReadInputFileProc(t *testing.T) {
	const p = "/proc/self/status"
	if info, err := os.Stat(p); err != nil || info.Size() != 0 {
		t.Skipf("no size-0 /proc file here (%v)", err)
	}
	_, err := ReadInputFile(p, 0)
	if err == nil || strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "not JSON") {
		t.Fatalf("err = %v", err)
	}
}

// resource_changes entries that are not objects, or whose actions or type
// have the wrong type, were accepted (check passed, the runbook was empty).
func TestReadInputMalformedEntries(t *testing.T) {
	cases := []struct {
		edit func(rcs []any)
		want string
	}{
		{func(rcs []any) { rcs[1] = "x" }, "resource_changes[1]: expected an object, found a string"},
		{func(rcs []any) { rcs[0].(map[string]any)["change"].(map[string]any)["actions"] = 3 },
			"resource_changes[0].change.actions: expected an array of strings, found a number"},
		{func(rcs []any) {
			rcs[0].(map[string]any)["change"].(map[string]any)["actions"] = []any{"create", false}
		},
			"resource_changes[0].change.actions[1]: expected a string, found a boolean"},
		{func(rcs []any) { rcs[1].(map[string]any)["type"] = []any{} }, "resource_changes[1].type: expected a string, found an array"},
	}
	for _, tc := range cases {
		var doc map[string]any
		if err := json.Unmarshal(policytest.Plan(policytest.Clean("a")), &doc); err != nil {
			t.Fatal(err)
		}
		tc.edit(doc["resource_changes"].([]any))
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReadInput("plan.json", strings.NewReader(string(b)), 0)
		if err == nil || err.Error() != "plan.json: "+tc.want {
			t.Errorf("err = %v, want plan.json: %s", err, tc.want)
		}
	}
}
