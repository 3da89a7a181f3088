package policy

import (
	"regexp"
	"strings"
)

// Target is what a finding is about in the Terraform configuration: the
// address of a declaration and the attribute paths inside it that the
// message names, most specific first. A tool that reads the configuration
// (check --config) points the finding at the first of Attributes that is
// declared, else at the block of Resource.
type Target struct {
	Resource   string
	Attributes []string
}

// uncheckedPath reads the attribute of a "could not be checked" warning or
// a "refused" deny (an unknown input failing closed; the bundle's shared
// helpers in policies/lib/messages.rego write them): "PATH is unknown until
// apply", "PATH \"x\" is not a duration", "PATH is not set", or the same
// with "PATH of ADDRESS" when the attribute belongs to another resource
// (the family of a secret).
var uncheckedPath = regexp.MustCompile(`^(?:could not be checked|refused): ([A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9]+\])?)*)( of | is |\s*"| \S+ is not a duration|$)`)

// FindingTarget works out the target of a finding from its message and the
// attribute paths its rule may name (Rule.Attributes, from custom.attributes):
//
//   - a "could not be checked: PATH [of ADDRESS] ..." or "refused: PATH
//     [of ADDRESS] ..." message targets PATH on ADDRESS (or on the
//     finding's resource);
//   - otherwise the rule's attributes that the message names (the whole
//     path, or its last part, as a word outside quoted values), in the
//     rule's order.
//
// Resource is "" when the finding names no resource.
func FindingTarget(f Finding, attributes []string) Target {
	t := Target{Resource: f.Resource}
	if f.Resource == "" {
		return t
	}
	text := MessageText(f)
	if m := uncheckedPath.FindStringSubmatch(text); m != nil {
		if m[2] == " of " {
			rest := text[len(m[0]):]
			if addr := leadingAddress(rest); addr != "" {
				t.Resource = addr
			}
		}
		t.Attributes = []string{m[1]}
		return t
	}
	bare := withoutQuoted(text)
	for _, a := range attributes {
		if namesAttribute(bare, a) {
			t.Attributes = append(t.Attributes, a)
		}
	}
	return t
}

// leadingAddress reads an address at the start of s, up to the first space
// outside quotes and brackets.
func leadingAddress(s string) string {
	inQuote, escaped, depth := false, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '[':
			depth++
		case c == ']':
			if depth > 0 {
				depth--
			}
		case depth == 0 && (c == ' ' || c == ',' || c == ')' || c == ':'):
			return s[:i]
		}
	}
	if inQuote || depth > 0 {
		return ""
	}
	return s
}

// withoutQuoted blanks out the "quoted values" of a message (a team called
// "owner" must not look like the attribute owner).
func withoutQuoted(s string) string {
	var b strings.Builder
	inQuote, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
			continue
		case inQuote && c == '\\':
			escaped = true
			continue
		case c == '"':
			inQuote = !inQuote
			b.WriteByte(' ')
			continue
		case inQuote:
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// namesAttribute reports whether text names the attribute path, whole or
// by its last part, as a word (not inside another identifier such as
// backup_owner or allowed_owners for owner).
func namesAttribute(text, path string) bool {
	names := []string{path}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		names = append(names, path[i+1:])
	}
	for _, n := range names {
		for off := 0; ; {
			i := strings.Index(text[off:], n)
			if i < 0 {
				break
			}
			i += off
			end := i + len(n)
			if (i == 0 || !isWordChar(text[i-1])) && (end == len(text) || !isWordChar(text[end])) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

func isWordChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
