package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"
)

// The transformations Terraform's jsonplan/jsonstate apply to a resource's
// value (internal/command/jsonplan in Terraform 1.5): omitUnknowns for
// "values"/"after", unknownAsBool for "after_unknown", sensitiveAsBool for
// "sensitive_values"/"*_sensitive".

func omitUnknowns(v any) any {
	switch x := v.(type) {
	case unknownValue:
		return nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = omitUnknowns(e) // unknown elements become null
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if _, u := e.(unknownValue); u {
				continue
			}
			out[k] = omitUnknowns(e)
		}
		return out
	}
	return v
}

func whollyKnown(v any) bool {
	switch x := v.(type) {
	case unknownValue:
		return false
	case []any:
		for _, e := range x {
			if !whollyKnown(e) {
				return false
			}
		}
	case map[string]any:
		for _, e := range x {
			if !whollyKnown(e) {
				return false
			}
		}
	}
	return true
}

func unknownAsBool(v any) any {
	switch x := v.(type) {
	case unknownValue:
		return true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = unknownAsBool(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if b := unknownAsBool(e); b != false {
				out[k] = b
			}
		}
		return out
	}
	return false
}

// afterUnknown is {} for a wholly known value, else unknownAsBool.
func afterUnknown(v any) any {
	if whollyKnown(v) {
		return map[string]any{}
	}
	return unknownAsBool(v)
}

// sensitivity marks the schema's sensitive attributes: true for a sensitive
// attribute (marked even when null), a map for an object's attributes, and
// elem for every element of a list.
type sensitivity map[string]any

type elem struct{ of sensitivity }

// secretSchemaVersion is rotation_secret's schema version (the provider's
// secretSchemaVersion).
const secretSchemaVersion = 2

var secretSensitivity = sensitivity{
	"accepted_secrets": true,
	"active_secret":    true,
	"versions":         elem{sensitivity{"secret": true, "revoke_reason": true}},
}

func sensitiveAsBool(v any, s any) any {
	if s == true {
		return true
	}
	switch x := v.(type) {
	case unknownValue:
		switch x.kind {
		case 'l':
			return []any{}
		case 'o':
			return map[string]any{}
		}
		return false
	case []any:
		var es any
		if e, ok := s.(elem); ok {
			es = e.of
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = sensitiveAsBool(e, es)
		}
		return out
	case map[string]any:
		var attrs sensitivity
		if m, ok := s.(sensitivity); ok {
			attrs = m
		}
		out := map[string]any{}
		for k, e := range x {
			var sub any
			if attrs != nil {
				sub = attrs[k]
			}
			if b := sensitiveAsBool(e, sub); b != false {
				out[k] = b
			}
		}
		return out
	}
	return false
}

// ---------------------------------------------------------------------------
// Output records, in Terraform's field order.

type valuesResource struct {
	Address         string   `json:"address"`
	Mode            string   `json:"mode"`
	Type            string   `json:"type"`
	Name            string   `json:"name"`
	Index           any      `json:"index,omitempty"`
	ProviderName    string   `json:"provider_name"`
	SchemaVersion   int      `json:"schema_version"`
	Values          any      `json:"values"`
	SensitiveValues any      `json:"sensitive_values"`
	DependsOn       []string `json:"depends_on,omitempty"`
}

type resourceChange struct {
	Address      string `json:"address"`
	Mode         string `json:"mode"`
	Type         string `json:"type"`
	Name         string `json:"name"`
	Index        any    `json:"index,omitempty"`
	ProviderName string `json:"provider_name"`
	Change       change `json:"change"`
}

type change struct {
	Actions         []string `json:"actions"`
	Before          any      `json:"before"`
	After           any      `json:"after"`
	AfterUnknown    any      `json:"after_unknown"`
	BeforeSensitive any      `json:"before_sensitive"`
	AfterSensitive  any      `json:"after_sensitive"`
}

type configResource struct {
	Address           string `json:"address"`
	Mode              string `json:"mode"`
	Type              string `json:"type"`
	Name              string `json:"name"`
	ProviderConfigKey string `json:"provider_config_key"`
	Expressions       any    `json:"expressions"`
	SchemaVersion     int    `json:"schema_version"`
	ForEachExpression any    `json:"for_each_expression,omitempty"`
}

type providerConfig struct {
	Name     string `json:"name"`
	FullName string `json:"full_name"`
}

type relevantAttribute struct {
	Resource  string   `json:"resource"`
	Attribute []string `json:"attribute"`
}

