package tfconfig

import (
	"fmt"
	"strings"
)

// Address is a Terraform absolute address with its instance keys stripped:
// the module path and, for a resource, its mode, type and name, or, for a
// provider configuration, its local name and alias.
//
//	module.a["x"].module.b.rotation_secret.jwt[0]  -> Modules [a b], Type rotation_secret, Name jwt
//	data.rotation_x.y                              -> Data, Type rotation_x, Name y
//	module.m.provider["rotation"]                  -> Modules [m], Provider rotation
//	provider["registry.terraform.io/o/rotation"].x -> Provider rotation, Alias x
//	module.a                                       -> Modules [a] (a module call)
//
// Addresses are compared without keys: every instance of a count or
// for_each resource or module shares one declaration.
type Address struct {
	Modules  []string
	Data     bool
	Type     string
	Name     string
	Provider string // local name (or type) of a provider configuration
	Alias    string
}

// IsResource reports whether the address names a resource (managed or data).
func (a Address) IsResource() bool { return a.Type != "" }

// IsProvider reports whether the address names a provider configuration.
func (a Address) IsProvider() bool { return a.Provider != "" }

// ResourceKey is the key of a resource inside its module: "type.name", or
// "data.type.name" for a data source.
func (a Address) ResourceKey() string {
	if a.Data {
		return "data." + a.Type + "." + a.Name
	}
	return a.Type + "." + a.Name
}

// String renders the address without instance keys.
func (a Address) String() string {
	var parts []string
	for _, m := range a.Modules {
		parts = append(parts, "module."+m)
	}
	switch {
	case a.IsResource():
		parts = append(parts, a.ResourceKey())
	case a.IsProvider():
		key := a.Provider
		if a.Alias != "" {
			key += "." + a.Alias
		}
		parts = append(parts, fmt.Sprintf("provider[%q]", key))
	}
	return strings.Join(parts, ".")
}

// step is one dotted part of an address: a name with the instance key that
// follows it, if any (keys are kept only where the grammar needs them:
// provider["..."]).
type step struct {
	name string
	key  string // the key's text without quotes; "" when none
	// keyed is set when an index followed the name.
	keyed bool
}

// ParseAddress parses an absolute address as plans, states and the policy
// messages write it. Instance keys ([0], ["x"]) are accepted after module
// and resource names and dropped.
func ParseAddress(s string) (Address, error) {
	steps, err := splitSteps(s)
	if err != nil {
		return Address{}, fmt.Errorf("address %q: %v", s, err)
	}
	var a Address
	i := 0
	for i+1 < len(steps) && steps[i].name == "module" && !steps[i].keyed {
		m := steps[i+1]
		a.Modules = append(a.Modules, m.name)
		i += 2
	}
	rest := steps[i:]
	switch {
	case len(rest) == 0:
		if len(a.Modules) == 0 {
			return Address{}, fmt.Errorf("address %q: empty", s)
		}
		return a, nil // a module call
	case rest[0].name == "provider" && rest[0].keyed:
		key := rest[0].key
		// Terraform's form provider["registry.terraform.io/ns/type"].alias,
		// or the configuration key provider["type.alias"].
		if j := strings.LastIndex(key, "/"); j >= 0 {
			a.Provider = key[j+1:]
		} else if name, alias, ok := strings.Cut(key, "."); ok {
			a.Provider, a.Alias = name, alias
		} else {
			a.Provider = key
		}
		switch len(rest) {
		case 1:
		case 2:
			if rest[1].keyed {
				return Address{}, fmt.Errorf("address %q: unexpected key after the provider alias", s)
			}
			a.Alias = rest[1].name
		default:
			return Address{}, fmt.Errorf("address %q: too many parts after the provider", s)
		}
		if a.Provider == "" {
			return Address{}, fmt.Errorf("address %q: empty provider name", s)
		}
		return a, nil
	case rest[0].name == "data" && !rest[0].keyed:
		a.Data = true
		rest = rest[1:]
	}
	if len(rest) != 2 || rest[0].keyed {
		return Address{}, fmt.Errorf("address %q: expected [module.NAME.]...TYPE.NAME", s)
	}
	a.Type, a.Name = rest[0].name, rest[1].name
	return a, nil
}

// splitSteps splits an address at the dots outside brackets; each step is
// an identifier with an optional [key].
func splitSteps(s string) ([]step, error) {
	var out []step
	i := 0
	for {
		j := i
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		if j == i {
			return nil, fmt.Errorf("expected a name at offset %d", i)
		}
		st := step{name: s[i:j]}
		i = j
		if i < len(s) && s[i] == '[' {
			key, n, err := readKey(s[i:])
			if err != nil {
				return nil, err
			}
			st.key, st.keyed = key, true
			i += n
		}
		out = append(out, st)
		if i == len(s) {
			return out, nil
		}
		if s[i] != '.' {
			return nil, fmt.Errorf("unexpected %q at offset %d", s[i], i)
		}
		i++
	}
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// readKey reads "[0]" or `["x"]` (with \" and \\ escapes) at the start of s
// and returns the key's text and the number of bytes read.
func readKey(s string) (string, int, error) {
	if len(s) < 3 {
		return "", 0, fmt.Errorf("unterminated key")
	}
	if s[1] != '"' {
		end := strings.IndexByte(s, ']')
		if end < 2 {
			return "", 0, fmt.Errorf("bad key")
		}
		for _, c := range s[1:end] {
			if c < '0' || c > '9' {
				return "", 0, fmt.Errorf("bad index %q", s[1:end])
			}
		}
		return s[1:end], end + 1, nil
	}
	var b strings.Builder
	for i := 2; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated key")
			}
			i++
			b.WriteByte(s[i])
		case '"':
			if i+1 >= len(s) || s[i+1] != ']' {
				return "", 0, fmt.Errorf("unterminated key")
			}
			return b.String(), i + 2, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated key")
}
