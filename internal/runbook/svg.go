package runbook

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// Timeline geometry (SVG user units = CSS pixels).
const (
	svgWidth    = 1180
	svgLabelW   = 210 // left column: credential and version labels
	svgRight    = 24
	svgTop      = 62 // first lane
	svgGroupH   = 24 // a credential's header row
	svgLaneH    = 20
	svgBarH     = 12
	svgBottom   = 34
	svgMinBarW  = 4
	svgChartX0  = svgLabelW
	svgChartX1  = svgWidth - svgRight
	svgChartW   = svgChartX1 - svgChartX0
	colorPend   = "#e0a030"
	colorActive = "#2f9e5a"
	colorPrev   = "#7088aa"
	colorNow    = "#d62728"
)

// svgStyle is the timeline's own style sheet, so the SVG looks the same
// when it is cut out of the page.
const svgStyle = `text{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;fill:#1f2933}` +
	`.legend{font-size:12px}.tick{font-size:11px;fill:#52606d}.group{font-size:13px;font-weight:600}` +
	`.lane{font-size:12px}.note{font-size:12px;font-style:italic;fill:#52606d}.now{font-size:11px;fill:#d62728;font-weight:600}` +
	`.axis{stroke:#9aa5b1;stroke-width:1}.grid{stroke:#e4e7eb;stroke-width:1}.sep{stroke:#cbd2d9;stroke-width:1}.band{fill:#f5f7fa}`

func statusColor(s lifecycle.Status) string {
	switch s {
	case lifecycle.StatusPending:
		return colorPend
	case lifecycle.StatusActive:
		return colorActive
	}
	return colorPrev
}

func esc(s string) string { return html.EscapeString(s) }

