package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Acceptance tests of issue 11 with a real Prometheus (v0.316.0, from the
// tool cache: tools/install-clis.sh prometheus promtool): samples are
// written at chosen times with `promtool tsdb create-blocks-from
// openmetrics`, a Prometheus started by the test on a free loopback port
// serves them, and the CLI plans with ROTATION_NOW at those times.

// cacheTool is the path of a tool in the tool cache; the test fails when
// it is missing (make testacc installs it).
func cacheTool(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("ROTATION_CACHE_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(home, ".cache", "terraform-provider-rotation")
	}
	p := filepath.Join(dir, "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not found at %s: run `bash tools/install-clis.sh prometheus promtool` (make testacc does)", name, p)
	}
	return p
}

// toolTimeout bounds promtool and Prometheus's start: generous, since the
// machine may be busy; nothing waits this long when all is well.
const toolTimeout = 5 * time.Minute

// startPrometheus loads the OpenMetrics samples into TSDB blocks with
// promtool, starts Prometheus on them on a free loopback port, waits until
// it is ready and returns its URL. Prometheus is stopped when the test
// ends.
func startPrometheus(t *testing.T, openmetrics string) string {
	t.Helper()
	promtool, prometheus := cacheTool(t, "promtool"), cacheTool(t, "prometheus")
	dir := t.TempDir()
	in, data := filepath.Join(dir, "samples.om"), filepath.Join(dir, "data")
	if err := os.WriteFile(in, []byte(openmetrics), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", in, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port may be taken before Prometheus binds it
		url, err := runPrometheus(t, prometheus, cfg, data, filepath.Join(dir, fmt.Sprintf("prometheus-%d.log", attempt)))
		if err == nil {
			return url
		}
		lastErr = err
	}
	t.Fatalf("Prometheus did not start: %v", lastErr)
	return ""
}

