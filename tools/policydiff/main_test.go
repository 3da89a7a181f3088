package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const policies = "../../policies"

func TestSetMakesThePath(t *testing.T) {
	m := map[string]any{}
	set(m, []any{"versions", 1, "secret"}, true)
	want := map[string]any{"versions": []any{map[string]any{}, map[string]any{"secret": true}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("set: got %v, want %v", m, want)
	}
	set(m, []any{"versions"}, true) // a whole attribute
	if m["versions"] != true {
		t.Errorf("set of a top-level key: got %v", m["versions"])
	}
}

// Each mutation changes a rotation resource and nothing else.
func TestMutateChangesOnlyRotationResources(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(policies, "testdata/fixtures/good/plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var orig map[string]any
	if err := json.Unmarshal(raw, &orig); err != nil {
		t.Fatal(err)
	}
	changed := 0
	for seed := range 20 {
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		mutate(rand.New(rand.NewPCG(uint64(seed), 7)), doc, 3)
		if !reflect.DeepEqual(doc, orig) {
			changed++
		}
		delete(doc, "resource_changes")
		o := map[string]any{}
		for k, v := range orig {
			if k != "resource_changes" {
				o[k] = v
			}
		}
		if !reflect.DeepEqual(doc, o) {
			t.Errorf("seed %d changed more than resource_changes", seed)
		}
	}
	if changed < 18 {
		t.Errorf("only %d of 20 mutated copies differ from the fixture", changed)
	}
}

// The bundle against itself: nothing differs. Against a copy whose ROT022
// message lost a word: the fixture that trips ROT022 differs.
func TestCompareFindsAChangedMessage(t *testing.T) {
	docs, err := readInputs(filepath.Join(policies, "testdata/fixtures/rot022-zero-overlap/plan.json"), 1)
	if err != nil {
		t.Fatal(err)
	}
	changed := t.TempDir()
	err = filepath.WalkDir(policies, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(policies, path)
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(changed, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == filepath.Join("overlap", "overlap.rego") {
			b = bytes.Replace(b, []byte("is zero: the old version"), []byte("is zero: old version"), 1)
		}
		return os.WriteFile(filepath.Join(changed, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	ctx := context.Background()
	if n, err := compare(ctx, policies, policies, docs, t.TempDir(), &log); err != nil || n != 0 {
		t.Errorf("the bundle against itself: %d differ, %v", n, err)
	}
	n, err := compare(ctx, policies, changed, docs, t.TempDir(), &log)
	if err != nil || n == 0 {
		t.Errorf("a changed ROT022 message: %d differ, %v", n, err)
	}
	if !strings.Contains(log.String(), "rot022-zero-overlap") {
		t.Errorf("the differing input is not named: %q", log.String())
	}
}
