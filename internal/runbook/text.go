package runbook

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// Segment is a piece of Text: plain words or code (an attribute, a value to
// type).
type Segment struct {
	Content string
	Code    bool
}

// Text is a sentence for people that both renderers can write: plain
// segments are escaped for the target format, code segments become `code`
// in Markdown and <code> in HTML.
type Text []Segment

// Code marks a segment of makeText as code.
type Code string

// makeText builds a Text from strings (plain), Code values, Text values and
// anything else (formatted with %v, plain).
func makeText(parts ...any) Text {
	var t Text
	for _, p := range parts {
		switch x := p.(type) {
		case string:
			t = append(t, Segment{Content: x})
		case Code:
			t = append(t, Segment{Content: string(x), Code: true})
		case Text:
			t = append(t, x...)
		default:
			t = append(t, Segment{Content: fmt.Sprint(x)})
		}
	}
	return t
}

// Plain is the text without markup.
func (t Text) Plain() string {
	var b strings.Builder
	for _, s := range t {
		b.WriteString(s.Content)
	}
	return b.String()
}

// Markdown writes the text for Markdown; inTable also escapes the pipe.
func (t Text) Markdown() string {
	var b strings.Builder
	for _, s := range t {
		if s.Code {
			b.WriteString(mdCode(s.Content))
		} else {
			b.WriteString(mdEscape(s.Content))
		}
	}
	return b.String()
}

// HTML writes the text as escaped HTML with <code> elements.
func (t Text) HTML() string {
	var b strings.Builder
	for _, s := range t {
		if s.Code {
			b.WriteString("<code>")
			b.WriteString(html.EscapeString(s.Content))
			b.WriteString("</code>")
		} else {
			b.WriteString(html.EscapeString(s.Content))
		}
	}
	return b.String()
}

var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`,
	"[", `\[`, "]", `\]`, "`", "\\`", "\r\n", " ", "\n", " ", "\r", " ",
)

// mdEscape escapes text for Markdown paragraphs and table cells: no
// emphasis, links, HTML or cell breaks can come from input values.
func mdEscape(s string) string { return mdReplacer.Replace(s) }

// mdCode writes s as a code span; backticks inside are fenced with longer
// runs, pipes are escaped for tables (GitHub unescapes \| in code spans in
// tables).
func mdCode(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Time formats.

// fmtTime is "Mon 2026-02-04 10:00 UTC" (seconds shown only when set).
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	layout := "Mon 2006-01-02 15:04 UTC"
	if t.Second() != 0 {
		layout = "Mon 2006-01-02 15:04:05 UTC"
	}
	return t.Format(layout)
}

// fmtShort is "2026-02-04 10:00" for tables.
func fmtShort(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	if t.Second() != 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

func fmtDate(t time.Time) string { return t.UTC().Format("2006-01-02") }

// joinNames is "a, b and c".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
