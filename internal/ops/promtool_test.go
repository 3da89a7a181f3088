package ops

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// These tests hold the metrics to the real Prometheus tools: promtool (in
// the tool cache, installed by tools/install-clis.sh; `make test` installs
// it and sets ROTATION_REQUIRE_PROMTOOL=1, so that there it fails instead
// of skipping).

const alertsDir = "../../examples/prometheus"

// promtool returns the path of the real promtool, or skips (fails with
// ROTATION_REQUIRE_PROMTOOL=1) when it is not installed.
func promtool(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("ROTATION_CACHE_DIR")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache", "terraform-provider-rotation")
		}
	}
	if p := filepath.Join(cache, "bin", "promtool"); cache != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("promtool"); err == nil {
		return p
	}
	if os.Getenv("ROTATION_REQUIRE_PROMTOOL") == "1" {
		t.Fatal("promtool is not installed: run bash tools/install-clis.sh promtool")
	}
	t.Skip("promtool is not installed (bash tools/install-clis.sh promtool installs it; make test does): skipping the check with the real tool")
	return ""
}

// runTool runs a tool with a wide timeout and returns its combined output.
func runTool(t *testing.T, stdin []byte, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// heldState is the good-state fixture with its revocations held.
func heldState(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(goodState)
	if err != nil {
		t.Fatal(err)
	}
	held := bytes.Replace(raw, []byte(`"hold_revocation": false`), []byte(`"hold_revocation": true`), 1)
	held = bytes.Replace(held, []byte(`"hold_reason": null`), []byte(`"hold_reason": "INC-1234: auditors still verify with v1"`), 1)
	if bytes.Equal(raw, held) {
		t.Fatal("fixture changed: no hold_revocation to set")
	}
	return held
}

// metricsAt writes the metrics of prod (the good-state fixture), staging
// (the same, held), a two-slot state and a plan at when.
func metricsAt(t *testing.T, when time.Time, format Format, all bool) []byte {
	t.Helper()
	docs := []*Document{
		readDoc(t, goodState, nil, "prod", when),
		readDoc(t, "held.json", heldState(t), "staging", when),
	}
	if all {
		docs = append(docs, readDoc(t, twoSlotState, nil, "payments", when), readDoc(t, goodPlan, nil, "plan", when))
	}
	col, err := NewCollector(docs, when)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteMetrics(&buf, col, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var evaluationTimes = []string{"2026-01-05T09:00:00Z", "2026-02-04T13:00:00Z", "2026-02-12T10:00:00Z", "2026-06-01T00:00:00Z"}

// TestMetricsPromtoolCheck: `promtool check metrics` (the linter of the
// text exposition format: HELP and TYPE, naming conventions, units) finds
// nothing in the output, at several instants and over several kinds of
// document.
func TestMetricsPromtoolCheck(t *testing.T) {
	p := promtool(t)
	for _, s := range evaluationTimes {
		out := metricsAt(t, at(s), FormatPrometheus, true)
		if msg, err := runTool(t, out, p, "check", "metrics"); err != nil || strings.TrimSpace(msg) != "" {
			t.Errorf("promtool check metrics at %s: %v\n%s\n--- input:\n%s", s, err, msg, out)
		}
		// Every family has HELP and TYPE, and every sample a family.
		families, err := textParser().TextToMetricFamilies(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		for name, mf := range families {
			if mf.GetHelp() == "" || mf.GetType() != dto.MetricType_GAUGE {
				t.Errorf("%s: help %q type %v", name, mf.GetHelp(), mf.GetType())
			}
		}
		if len(families) < 15 {
			t.Errorf("at %s only %d metric families", s, len(families))
		}
	}
}

// TestMetricsOpenMetrics: the OpenMetrics output ends with "# EOF" and
// Prometheus's own OpenMetrics parser reads it (`promtool tsdb
// create-blocks-from openmetrics`, which needs a timestamp per sample:
// the test adds the evaluation instant).
func TestMetricsOpenMetrics(t *testing.T) {
	p := promtool(t)
	when := at("2026-02-12T10:00:00Z")
	out := metricsAt(t, when, FormatOpenMetrics, true)
	if !bytes.HasSuffix(out, []byte("# EOF\n")) {
		t.Fatalf("no # EOF at the end:\n%s", out)
	}
	var stamped bytes.Buffer
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			line = strings.TrimSuffix(line, "\n") + " " + strconv.FormatInt(when.Unix(), 10) + "\n"
		}
		stamped.WriteString(line)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "metrics.om")
	if err := os.WriteFile(in, stamped.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := runTool(t, nil, p, "tsdb", "create-blocks-from", "openmetrics", in, filepath.Join(dir, "blocks")); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s\n--- input:\n%s", err, msg, stamped.String())
	}
}

// TestAlertRules: the example rules load and their unit tests pass.
func TestAlertRules(t *testing.T) {
	p := promtool(t)
	if msg, err := runTool(t, nil, p, "check", "rules", filepath.Join(alertsDir, "rotation-alerts.yml")); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, msg)
	}
	msg, err := runTool(t, nil, p, "test", "rules", filepath.Join(alertsDir, "rotation-alerts.test.yml"))
	if err != nil || !strings.Contains(msg, "SUCCESS") {
		t.Fatalf("promtool test rules: %v\n%s", err, msg)
	}
}