func runPrometheus(t *testing.T, bin, cfg, data, logPath string) (string, error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	_ = l.Close()
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer func() { _ = logFile.Close() }()
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+data, "--web.listen-address="+addr,
		"--storage.tsdb.retention.time=100y", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		if err := <-exited; err != nil {
			t.Logf("prometheus stopped: %v", err) // killed: "signal: killed"
		}
	}
	url := "http://" + addr
	deadline := time.Now().Add(toolTimeout)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("prometheus exited (%v):\n%s", err, log)
		default:
		}
		if resp, err := client.Get(url + "/-/ready"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(stop)
				return url, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("not ready at %s after %s:\n%s", url, toolTimeout, log)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// openMetricsCounter writes one counter family in OpenMetrics: for each
// series (labels), a sample every minute from from to to, increasing by
// one per minute while inUse says so.
func openMetricsCounter(family string, from, to time.Time, series map[string]func(time.Time) bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP %s Logins by credential version.\n# TYPE %s counter\n", family, family)
	for _, labels := range sortedKeys(series) {
		inUse := series[labels]
		n := 0
		for at := from; !at.After(to); at = at.Add(time.Minute) {
			if inUse(at) {
				n++
			}
			fmt.Fprintf(&b, "%s_total{%s} %d %d\n", family, labels, n, at.Unix())
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// drillQuery is the documented PromQL for a service counting logins by
// credential version (templates/guides/revoking-on-evidence.md.tmpl),
// restricted to one secret.
func drillQuery(secret string) string {
	return fmt.Sprintf(`max by (version) (max_over_time((timestamp(increase(app_logins_total{secret="%s"}[5m]) > 0))[1d:1m]))`, secret)
}

// TestAccGate_drill is the drill of issue 11 on the real CLI: a lagging
// consumer keeps logging in with v1 until two hours past the overlap.
// Side by side, rotation_secret.plain (no gate) revokes v1 when its overlap
// ends although Prometheus shows it in use, and rotation_secret.gated
// (revocation_gate fed by the real Prometheus) waits, saying what for,
// until v1 has gone unused for quiet_period, and then revokes it on the
// next apply, recording the evidence.
func TestAccGate_drill(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc)")
	}
	const (
		t0      = "2026-03-02T09:00:00Z" // v1 active
		issue   = "2026-04-01T09:00:00Z" // + period 30d: v2 pending
		emit    = "2026-04-01T10:00:00Z" // + propagation 1h: v2 active, v1 previous
		overlap = "2026-04-02T10:00:00Z" // + overlap 1d: v1 due for revocation
		lagEnd  = "2026-04-02T12:00:00Z" // the lagging consumer's last login with v1
		before  = "2026-04-02T14:00:00Z" // still within quiet_period of its last use
		quiet   = "2026-04-02T14:05:00Z" // quiet_period 2h after the last use seen
	)
	at := mustTime
	inUse := func(from, to string) func(time.Time) bool {
		return func(x time.Time) bool { return !x.Before(at(from)) && !x.After(at(to)) }
	}
	series := map[string]func(time.Time) bool{}
	for _, secret := range []string{"plain", "gated"} {
		series[fmt.Sprintf(`secret="%s",version="1"`, secret)] = inUse("2026-04-01T00:00:00Z", lagEnd)
		series[fmt.Sprintf(`secret="%s",version="2"`, secret)] = inUse(emit, "2026-04-02T16:00:00Z")
	}
	url := startPrometheus(t, openMetricsCounter("app_logins", at("2026-04-01T00:00:00Z"), at("2026-04-02T16:00:00Z"), series))
	t.Setenv(EnvNow, t0)

	config := providerBlock("unused") + familyHCL + fmt.Sprintf(`
resource "rotation_secret" "plain" {
  family = rotation_secret_family.f.id
  name   = "plain"
  type   = "password"
  schedule {%[2]s}
}

resource "rotation_secret" "gated" {
  family = rotation_secret_family.f.id
  name   = "gated"
  type   = "password"
  schedule {%[2]s}

  revocation_gate {
    quiet_period = "2h"
    max_wait     = "7d"
    prometheus {
      query = %[3]q
      label = "version"
    }
  }
}
`, "", stdSchedule, drillQuery("gated"))
	config = strings.Replace(config, `now = "unused"`, fmt.Sprintf("prometheus_url = %q", url), 1)

	const plain, gated = "rotation_secret.plain", "rotation_secret.gated"
	status := func(addr string, i int, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("versions").AtSliceIndex(i).AtMapKey("status"), knownvalue.StringExact(want))
	}
	planned := func(addr string, i int, want string) plancheck.PlanCheck {
		return plancheck.ExpectKnownValue(addr, tfjsonpath.New("versions").AtSliceIndex(i).AtMapKey("status"), knownvalue.StringExact(want))
	}
	next := func(want, at string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(gated, root("next_transition"), str(want)),
			statecheck.ExpectKnownValue(gated, root("next_transition_at"), str(at)),
		}
	}
	step := func(now string, s resource.TestStep) resource.TestStep {
		s.Config, s.PreConfig = config, planAt(now)
		return s
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			step(t0, resource.TestStep{ConfigStateChecks: []statecheck.StateCheck{status(plain, 0, "active"), status(gated, 0, "active")}}),
			step(issue, resource.TestStep{ConfigStateChecks: []statecheck.StateCheck{status(plain, 1, "pending"), status(gated, 1, "pending")}}),
			step(emit, resource.TestStep{ConfigStateChecks: []statecheck.StateCheck{status(plain, 0, "previous"), status(gated, 0, "previous")}}),
			// The overlap ends: without the gate v1 is revoked; with it,
			// the evidence shows v1 in use and the revocation waits.
			step(overlap, resource.TestStep{
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					planned(plain, 0, "revoked"), planned(gated, 0, "previous"),
				}},
				ConfigStateChecks: concat([]statecheck.StateCheck{status(plain, 0, "revoked"), status(gated, 0, "previous")},
					next("revoke v1: last used 10:00, quiet until 12:00", "2026-04-02T12:00:00Z")),
			}),
			// Two hours past the overlap the lagging consumer still logs in
			// with v1: the plain secret revoked it while in use (its
			// consumers fail); the gated one still waits.
			step(lagEnd, resource.TestStep{
				ConfigStateChecks: concat([]statecheck.StateCheck{status(gated, 0, "previous")},
					next("revoke v1: last used 12:00, quiet until 14:00", "2026-04-02T14:00:00Z")),
				Check: usedAfterRevocation(t, url, plain, lagEnd),
			}),
			// Use stopped at 12:00 (seen until 12:03 through the 5m window):
			// not quiet for 2h yet.
			step(before, resource.TestStep{
				ConfigStateChecks: concat([]statecheck.StateCheck{status(gated, 0, "previous")},
					next("revoke v1: last used 12:03, quiet until 14:03", "2026-04-02T14:03:00Z")),
			}),
			// Quiet for quiet_period: the next apply revokes it, recording
			// the evidence.
			step(quiet, resource.TestStep{
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planned(gated, 0, "revoked")}},
				ConfigStateChecks: []statecheck.StateCheck{
					status(gated, 0, "revoked"), status(gated, 1, "active"),
					statecheck.ExpectKnownValue(gated, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("revocation_evidence"),
						str("prometheus observed 2026-04-02T14:05:00Z: v1 last used 2026-04-02T12:03:00Z, quiet 2h since; successor v2 last used 2026-04-02T14:05:00Z")),
					statecheck.ExpectKnownValue(gated, tfjsonpath.New("versions").AtSliceIndex(0).AtMapKey("revoked_at"), str(quiet)),
					statecheck.ExpectKnownValue(gated, root("next_transition"), str("issue v3")),
				},
			}),
			step(quiet, resource.TestStep{ConfigPlanChecks: emptyPlan}),
		},
	})
}

