package ops

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

const (
	goodState    = "../../policies/testdata/fixtures/good-state/state.json"
	twoSlotState = "../runbook/testdata/two-slot-state.json"
	goodPlan     = "../../policies/testdata/fixtures/good/plan.json"
)

var (
	engineOnce sync.Once
	engine     *policy.Engine
	engineErr  error
)

// testEngine compiles the bundle once for the package's tests.
func testEngine(t *testing.T) *policy.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = policy.New(context.Background(), policy.Options{}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// readDoc reads a document from a file or from bytes (name, content).
func readDoc(t *testing.T, name string, content []byte, workspace string, at time.Time) *Document {
	t.Helper()
	var doc *policy.Document
	var err error
	if content == nil {
		doc, err = tfjson.ReadFile(name, tfjson.ReadOptions{})
	} else {
		doc, err = tfjson.Read(name, bytes.NewReader(content), tfjson.ReadOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	d, err := Read(context.Background(), testEngine(t), doc, workspace, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The good-state fixture: rotation_secret.session, period 30d, overlap 2h,
// propagation 1h, window mon-thu 08:00-17:00 UTC; v2 issued 2026-02-04
// 10:00 and active since 11:00, v1 previous since 11:00.
func TestDueOnTheFixture(t *testing.T) {
	cases := []struct {
		at, within string
		due        bool
		since      string
		overdue    int64
		actions    string
		next       string
		reason     string
	}{
		{at: "2026-02-04T12:59:59Z", next: "revoke v1 2026-02-04T13:00:00Z"},
		{at: "2026-02-04T13:00:00Z", due: true, since: "2026-02-04T13:00:00Z", actions: "revoke v1", next: "issue v3 2026-03-09T08:00:00Z"},
		// Saturday: the window is closed; the revocation waits for Monday.
		{at: "2026-02-07T13:00:00Z", next: "revoke v1 2026-02-09T08:00:00Z", reason: "window"},
		// Monday 10:00: overdue since Wednesday 13:00.
		{at: "2026-02-09T10:00:00Z", due: true, since: "2026-02-04T13:00:00Z", overdue: 4*86400 + 21*3600, actions: "revoke v1", next: "issue v3 2026-03-09T08:00:00Z"},
		// Within 35 days: the revocation now, then a whole rotation.
		{at: "2026-02-04T13:00:00Z", within: "35d", due: true, since: "2026-02-04T13:00:00Z",
			actions: "revoke v1, issue v3, activate v3, supersede v2, revoke v2", next: "issue v4 2026-04-08T08:00:00Z"},
		// Within a window that ends before anything: not due.
		{at: "2026-02-04T12:00:00Z", within: "59m59s", next: "revoke v1 2026-02-04T13:00:00Z"},
		{at: "2026-02-04T12:00:00Z", within: "1h", due: true, actions: "revoke v1", next: "issue v3 2026-03-09T08:00:00Z"},
		// Before the record's newest timestamp: scheduled steps wait for it.
		{at: "2026-02-04T10:30:00Z", next: "revoke v1 2026-02-04T13:00:00Z", reason: "ahead"},
	}
	for _, c := range cases {
		name := c.at + " within " + c.within
		t.Run(name, func(t *testing.T) {
			when := at(c.at)
			var within time.Duration
			if c.within != "" {
				d, err := duration.Parse(c.within)
				if err != nil {
					t.Fatal(err)
				}
				within = d
			}
			rep := Due([]*Document{readDoc(t, goodState, nil, "prod", when)}, DueOptions{At: when, Within: within})
			if rep.SchemaVersion != DueSchemaVersion || rep.Due != c.due || len(rep.Documents) != 1 || len(rep.Documents[0].Resources) != 1 {
				t.Fatalf("report %+v", rep)
			}
			r := rep.Documents[0].Resources[0]
			if r.Address != "rotation_secret.session" || r.Family != "session-signing" || r.FamilyAddress == nil || *r.FamilyAddress != "rotation_secret_family.f" ||
				r.Workspace != "prod" || r.Name != "prod" || r.Type != "rotation_secret" {
				t.Errorf("identity %+v", r)
			}
			var actions []string
			for _, tr := range r.Transitions {
				actions = append(actions, tr.Action+" v"+itoa(tr.Version))
			}
			if got := strings.Join(actions, ", "); got != c.actions {
				t.Errorf("transitions %q, want %q", got, c.actions)
			}
			since := ""
			if r.DueSince != nil {
				since = *r.DueSince
			}
			if since != c.since || r.OverdueSeconds != c.overdue {
				t.Errorf("due since %q overdue %d, want %q %d", since, r.OverdueSeconds, c.since, c.overdue)
			}
			next := ""
			if r.Next != nil {
				next = r.Next.Action + " v" + itoa(r.Next.Version) + " " + r.Next.At
			}
			if next != c.next {
				t.Errorf("next %q, want %q", next, c.next)
			}
			var codes []string
			for _, x := range r.Reasons {
				codes = append(codes, x.Code)
			}
			if got := strings.Join(codes, ","); got != c.reason {
				t.Errorf("reasons %v, want %q", r.Reasons, c.reason)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A rotation_schedule in a nested module, and a plan: the schedule's slots,
// a plan's own transitions read as applied at --at.
func TestDueOnATwoSlotStateAndAPlan(t *testing.T) {
	when := at("2026-02-08T09:00:00Z")
	rep := Due([]*Document{readDoc(t, twoSlotState, nil, "", when)}, DueOptions{At: when})
	byAddr := map[string]DueResource{}
	for _, r := range rep.Documents[0].Resources {
		byAddr[r.Address] = r
	}
	if len(byAddr) < 2 {
		t.Fatalf("resources %+v", rep.Documents[0].Resources)
	}
	for addr, r := range byAddr {
		if r.Problem != nil {
			t.Errorf("%s: %s", addr, *r.Problem)
		}
		if r.Workspace != DefaultWorkspace {
			t.Errorf("%s: workspace %q", addr, r.Workspace)
		}
		for _, tr := range append(r.Transitions, derefNext(r)...) {
			if r.Type == "rotation_schedule" && tr.Slot != "a" && tr.Slot != "b" {
				t.Errorf("%s: transition %+v has no slot", addr, tr)
			}
			if r.Type == "rotation_secret" && tr.Slot != "" {
				t.Errorf("%s: transition %+v has a slot", addr, tr)
			}
		}
	}

	planAt := at("2026-01-05T09:00:00Z")
	rep = Due([]*Document{readDoc(t, goodPlan, nil, "", planAt)}, DueOptions{At: planAt})
	if rep.Problems != 0 || rep.Documents[0].Kind != "plan" {
		t.Fatalf("plan: %+v", rep)
	}
}

func derefNext(r DueResource) []DueTransition {
	if r.Next == nil {
		return nil
	}
	return []DueTransition{*r.Next}
}

// A record the engine refuses (two active versions) is a problem of its
// resource, not a crash, and the reason names the version.
func TestDueDamagedRecord(t *testing.T) {
	raw, err := os.ReadFile(goodState)
	if err != nil {
		t.Fatal(err)
	}
	damaged := bytes.Replace(raw, []byte(`"status": "previous"`), []byte(`"status": "active"`), 1)
	if bytes.Equal(raw, damaged) {
		t.Fatal("fixture changed: no previous version to damage")
	}
	when := at("2026-02-04T12:00:00Z")
	rep := Due([]*Document{readDoc(t, "damaged.json", damaged, "", when)}, DueOptions{At: when})
	r := rep.Documents[0].Resources[0]
	if rep.Problems != 1 || r.Problem == nil || !strings.Contains(*r.Problem, "active") || r.Due {
		t.Fatalf("problem %v due %v: %+v", rep.Problems, r.Due, r)
	}
	var buf bytes.Buffer
	col, err := NewCollector([]*Document{readDoc(t, "damaged.json", damaged, "", when)}, when)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteMetrics(&buf, col, FormatPrometheus); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `rotation_record_problem{address="rotation_secret.session"`) || strings.Contains(buf.String(), "rotation_transition_due{") {
		t.Errorf("metrics of a damaged record:\n%s", buf.String())
	}
}

func TestParseInput(t *testing.T) {
	dir := t.TempDir()
	odd := filepath.Join(dir, "a=b.json")
	if err := os.WriteFile(odd, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	exists := func(n string) bool { _, err := os.Stat(n); return err == nil }
	for arg, want := range map[string]Input{
		"state.json":             {File: "state.json"},
		"prod=state.json":        {Workspace: "prod", File: "state.json"},
		"eu-west.1=dir/s=1.json": {Workspace: "eu-west.1", File: "dir/s=1.json"},
		"-":                      {File: "-"},
		"prod=-":                 {Workspace: "prod", File: "-"},
		"./x=y.json":             {File: "./x=y.json"}, // "./x" is no workspace name
		odd:                      {File: odd},
	} {
		got, err := ParseInput(arg, exists)
		if err != nil || got != want {
			t.Errorf("ParseInput(%q) = %+v, %v; want %+v", arg, got, err, want)
		}
	}
	for _, bad := range []string{"", "prod="} {
		if _, err := ParseInput(bad, exists); err == nil {
			t.Errorf("ParseInput(%q) accepted", bad)
		}
	}
}

// Secret values never reach due's or metrics' output: the fixture's
// redacted material is replaced by markers.
func TestNoSecretInOutput(t *testing.T) {
	// A state-mode state (good-state is derived: it holds no material).
	raw, err := os.ReadFile("../../policies/testdata/fixtures/rot030-emergency-revocation-state/state.json")
	if err != nil {
		t.Fatal(err)
	}
	marked := bytes.ReplaceAll(raw, []byte(`"(redacted)"`), []byte(`"SECRET-MARKER-do-not-print"`))
	if bytes.Equal(raw, marked) {
		t.Fatal("fixture changed: no redacted material to mark")
	}
	for _, when := range []time.Time{at("2026-02-04T13:00:00Z"), at("2026-02-09T10:00:00Z")} {
		d := readDoc(t, "marked.json", marked, "", when)
		var out bytes.Buffer
		rep := Due([]*Document{d}, DueOptions{At: when, Within: 90 * 24 * time.Hour})
		if err := rep.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		col, err := NewCollector([]*Document{d}, when)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []Format{FormatPrometheus, FormatOpenMetrics} {
			if err := WriteMetrics(&out, col, f); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Contains(out.String(), "SECRET-MARKER") {
			t.Fatalf("a secret value reached the output")
		}
	}
}
