package policy

import (
	"fmt"
	"strings"
)

// readDocFields reads the documentation fields of a METADATA custom block:
// why (a string), attributes (a list of strings) and parameters (a map of
// parameter name to description). Values of another type are ignored.
func readDocFields(v *Variant, custom map[string]any) {
	if why, ok := custom["why"].(string); ok {
		v.Why = strings.TrimSpace(why)
	}
	if list, ok := custom["attributes"].([]any); ok {
		for _, x := range list {
			if s, ok := x.(string); ok && strings.TrimSpace(s) != "" {
				v.Attributes = append(v.Attributes, strings.TrimSpace(s))
			}
		}
	}
	if m, ok := custom["parameters"].(map[string]any); ok {
		v.Parameters = map[string]string{}
		for k, x := range m {
			v.Parameters[k] = strings.TrimSpace(fmt.Sprint(x))
		}
	}
}

// mergeDocFields collects the attributes and parameters of every variant of
// r, in variant order, without duplicates.
func mergeDocFields(r *Rule) {
	seen := map[string]bool{}
	for _, v := range r.Variants {
		for _, a := range v.Attributes {
			if !seen[a] {
				seen[a] = true
				r.Attributes = append(r.Attributes, a)
			}
		}
		for k, d := range v.Parameters {
			if r.Parameters == nil {
				r.Parameters = map[string]string{}
			}
			if _, ok := r.Parameters[k]; !ok {
				r.Parameters[k] = d
			}
		}
	}
}
