package runbook

import (
	"bufio"
	"html/template"
	"io"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// WriteHTML writes the runbook as one self-contained HTML page: inline CSS,
// an inline SVG timeline per family, no scripts, no external resources. The
// page is also well-formed XML.
func (r *Report) WriteHTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if err := pageTemplate.Execute(bw, r); err != nil {
		return err
	}
	return bw.Flush()
}

// trusted marks markup built by this package from escaped text (Text.HTML,
// timelineSVG) as safe for the template.
func trusted(s string) template.HTML { return template.HTML(s) }

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"text":   func(t Text) template.HTML { return trusted(t.HTML()) },
	"time":   fmtTime,
	"short":  fmtShort,
	"date":   fmtDate,
	"dur":    duration.Format,
	"label":  versionLabel,
	"action": func(a lifecycle.Action) string { return ActionLabel(a) },
	"kid":    shortKID,
	"svg": func(r *Report, title string, creds []*Credential) template.HTML {
		return trusted(r.timelineSVG(title, creds))
	},
	"pair":       func(r *Report, c *Credential) credentialView { return credentialView{R: r, C: c} },
	"anchor":     anchor,
	"finding":    findingText,
	"phaseClass": phaseClass,
}).Parse(pageHTML))

const pageCSS = `
:root{--fg:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--ok:#1e7b45;--fail:#b42318;--warn:#a15c07;--accent:#334e68}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 6px}
h2{font-size:21px;margin:0 0 4px}
h3{font-size:16px;margin:26px 0 8px;padding-top:14px;border-top:1px solid var(--line)}
h4{font-size:13px;margin:16px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:var(--accent)}
.meta{color:var(--muted);margin:0 0 4px}
.meta span{margin-right:18px;white-space:nowrap}
.lead{color:var(--muted);margin:4px 0 18px}
section.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:20px 24px;margin:18px 0}
table{border-collapse:collapse;width:100%;margin:4px 0 8px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8;font-weight:600;color:var(--accent)}
table.facts{width:auto;min-width:60%}
table.compact{width:auto;min-width:50%}
table.facts th{width:170px;background:none;color:var(--muted);font-weight:600}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef2f6;border-radius:3px;padding:1px 4px;overflow-wrap:anywhere}
.purpose{font-size:15px;margin:6px 0 14px;padding-left:12px;border-left:3px solid var(--accent)}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;vertical-align:middle;margin-left:8px;color:#fff;background:var(--accent)}
.badge.critical{background:#7a0b0b}.badge.high{background:#b42318}.badge.medium{background:#a15c07}.badge.low{background:#1e7b45}
.ok{color:var(--ok);font-weight:600}.fail{color:var(--fail);font-weight:600}.warn{color:var(--warn);font-weight:600}.unknown{color:var(--muted)}
.overdue{color:var(--fail);font-weight:600}
.nw{white-space:nowrap}
th.creds{min-width:230px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 28px}
ul{margin:4px 0 8px;padding-left:20px}
ol.steps{padding-left:22px;margin:4px 0 8px}
ol.steps>li{margin:0 0 10px}
ol.steps .when{font-weight:600}
ol.steps .phase{display:inline-block;min-width:62px;text-align:center;border-radius:4px;padding:0 6px;margin-right:6px;font-size:12px;font-weight:600;color:#fff}
.phase.accept{background:#e0a030}.phase.emit{background:#2f9e5a}.phase.revoke{background:#7088aa}.phase.other{background:#334e68}
ol.steps ul{margin:3px 0 0;padding-left:18px;color:var(--fg)}
ol.steps ul li::marker{color:var(--muted)}
.tag{color:var(--muted);font-size:12px;font-weight:600;margin-right:4px}
.done{color:var(--muted)}
.timeline-wrap{overflow-x:auto;margin:6px 0 4px;border:1px solid var(--line);border-radius:6px;background:#fff}
.timeline{display:block;width:100%;height:auto}
.notes li{color:var(--warn)}
footer{color:var(--muted);font-size:12px;margin-top:24px}
@media print{body{background:#fff}section.card{break-before:page;border:none;padding:0}section.overview{break-before:auto}}
`

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Credential lifecycle plan — {{.Source}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<main>
<header>
<h1>Credential lifecycle plan</h1>
<p class="meta">{{range .Intro}}<span>{{text .}}</span>{{end}}</p>
<p class="lead">All times are UTC. The dates come from the provider's lifecycle engine (the same rules <code>terraform plan</code> applies), assuming each transition is applied when it becomes due.</p>
</header>
<section class="card overview">
<h2>Overview</h2>
{{- if and (not .Families) (not .Orphans)}}
<p>No <code>rotation_secret_family</code>, <code>rotation_secret</code> or <code>rotation_schedule</code> resources in this document.</p>
{{- else}}
<table>
<thead><tr><th>Family</th><th>Classification</th><th>Owner / backup</th><th class="creds">Secrets and schedules</th><th>Next transition</th><th>Checks</th><th>Next review</th></tr></thead>
<tbody>
{{- range .Overview}}
<tr><td class="nw"><a href="#{{.Anchor}}">{{text .Family}}</a></td><td>{{.Classification}}</td><td class="nw">{{.Owners}}</td><td>{{text .Credentials}}</td><td>{{.Next}}</td><td class="nw {{.ChecksVerdict}}">{{.Checks}}</td><td{{if .ReviewOverdue}} class="overdue"{{end}}>{{.Review}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- if .Removed}}
<h4>Removed by this plan</h4>
<p>These secrets and schedules leave the state with this plan: every version they accept stops being accepted at once, a flag day for whatever still uses it (ROT024).</p>
<table class="compact">
<thead><tr><th>Resource</th><th>Change</th><th>Versions that stop being accepted</th></tr></thead>
<tbody>
{{- range .Removed}}
<tr><td><code>{{.Address}}</code></td><td>{{.Change}}</td><td>{{.AcceptedText}}</td></tr>
{{- end}}
</tbody>
</table>
<ul class="notes">
{{- range .Removed}}{{$a := .Address}}{{range .Findings}}
<li><code>{{$a}}</code>: {{text (finding .)}}</li>
{{- end}}{{end}}
</ul>
{{- end}}
{{- if .Findings}}
<h4>Other policy findings</h4>
<p>About no family, secret or schedule of this document:</p>
<ul class="notes">
{{- range .OtherFindings}}
<li>{{text .}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Waived}}
<h4>Waived findings</h4>
<p>Accepted in <code>params.waivers</code> until their expiry: not failures, shown so that they are revisited.</p>
<ul class="notes">
{{- range .WaivedFindings}}
<li>{{text .}}</li>
{{- end}}
</ul>
{{- end}}
</section>
{{- $r := .}}
{{- range .Families}}
<section class="card family" id="{{anchor .Title}}">
<h2>Family <code>{{.Title}}</code><span class="badge {{.Classification.Text "high"}}">{{.Classification.Text "high"}}</span></h2>
{{- if or .Purpose.Set .Purpose.Unknown}}
<p class="purpose">{{.Purpose.Text ""}}</p>
{{- end}}
<div class="grid2">
<div>
<h4>Identity and ownership</h4>
<table class="facts"><tbody>
{{- range .Facts}}
<tr><th>{{.Key}}</th><td>{{text .Value}}</td></tr>
{{- end}}
</tbody></table>
{{- if .Other}}
<h4>Policy findings</h4>
<ul class="notes">
{{- range .Other}}
<li>{{text (finding .)}}</li>
{{- end}}
</ul>
{{- end}}
</div>
<div>
<h4>Blast radius</h4>
<ul>
{{- range .BlastRadius}}
<li>{{text .}}</li>
{{- end}}
</ul>
</div>
</div>
<h4>Consumers</h4>
{{- if .ConsumersUnknown}}
<p>The consumer list is known only after apply.</p>
{{- else if not .Consumers}}
<p>No consumers are declared: nothing to check the overlap and propagation against. Declare every service that reads or uses the secret.</p>
{{- else}}
<table>
<thead><tr><th>Consumer</th><th>Role</th><th>Cache TTL</th><th>Reload</th><th>Owner</th><th>Third party</th></tr></thead>
<tbody>
{{- range .Consumers}}
<tr><td>{{.Name}}</td><td>{{.Role}}</td><td>{{.CacheTTL.Text}}</td><td>{{.Reload}}</td><td>{{.Owner.Text "—"}}</td><td>{{if .ThirdParty}}<strong>yes</strong>{{else}}no{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
<h4>Timeline</h4>
{{- if .Credentials}}
<div class="timeline-wrap">{{svg $r .Title .Credentials}}</div>
{{- else}}
<p>No <code>rotation_secret</code> or <code>rotation_schedule</code> belongs to this family in this document.</p>
{{- end}}
{{- range .Credentials}}{{template "credential" (pair $r .)}}{{end}}
</section>
{{- end}}
{{- if .Orphans}}
<section class="card family" id="no-family">
<h2>Secrets and schedules without a family</h2>
<p>ROT012: these name a family that is not declared in this document, so their owners, consumers and caches are unknown.</p>
<h4>Timeline</h4>
<div class="timeline-wrap">{{svg $r "without a family" .Orphans}}</div>
{{- range .Orphans}}{{template "credential" (pair $r .)}}{{end}}
</section>
{{- end}}
<footer>Secret values are never read or shown: only version numbers, kids, statuses and timestamps.</footer>
</main>
</body>
</html>
{{define "credential"}}{{$r := .R}}{{with .C}}
<h3><code>{{.Address}}</code> — {{.Kind}}</h3>
<p><strong>Now:</strong> {{text (.NowText $r)}}</p>
<div class="grid2">
<div>
<h4>Schedule</h4>
<table class="facts"><tbody>
<tr><th>Period</th><td>{{.Period.Text}}</td></tr>
<tr><th>Propagation</th><td>{{.Propagation.Text}}</td></tr>
<tr><th>Overlap</th><td>{{.Overlap.Text}}</td></tr>
<tr><th>TTL</th><td>{{.TTL.Text}}</td></tr>
<tr><th>Jitter</th><td>{{.Jitter.Text}}</td></tr>
<tr><th>Change window</th><td>{{.WindowLabel}}</td></tr>
</tbody></table>
</div>
<div>
<h4>Rollback</h4>
<ul>
{{- range .Rollback}}
<li>{{text .}}</li>
{{- end}}
</ul>
</div>
</div>
<h4>Overlap arithmetic</h4>
<table>
<thead><tr><th>Check</th><th>Rule</th><th>Required</th><th>Configured</th><th>Verdict</th><th>Margin</th></tr></thead>
<tbody>
{{- range .Checks}}
<tr><td>{{.ID}} {{.Name}}</td><td>{{text .Rule}}</td><td>{{text .Need}}</td><td class="nw">{{text .Have}}</td><td class="nw {{.Verdict}}">{{.Symbol}} {{.Verdict}}</td><td class="nw">{{.Margin}}</td></tr>
{{- end}}
</tbody>
</table>
<h4>Rollout order</h4>
{{- if not .Steps}}
<p>No transition is scheduled within the horizon.</p>
{{- else}}
<ol class="steps">
{{- range .Steps}}
<li{{if .Done}} class="done"{{end}}><span class="phase {{phaseClass .Phase}}">{{.Phase}}</span><span class="when">{{time .At}}</span> — {{text .Title}}
{{- if or .Before .After}}
<ul>
{{- range .Before}}
<li><span class="tag">before</span>{{text .}}</li>
{{- end}}
{{- range .After}}
<li><span class="tag">after</span>{{text .}}</li>
{{- end}}
</ul>
{{- end}}
</li>
{{- end}}
</ol>
{{- end}}
{{- $up := .UpcomingView}}
{{- if $up.Events}}
<h4>Upcoming transitions (to {{date $r.End}})</h4>
<table class="compact">
<thead><tr><th>When (UTC)</th><th>Transition</th><th>Version</th></tr></thead>
<tbody>
{{- range $up.Events}}
<tr><td>{{time .At}}</td><td>{{action .Action}}</td><td>{{label .Version .Slot}}</td></tr>
{{- end}}
{{- if $up.More}}
<tr><td>…</td><td>{{$up.More}} more</td><td></td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
<h4>Versions now</h4>
{{- if not .Versions}}
<p>No version is recorded yet: the first apply issues v1, active at once.</p>
{{- else}}
<table>
<thead><tr><th>Version</th><th>Status</th><th>kid</th><th>Issued</th><th>Activated</th><th>Superseded</th><th>Revoked</th><th>Expires</th></tr></thead>
<tbody>
{{- range .Versions}}
<tr><td>{{label .Version .Slot}}</td><td>{{.Status}}</td><td>{{if .KID}}<code title="{{.KID}}">{{kid .KID}}</code>{{else}}—{{end}}</td><td>{{short .IssuedAt}}</td><td>{{short .ActivatedAt}}</td><td>{{short .SupersededAt}}</td><td>{{short .RevokedAt}}</td><td{{if .Expired}} class="fail"{{end}}>{{short .ExpiresAt}}{{if .Expired}} expired{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- if .Notes}}
<h4>Notes</h4>
<ul class="notes">
{{- range .Notes}}
<li>{{text .}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}{{end}}`

// credentialView pairs the report with a credential for the sub-template.
type credentialView struct {
	R *Report
	C *Credential
}

// UpcomingView is Upcoming for templates.
type UpcomingView struct {
	Events []lifecycle.Event
	More   int
}

// UpcomingView returns the upcoming transitions for the HTML template.
func (c *Credential) UpcomingView() UpcomingView {
	e, more := c.Upcoming()
	return UpcomingView{Events: e, More: more}
}

func phaseClass(p string) string {
	switch p {
	case "accept", "emit", "revoke":
		return p
	}
	return "other"
}
