package policy

import (
	"regexp"
	"strings"
)

// ruleID matches the rule id a message starts with: ROT020, and in --policy
// rules any upper-case identifier ending in a digit (CKV_AWS_1, ACME-7).
var ruleID = regexp.MustCompile(`^([A-Z][A-Z0-9_-]*[0-9])(?:[ \t]+|:|$)`)

// ParseMessage splits a message "ROT020 rotation_secret.jwt: overlap ..."
// into its rule id ("ROT020") and resource ("rotation_secret.jwt"). The
// resource is what follows the id up to the first ": " outside quotes and
// brackets (addresses such as module.a["x: y"].rotation_secret.s keep their
// keys); it is "" when the text after the id has no such colon or has white
// space before it (not an address). rule is "" when the message does not
// start with an id.
func ParseMessage(msg string) (rule, resource string) {
	m := ruleID.FindStringSubmatch(msg)
	if m == nil {
		return "", ""
	}
	rule = m[1]
	rest := msg[len(m[0]):]
	if strings.HasPrefix(m[0][len(m[1]):], ":") {
		return rule, "" // "ROT020: text": no resource
	}
	inQuote, escaped, depth := false, false, 0
	for i := 0; i < len(rest); i++ {
		c := rest[i]
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
		case depth > 0:
		case c == ' ' || c == '\t':
			return rule, ""
		case c == ':':
			if i+1 == len(rest) || rest[i+1] == ' ' {
				return rule, rest[:i]
			}
		}
	}
	return rule, ""
}

// MessageText is the message without its "RULE RESOURCE: " prefix, for
// displays that show the rule and resource elsewhere.
func MessageText(f Finding) string {
	prefix := f.Rule + " "
	if f.Resource != "" {
		prefix += f.Resource + ": "
	}
	if strings.HasPrefix(f.Message, prefix) {
		return f.Message[len(prefix):]
	}
	if p := f.Rule + ": "; strings.HasPrefix(f.Message, p) {
		return f.Message[len(p):]
	}
	return f.Message
}
