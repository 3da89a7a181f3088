package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy/policytest"
)

func TestReadInputFileErrors(t *testing.T) {
	dir := t.TempDir()
	valid := policytest.Plan(policytest.Clean("a"))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file one byte over the limit: refused from its size alone.
	if err := f.Truncate(DefaultMaxInputBytes + 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.json"), "cannot read: no such file or directory"},
		{"directory", dir, "not a file (a directory)"},
		{"empty", write("empty.json", nil), "empty file"},
		{"whitespace", write("ws.json", []byte(" \n\t\n")), "empty file: only white space"},
		{"hcl", write("main.tf", []byte("resource \"x\" \"y\" {}\n")), "not JSON: the file starts with 'r'"},
		{"truncated", write("trunc.json", valid[:len(valid)/2]), "truncated JSON: the document ends after"},
		{"trailing", write("trail.json", append(append([]byte{}, valid...), []byte("\n{}")...)), "not JSON: unexpected data after the JSON document"},
		{"array", write("array.json", []byte(`[{"format_version":"1.2"}]`)), "not a Terraform plan or state document: the JSON is an array"},
		{"no format_version", write("obj.json", []byte(`{"resource_changes": []}`)), "no format_version"},
		{"schema", write("schema.json", []byte(`{"format_version":"1.0","provider_schemas":{}}`)), "providers schema"},
		{"format number", write("num.json", []byte(`{"format_version": 1.2}`)), "format_version is a number"},
		{"format 2.0", write("v2.json", []byte(`{"format_version": "2.0"}`)), `unsupported format_version "2.0"`},
		{"format 0.1", write("v01.json", []byte(`{"format_version": "0.1"}`)), `unsupported format_version "0.1"`},
		{"zip plan", write("tfplan", []byte("PK\x03\x04rest of a zip")), "binary plan file"},
		{"utf16", write("utf16.json", []byte{0xFF, 0xFE, '{', 0}), "UTF-16"},
		{"huge", huge, "too large: 1 073 741 825 bytes, more than the 1 GiB (1 073 741 824 bytes) limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadInputFile(tc.path, 0)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *InputError, got %v", err)
			}
			if ie.File != tc.path {
				t.Errorf("File = %q, want %q", ie.File, tc.path)
			}
			if !strings.Contains(ie.Reason, tc.want) {
				t.Errorf("reason %q does not contain %q", ie.Reason, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message has several lines: %q", err.Error())
			}
		})
	}
}

func TestReadInputStreamLimit(t *testing.T) {
	plan := policytest.Plan(policytest.Clean("a"))
	_, err := ReadInput("pipe", strings.NewReader(string(plan)), int64(len(plan)-1))
	if err == nil || !strings.Contains(err.Error(), "pipe: too large: more than the") {
		t.Fatalf("err = %v", err)
	}
	// Exactly at the limit is fine.
	if _, err := ReadInput("pipe", strings.NewReader(string(plan)), int64(len(plan))); err != nil {
		t.Fatal(err)
	}
}

func TestReadInputAccepts(t *testing.T) {
	cases := []struct {
		name, doc, kind string
	}{
		{"plan", string(policytest.Plan(policytest.Clean("a"))), "plan"},
		{"state", `{"format_version":"1.0","terraform_version":"1.5.7","values":{"root_module":{}}}`, "state"},
		{"empty state", `{"format_version":"1.0"}`, "state"},
		{"bom", "\xEF\xBB\xBF{\"format_version\":\"1.1\",\"planned_values\":{}}", "plan"},
		{"minor 10", `{"format_version":"1.10","resource_changes":[]}`, "plan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ReadInput(tc.name, strings.NewReader(tc.doc), 0)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Kind != tc.kind {
				t.Errorf("kind = %s, want %s", doc.Kind, tc.kind)
			}
		})
	}
}

// Errors never quote the document (state files hold secrets).
func TestReadInputErrorsDoNotQuoteValues(t *testing.T) {
	secret := "s3cr3t-value-in-state"
	doc := `{"format_version":"1.0","values":{"x":"` + secret + `"` // truncated
	_, err := ReadInput("state.json", strings.NewReader(doc), 0)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
	_, err = ReadInput("state.json", strings.NewReader(`{"format_version":"9.9","x":"`+secret+`"}`), 0)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
}
