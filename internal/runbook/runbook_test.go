package runbook

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const fixtures = "../../policies/testdata/fixtures"

type goldenCase struct {
	name  string
	input string
	now   string
}

var goldenCases = []goldenCase{
	{"good-plan", fixtures + "/good/plan.json", "2026-01-05T09:00:00Z"},
	{"good-state", fixtures + "/good-state/state.json", "2026-02-04T11:00:00Z"},
	{"good-nested", fixtures + "/good-nested/plan.json", "2026-01-05T09:00:00Z"},
	{"two-slot", "testdata/two-slot-state.json", "2026-01-10T12:00:00Z"},
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

var (
	engineOnce sync.Once
	engine     *policy.Engine
	engineErr  error
)

// defaultEngine is the policy engine with the bundle and default
// parameters, compiled once for the package's tests.
func defaultEngine(t testing.TB) *policy.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = policy.New(context.Background(), policy.Options{}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// read reads a document with the check command's reader and evaluates it
// with the default engine at the clock at (zero: the current time).
func read(t testing.TB, path string, at time.Time) *Input {
	t.Helper()
	doc, err := policy.ReadInputFile(path, 0)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	in, err := Evaluate(context.Background(), defaultEngine(t), doc, at)
	if err != nil {
		t.Fatalf("evaluate %s: %v", path, err)
	}
	return in
}

// readString is read for a document given as text.
func readString(t testing.TB, name, text string, at time.Time) *Input {
	t.Helper()
	doc, err := policy.ReadInput(name, strings.NewReader(text), 0)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	in, err := Evaluate(context.Background(), defaultEngine(t), doc, at)
	if err != nil {
		t.Fatalf("evaluate %s: %v", name, err)
	}
	return in
}

// build reads path and builds its report as of now ("" for the default:
// the plan's timestamp, the state's newest timestamp, ...); the policies
// judge a state at the same instant.
func build(t *testing.T, path, now string, opts Options) *Report {
	t.Helper()
	var at time.Time
	if now != "" {
		at = mustTime(t, now)
		opts.Now = at
	}
	in := read(t, path, at)
	if opts.Source == "" {
		opts.Source = filepath.Base(path)
	}
	if opts.Generator == "" {
		opts.Generator = "terraform-provider-rotation test"
	}
	rep, err := Build(in, opts)
	if err != nil {
		t.Fatalf("Build(%s): %v", path, err)
	}
	return rep
}

func render(t *testing.T, rep *Report, format string) string {
	t.Helper()
	var b bytes.Buffer
	var err error
	if format == "html" {
		err = rep.WriteHTML(&b)
	} else {
		err = rep.WriteMarkdown(&b)
	}
	if err != nil {
		t.Fatalf("write %s: %v", format, err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		rep := build(t, c.input, c.now, Options{})
		for _, format := range []string{"markdown", "html"} {
			ext := map[string]string{"markdown": "md", "html": "html"}[format]
			t.Run(c.name+"."+ext, func(t *testing.T) {
				got := render(t, rep, format)
				golden := filepath.Join("testdata", c.name+"."+ext+".golden")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/runbook -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the output (run go test ./internal/runbook -update and review the diff):\n%s", golden, firstDiff(string(want), got))
				}
			})
		}
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}

// TestGoodPlanDates checks the projected dates of the good fixture by
// hand: period 30d from the first apply at 2026-01-05 09:00 (a Monday),
// change window mon-thu 08:00-17:00 UTC, propagation 1h, overlap 2h.
func TestGoodPlanDates(t *testing.T) {
	rep := build(t, fixtures+"/good/plan.json", "2026-01-05T09:00:00Z", Options{})
	if len(rep.Families) != 1 || len(rep.Families[0].Credentials) != 1 || len(rep.Orphans) != 0 {
		t.Fatalf("families %d, orphans %d", len(rep.Families), len(rep.Orphans))
	}
	c := rep.Families[0].Credentials[0]
	want := []struct {
		phase   string
		version int64
		at      string
	}{
		{"accept", 2, "2026-02-04T09:00:00Z"}, // Wednesday, inside the window
		{"emit", 2, "2026-02-04T10:00:00Z"},
		{"revoke", 1, "2026-02-04T12:00:00Z"},
	}
	if len(c.Steps) != len(want) {
		t.Fatalf("steps: %+v", c.Steps)
	}
	for i, w := range want {
		s := c.Steps[i]
		if s.Phase != w.phase || s.Version != w.version || !s.At.Equal(mustTime(t, w.at)) {
			t.Errorf("step %d: %s v%d at %s, want %s v%d at %s", i+1, s.Phase, s.Version, s.At, w.phase, w.version, w.at)
		}
	}
	for _, k := range c.Checks {
		if k.Verdict != VerdictOK {
			t.Errorf("%s: %s (%s)", k.ID, k.Verdict, k.Need.Plain())
		}
	}
	// The next issue after v2's (2026-03-06, a Friday) waits for Monday's window.
	var issues []string
	for _, e := range c.Events {
		if e.Action == lifecycle.ActionIssue {
			issues = append(issues, e.At.Format(time.RFC3339))
		}
	}
	if len(issues) < 2 || issues[1] != "2026-03-09T08:00:00Z" {
		t.Errorf("issues: %v", issues)
	}
}

func TestTwoSlot(t *testing.T) {
	rep := build(t, "testdata/two-slot-state.json", "2026-01-10T12:00:00Z", Options{})
	if len(rep.Families) != 1 || len(rep.Orphans) != 0 {
		t.Fatalf("families %d, orphans %d", len(rep.Families), len(rep.Orphans))
	}
	f := rep.Families[0]
	if len(f.Credentials) != 2 {
		t.Fatalf("credentials: %d (both the schedule in module.db and the secret in module.db.module.signing belong to payments-db)", len(f.Credentials))
	}
	var sched *Credential
	for _, c := range f.Credentials {
		if c.Type == typeSchedule {
			sched = c
		}
	}
	if sched == nil {
		t.Fatal("no schedule")
	}
	// v1 (slot a) is due for revocation on Saturday 2026-01-10 10:00 UTC;
	// the window (mon-fri 09:00-17:00 Europe/Berlin) opens on Monday at
	// 08:00 UTC.
	s := sched.Steps[0]
	if s.Phase != "revoke" || s.Version != 1 || s.Slot != "a" || !s.At.Equal(mustTime(t, "2026-01-12T08:00:00Z")) {
		t.Errorf("first step: %+v", s)
	}
	for _, sp := range sched.Spans {
		if want := lifecycle.SlotOf(lifecycle.ModeTwoSlot, sp.Version); sp.Slot != want {
			t.Errorf("span of v%d in slot %q, want %q", sp.Version, sp.Slot, want)
		}
	}
	// At most two versions accepted at any instant (two slots).
	for _, sp := range sched.Spans {
		n := 0
		for _, o := range sched.Spans {
			if !o.From.After(sp.From) && o.To.After(sp.From) {
				n++
			}
		}
		if n > 2 {
			t.Errorf("%d versions accepted at %s", n, sp.From)
		}
	}
	if !f.ReviewOverdue {
		t.Error("review of 2025-09-01 + 90d should be overdue on 2026-01-10")
	}
	var rot001 *Check
	for i := range sched.Checks {
		if sched.Checks[i].ID == "ROT001" {
			rot001 = &sched.Checks[i]
		}
	}
	if rot001 == nil || rot001.Verdict != VerdictFail {
		t.Errorf("ROT001 for ttl 90d on a critical family: %+v", rot001)
	}
}

// secretPattern finds the sentinels planted in the inputs.
var secretPattern = regexp.MustCompile(`TOPSECRET|SENTINEL-[a-z0-9-]+|\(redacted\)`)

// plantSecrets returns the document with every secret-bearing attribute
// (versions[].secret, active_secret, accepted_secrets values) set to a
// sentinel.
func plantSecrets(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				switch k {
				case "secret", "active_secret":
					x[k] = fmt.Sprintf("SENTINEL-%s-%d", strings.ReplaceAll(k, "_", "-"), n)
					n++
					continue
				case "accepted_secrets":
					x[k] = map[string]any{"kid-1": "SENTINEL-accepted-1", "kid-2": "SENTINEL-accepted-2"}
					n++
					continue
				}
				walk(val)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	if n == 0 {
		t.Fatalf("%s: no secret attribute to plant a sentinel in", path)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNoSecretValues(t *testing.T) {
	dir := t.TempDir()
	inputs := []string{"testdata/two-slot-state.json", fixtures + "/good-state/state.json", fixtures + "/good/plan.json", fixtures + "/rot030-emergency-revocation-state/state.json"}
	for i, in := range inputs {
		p := filepath.Join(dir, fmt.Sprintf("in%d.json", i))
		if err := os.WriteFile(p, plantSecrets(t, in), 0o644); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(p)
		if !secretPattern.Match(raw) {
			t.Fatalf("%s: the planted input has no sentinel", in)
		}
		rep := build(t, p, "2026-01-10T12:00:00Z", Options{})
		for _, format := range []string{"markdown", "html"} {
			out := render(t, rep, format)
			if m := secretPattern.FindString(out); m != "" {
				t.Errorf("%s (%s): the output contains the secret value %q", in, format, m)
			}
		}
	}
}

// svgs returns the <svg>...</svg> elements of a page.
func svgs(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for rest := page; ; {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			return out
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatal("unterminated <svg>")
		}
		out = append(out, rest[i:i+j+len("</svg>")])
		rest = rest[i+j+len("</svg>"):]
	}
}

// parseXML decodes every token strictly and returns the elements' names
// and the text.
func parseXML(t *testing.T, what, doc string) (elements map[string]int, attrs []xml.Attr) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	elements = map[string]int{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", what, err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			elements[x.Name.Local]++
			attrs = append(attrs, x.Attr...)
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Fatalf("%s: unbalanced elements", what)
	}
	return elements, attrs
}

func TestHTMLStructure(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			rep := build(t, c.input, c.now, Options{})
			page := render(t, rep, "html")
			if !strings.HasPrefix(page, "<!DOCTYPE html>\n<html lang=\"en\">") {
				t.Errorf("page starts with %q", page[:40])
			}
			el, attrs := parseXML(t, "the page", page)
			for _, name := range []string{"html", "head", "title", "style", "body", "main", "table", "svg"} {
				if el[name] == 0 {
					t.Errorf("no <%s>", name)
				}
			}
			if el["html"] != 1 || el["head"] != 1 || el["body"] != 1 {
				t.Errorf("html %d, head %d, body %d", el["html"], el["head"], el["body"])
			}
			// Self-contained: no scripts, no external resources.
			for _, bad := range []string{"script", "link", "img", "iframe", "object", "embed"} {
				if el[bad] > 0 {
					t.Errorf("<%s> in a self-contained page", bad)
				}
			}
			for _, a := range attrs {
				switch a.Name.Local {
				case "src":
					t.Errorf("src=%q", a.Value)
				case "href":
					if !strings.HasPrefix(a.Value, "#") {
						t.Errorf("href=%q leaves the page", a.Value)
					}
				}
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("event handler %s", a.Name.Local)
				}
			}
			if strings.Contains(page, "url(") || strings.Contains(page, "@import") {
				t.Error("CSS loads a resource")
			}
			if n := len(svgs(t, page)); n != len(rep.Families)+min(1, len(rep.Orphans)) {
				t.Errorf("%d timelines for %d families", n, len(rep.Families))
			}
		})
	}
}

