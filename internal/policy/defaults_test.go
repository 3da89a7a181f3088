package policy

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	fwdefaults "github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/rotationkit/terraform-provider-rotation/internal/defaults"
	"github.com/rotationkit/terraform-provider-rotation/internal/provider"
)

// evalBundle evaluates query against the compiled bundle of e with input
// (nil for none) and returns the value bound to the query's variable out.
func evalBundle(t *testing.T, e *Engine, query string, input any) (any, bool) {
	t.Helper()
	opts := []func(*rego.Rego){rego.Compiler(e.compiler), rego.Store(inmem.New()), rego.Query(query)}
	if input != nil {
		opts = append(opts, rego.Input(input))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if len(rs) != 1 {
		return nil, false
	}
	v, ok := rs[0].Bindings["out"]
	return v, ok
}

// TestDefaultsAgree checks that the three places that say what an omitted
// attribute means agree with internal/defaults: the policies'
// data.rotation.lib.terraform.defaults (policies/lib/fields.rego), and the
// Default of every defaulted attribute in the provider's resource schemas.
func TestDefaultsAgree(t *testing.T) {
	ctx := context.Background()

	t.Run("rego", func(t *testing.T) {
		got, ok := evalBundle(t, newEngine(t, Options{}), "out := data.rotation.lib.terraform.defaults", nil)
		if !ok {
			t.Fatal("data.rotation.lib.terraform.defaults is undefined")
		}
		fromRego, ok := got.(map[string]any)
		if !ok {
			t.Fatalf("data.rotation.lib.terraform.defaults is %T, want an object", got)
		}
		want := defaults.ByAttribute()
		for _, name := range sortedKeys(want, fromRego) {
			g, inRego := fromRego[name]
			w, inGo := want[name]
			switch {
			case !inRego:
				t.Errorf("attribute %s: defaults.ByAttribute() says %#v, policies/lib/fields.rego `defaults` has no entry", name, w)
			case !inGo:
				t.Errorf("attribute %s: policies/lib/fields.rego `defaults` says %#v, defaults.ByAttribute() has no entry", name, g)
			case g != w:
				t.Errorf("attribute %s: policies/lib/fields.rego `defaults` says %#v, defaults.ByAttribute() says %#v", name, g, w)
			}
		}
	})

	t.Run("schema", func(t *testing.T) {
		schemas := resourceSchemas(t)
		consumer := path.Root("consumer").AtListIndex(0)
		cases := []struct {
			resource string
			path     path.Path
			want     any
		}{
			{"rotation_secret", path.Root("history_limit"), int64(defaults.HistoryLimit)},
			{"rotation_secret", path.Root("schedule").AtName("propagation"), defaults.Propagation},
			{"rotation_secret", path.Root("schedule").AtName("jitter"), defaults.Jitter},
			{"rotation_secret", path.Root("hold_revocation"), defaults.HoldRevocation},
			{"rotation_secret", path.Root("material"), defaults.Material},
			{"rotation_schedule", path.Root("schedule").AtName("propagation"), defaults.Propagation},
			{"rotation_schedule", path.Root("schedule").AtName("jitter"), defaults.Jitter},
			{"rotation_schedule", path.Root("hold_revocation"), defaults.HoldRevocation},
			{"rotation_secret_family", path.Root("classification"), defaults.Classification},
			{"rotation_secret_family", path.Root("artifact_lifetime"), defaults.ArtifactLifetime},
			{"rotation_secret_family", path.Root("review_interval"), defaults.ReviewInterval},
			{"rotation_secret_family", consumer.AtName("role"), defaults.ConsumerRole},
			{"rotation_secret_family", consumer.AtName("cache_ttl"), defaults.CacheTTL},
		}
		covered := map[string]bool{}
		for _, c := range cases {
			name := c.resource + "." + c.path.String()
			s, ok := schemas[c.resource]
			if !ok {
				t.Errorf("attribute %s: the provider has no resource %s", name, c.resource)
				continue
			}
			got, err := schemaDefault(ctx, s, c.path)
			if err != nil {
				t.Errorf("attribute %s: %v", name, err)
				continue
			}
			if got != c.want {
				t.Errorf("attribute %s: the schema's Default is %#v, internal/defaults says %#v", name, got, c.want)
			}
			steps := c.path.Steps()
			covered[steps[len(steps)-1].String()] = true
		}
		// Every default the policies rely on is checked against a schema.
		for name := range defaults.ByAttribute() {
			if !covered[name] {
				t.Errorf("attribute %s: in defaults.ByAttribute() but no schema attribute of that name is checked here", name)
			}
		}
	})
}

// resourceSchemas returns the schema of every resource of the provider, by
// type name.
func resourceSchemas(t *testing.T) map[string]schema.Schema {
	t.Helper()
	ctx := context.Background()
	p := provider.New("test")()
	out := map[string]schema.Schema{}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "rotation"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: schema: %v", meta.TypeName, resp.Diagnostics)
		}
		out[meta.TypeName] = resp.Schema
	}
	return out
}

// schemaDefault returns the Go value of the Default of the attribute at p:
// a string, an int64 (also for a Number attribute) or a bool.
func schemaDefault(ctx context.Context, s schema.Schema, p path.Path) (any, error) {
	a, diags := s.AttributeAtPath(ctx, p)
	if diags.HasError() {
		return nil, fmt.Errorf("not in the schema: %v", diags)
	}
	type (
		withString interface{ StringDefaultValue() fwdefaults.String }
		withInt64  interface{ Int64DefaultValue() fwdefaults.Int64 }
		withBool   interface{ BoolDefaultValue() fwdefaults.Bool }
		withNumber interface{ NumberDefaultValue() fwdefaults.Number }
	)
	switch a := a.(type) {
	case withString:
		d := a.StringDefaultValue()
		if d == nil {
			return nil, fmt.Errorf("no Default")
		}
		var resp fwdefaults.StringResponse
		d.DefaultString(ctx, fwdefaults.StringRequest{Path: p}, &resp)
		return resp.PlanValue.ValueString(), nil
	case withInt64:
		d := a.Int64DefaultValue()
		if d == nil {
			return nil, fmt.Errorf("no Default")
		}
		var resp fwdefaults.Int64Response
		d.DefaultInt64(ctx, fwdefaults.Int64Request{Path: p}, &resp)
		return resp.PlanValue.ValueInt64(), nil
	case withBool:
		d := a.BoolDefaultValue()
		if d == nil {
			return nil, fmt.Errorf("no Default")
		}
		var resp fwdefaults.BoolResponse
		d.DefaultBool(ctx, fwdefaults.BoolRequest{Path: p}, &resp)
		return resp.PlanValue.ValueBool(), nil
	case withNumber:
		// A whole-number attribute that takes a Number (history_limit):
		// its default as an int64.
		d := a.NumberDefaultValue()
		if d == nil {
			return nil, fmt.Errorf("no Default")
		}
		var resp fwdefaults.NumberResponse
		d.DefaultNumber(ctx, fwdefaults.NumberRequest{Path: p}, &resp)
		i, acc := resp.PlanValue.ValueBigFloat().Int64()
		if acc != big.Exact {
			return nil, fmt.Errorf("the Default %s is not a whole number", resp.PlanValue)
		}
		return i, nil
	}
	return nil, fmt.Errorf("a %T, not a string, int64, whole number or bool attribute", a)
}

func sortedKeys(ms ...map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
