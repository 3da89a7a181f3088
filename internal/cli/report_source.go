package cli

import "github.com/rotationkit/terraform-provider-rotation/internal/policy"

// The parts of the report that carry the configuration locations of
// findings (check --config); the writers in report.go use them.

// loc returns the configuration location of finding i, or nil.
func (fr fileResult) loc(i int) *sourceLoc {
	if i < len(fr.locs) {
		return fr.locs[i]
	}
	return nil
}

// located is a finding with its configuration location (nil when unknown).
type located struct {
	policy.Finding
	loc *sourceLoc
}

func (r *report) allLocated() []located {
	var out []located
	for _, fr := range r.results {
		for i, f := range fr.findings {
			out = append(out, located{f, fr.loc(i)})
		}
	}
	return out
}

type jsonSource struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

type sarifNotification struct {
	Message sarifText `json:"message"`
	Level   string    `json:"level"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}
