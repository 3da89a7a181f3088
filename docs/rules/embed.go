// Package rules embeds the generated rule pages (docs/rules/ROTnnn.md,
// written by tools/ruledocs from the rule METADATA and the policy fixtures)
// so that `check --explain ROTnnn` prints the very page the repository
// holds.
package rules

import (
	"embed"
	"regexp"
	"sort"
	"strings"
)

//go:embed *.md
var pages embed.FS

// RepositoryURL is the project's repository (SARIF's informationUri).
const RepositoryURL = "https://github.com/rotationkit/terraform-provider-rotation"

// BaseURL is where the pages are published: the repository's docs/rules/
// on the default branch. A rule's page is BaseURL + id + ".md".
const BaseURL = RepositoryURL + "/blob/main/docs/rules/"

var ruleID = regexp.MustCompile(`^ROT[0-9]{3}$`)

// Page returns the page of a rule id (case-insensitive), and whether there
// is one.
func Page(id string) ([]byte, bool) {
	id = strings.ToUpper(strings.TrimSpace(id))
	if !ruleID.MatchString(id) {
		return nil, false
	}
	b, err := pages.ReadFile(id + ".md")
	return b, err == nil
}

// URL returns the published page of a rule id, "" when it has none.
func URL(id string) string {
	if _, ok := Page(id); !ok {
		return ""
	}
	return BaseURL + strings.ToUpper(id) + ".md"
}

// IDs lists the rule ids that have a page, sorted.
func IDs() []string {
	entries, _ := pages.ReadDir(".")
	var out []string
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".md")
		if ruleID.MatchString(id) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}
