package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Severity of a finding or a rule: deny fails the check by default, warn
// only when --fail-on warn.
type Severity string

// The two severities, as conftest names its result kinds.
const (
	Deny Severity = "deny"
	Warn Severity = "warn"
)

// Rank orders severities: deny above warn.
func (s Severity) Rank() int {
	if s == Deny {
		return 2
	}
	if s == Warn {
		return 1
	}
	return 0
}

// Variant is one annotated rule definition (one METADATA block with a
// custom.id): a rule id usually has its main definition and a "could not be
// checked" warning, sometimes a deny and a warn flavour (ROT013, ROT023).
type Variant struct {
	Title       string
	Description string
	Severity    Severity
	Remediation string
	Package     string // e.g. rotation.overlap
	Location    string // module:row
	// Unchecked is set for the "could not be checked" variants (the
	// bundle's convention: their title ends in "(could not be checked)").
	Unchecked bool
	// UnknownInput is set for the variants that deny because an input is
	// unknown until apply (custom.unknown_input: the rule fails closed;
	// params.unknown_inputs = "warn" turns them into the "could not be
	// checked" warnings).
	UnknownInput bool
	// Why (custom.why) is the failure the rule prevents; Attributes
	// (custom.attributes) the attribute paths its messages may name, most
	// specific first (see FindingTarget); Parameters (custom.parameters) the
	// parameters it reads and what they do.
	Why        string
	Attributes []string
	Parameters map[string]string
}

// Rule is the catalog entry of one rule id, built from the METADATA
// annotations of the compiled modules.
type Rule struct {
	ID string
	// The primary variant's title, description, remediation and severity:
	// the first annotated definition of the id in source order (file name,
	// then line), which in the bundle is always the main rule, never its
	// "could not be checked" companion.
	Title       string
	Description string
	Remediation string
	Severity    Severity
	// Severities lists the distinct severities of the checked (not
	// "could not be checked") variants, the primary one first: ["deny"],
	// ["warn"], or ["warn", "deny"] for ROT013 and ROT023.
	Severities []Severity
	// CanWarnUnchecked is set when the rule also warns that it could not be
	// checked (unknown or invalid values).
	CanWarnUnchecked bool
	// FailsClosed is set when the rule denies when an input is unknown
	// until apply (a variant with custom.unknown_input).
	FailsClosed bool
	Package     string
	// Why is the primary variant's; Attributes and Parameters are those of
	// every variant, in source order.
	Why        string
	Attributes []string
	Parameters map[string]string
	Variants   []Variant
}

const uncheckedSuffix = "(could not be checked)"

// buildCatalog collects the rule-scoped annotations that carry a custom.id.
func buildCatalog(c *ast.Compiler) []Rule {
	type entry struct {
		id  string
		v   Variant
		loc *ast.Location
	}
	var entries []entry
	for _, ar := range c.GetAnnotationSet().Flatten() {
		a := ar.Annotations
		if a == nil || (a.Scope != "rule" && a.Scope != "document") {
			continue
		}
		id, _ := a.Custom["id"].(string)
		if id == "" {
			continue
		}
		sev, _ := a.Custom["severity"].(string)
		rem, _ := a.Custom["remediation"].(string)
		loc := a.Location
		if loc == nil {
			loc = ar.Location
		}
		pkg := ""
		if len(ar.Path) > 1 {
			pkg = strings.TrimPrefix(ar.Path[:len(ar.Path)-1].String(), "data.")
		}
		v := Variant{
			Title:       strings.TrimSpace(a.Title),
			Description: strings.TrimSpace(a.Description),
			Severity:    normalSeverity(sev),
			Remediation: strings.TrimSpace(rem),
			Package:     pkg,
			Unchecked:   strings.HasSuffix(strings.TrimSpace(a.Title), uncheckedSuffix),
		}
		v.UnknownInput, _ = a.Custom["unknown_input"].(bool)
		readDocFields(&v, a.Custom)
		if loc != nil {
			v.Location = fmt.Sprintf("%s:%d", loc.File, loc.Row)
		}
		entries = append(entries, entry{id: id, v: v, loc: loc})
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i].loc, entries[j].loc
		if a == nil || b == nil {
			return b != nil
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Row < b.Row
	})
	byID := map[string]*Rule{}
	var ids []string
	for _, e := range entries {
		r := byID[e.id]
		if r == nil {
			r = &Rule{ID: e.id}
			byID[e.id] = r
			ids = append(ids, e.id)
		}
		r.Variants = append(r.Variants, e.v)
	}
	sort.Strings(ids)
	out := make([]Rule, 0, len(ids))
	for _, id := range ids {
		r := byID[id]
		primary := r.Variants[0]
		for _, v := range r.Variants {
			if !v.Unchecked && !v.UnknownInput {
				primary = v
				break
			}
		}
		r.Title, r.Description, r.Remediation, r.Severity, r.Package = primary.Title, primary.Description, primary.Remediation, primary.Severity, primary.Package
		r.Why = primary.Why
		mergeDocFields(r)
		seen := map[Severity]bool{}
		for _, v := range append([]Variant{primary}, r.Variants...) {
			if v.Unchecked {
				r.CanWarnUnchecked = true
				continue
			}
			if v.UnknownInput {
				r.FailsClosed = true
				continue
			}
			if !seen[v.Severity] && v.Severity != "" {
				seen[v.Severity] = true
				r.Severities = append(r.Severities, v.Severity)
			}
		}
		out = append(out, *r)
	}
	return out
}

func normalSeverity(s string) Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "deny", "violation", "error", "failure":
		return Deny
	case "warn", "warning":
		return Warn
	}
	return Severity(s)
}
