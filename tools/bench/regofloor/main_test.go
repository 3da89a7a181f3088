package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

const fixture = "../../../policies/testdata/fixtures/good/plan.json"

// Every stage evaluates on a real plan, in order, and costs something.
func TestStagesEvaluate(t *testing.T) {
	bundle := t.TempDir()
	if _, err := policy.ExportBundle(bundle); err != nil {
		t.Fatal(err)
	}
	results, err := measureAll(context.Background(), bundle, fixture, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(stages) {
		t.Fatalf("%d results for %d stages", len(results), len(stages))
	}
	for i, r := range results {
		if r.stage != stages[i].name || r.perFamily <= 0 || r.families < 1 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
}

// The synthetic rules read every attribute and never fire: a finding would
// add the cost of its message to the floor. The facts hold one object per
// secret, with every attribute the module lists.
func TestSyntheticRulesReadAndNeverFire(t *testing.T) {
	bundle, doc := bundleAndFixture(t)
	b := evalOne(t, bundle, `deny := data.regofloor.deny; facts := data.regofloor.facts`, doc)
	if deny := b["deny"].([]any); len(deny) != 0 {
		t.Errorf("the synthetic rules fired: %v", deny)
	}
	facts := b["facts"].(map[string]any)
	if len(facts) == 0 {
		t.Fatal("no facts")
	}
	for a, f := range facts {
		obj := f.(map[string]any)
		for _, k := range secretAttributes {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s: no %s", a, k)
			}
		}
		for _, k := range familyAttributes {
			if _, ok := obj["family_"+k]; !ok {
				t.Errorf("%s: no family_%s", a, k)
			}
		}
	}
}

// The supplied stage evaluates the same rules on the facts handed in: they
// see every secret's facts and never fire. A precomputed input without the
// facts, or rules reading another key, would make the stage free.
func TestSuppliedRulesSeeTheFacts(t *testing.T) {
	bundle, doc := bundleAndFixture(t)
	input, err := precomputed(context.Background(), bundle, doc)
	if err != nil {
		t.Fatal(err)
	}
	b := evalOne(t, bundle, `deny := data.regofloor.supplied.deny; seen := count({a | some a, x in input.facts; x.family_owner.state == "known"}); secrets := count(data.rotation.lib.terraform.secrets)`, input)
	if deny := b["deny"].([]any); len(deny) != 0 {
		t.Errorf("the supplied rules fired: %v", deny)
	}
	if n := b["seen"]; fmt.Sprint(n) == "0" {
		t.Errorf("no secret's facts in the supplied input")
	}
	if n := b["secrets"]; fmt.Sprint(n) != "0" {
		t.Errorf("the supplied input is a plan (%v secrets): the stage would not measure the rules alone", n)
	}
	if got := strings.Count(suppliedModule(), "deny contains"); got != rules {
		t.Errorf("%d supplied rules, want %d", got, rules)
	}
}

// bundleAndFixture exports the bundle and reads the fixture plan.
func bundleAndFixture(t *testing.T) (string, ast.Value) {
	t.Helper()
	bundle := t.TempDir()
	if _, err := policy.ExportBundle(bundle); err != nil {
		t.Fatal(err)
	}
	doc, err := tfjson.ReadFile(fixture, tfjson.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return bundle, doc.Value
}

// evalOne evaluates query on input with the bundle and the synthetic
// modules, and returns the bindings of its one result.
func evalOne(t *testing.T, bundle, query string, input ast.Value) rego.Vars {
	t.Helper()
	ctx := context.Background()
	pq, err := prepare(ctx, bundle, query)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 {
		t.Fatalf("eval: %v (%d results)", err, len(rs))
	}
	return rs[0].Bindings
}