func TestSVGTimeline(t *testing.T) {
	rep := build(t, "testdata/two-slot-state.json", "2026-01-10T12:00:00Z", Options{})
	page := render(t, rep, "html")
	list := svgs(t, page)
	if len(list) != 1 {
		t.Fatalf("%d svg elements", len(list))
	}
	svg := list[0]
	el, attrs := parseXML(t, "the SVG", svg)
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("svg without its namespace: %.60s", svg)
	}
	if el["rect"] < 10 || el["line"] < 5 || el["text"] < 10 {
		t.Errorf("elements: %v", el)
	}
	fills := map[string]int{}
	for _, a := range attrs {
		if a.Name.Local == "fill" {
			fills[a.Value]++
		}
	}
	for name, color := range map[string]string{"pending": colorPend, "active": colorActive, "previous": colorPrev} {
		if fills[color] < 2 { // the legend and at least one bar
			t.Errorf("no %s bars (%s): %v", name, color, fills)
		}
	}
	for _, want := range []string{">now 2026-01-10 12:00<", ">Feb<", ">Jan 2026<", "(end of horizon)", ">v3 (slot a)<", "module.db.rotation_schedule.db", "module.db.module.signing.rotation_secret.webhook"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
	if !strings.Contains(svg, `stroke="`+colorNow+`"`) {
		t.Error("no now marker")
	}
}

