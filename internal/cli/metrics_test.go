package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rotationkit/terraform-provider-rotation/internal/ops"
)

func TestMetricsFormats(t *testing.T) {
	code, prom, stderr := run(t, "metrics", "--at", "2026-02-09T10:00:00Z", "prod="+goodState)
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"# HELP rotation_transition_overdue_seconds ",
		"# TYPE rotation_transition_overdue_seconds gauge\n",
		`rotation_transition_overdue_seconds{address="rotation_secret.session",family="session-signing",name="prod",resource_type="rotation_secret",workspace="prod"} 421200` + "\n",
		`rotation_transition_due{address="rotation_secret.session",family="session-signing",name="prod",resource_type="rotation_secret",workspace="prod"} 1` + "\n",
		`rotation_versions{address="rotation_secret.session",family="session-signing",name="prod",resource_type="rotation_secret",status="previous",workspace="prod"} 1` + "\n",
		`rotation_family_info{address="rotation_secret_family.f",classification="high",family="session-signing",owner="team-identity",workspace="prod"} 1` + "\n",
	} {
		if !strings.Contains(prom, want) {
			t.Errorf("prometheus output lacks %q", want)
		}
	}
	if strings.Contains(prom, "# EOF") {
		t.Error("the text format has an OpenMetrics # EOF")
	}
	out := filepath.Join(t.TempDir(), "rotation.prom")
	code, stdout, stderr := run(t, "metrics", "--format", "openmetrics", "--output", out, "--at", "2026-02-09T10:00:00Z", goodState)
	if code != ExitOK || stdout != "" || stderr != "" {
		t.Fatalf("openmetrics: exit %d %q %q", code, stdout, stderr)
	}
	om, err := os.ReadFile(out)
	if err != nil || !strings.HasSuffix(string(om), "# EOF\n") || !strings.Contains(string(om), `workspace="default"} 421200.0`) {
		t.Errorf("openmetrics output: %v\n%s", err, om)
	}

	for name, args := range map[string][]string{
		"bad format":     {"metrics", "--format", "json", goodState},
		"bad --at":       {"metrics", "--at", "2026-02-30T00:00:00Z", goodState},
		"no input":       {"metrics"},
		"same workspace": {"metrics", "a=" + goodState, "a=" + twoSlot},
		"missing file":   {"metrics", "nope.json"},
	} {
		code, out, stderr := run(t, args...)
		if code != ExitUsage || out != "" || !dueLine.MatchString(stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, stderr)
		}
	}
}

// TestMetricsDocumented: docs/metrics.md has a row per metric with its
// labels, and no row for a metric that does not exist.
func TestMetricsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(rotation_[a-z_]+)` \\| ([^|]*) \\|").FindAllStringSubmatch(string(raw), -1) {
		rows[m[1]] = strings.TrimSpace(m[2])
	}
	known := map[string]bool{}
	for _, m := range ops.Metrics() {
		known[m.Name] = true
		labels, ok := rows[m.Name]
		if !ok {
			t.Errorf("docs/metrics.md has no row for %s", m.Name)
			continue
		}
		want := append([]string{}, m.Labels...)
		sort.Strings(want)
		var got []string
		for _, l := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(labels, -1) {
			got = append(got, l[1])
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: docs/metrics.md lists labels %v, the metric has %v", m.Name, got, want)
		}
	}
	for name := range rows {
		if !known[name] {
			t.Errorf("docs/metrics.md documents %s, which metrics does not write", name)
		}
	}
}