const (
	rotationProvider  = "registry.terraform.io/rotationkit/rotation"
	terraformProvider = "terraform.io/builtin/terraform"
)

// resource is one resource of the plan with everything the sections need.
type resource struct {
	typ, name, provider, configKey string
	key                            string // for_each key, "" for none
	value                          any    // planned (after)
	sens                           sensitivity
	schemaVersion                  int
	dependsOn                      []string
	expressions                    map[string]any
}

func (r resource) address() string { return instanceAddress(r.typ, r.name, r.key) }

func (r resource) index() any {
	if r.key == "" {
		return nil
	}
	return r.key
}

// resources calls fn for every resource instance in address order (as
// Terraform sorts them): rotation_secret.*, rotation_secret_family.*,
// terraform_data.*. With instances false it calls fn once per resource
// block instead (the configuration's view), with the expressions.
func (g *Generator) resources(fn func(resource) error) error { return g.each(true, fn) }

func (g *Generator) blocks(fn func(resource) error) error { return g.each(false, fn) }

func (g *Generator) each(instances bool, fn func(resource) error) error {
	n := g.o.Families
	if !instances && g.forEach() && n > 1 {
		n = 1
	}
	for i := 1; i <= n; i++ {
		fam := "rotation_secret_family." + g.familyRName(i)
		r := resource{
			typ: "rotation_secret", name: g.secretRName(i), key: g.instanceKey(i), provider: rotationProvider, configKey: "rotation",
			sens: secretSensitivity, dependsOn: []string{fam}, schemaVersion: secretSchemaVersion,
		}
		if instances {
			r.value = g.secretValues(i)
		} else {
			r.expressions = g.secretExpressions(i)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	for i := 1; i <= n; i++ {
		r := resource{
			typ: "rotation_secret_family", name: g.familyRName(i), key: g.instanceKey(i), provider: rotationProvider, configKey: "rotation",
		}
		if instances {
			r.value = g.familyValues(i)
		} else {
			r.expressions = g.familyExpressions(i)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	for j := 1; j <= g.o.Unrelated; j++ {
		r := resource{typ: "terraform_data", name: g.unrelatedRName(j), provider: terraformProvider, configKey: "terraform"}
		if instances {
			r.value = g.unrelatedValues(j)
		} else {
			r.expressions = map[string]any{"input": constant(g.unrelatedInput(j))}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func constant(v any) map[string]any { return map[string]any{"constant_value": v} }

func references(refs ...any) map[string]any { return map[string]any{"references": refs} }

func (g *Generator) secretExpressions(i int) map[string]any {
	days := make([]any, len(windowDays))
	for k, d := range windowDays {
		days[k] = d
	}
	fam := "rotation_secret_family." + g.familyRName(i)
	family := references(fam+".id", fam)
	if g.forEach() {
		family = references(fam, "each.key")
	}
	return map[string]any{
		"family": family,
		"name":   constant(secretName),
		"schedule": map[string]any{
			"change_window": map[string]any{
				"days": constant(days), "end": constant(windowEnd), "start": constant(windowStart), "time_zone": constant(windowTZ),
			},
			"overlap":     constant(schedOverlap),
			"period":      constant(schedPeriod),
			"propagation": constant(schedPropagation),
			"ttl":         constant(schedTTL),
		},
		"type": constant(g.o.Type),
	}
}

func (g *Generator) familyExpressions(i int) map[string]any {
	cs := make([]any, len(consumers))
	for k, c := range consumers {
		cs[k] = map[string]any{"cache_ttl": constant(c.cacheTTL), "name": constant(c.name), "role": constant(c.role)}
	}
	out := map[string]any{
		"artifact_lifetime": constant(artifactLifetime),
		"backup_owner":      constant("team-platform"),
		"classification":    constant("high"),
		"consumer":          cs,
		"name":              constant(g.familyName(i)),
		"owner":             constant(owner(i)),
		"purpose":           constant(fmt.Sprintf("Signs the tokens of service %s.", g.famIdx(i))),
		"reviewed_at":       constant(g.reviewedAt()),
	}
	if g.forEach() {
		out["name"], out["purpose"], out["owner"] = references("each.key"), references("each.key"), references("each.value.owner", "each.value")
	}
	return out
}

// WritePlan writes the plan JSON (compact, as `terraform show -json`).
func (g *Generator) WritePlan(w *bufio.Writer) error {
	create := g.o.Mode == "create"
	var err error
	var listOf func(func(func(resource) error) error, func(resource) any)
	put := func(s string) {
		if err == nil {
			_, err = w.WriteString(s)
		}
	}
	list := func(item func(resource) any) { listOf(g.resources, item) }
	listOf = func(iter func(func(resource) error) error, item func(resource) any) {
		first := true
		if e := iter(func(r resource) error {
			if !first {
				put(",")
			}
			first = false
			b, e := json.Marshal(item(r))
			if e != nil {
				return e
			}
			if err == nil {
				_, err = w.Write(b)
			}
			return err
		}); e != nil && err == nil {
			err = e
		}
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }

	put(`{"format_version":"1.2","terraform_version":` + q(g.o.TerraformVersion) + `,"planned_values":{"root_module":{`)
	if g.o.Families+g.o.Unrelated > 0 {
		put(`"resources":[`)
		list(func(r resource) any {
			return valuesResource{Address: r.address(), Mode: "managed", Type: r.typ, Name: r.name, Index: r.index(), ProviderName: r.provider,
				SchemaVersion: r.schemaVersion, Values: omitUnknowns(r.value), SensitiveValues: sensitiveAsBool(r.value, nil)}
		})
		put(`]`)
	}
	put(`}}`)
	if g.o.Families+g.o.Unrelated > 0 {
		put(`,"resource_changes":[`)
		list(func(r resource) any {
			c := change{AfterUnknown: afterUnknown(r.value), AfterSensitive: sensitiveAsBool(r.value, r.sens)}
			if create {
				c.Actions, c.Before, c.After, c.BeforeSensitive = []string{"create"}, nil, omitUnknowns(r.value), false
			} else {
				c.Actions, c.Before, c.After, c.BeforeSensitive = []string{"no-op"}, r.value, r.value, c.AfterSensitive
			}
			return resourceChange{Address: r.address(), Mode: "managed", Type: r.typ, Name: r.name, Index: r.index(), ProviderName: r.provider, Change: c}
		})
		put(`]`)
	}
	if !create {
		put(`,"prior_state":{"format_version":"1.0","terraform_version":` + q(g.o.TerraformVersion) + `,"values":{"root_module":{`)
		if g.o.Families+g.o.Unrelated > 0 {
			put(`"resources":[`)
			list(func(r resource) any {
				return valuesResource{Address: r.address(), Mode: "managed", Type: r.typ, Name: r.name, Index: r.index(), ProviderName: r.provider,
					SchemaVersion: r.schemaVersion, Values: r.value, SensitiveValues: sensitiveAsBool(r.value, r.sens), DependsOn: r.dependsOn}
			})
			put(`]`)
		}
		put(`}}}`)
	}
	put(`,"configuration":{"provider_config":{`)
	if g.o.Families > 0 {
		b, _ := json.Marshal(providerConfig{Name: "rotation", FullName: rotationProvider})
		put(`"rotation":` + string(b))
	}
	if g.o.Unrelated > 0 {
		if g.o.Families > 0 {
			put(",")
		}
		b, _ := json.Marshal(providerConfig{Name: "terraform", FullName: terraformProvider})
		put(`"terraform":` + string(b))
	}
	put(`},"root_module":{`)
	if g.o.Families+g.o.Unrelated > 0 {
		put(`"resources":[`)
		listOf(g.blocks, func(r resource) any {
			c := configResource{Address: r.typ + "." + r.name, Mode: "managed", Type: r.typ, Name: r.name, ProviderConfigKey: r.configKey, Expressions: r.expressions, SchemaVersion: r.schemaVersion}
			if r.key != "" {
				c.ForEachExpression = references("local.families")
			}
			return c
		})
		put(`]`)
	}
	put(`}}`)
	if create && g.o.Families > 0 {
		put(`,"relevant_attributes":[`)
		if g.forEach() {
			b, _ := json.Marshal(relevantAttribute{Resource: "rotation_secret_family.f", Attribute: []string{}})
			put(string(b))
		}
		for i := 1; i <= g.o.Families && !g.forEach(); i++ {
			if i > 1 {
				put(",")
			}
			b, _ := json.Marshal(relevantAttribute{Resource: "rotation_secret_family." + g.familyRName(i), Attribute: []string{"id"}})
			put(string(b))
		}
		put(`]`)
	}
	put(`,"timestamp":` + q(g.planTime.UTC().Format(time.RFC3339)) + "}\n")
	return err
}