// timelineSVG draws the versions of creds between r.Start and r.End: an axis
// with month ticks (day ticks for short horizons), one lane per version,
// a bar per status (recorded history faded), a legend and a "now" marker.
func (r *Report) timelineSVG(title string, creds []*Credential) string {
	type lane struct {
		label string
		spans []Span
	}
	type group struct {
		title  string
		lanes  []lane
		hidden int
		note   string
	}
	var groups []group
	height := svgTop
	for _, c := range creds {
		g := group{title: c.Address}
		versions, hidden := c.LaneVersions()
		g.hidden = hidden
		for _, v := range versions {
			l := lane{}
			for _, s := range c.Spans {
				if s.Version == v {
					l.spans = append(l.spans, s)
					l.label = s.Label()
				}
			}
			g.lanes = append(g.lanes, l)
		}
		if len(versions) == 0 {
			g.note = "no versions within the timeline"
			if c.Problem != "" {
				g.note = "not projected: " + c.Problem
			}
		}
		height += svgGroupH + svgLaneH*len(g.lanes)
		if g.note != "" || g.hidden > 0 {
			height += svgLaneH
		}
		groups = append(groups, g)
	}
	height += svgBottom

	span := r.End.Sub(r.Start)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return svgChartX0
		}
		f := float64(t.Sub(r.Start)) / float64(span)
		return svgChartX0 + f*svgChartW
	}

	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		svgWidth, height, svgWidth, height, esc("Timeline of "+title))
	p(`<title>%s</title>`, esc(fmt.Sprintf("Timeline of %s, %s to %s (UTC)", title, fmtDate(r.Start), fmtDate(r.End))))
	p(`<style>%s</style>`, svgStyle)
	p(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`, svgWidth, height)

	// Legend.
	lx := svgChartX0
	for _, it := range []struct{ name, color string }{{"pending (accepted, not used)", colorPend}, {"active (used and accepted)", colorActive}, {"previous (accepted only)", colorPrev}} {
		p(`<rect x="%d" y="8" width="14" height="12" rx="2" fill="%s"/>`, lx, it.color)
		p(`<text x="%d" y="18" class="legend">%s</text>`, lx+19, esc(it.name))
		lx += 19 + 7*len(it.name) + 22
	}
	p(`<rect x="%d" y="8" width="14" height="12" rx="2" fill="%s" fill-opacity="0.45"/>`, lx, colorActive)
	p(`<text x="%d" y="18" class="legend">recorded (before now)</text>`, lx+19)
	lx += 19 + 7*len("recorded (before now)") + 22
	p(`<line x1="%d" y1="6" x2="%d" y2="22" stroke="%s" stroke-width="2" stroke-dasharray="4 2"/>`, lx+6, lx+6, colorNow)
	p(`<text x="%d" y="18" class="legend">now</text>`, lx+14)

	// Axis: ticks, grid lines and labels.
	bottom := height - svgBottom
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, svgChartX0, svgTop-8, svgChartX1, svgTop-8)
	for _, tk := range r.ticks() {
		tx := x(tk.at)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/>`, tx, svgTop-12, tx, bottom)
		p(`<text x="%.1f" y="%d" class="tick">%s</text>`, tx+3, svgTop-14, esc(tk.label))
	}
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" class="axis"/>`, svgChartX0, bottom, svgChartX1, bottom)
	p(`<text x="%d" y="%d" class="tick">%s</text>`, svgChartX0, bottom+16, esc(fmtDate(r.Start)))
	p(`<text x="%d" y="%d" class="tick" text-anchor="end">%s (end of horizon)</text>`, svgChartX1, bottom+16, esc(fmtDate(r.End)))

	// Lanes.
	y := svgTop
	for gi, g := range groups {
		if gi > 0 {
			p(`<line x1="8" y1="%d" x2="%d" y2="%d" class="sep"/>`, y, svgChartX1, y)
		}
		p(`<text x="8" y="%d" class="group">%s</text>`, y+16, esc(shorten(g.title, 60)))
		y += svgGroupH
		for li, l := range g.lanes {
			if li%2 == 1 {
				p(`<rect x="%d" y="%d" width="%d" height="%d" class="band"/>`, svgChartX0, y, svgChartW, svgLaneH)
			}
			p(`<text x="20" y="%d" class="lane">%s</text>`, y+14, esc(l.label))
			// Short spans (a pending hour, a previous day) are widened to
			// svgMinBarW and drawn last, so the long bars do not hide
			// them: a pending tick ends where its version becomes active,
			// a previous tick starts where it stopped being active.
			for pass := 0; pass < 2; pass++ {
				for _, s := range l.spans {
					x0, x1 := x(s.From), x(s.To)
					short := x1-x0 < svgMinBarW
					if short != (pass == 1) {
						continue
					}
					if short {
						if s.Status == lifecycle.StatusPending {
							x0 = x1 - svgMinBarW
						} else {
							x1 = x0 + svgMinBarW
						}
					}
					opacity := ""
					kind := "projected"
					if s.Recorded {
						opacity = ` fill-opacity="0.45"`
						kind = "recorded"
					}
					p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" rx="1" fill="%s"%s><title>%s</title></rect>`,
						x0, y+(svgLaneH-svgBarH)/2, x1-x0, svgBarH, statusColor(s.Status), opacity,
						esc(fmt.Sprintf("%s %s: %s to %s UTC (%s)", s.Label(), s.Status, fmtShort(s.From), fmtShort(s.To), kind)))
				}
			}
			y += svgLaneH
		}
		switch {
		case g.note != "":
			p(`<text x="20" y="%d" class="note">%s</text>`, y+14, esc(shorten(g.note, 150)))
			y += svgLaneH
		case g.hidden > 0:
			p(`<text x="20" y="%d" class="note">%s</text>`, y+14, esc(fmt.Sprintf("… %d more versions within the horizon are not drawn", g.hidden)))
			y += svgLaneH
		}
	}

	// The now marker, over everything.
	nx := x(r.Now)
	p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2" stroke-dasharray="4 2"/>`, nx, svgTop-10, nx, bottom, colorNow)
	p(`<text x="%.1f" y="%d" class="now" text-anchor="middle">now %s</text>`, nx, bottom+30, esc(fmtShort(r.Now)))
	p(`</svg>`)
	return b.String()
}

func shorten(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

type tick struct {
	at    time.Time
	label string
}

// ticks are the first days of the months in (Start, End] (every nth month
// for long horizons), or days for a timeline shorter than two months.
func (r *Report) ticks() []tick {
	var out []tick
	start, end := r.Start.UTC(), r.End.UTC()
	months := 0
	for t := time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC); !t.After(end); t = t.AddDate(0, 1, 0) {
		months++
	}
	if months >= 2 {
		step := (months + 11) / 12
		i := 0
		for t := time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC); !t.After(end); t = t.AddDate(0, 1, 0) {
			if i%step == 0 {
				label := t.Format("Jan")
				if t.Month() == time.January || len(out) == 0 {
					label = t.Format("Jan 2006")
				}
				out = append(out, tick{t, label})
			}
			i++
		}
		return out
	}
	days := int(end.Sub(start)/(24*time.Hour)) + 1
	step := (days + 13) / 14
	if step < 1 {
		step = 1
	}
	first := time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, time.UTC)
	for i, t := 0, first; !t.After(end); i, t = i+1, t.AddDate(0, 0, 1) {
		if i%step == 0 {
			out = append(out, tick{t, t.Format("Jan 2")})
		}
	}
	return out
}
