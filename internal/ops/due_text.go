package ops

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
)

// WriteJSON writes the report as one indented JSON document (schema
// version DueSchemaVersion, docs/due.md).
func (r *DueReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for people: per document, one block per
// resource with what is due, why something waits and what comes next, and
// a closing line with the counts.
func (r *DueReport) WriteText(w io.Writer) error {
	var b strings.Builder
	window := "at " + r.At
	if r.Within != "0s" {
		window = fmt.Sprintf("from %s to %s (within %s)", r.At, r.Until, r.Within)
	}
	total, due := 0, 0
	for _, d := range r.Documents {
		fmt.Fprintf(&b, "%s (%s, workspace %s), %s\n", d.File, d.Kind, d.Workspace, window)
		if len(d.Resources) == 0 {
			b.WriteString("  no rotation_secret or rotation_schedule\n")
		}
		for _, res := range d.Resources {
			total++
			writeResourceText(&b, res)
			if res.Due {
				due++
			}
		}
	}
	switch {
	case due > 0:
		fmt.Fprintf(&b, "%d of %s due: plan and apply to carry the transitions out\n", due, plural(total, "resource"))
	default:
		fmt.Fprintf(&b, "nothing due (%s)\n", plural(total, "resource"))
	}
	if r.Problems > 0 {
		fmt.Fprintf(&b, "%s could not be evaluated\n", plural(r.Problems, "resource"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeResourceText(b *strings.Builder, r DueResource) {
	state := "not due"
	switch {
	case r.Problem != nil:
		state = "NOT EVALUATED"
	case r.Due && r.DueSince != nil && r.OverdueSeconds > 0:
		state = "DUE, overdue " + duration.Format(time.Duration(r.OverdueSeconds)*time.Second) + " (since " + *r.DueSince + ")"
	case r.Due && r.DueSince != nil:
		state = "DUE"
	case r.Due:
		state = "due within the window"
	}
	fmt.Fprintf(b, "  %s: %s\n", r.Address, state)
	if r.Problem != nil {
		fmt.Fprintf(b, "      problem: %s\n", *r.Problem)
	}
	for _, t := range r.Transitions {
		fmt.Fprintf(b, "      %s %s", t.At, transitionLabel(t))
		if t.Reason != "" {
			fmt.Fprintf(b, ": %s", t.Reason)
		}
		b.WriteString("\n")
	}
	for _, x := range r.Reasons {
		fmt.Fprintf(b, "      waits (%s): %s\n", x.Code, x.Message)
	}
	if r.Next != nil {
		fmt.Fprintf(b, "      next: %s at %s\n", transitionLabel(*r.Next), r.Next.At)
	} else if r.Problem == nil {
		b.WriteString("      next: nothing scheduled\n")
	}
}

// transitionLabel is "revoke v1" or "issue v3 (slot a)".
func transitionLabel(t DueTransition) string {
	s := fmt.Sprintf("%s v%d", t.Action, t.Version)
	if t.Slot != "" {
		s += " (slot " + t.Slot + ")"
	}
	return s
}

// plural is "1 resource" or "2 resources".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
