package runbook

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// The runbook judges nothing itself: every ✓, ✗ and ⚠ and every rule id in
// its notes comes from the findings of the policy evaluation that also
// produced the view (see Evaluate), so the runbook and `check` cannot
// disagree. A rule without a finding for a resource passed for it.

// isUnchecked reports a "could not be checked" warning (the bundle's
// convention: the text after the address starts with these words).
func isUnchecked(f policy.Finding) bool {
	return f.Severity == policy.Warn && strings.HasPrefix(policy.MessageText(f), "could not be checked")
}

// refusedPrefix starts the text of a deny that refuses an input unknown
// until apply (fail closed; policies/lib/messages.rego, refused).
const refusedPrefix = "refused: "

// isRefused reports a deny of a rule that could not judge an input, so
// refused the plan: "refused: schedule.ttl is unknown until apply (...)".
func isRefused(f policy.Finding) bool {
	return f.Severity == policy.Deny && strings.HasPrefix(policy.MessageText(f), refusedPrefix)
}

// gapOf is the reason a rule could not be checked, from its "could not be
// checked" warning or its refusal: "schedule.ttl is unknown until apply".
func gapOf(f policy.Finding) string {
	text := policy.MessageText(f)
	if t, ok := strings.CutPrefix(text, refusedPrefix); ok {
		if i := strings.LastIndex(t, " ("); i > 0 {
			return t[:i]
		}
		return t
	}
	return strings.TrimPrefix(text, "could not be checked: ")
}

// gaps returns the "could not be checked" warnings and the refusals of
// rule.
func gaps(fs []policy.Finding, rule string) []policy.Finding {
	var out []policy.Finding
	for _, f := range fs {
		if f.Rule == rule && (isUnchecked(f) || isRefused(f)) {
			out = append(out, f)
		}
	}
	return out
}

// checked returns the findings of rule that are verdicts (deny, or a warning
// other than "could not be checked").
func checked(fs []policy.Finding, rule string) []policy.Finding {
	var out []policy.Finding
	for _, f := range fs {
		if f.Rule == rule && !isUnchecked(f) {
			out = append(out, f)
		}
	}
	return out
}

// unchecked returns the "could not be checked" warnings of rule.
func unchecked(fs []policy.Finding, rule string) []policy.Finding {
	var out []policy.Finding
	for _, f := range fs {
		if f.Rule == rule && isUnchecked(f) {
			out = append(out, f)
		}
	}
	return out
}

// verdictOf is the verdict of rule from findings about one resource: fail
// when the rule denies, warn when it warns, unknown when it could not be
// checked, ok otherwise.
func verdictOf(fs []policy.Finding, rule string) string {
	verdict := VerdictOK
	for _, f := range fs {
		if f.Rule != rule {
			continue
		}
		switch {
		case f.Severity == policy.Deny:
			return VerdictFail
		case isUnchecked(f):
			if verdict == VerdictOK {
				verdict = VerdictUnknown
			}
		default:
			verdict = VerdictWarn
		}
	}
	return verdict
}

func (c *Credential) verdict(rule string) string { return verdictOf(c.Findings, rule) }

// waived reports whether a valid waiver covers a finding of rule about the
// credential.
func (c *Credential) waived(rule string) bool {
	for _, f := range c.Waived {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// countRules counts the rules that deny and (only) warn among findings
// about one resource.
func countRules(fs []policy.Finding) (deny, warn int) {
	sev := map[string]policy.Severity{}
	for _, f := range fs {
		if f.Severity.Rank() > sev[f.Rule].Rank() {
			sev[f.Rule] = f.Severity
		}
	}
	for _, s := range sev {
		switch s {
		case policy.Deny:
			deny++
		case policy.Warn:
			warn++
		}
	}
	return deny, warn
}

// expiredVersion is the version number a ROT003 deny names ("version 3
// (active) expired at ..."); false for any other message.
var expiredPattern = regexp.MustCompile(`^version ([0-9]+) \(`)

func expiredVersion(f policy.Finding) (int64, bool) {
	if f.Rule != "ROT003" || f.Severity != policy.Deny {
		return 0, false
	}
	m := expiredPattern.FindStringSubmatch(policy.MessageText(f))
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil
}

// findingText is a finding for a list: "ROT031 (deny): the plan leaves no
// active version (...)".
func findingText(f policy.Finding) Text {
	return makeText(f.Rule, " (", string(f.Severity), "): ", policy.MessageText(f))
}

// Verdict is one rule's verdict about one resource as the runbook shows
// it.
type Verdict struct {
	Address  string
	Rule     string
	Severity policy.Severity
}

// shown records the verdicts a page shows about one resource: rule ->
// highest severity.
type shown map[string]policy.Severity

func (s *shown) add(rule string, sev policy.Severity) {
	if *s == nil {
		*s = shown{}
	}
	if sev.Rank() > (*s)[rule].Rank() {
		(*s)[rule] = sev
	}
}

// Verdicts lists what the runbook shows as denied or warned about, per
// resource (each rule once, at its highest severity): the ✗, ⚠ and "?" of
// the overlap arithmetic (a "?" only where the policies warn that they
// could not check the rule), the rule ids of the notes, of the family's
// facts and of the lists of other findings. A test holds them equal to
// `check`'s findings over every fixture.
func (r *Report) Verdicts() []Verdict {
	var out []Verdict
	add := func(address string, s shown) {
		for _, rule := range sortedKeys(s) {
			out = append(out, Verdict{Address: address, Rule: rule, Severity: s[rule]})
		}
	}
	for _, f := range r.Families {
		add(f.Address, f.shown)
		for _, c := range f.Credentials {
			add(c.Address, c.shown)
		}
	}
	for _, c := range r.Orphans {
		add(c.Address, c.shown)
	}
	for _, x := range r.Removed {
		var s shown
		for _, f := range x.Findings {
			s.add(f.Rule, f.Severity)
		}
		add(x.Address, s)
	}
	doc := map[string]shown{}
	for _, f := range r.Findings {
		s := doc[f.Resource]
		s.add(f.Rule, f.Severity)
		doc[f.Resource] = s
	}
	for _, a := range sortedKeys(doc) {
		add(a, doc[a])
	}
	return out
}
