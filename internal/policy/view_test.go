package policy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// EvaluateWithView returns the findings Evaluate returns, plus the view of
// every rotation resource the findings are about, on every fixture.
func TestEvaluateWithViewOnFixtures(t *testing.T) {
	e := newEngine(t, Options{})
	paths, err := filepath.Glob("../../policies/testdata/fixtures/*/*.json")
	if err != nil || len(paths) < 20 {
		t.Fatalf("fixtures: %v %v", paths, err)
	}
	at := time.Date(2026, 2, 4, 11, 0, 0, 0, time.UTC)
	for _, p := range paths {
		if filepath.Base(p) == "expected.json" {
			continue
		}
		doc, err := ReadInputFile(p, 0)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := e.EvaluateWithView(context.Background(), doc, EvalOptions{Time: at})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		want, err := e.Evaluate(context.Background(), doc)
		if err != nil {
			t.Fatal(err)
		}
		// A state without params.now is judged at the current time by
		// Evaluate and at `at` here: only its time-based rules may differ.
		if doc.Kind == "plan" && !reflect.DeepEqual(keys(ev.Findings), keys(want)) {
			t.Errorf("%s: EvaluateWithView finds %v, Evaluate %v", p, keys(ev.Findings), keys(want))
		}
		var view struct {
			Kind       string                    `json:"kind"`
			AsOf       string                    `json:"as_of"`
			AsOfSource string                    `json:"as_of_source"`
			Families   map[string]map[string]any `json:"families"`
			Secrets    map[string]map[string]any `json:"secrets"`
			Removed    map[string]map[string]any `json:"removed"`
		}
		if err := json.Unmarshal(ev.View, &view); err != nil {
			t.Fatalf("%s: the view: %v", p, err)
		}
		if view.Kind != doc.Kind {
			t.Errorf("%s: view kind %q, document kind %q", p, view.Kind, doc.Kind)
		}
		if doc.Kind == "state" && view.AsOfSource == "current time" && view.AsOf != "2026-02-04T11:00:00Z" {
			t.Errorf("%s: as_of %s (%s): EvalOptions.Time is not the clock", p, view.AsOf, view.AsOfSource)
		}
		if len(view.Secrets)+len(view.Removed) == 0 {
			t.Errorf("%s: no secrets in the view", p)
		}
		for _, f := range ev.Findings {
			_, secret := view.Secrets[f.Resource]
			_, family := view.Families[f.Resource]
			_, removed := view.Removed[f.Resource]
			if strings.Contains(f.Resource, "rotation_") && !strings.Contains(f.Resource, "provider[") && !secret && !family && !removed {
				t.Errorf("%s: %s is about %s, which the view lacks", p, f.Rule, f.Resource)
			}
		}
	}
}

// The view and the findings hold no secret material, whatever the document
// carries (the state-mode fixture's versions[].secret, active_secret and
// accepted_secrets hold "(redacted)"; ROT050 reports it).
func TestViewHasNoSecretValues(t *testing.T) {
	e := newEngine(t, Options{})
	raw, err := os.ReadFile("../../policies/testdata/fixtures/rot030-emergency-revocation-state/state.json")
	if err != nil {
		t.Fatal(err)
	}
	planted := strings.ReplaceAll(string(raw), "(redacted)", "SENTINEL-secret")
	if strings.Count(planted, "SENTINEL-secret") < 3 {
		t.Fatal("nothing planted")
	}
	doc, err := ReadInput("planted.json", strings.NewReader(planted), 0)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := e.EvaluateWithView(context.Background(), doc, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ev.View), "SENTINEL") {
		t.Errorf("the view carries a secret value: %s", ev.View)
	}
	rot050 := false
	for _, f := range ev.Findings {
		rot050 = rot050 || f.Rule == "ROT050"
		if strings.Contains(f.Message, "SENTINEL") {
			t.Errorf("a finding carries a secret value: %s", f.Message)
		}
	}
	if !rot050 {
		t.Errorf("no ROT050 finding on a state-mode state: %+v", ev.Findings)
	}
}

// The view query is prepared once and reused; Evaluate does not need it.
func TestEvaluateWithViewReusesItsQuery(t *testing.T) {
	e := newEngine(t, Options{})
	doc, err := ReadInputFile("../../policies/testdata/fixtures/good/plan.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Evaluate(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		ev, err := e.EvaluateWithView(context.Background(), doc, EvalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Findings) != 0 || !strings.Contains(string(ev.View), `"rotation_secret.session"`) {
			t.Errorf("run %d: %d findings, view %.200s", i, len(ev.Findings), ev.View)
		}
	}
}
