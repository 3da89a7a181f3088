package runbook

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// Resource types the runbook reads.
const (
	typeFamily   = "rotation_secret_family"
	typeSecret   = "rotation_secret"
	typeSchedule = "rotation_schedule"
)

// Input is a decoded plan or state: the rotation resources and what the
// document says about time.
type Input struct {
	// File is the name the document was read from ("(stdin)" for "-").
	File string
	// Kind is "plan" or "state".
	Kind string
	// Timestamp is the plan's timestamp ("" for a state or an old plan).
	Timestamp string
	// Resources of the rotation provider, in address order.
	Resources []*Resource
	// familyRefs maps "module path without instance keys|type.name" of each
	// secret and schedule in the configuration to its family argument's
	// references.
	familyRefs map[string][]string
}

// Resource is one rotation resource instance with its values (planned
// values for a plan, current values for a state).
type Resource struct {
	Address string
	// Module is the module instance address, "" in the root module.
	Module string
	Type   string
	// Name is the resource name in the configuration.
	Name string
	// Actions are the plan's actions (nil for a state).
	Actions []string
	values  map[string]any
	// unknown is after_unknown of a plan: true, or an object/array
	// mirroring values that marks what is unknown until apply.
	unknown any
	// before is the prior values of a plan's update, nil otherwise.
	before map[string]any
}

// Read reads and checks one document (path "-" reads standard input) with
// the checks of the `check` command: a readable, non-empty file of at most
// maxBytes holding a `terraform show -json` object with a supported
// format_version. Errors are one line: "<file>: <reason>".
func Read(path string, maxBytes int64) (*Input, error) {
	doc, err := policy.ReadInputFile(path, maxBytes)
	if err != nil {
		return nil, err
	}
	return fromDocument(doc)
}

// ReadFrom is Read for a document in r, named name in errors.
func ReadFrom(name string, r io.Reader, maxBytes int64) (*Input, error) {
	doc, err := policy.ReadInput(name, r, maxBytes)
	if err != nil {
		return nil, err
	}
	return fromDocument(doc)
}

func fromDocument(doc *policy.Document) (*Input, error) {
	raw, err := ast.JSON(doc.Value)
	if err != nil {
		return nil, &policy.InputError{File: doc.File, Reason: fmt.Sprintf("cannot convert the document: %v", err)}
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, &policy.InputError{File: doc.File, Reason: "not a Terraform plan or state document: not a JSON object"}
	}
	return Decode(doc.File, doc.Kind, obj), nil
}

// Decode collects the rotation resources of an already checked document
// (kind "plan" or "state").
func Decode(file, kind string, doc map[string]any) *Input {
	in := &Input{File: file, Kind: kind, familyRefs: map[string][]string{}}
	in.Timestamp, _ = doc["timestamp"].(string)

	if rcs, ok := doc["resource_changes"].([]any); ok {
		for _, x := range rcs {
			rc, _ := x.(map[string]any)
			typ, _ := rc["type"].(string)
			if !isRotationType(typ) || str(rc["mode"]) != "managed" {
				continue
			}
			change, _ := rc["change"].(map[string]any)
			actions := strings2(change["actions"])
			if onlyRemoves(actions) {
				continue
			}
			after, _ := change["after"].(map[string]any)
			if after == nil {
				after = map[string]any{}
			}
			before, _ := change["before"].(map[string]any)
			in.Resources = append(in.Resources, &Resource{
				Address: str(rc["address"]), Module: str(rc["module_address"]), Type: typ, Name: str(rc["name"]),
				Actions: actions, values: after, unknown: change["after_unknown"], before: before,
			})
		}
	} else if pv, ok := doc["planned_values"].(map[string]any); ok {
		in.Resources = moduleResources(pv["root_module"])
	} else if v, ok := doc["values"].(map[string]any); ok {
		in.Resources = moduleResources(v["root_module"])
	}
	sort.Slice(in.Resources, func(i, j int) bool { return in.Resources[i].Address < in.Resources[j].Address })

	if conf, ok := doc["configuration"].(map[string]any); ok {
		in.collectFamilyRefs(conf["root_module"])
	}
	return in
}

func isRotationType(t string) bool { return t == typeFamily || t == typeSecret || t == typeSchedule }

// onlyRemoves reports a change that removes the resource (delete, forget)
// without creating it again: what remains after the apply is nothing.
func onlyRemoves(actions []string) bool {
	if len(actions) == 0 {
		return false
	}
	for _, a := range actions {
		if a != "delete" && a != "forget" {
			return false
		}
	}
	return true
}