// Mermaid's gantt grammar, as far as the runbook uses it: a task name and
// a section stop at ':', '#' and ';'.
var (
	ganttTask    = regexp.MustCompile(`^    ([^:#;\n]+?) :((?:active|done|crit|milestone), )*(\d{4}-\d\d-\d\dT\d\d:\d\d), (\d{4}-\d\d-\d\dT\d\d:\d\d|\d+d)$`)
	ganttSection = regexp.MustCompile(`^    section [^:#;\n]+$`)
	ganttTitle   = regexp.MustCompile(`^    title [^#;\n]+$`)
)

func TestMermaidGantt(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			rep := build(t, c.input, c.now, Options{})
			md := render(t, rep, "markdown")
			blocks := regexp.MustCompile("(?s)```mermaid\n(.*?)```").FindAllStringSubmatch(md, -1)
			if len(blocks) == 0 {
				t.Fatal("no mermaid block")
			}
			for _, b := range blocks {
				lines := strings.Split(strings.TrimSuffix(b[1], "\n"), "\n")
				if lines[0] != "gantt" {
					t.Errorf("first line %q", lines[0])
				}
				tasks := 0
				for _, l := range lines[1:] {
					switch {
					case l == "    dateFormat YYYY-MM-DDTHH:mm", l == "    axisFormat %Y-%m-%d", l == "    todayMarker off":
					case ganttTitle.MatchString(l), ganttSection.MatchString(l):
					case ganttTask.MatchString(l):
						tasks++
						m := ganttTask.FindStringSubmatch(l)
						from, err := time.Parse(mermaidDate, m[3])
						if err != nil {
							t.Errorf("%q: %v", l, err)
						}
						if to, err := time.Parse(mermaidDate, m[4]); err == nil && to.Before(from) {
							t.Errorf("%q ends before it starts", l)
						}
					default:
						t.Errorf("not valid Mermaid gantt syntax: %q", l)
					}
				}
				if tasks < 2 {
					t.Errorf("%d tasks", tasks)
				}
			}
		})
	}
}

