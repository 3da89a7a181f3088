package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/rotationkit/terraform-provider-rotation/docs/rules"
)

// explain prints the page of a rule (docs/rules/ID.md, embedded in the
// binary: the very text the repository holds) and returns 0, or exits 2
// with the list of ids when the rule has no page.
func explain(id string, stdout, stderr io.Writer) int {
	page, ok := rules.Page(id)
	if !ok {
		return fail(stderr, "check", usagef("--explain: no rule %q; the rules are %s", id, strings.Join(rules.IDs(), ", ")))
	}
	if _, err := stdout.Write(page); err != nil {
		return fail(stderr, "check", fmt.Errorf("writing the page: %v", err))
	}
	return ExitOK
}

// ruleHelpURI is the SARIF helpUri of a rule: its page in the repository
// (rules.BaseURL), "" for rules without one (--policy rules).
func ruleHelpURI(id string) string { return rules.URL(id) }