// TestAlertRuleSeries: every input series of the alert rules' test is what
// `metrics` writes, at each instant of the test (its start, then every
// interval), so the rules are tested on the real metric names, labels and
// values.
func TestAlertRuleSeries(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(alertsDir, "rotation-alerts.test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Tests []struct {
			Interval    string `yaml:"interval"`
			InputSeries []struct {
				Series string `yaml:"series"`
				Values string `yaml:"values"`
			} `yaml:"input_series"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	start := at("2026-02-12T10:00:00Z")
	if !bytes.Contains(raw, []byte("--at "+start.Format(time.RFC3339))) {
		t.Fatalf("the test file no longer says it starts at %s", start.Format(time.RFC3339))
	}
	cache := map[int]map[string]float64{}
	samplesAt := func(k int, step time.Duration) map[string]float64 {
		if m, ok := cache[k]; ok {
			return m
		}
		out := metricsAt(t, start.Add(time.Duration(k)*step), FormatPrometheus, false)
		families, err := textParser().TextToMetricFamilies(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]float64{}
		for name, mf := range families {
			for _, s := range mf.GetMetric() {
				ls := model.LabelSet{model.MetricNameLabel: model.LabelValue(name)}
				for _, l := range s.GetLabel() {
					ls[model.LabelName(l.GetName())] = model.LabelValue(l.GetValue())
				}
				m[ls.String()] = s.GetGauge().GetValue()
			}
		}
		cache[k] = m
		return m
	}
	checked := 0
	for _, test := range file.Tests {
		step, err := time.ParseDuration(test.Interval)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range test.InputSeries {
			key, err := seriesKey(in.Series)
			if err != nil {
				t.Fatal(err)
			}
			values, err := expandValues(in.Values)
			if err != nil {
				t.Fatalf("%s: %v", in.Series, err)
			}
			for k := 0; k < len(values); k += 10 {
				got, ok := samplesAt(k, step)[key]
				if !ok {
					t.Fatalf("metrics at %s has no series %s", start.Add(time.Duration(k)*step).Format(time.RFC3339), key)
				}
				if math.Abs(got-values[k]) > 1e-6 {
					t.Errorf("%s at %s: the test says %v, metrics writes %v", key, start.Add(time.Duration(k)*step).Format(time.RFC3339), values[k], got)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d values checked", checked)
	}
}

var seriesRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$`)
var labelRE = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"\s*$`)

// seriesKey reads 'name{a="b",...}' (no commas or quotes inside values)
// into the model.LabelSet string both sides compare.
func seriesKey(s string) (string, error) {
	m := seriesRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("series %q: not name{labels}", s)
	}
	ls := model.LabelSet{model.MetricNameLabel: model.LabelValue(m[1])}
	for _, part := range strings.Split(m[2], ",") {
		l := labelRE.FindStringSubmatch(part)
		if l == nil {
			return "", fmt.Errorf("series %q: label %q", s, part)
		}
		ls[model.LabelName(l[1])] = model.LabelValue(l[2])
	}
	return ls.String(), nil
}

var expandRE = regexp.MustCompile(`^(-?[0-9.e+]+)([+-])([0-9.e+]+)x([0-9]+)$|^(-?[0-9.e+]+)x([0-9]+)$|^(-?[0-9.e+]+)$`)

// expandValues expands promtool's value notation: "a+bxn" (n+1 values
// from a in steps of b), "a-bxn", "axn" (a, n+1 times) and plain values,
// separated by spaces.
func expandValues(s string) ([]float64, error) {
	var out []float64
	num := func(x string) float64 { f, _ := strconv.ParseFloat(x, 64); return f }
	for _, term := range strings.Fields(s) {
		m := expandRE.FindStringSubmatch(term)
		switch {
		case m == nil:
			return nil, fmt.Errorf("value %q: not a+bxn, axn or a number", term)
		case m[1] != "":
			a, b, n := num(m[1]), num(m[3]), int(num(m[4]))
			if m[2] == "-" {
				b = -b
			}
			for i := 0; i <= n; i++ {
				out = append(out, a+float64(i)*b)
			}
		case m[5] != "":
			for i := 0; i <= int(num(m[6])); i++ {
				out = append(out, num(m[5]))
			}
		default:
			out = append(out, num(m[7]))
		}
	}
	return out, nil
}

// textParser parses the text exposition format with the classic metric
// name rules, the ones promtool lints.
func textParser() *expfmt.TextParser {
	p := expfmt.NewTextParser(model.LegacyValidation)
	return &p
}