func TestMermaidText(t *testing.T) {
	for in, want := range map[string]string{
		`module.a["x:y"].rotation_secret.s`: `module.a["x y"].rotation_secret.s`,
		"a#b;c\nd":                          "a b c d",
		"%%{init}%%":                        "%{init}%",
	} {
		if got := mermaidText(in); got != want {
			t.Errorf("mermaidText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	got := makeText("a|b <script> *x* ", Code("p|q`r")).Markdown()
	want := "a\\|b &lt;script&gt; \\*x\\* ``p\\|q`r``"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if h := makeText("<b>", Code("&")).HTML(); h != "&lt;b&gt;<code>&amp;</code>" {
		t.Errorf("HTML %q", h)
	}
}

// A plan document written by hand: a family with a purpose full of markup,
// a secret without a family, a pinned secret and a held revocation.
func handPlan(t *testing.T) string {
	t.Helper()
	fam := map[string]any{"address": "rotation_secret_family.f", "mode": "managed", "type": "rotation_secret_family", "name": "f",
		"values": map[string]any{"name": "fam", "purpose": "<b>bold</b> | pipe", "owner": "team-a", "backup_owner": "team-a", "consumer": []any{
			map[string]any{"name": "svc", "role": "both", "cache_ttl": "10m", "reload": "restart", "third_party": true, "owner": "vendor"},
		}}}
	sec := func(addr, family string, extra map[string]any) map[string]any {
		v := map[string]any{"family": family, "name": "prod", "type": "password",
			"schedule": map[string]any{"period": "7d", "overlap": "1h", "propagation": "10m", "ttl": "30d"},
			"versions": []any{
				map[string]any{"version": 1, "status": "previous", "issued_at": "2026-01-01T00:00:00Z", "activated_at": "2026-01-01T00:00:00Z", "superseded_at": "2026-01-08T00:10:00Z", "secret": "SENTINEL-x"},
				map[string]any{"version": 2, "status": "active", "issued_at": "2026-01-08T00:00:00Z", "activated_at": "2026-01-08T00:10:00Z", "secret": "SENTINEL-y"},
			}}
		for k, x := range extra {
			v[k] = x
		}
		return map[string]any{"address": addr, "mode": "managed", "type": "rotation_secret", "name": strings.TrimPrefix(addr, "rotation_secret."), "values": v}
	}
	doc := map[string]any{"format_version": "1.2", "timestamp": "2026-01-08T06:00:00Z", "planned_values": map[string]any{"root_module": map[string]any{"resources": []any{
		fam,
		sec("rotation_secret.held", "fam", map[string]any{"hold_revocation": true}),
		sec("rotation_secret.pinned", "fam", map[string]any{"pin_active_version": 1}),
		sec("rotation_secret.lost", "no-such-family", nil),
	}}}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestControlsAndOrphans(t *testing.T) {
	rep := build(t, handPlan(t), "", Options{})
	if rep.NowSource != "plan timestamp" || !rep.Now.Equal(mustTime(t, "2026-01-08T06:00:00Z")) {
		t.Errorf("now %s (%s)", rep.Now, rep.NowSource)
	}
	if len(rep.Orphans) != 1 || rep.Orphans[0].Address != "rotation_secret.lost" {
		t.Fatalf("orphans: %v", rep.Orphans)
	}
	byAddr := map[string]*Credential{}
	for _, c := range rep.Families[0].Credentials {
		byAddr[c.Address] = c
	}
	held, pinned := byAddr["rotation_secret.held"], byAddr["rotation_secret.pinned"]
	if held == nil || pinned == nil {
		t.Fatalf("credentials: %v", byAddr)
	}
	for _, e := range held.Events {
		if e.Action == lifecycle.ActionRevoke {
			t.Errorf("held secret revoked: %+v", e)
		}
	}
	// Pinned to v1: the pin makes v1 active at once and nothing is issued
	// or activated while pinned (v2, now previous, is revoked on schedule).
	for _, e := range pinned.Events {
		if e.Action == lifecycle.ActionIssue || e.Action == lifecycle.ActionActivate {
			t.Errorf("pinned secret: %+v", e)
		}
	}
	md := render(t, rep, "markdown")
	html := render(t, rep, "html")
	for _, want := range []string{"ROT032", "Pinned: `pin_active_version = 1`", "ROT012", "the same as the owner (ROT010)", "&lt;b&gt;bold&lt;/b&gt; \\| pipe", "Secrets and schedules without a family", "**yes**"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(html, "<b>bold</b>") || !strings.Contains(html, "&lt;b&gt;bold&lt;/b&gt;") {
		t.Error("the purpose is not escaped in HTML")
	}
	parseXML(t, "the page", html)
	if secretPattern.MatchString(md) || secretPattern.MatchString(html) {
		t.Error("secret value in the output")
	}
}

func TestNowDefaults(t *testing.T) {
	// A state: the newest recorded transition (v1's supersession).
	rep := build(t, fixtures+"/good-state/state.json", "", Options{})
	if rep.NowSource != "newest timestamp in the state" || !rep.Now.Equal(mustTime(t, "2026-02-04T11:00:00Z")) {
		t.Errorf("state: now %s (%s)", rep.Now, rep.NowSource)
	}
	// No timestamp at all: the clock.
	clock := mustTime(t, "2030-01-02T03:04:05.6Z")
	in := readString(t, "x.json", `{"format_version": "1.0", "values": {"root_module": {}}}`, clock)
	rep, err := Build(in, Options{clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.NowSource != "current time" || !rep.Now.Equal(clock.Truncate(time.Second)) {
		t.Errorf("empty: now %s (%s)", rep.Now, rep.NowSource)
	}
	md := render(t, rep, "markdown")
	if !strings.Contains(md, "No `rotation_secret_family`") {
		t.Errorf("empty document: %s", md)
	}
	parseXML(t, "the empty page", render(t, rep, "html"))
}

func TestHorizon(t *testing.T) {
	in := read(t, fixtures+"/good/plan.json", time.Time{})
	for _, h := range []time.Duration{-time.Hour, MaxHorizon + time.Second} {
		if _, err := Build(in, Options{Horizon: h}); err == nil {
			t.Errorf("horizon %s accepted", h)
		}
	}
	// A short horizon: day ticks, fewer versions.
	rep := build(t, fixtures+"/good/plan.json", "2026-01-05T09:00:00Z", Options{Horizon: 40 * 24 * time.Hour})
	ticks := rep.ticks()
	if len(ticks) < 5 || len(ticks) > 15 {
		t.Errorf("%d ticks for 40 days", len(ticks))
	}
	c := rep.Families[0].Credentials[0]
	if v, _ := c.LaneVersions(); len(v) != 2 {
		t.Errorf("versions within 40 days: %v", v)
	}
	// A long horizon with a short period: the lanes are capped.
	rep = build(t, "testdata/two-slot-state.json", "2026-01-10T12:00:00Z", Options{Horizon: 3 * 365 * 24 * time.Hour})
	for _, c := range rep.Families[0].Credentials {
		if v, hidden := c.LaneVersions(); len(v) > maxLanes || (c.Type == typeSecret && hidden == 0) {
			t.Errorf("%s: %d lanes, %d hidden", c.Address, len(v), hidden)
		}
	}
	page := render(t, rep, "html")
	parseXML(t, "the page", page)
	if !strings.Contains(page, "more versions within the horizon are not drawn") {
		t.Error("no note about the hidden versions")
	}
}

// Every policy fixture (real plans and states of every shape the policies
// handle, unknown values included): each family and each credential
// appears in both formats; a credential with the verdict of every line of
// its overlap arithmetic, its next transition (or why there is none) and
// the rule id of every finding about it; and the rule ids the runbook
// shows are those expected.json expects `check` to report.
func TestAllFixtures(t *testing.T) {
	paths, err := filepath.Glob(fixtures + "/*/*.json")
	if err != nil || len(paths) < 20 {
		t.Fatalf("fixtures: %v %v", paths, err)
	}
	expected := expectedCases(t)
	if len(expected) < 15 {
		t.Fatalf("expected.json: %d cases without parameters", len(expected))
	}
	for _, p := range paths {
		if filepath.Base(p) == "expected.json" {
			continue
		}
		name := filepath.Base(filepath.Dir(p))
		t.Run(name, func(t *testing.T) {
			rep := build(t, p, "", Options{})
			md, page := render(t, rep, "markdown"), render(t, rep, "html")
			parseXML(t, p, page)
			if !strings.HasPrefix(md, "# Credential lifecycle plan\n") {
				t.Errorf("markdown starts with %.40q", md)
			}
			var creds []*Credential
			for _, f := range rep.Families {
				if !strings.Contains(md, "## Family "+mdCode(f.Title())) || !strings.Contains(page, "<code>"+html.EscapeString(f.Title())+"</code>") {
					t.Errorf("family %s is missing", f.Address)
				}
				creds = append(creds, f.Credentials...)
			}
			creds = append(creds, rep.Orphans...)
			if len(creds)+len(rep.Removed) == 0 {
				t.Fatal("no credentials")
			}
			for _, c := range creds {
				sec := mdSection(md, "### "+mdCode(c.Address)+" — ")
				if sec == "" || !strings.Contains(page, "<h3><code>"+html.EscapeString(c.Address)+"</code>") {
					t.Fatalf("credential %s is missing", c.Address)
				}
				if len(c.Checks) != 5 {
					t.Errorf("%s: %d lines of overlap arithmetic", c.Address, len(c.Checks))
				}
				for _, k := range c.Checks {
					row := "| " + mdEscape(k.ID+" "+k.Name) + " |"
					verdict := "| " + k.Symbol() + " " + k.Verdict + " |"
					if !strings.Contains(sec, row) || !strings.Contains(sec, verdict) {
						t.Errorf("%s: no line %q with %q", c.Address, row, verdict)
					}
				}
				now := mdSection(sec, "**Now:**")
				if e, ok := c.NextEvent(); ok {
					next := "Next: " + ActionLabel(e.Action) + " " + versionLabel(e.Version, e.Slot) + " at " + fmtTime(e.At) + "."
					if !strings.Contains(now, mdEscape(next)) || !strings.Contains(page, html.EscapeString(next)) {
						t.Errorf("%s: the next transition %q is not shown", c.Address, next)
					}
				} else if c.Problem != "" && !strings.Contains(sec, "Timeline not computed: ") && !strings.Contains(sec, "Timeline cut short: ") {
					t.Errorf("%s: no transition and no reason", c.Address)
				}
				for _, f := range c.Findings {
					if !strings.Contains(sec, f.Rule) {
						t.Errorf("%s: finding %s (%s) is not shown", c.Address, f.Rule, f.Severity)
					}
				}
			}
			// The rule ids shown are check's (expected.json, cases without
			// parameters).
			if want, ok := expected[name]; ok {
				got := map[policy.Severity]map[string]bool{policy.Deny: {}, policy.Warn: {}}
				for _, v := range rep.Verdicts() {
					got[v.Severity][v.Rule] = true
				}
				for _, id := range want.Deny {
					if !got[policy.Deny][id] {
						t.Errorf("the runbook does not show %s as denied", id)
					}
					delete(got[policy.Deny], id)
				}
				for id := range got[policy.Deny] {
					t.Errorf("the runbook shows %s as denied; check does not deny it", id)
				}
				for _, id := range want.Warn {
					if !got[policy.Warn][id] {
						t.Errorf("the runbook does not show %s as a warning", id)
					}
					delete(got[policy.Warn], id)
				}
				for id := range got[policy.Warn] {
					t.Errorf("the runbook shows %s as a warning; check does not warn about it", id)
				}
			}
		})
	}
	rep := build(t, fixtures+"/unknown-values/plan.json", "2026-01-05T09:00:00Z", Options{})
	md := render(t, rep, "markdown")
	if !strings.Contains(md, "known after apply") {
		t.Error("unknown values are not shown as known after apply")
	}
}

// expectedCases are the cases of policies/testdata/fixtures/expected.json
// without parameters, by fixture name.
func expectedCases(t *testing.T) map[string]struct{ Deny, Warn []string } {
	t.Helper()
	raw, err := os.ReadFile(fixtures + "/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases map[string]struct {
			Input      string
			Params     map[string]any
			Deny, Warn []string
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct{ Deny, Warn []string }{}
	for _, c := range doc.Cases {
		if c.Params == nil {
			out[filepath.Base(filepath.Dir(c.Input))] = struct{ Deny, Warn []string }{c.Deny, c.Warn}
		}
	}
	return out
}

// mdSection is md from header to the next heading of level 2 or 3 (or,
// for a paragraph, its end).
func mdSection(md, header string) string {
	i := strings.Index(md, header)
	if i < 0 {
		return ""
	}
	rest := md[i:]
	end := len(rest)
	stops := []string{"\n## ", "\n### "}
	if !strings.HasPrefix(header, "#") {
		stops = []string{"\n\n"}
	}
	for _, stop := range stops {
		if j := strings.Index(rest[1:], stop); j >= 0 && j+1 < end {
			end = j + 1
		}
	}
	return rest[:end]
}

func TestFamilyMatching(t *testing.T) {
	rep := build(t, fixtures+"/good-nested/plan.json", "2026-01-05T09:00:00Z", Options{})
	got := map[string]string{}
	for _, f := range rep.Families {
		for _, c := range f.Credentials {
			got[c.Address] = f.Address
		}
	}
	want := map[string]string{
		`module.platform.rotation_secret.canary["payments"]`: `module.platform.rotation_secret_family.f["payments"]`,
		`module.platform.rotation_secret.canary["search"]`:   `module.platform.rotation_secret_family.f["search"]`,
		`module.platform.rotation_secret.payments`:           `module.platform.rotation_secret_family.f["payments"]`,
		`module.platform.module.keys.rotation_secret.s[0]`:   `module.platform.rotation_secret_family.f["search"]`,
		`module.platform.module.keys.rotation_secret.s[1]`:   `module.platform.rotation_secret_family.f["search"]`,
	}
	for a, f := range want {
		if got[a] != f {
			t.Errorf("%s: family %q, want %q", a, got[a], f)
		}
	}
	if len(rep.Orphans) != 0 {
		t.Errorf("orphans: %d", len(rep.Orphans))
	}
}

// A version pending now: its accept is listed as done, then its emit and
// the revoke of the version it replaces.
func TestPendingNow(t *testing.T) {
	raw, err := os.ReadFile(fixtures + "/good-state/state.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	root, _ := doc["values"].(map[string]any)["root_module"].(map[string]any)
	resources, _ := root["resources"].([]any)
	for _, r := range resources {
		values, _ := r.(map[string]any)["values"].(map[string]any)
		vs, ok := values["versions"].([]any)
		if !ok {
			continue
		}
		v1, ok1 := vs[0].(map[string]any)
		v2, ok2 := vs[1].(map[string]any)
		if !ok1 || !ok2 {
			t.Fatal("versions are not objects")
		}
		v1["status"], v1["superseded_at"] = "active", nil
		v2["status"], v2["activated_at"] = "pending", nil
	}
	b, _ := json.Marshal(doc)
	p := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := build(t, p, "2026-02-04T10:30:00Z", Options{})
	c := rep.Families[0].Credentials[0]
	want := []string{"accept v2 2026-02-04T10:00:00Z done", "emit v2 2026-02-04T11:00:00Z", "revoke v1 2026-02-04T13:00:00Z"}
	var got []string
	for _, s := range c.Steps {
		g := fmt.Sprintf("%s v%d %s", s.Phase, s.Version, s.At.Format(time.RFC3339))
		if s.Done {
			g += " done"
		}
		got = append(got, g)
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
	md := render(t, rep, "markdown")
	if !strings.Contains(md, "— done, v2 is pending now") || !strings.Contains(md, "v1 active, v2 pending") {
		t.Errorf("markdown:\n%s", md)
	}
}

// A period far below the horizon: the projection stops within the
// report's simulation limit, and the runbook says so instead of failing.
func TestTruncatedProjection(t *testing.T) {
	doc := `{"format_version":"1.0","values":{"root_module":{"resources":[{"type":"rotation_secret","mode":"managed","address":"rotation_secret.x","name":"x",
	"values":{"family":"f","name":"n","type":"hmac","schedule":{"period":"1m","overlap":"10s","propagation":"5s","ttl":"2m"},
	"versions":[{"version":1,"status":"active","issued_at":"2026-01-01T00:00:00Z","activated_at":"2026-01-01T00:00:00Z"}]}}]}}}`
	in := readString(t, "tiny.json", doc, mustTime(t, "2026-01-01T00:00:00Z"))
	rep, err := Build(in, Options{Now: mustTime(t, "2026-01-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Orphans[0]
	if !c.Truncated || len(c.Steps) == 0 {
		t.Fatalf("truncated %v, %d steps", c.Truncated, len(c.Steps))
	}
	md := render(t, rep, "markdown")
	if !strings.Contains(md, "Timeline cut short: a period of 1m over the horizon of 180d could take up to 1 296 015 projected transitions, more than this credential's share (90 000) of the report's simulation limit (1 000 000 in all), so its timeline stops at ") || !strings.Contains(md, "more versions not drawn") {
		t.Error("no note about the cut-short timeline")
	}
	parseXML(t, "the page", render(t, rep, "html"))
}

// Findings about a family that its facts do not show (ROT011 with
// allowed_owners) and findings about no family or credential (ROT040) are
// listed, in both formats.
func TestOtherFindingsAreListed(t *testing.T) {
	e, err := policy.New(context.Background(), policy.Options{Data: map[string]any{"rotation": map[string]any{"params": map[string]any{"allowed_owners": []any{"team-identity"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ fixture, rule, md, html string }{
		{"rot011-owner-not-allowed", "ROT011", "### Policy findings\n\n- ROT011 (deny): backup\\_owner \"team-platform\"", "<h4>Policy findings</h4>\n<ul class=\"notes\">\n<li>ROT011 (deny): backup_owner &#34;team-platform&#34;"},
		{"rot040-provider-now", "ROT040", "## Other policy findings\n\nAbout no family, secret or schedule of this document:\n\n- ROT040 (warn) `provider[\"rotation\"]`: now = ", "<li>ROT040 (warn) <code>provider[&#34;rotation&#34;]</code>: now = "},
	} {
		doc, err := policy.ReadInputFile(fixtures+"/"+c.fixture+"/plan.json", 0)
		if err != nil {
			t.Fatal(err)
		}
		in, err := Evaluate(context.Background(), e, doc, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Build(in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		md, page := render(t, rep, "markdown"), render(t, rep, "html")
		if !strings.Contains(md, c.md) {
			t.Errorf("%s: the markdown lacks %q", c.fixture, c.md)
		}
		if !strings.Contains(page, c.html) {
			t.Errorf("%s: the page lacks %q", c.fixture, c.html)
		}
		parseXML(t, c.fixture, page)
		found := false
		for _, v := range rep.Verdicts() {
			found = found || v.Rule == c.rule
		}
		if !found {
			t.Errorf("%s: %s is not among the verdicts", c.fixture, c.rule)
		}
	}
}

// Issue 10, item 6: 41 secrets with period = "1s" over the default horizon
// would project 640 million transitions (36 s and 2.3 GB before the limit).
// The report projects at most its limit in all, each credential says where
// its timeline stops, and the header says why. The work is counted in
// transitions, not timed; the test lowers the limit (the default,
// DefaultMaxTransitions, takes about 4 s of CPU and 240 MB for this input).
func TestSimulationLimit(t *testing.T) {
	var res []string
	for i := range 41 {
		res = append(res, fmt.Sprintf(`{"type":"rotation_secret","mode":"managed","address":"rotation_secret.s%d","name":"s%d",
	"values":{"family":"f","name":"n%d","type":"hmac","schedule":{"period":"1s","overlap":"0s","propagation":"0s","ttl":"1s"},
	"versions":[{"version":1,"status":"active","issued_at":"2026-01-01T00:00:00Z","activated_at":"2026-01-01T00:00:00Z"}]}}`, i, i, i))
	}
	doc := `{"format_version":"1.0","values":{"root_module":{"resources":[` + strings.Join(res, ",") + `]}}}`
	in := readString(t, "fast.json", doc, mustTime(t, "2026-01-01T00:00:00Z"))
	now := mustTime(t, "2026-01-01T00:00:00Z")
	const limit = 40_000
	rep, err := Build(in, Options{Now: now, MaxTransitions: limit})
	if err != nil {
		t.Fatal(err)
	}
	if rep.MaxTransitions != limit || rep.Projected > limit || rep.Projected < limit/2 {
		t.Errorf("MaxTransitions %d, projected %d", rep.MaxTransitions, rep.Projected)
	}
	if len(rep.Capped) != 41 {
		t.Errorf("%d credentials capped, want 41", len(rep.Capped))
	}
	total := 0
	for _, c := range rep.Orphans {
		total += len(c.Events)
		if !c.Truncated || !strings.Contains(c.Problem, "so its timeline stops at ") {
			t.Errorf("%s: truncated %v, %q", c.Address, c.Truncated, c.Problem)
		}
		for _, s := range c.Spans {
			if s.To.After(rep.End) {
				t.Errorf("%s: span past the end", c.Address)
			}
		}
	}
	if total != rep.Projected {
		t.Errorf("%d events, Projected %d", total, rep.Projected)
	}
	md := render(t, rep, "markdown")
	if !strings.Contains(md, "Simulation limit: the report projects at most 40 000 transitions in all (") || !strings.Contains(md, "so the timelines of 41 secrets and schedules stop early (their notes say where); use a shorter `--horizon` to see them whole") {
		t.Errorf("no header line about the limit:\n%.2000s", md)
	}
	if !strings.Contains(md, "Timeline cut short: a period of 1s over the horizon of 180d could take up to 77 760 015 projected transitions, more than this credential's share (") {
		t.Errorf("no note about the cut-short timelines")
	}
	parseXML(t, "the page", render(t, rep, "html"))

	// A horizon within the limit is projected whole; the default limit is
	// 10^6 transitions.
	rep, err = Build(in, Options{Now: now, Horizon: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Capped) != 0 || rep.Projected == 0 || rep.MaxTransitions != 1_000_000 || DefaultMaxTransitions != 1_000_000 {
		t.Errorf("1m: capped %v, projected %d, limit %d", rep.Capped, rep.Projected, rep.MaxTransitions)
	}
	if strings.Contains(render(t, rep, "markdown"), "Simulation limit") {
		t.Errorf("a header line about the limit although nothing was capped")
	}
}