// moduleResources walks a planned_values or values module tree at any depth.
func moduleResources(root any) []*Resource {
	var out []*Resource
	stack := []any{root}
	for len(stack) > 0 {
		m, _ := stack[len(stack)-1].(map[string]any)
		stack = stack[:len(stack)-1]
		if m == nil {
			continue
		}
		module := str(m["address"])
		rs, _ := m["resources"].([]any)
		for _, x := range rs {
			r, _ := x.(map[string]any)
			typ := str(r["type"])
			if !isRotationType(typ) || str(r["mode"]) != "managed" {
				continue
			}
			values, _ := r["values"].(map[string]any)
			if values == nil {
				values = map[string]any{}
			}
			out = append(out, &Resource{Address: str(r["address"]), Module: module, Type: typ, Name: str(r["name"]), values: values})
		}
		if children, ok := m["child_modules"].([]any); ok {
			for i := len(children) - 1; i >= 0; i-- {
				stack = append(stack, children[i])
			}
		}
	}
	return out
}

// collectFamilyRefs records the references of every secret's and schedule's
// family argument in the configuration, at any module depth.
func (in *Input) collectFamilyRefs(root any) {
	type frame struct {
		path string
		m    map[string]any
	}
	rm, _ := root.(map[string]any)
	stack := []frame{{"", rm}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.m == nil {
			continue
		}
		rs, _ := f.m["resources"].([]any)
		for _, x := range rs {
			r, _ := x.(map[string]any)
			typ := str(r["type"])
			if typ != typeSecret && typ != typeSchedule {
				continue
			}
			var refs []string
			if ex, ok := r["expressions"].(map[string]any); ok {
				if fam, ok := ex["family"].(map[string]any); ok {
					refs = strings2(fam["references"])
				}
			}
			in.familyRefs[f.path+"|"+typ+"."+str(r["name"])] = refs
		}
		calls, _ := f.m["module_calls"].(map[string]any)
		names := make([]string, 0, len(calls))
		for n := range calls {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			call, _ := calls[n].(map[string]any)
			child, _ := call["module"].(map[string]any)
			p := "module." + n
			if f.path != "" {
				p = f.path + "." + p
			}
			stack = append(stack, frame{p, child})
		}
	}
}

var (
	// refPattern takes rotation_secret_family.f, .f["k"] or .f[0] from a
	// reference such as "rotation_secret_family.f.id".
	refPattern         = regexp.MustCompile(`^(rotation_secret_family\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)(?:\.|$)`)
	instanceKeyPattern = regexp.MustCompile(`\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]`)
)

// familyOf finds the family of a secret or schedule, as
// policies/lib/terraform.rego does:
//
//  1. the family argument's references in the configuration name family
//     resources of the same module instance; one candidate is taken, of
//     several (count/for_each) the one whose name equals the family value;
//  2. failing that, the family whose name equals the family value,
//     preferring one in the same module instance.
//
// It returns nil when neither finds one.
func (in *Input) familyOf(s *Resource, families map[string]*Resource) *Resource {
	confKey := instanceKeyPattern.ReplaceAllString(s.Module, "") + "|" + s.Type + "." + s.Name
	var indexed, plain []string
	for _, ref := range in.familyRefs[confKey] {
		m := refPattern.FindStringSubmatch(ref)
		if m == nil {
			continue
		}
		target := m[1]
		if strings.Contains(target, "[") {
			addr := target
			if s.Module != "" {
				addr = s.Module + "." + target
			}
			if families[addr] != nil {
				indexed = append(indexed, addr)
			}
			continue
		}
		for addr, f := range families {
			if f.Module == s.Module && typeFamily+"."+f.Name == target {
				plain = append(plain, addr)
			}
		}
	}
	candidates := uniqSorted(indexed)
	if len(candidates) == 0 {
		candidates = uniqSorted(plain)
	}
	name, _ := s.values["family"].(string)
	if len(candidates) == 1 {
		return families[candidates[0]]
	}
	for _, a := range candidates {
		if n, _ := families[a].values["name"].(string); n == name && name != "" {
			return families[a]
		}
	}
	if name == "" {
		return nil
	}
	var same, other []string
	for addr, f := range families {
		if n, _ := f.values["name"].(string); n != name {
			continue
		}
		if f.Module == s.Module {
			same = append(same, addr)
		} else {
			other = append(other, addr)
		}
	}
	all := append(uniqSorted(same), uniqSorted(other)...)
	if len(all) == 0 {
		return nil
	}
	return families[all[0]]
}

func uniqSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Values

// get returns the value at path in the resource's values (nil if absent).
func (r *Resource) get(path ...any) any { return dig(r.values, path) }

// isUnknown reports whether the value at path, or anything containing it,
// is unknown until apply (plans only).
func (r *Resource) isUnknown(path ...any) bool {
	u := r.unknown
	for i := 0; ; i++ {
		if b, ok := u.(bool); ok {
			return b
		}
		if i == len(path) || u == nil {
			return false
		}
		u = dig(u, path[i:i+1])
	}
}

func dig(v any, path []any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			return nil
		}
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strings2(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// number reads a JSON number (json.Number from the policy reader, float64
// from encoding/json) as an int64.
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil || f != float64(int64(f)) {
				return 0, false
			}
			return int64(f), true
		}
		return i, true
	case float64:
		if n != float64(int64(n)) {
			return 0, false
		}
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}