// usedAfterRevocation checks, with the real Prometheus, that v1 of addr
// was revoked while still in use: the logins with it go on after its
// revoked_at.
func usedAfterRevocation(t *testing.T, url, addr, at string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		revokedAt, err := time.Parse(time.RFC3339, rs.Primary.Attributes["versions.0.revoked_at"])
		if err != nil {
			return fmt.Errorf("%s v1 revoked_at: %v", addr, err)
		}
		client, err := newPromClient(url, "")
		if err != nil {
			return err
		}
		samples, err := client.query(context.Background(), drillQuery(strings.TrimPrefix(addr, "rotation_secret.")), mustTime(at))
		if err != nil {
			return err
		}
		last, err := lastUsedFromSamples(samples, "version")
		if err != nil {
			return err
		}
		if !last["1"].After(revokedAt) {
			return fmt.Errorf("%s v1 last used %s, not after its revocation at %s", addr, last["1"], revokedAt)
		}
		t.Logf("%s: v1 revoked at %s by the calendar, still used at %s (its consumers fail)", addr, revokedAt.Format(time.RFC3339), last["1"].Format(time.RFC3339))
		return nil
	}
}

// TestAccGate_promqlRecipes runs `promtool test rules` on the PromQL the
// guide documents (testdata/promql/recipes_test.yml), and checks that every
// tested expression appears verbatim in the guide.
func TestAccGate_promqlRecipes(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc)")
	}
	recipes := filepath.Join("testdata", "promql", "recipes_test.yml")
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, cacheTool(t, "promtool"), "test", "rules", recipes).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules %s: %v\n%s", recipes, err, out)
	}
	t.Logf("%s", out)
	checkRecipesInGuide(t, recipes)
}

// checkRecipesInGuide checks that every expr of the recipes file appears in
// the guide's template.
func checkRecipesInGuide(t *testing.T, recipes string) {
	t.Helper()
	raw, err := os.ReadFile(recipes)
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", "revoking-on-evidence.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	exprs := regexp.MustCompile(`(?m)^\s*- expr: (.+)$`).FindAllStringSubmatch(string(raw), -1)
	if len(exprs) < 3 {
		t.Fatalf("only %d expressions in %s", len(exprs), recipes)
	}
	for _, m := range exprs {
		expr := strings.TrimSpace(m[1])
		if !strings.Contains(string(guide), expr) {
			t.Errorf("the guide does not show the tested expression %s", expr)
		}
	}
}

// TestPromQLRecipesInGuide is checkRecipesInGuide without promtool, so
// that `go test` alone catches a guide that drifted from the tests.
func TestPromQLRecipesInGuide(t *testing.T) {
	checkRecipesInGuide(t, filepath.Join("testdata", "promql", "recipes_test.yml"))
}
