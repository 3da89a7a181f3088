package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Unit tests of issue 11: the evidence gates through the provider protocol
// (protocol_harness_test.go), with a fake Prometheus (httptest) whose
// answers the test chooses, and the Prometheus client against every kind
// of bad answer.

// fakeProm is a Prometheus HTTP API that answers what answer returns and
// records every query.
type fakeProm struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []promCall
	answer func(query string, at time.Time) (int, string)
}

type promCall struct {
	method, query, auth string
	at                  time.Time
}

func newFakeProm(t *testing.T, answer func(query string, at time.Time) (int, string)) *fakeProm {
	t.Helper()
	f := &fakeProm{answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		secs, err := strconv.ParseFloat(r.PostForm.Get("time"), 64)
		if err != nil {
			http.Error(w, "bad time "+r.PostForm.Get("time"), http.StatusBadRequest)
			return
		}
		at := time.Unix(0, int64(secs*1e9)).UTC()
		f.mu.Lock()
		f.calls = append(f.calls, promCall{method: r.Method, query: r.PostForm.Get("query"), auth: r.Header.Get("Authorization"), at: at})
		answer := f.answer
		f.mu.Unlock()
		status, body := answer(r.PostForm.Get("query"), at)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeProm) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeProm) last() promCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

func (f *fakeProm) setAnswer(a func(query string, at time.Time) (int, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = a
}

// series is one series of a vector answer.
type series struct {
	labels map[string]string
	value  string
}

// vector is a successful instant-vector answer evaluated at at.
func vector(at time.Time, ss ...series) string {
	type sample struct {
		Metric map[string]string `json:"metric"`
		Value  [2]any            `json:"value"`
	}
	result := make([]sample, 0, len(ss))
	for _, s := range ss {
		result = append(result, sample{Metric: s.labels, Value: [2]any{float64(at.Unix()), s.value}})
	}
	b, _ := json.Marshal(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
	return string(b)
}

func used(key string, t time.Time) series {
	return series{labels: map[string]string{"kid": key}, value: strconv.FormatInt(t.Unix(), 10)}
}

func ok(body string) (int, string) { return http.StatusOK, body }

// TestPrometheusClient: the instant query is a POST of query and time (the
// evaluation instant) with the bearer token, and every answer that is not
// a well-formed instant vector is an error that says what was wrong.
func TestPrometheusClient(t *testing.T) {
	at := mustTime("2026-02-05T10:00:00Z")
	cases := []struct {
		name    string
		status  int
		body    string
		samples int
		err     string
	}{
		{name: "vector", status: 200, body: vector(at, used("1", at), used("kid-b", at.Add(-time.Hour))), samples: 2},
		{name: "empty vector", status: 200, body: vector(at)},
		{name: "HTTP 503", status: 503, body: "Service Unavailable", err: `answered HTTP 503: "Service Unavailable"`},
		{name: "HTTP 500 with an error body", status: 500, body: `{"status":"error","errorType":"internal","error":"boom"}`, err: "answered HTTP 500: internal: boom"},
		{name: "HTTP 400 bad query", status: 400, body: `{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}`,
			err: "answered HTTP 400 (check the query): bad_data: 1:5: parse error"},
		{name: "HTTP 401", status: 401, body: "unauthorized", err: "answered HTTP 401 (check prometheus_bearer_token)"},
		{name: "malformed body", status: 200, body: `{"status":"succ`, err: "answered a malformed body"},
		{name: "not JSON", status: 200, body: `<html>proxy login</html>`, err: "answered a malformed body"},
		{name: "status error with HTTP 200", status: 200, body: `{"status":"error","errorType":"timeout","error":"query timed out"}`, err: `answered status "error": timeout query timed out`},
		{name: "no resultType", status: 200, body: `{"status":"success","data":{"result":[]}}`, err: "data.resultType is missing"},
		{name: "matrix", status: 200, body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"kid":"1"},"values":[[1,"1"]]}]}}`,
			err: "the query returned a matrix (a range vector such as metric[5m]) where an instant vector is expected"},
		{name: "scalar", status: 200, body: `{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}`, err: "the query returned a scalar where an instant vector is expected"},
		{name: "non-numeric value", status: 200, body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kid":"1"},"value":[1,"soon"]}]}}`,
			err: `series {kid="1"} has the value "soon", which is not a finite number`},
		{name: "NaN", status: 200, body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kid":"1"},"value":[1,"NaN"]}]}}`,
			err: `has the value "NaN", which is not a finite number`},
		{name: "value not a string", status: 200, body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kid":"1"},"value":[1,5]}]}}`,
			err: "has the value 5, which is not a number in a string"},
		{name: "value without time", status: 200, body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kid":"1"},"value":["5"]}]}}`,
			err: `series {kid="1"} has value ["5"], not [time, "value"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeProm(t, func(string, time.Time) (int, string) { return c.status, c.body })
			client, err := newPromClient(f.srv.URL+"/", "s3cret")
			if err != nil {
				t.Fatal(err)
			}
			samples, err := client.query(context.Background(), `max by (kid) (x)`, at)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(samples) != c.samples {
				t.Fatalf("%d samples, want %d", len(samples), c.samples)
			}
			call := f.last()
			if call.method != http.MethodPost || call.query != `max by (kid) (x)` || !call.at.Equal(at) || call.auth != "Bearer s3cret" {
				t.Errorf("request = %+v", call)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		f := newFakeProm(t, nil)
		url := f.srv.URL
		f.srv.Close()
		client, err := newPromClient(url, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.query(context.Background(), "x", at); err == nil || !strings.Contains(err.Error(), "is unreachable") {
			t.Fatalf("error = %v, want unreachable", err)
		}
	})
	t.Run("bad URLs", func(t *testing.T) {
		for _, u := range []string{"", "prometheus:9090", "ftp://x", "http://", "http://p:9090/?a=b"} {
			if _, err := newPromClient(u, ""); err == nil {
				t.Errorf("%q accepted", u)
			}
		}
		c, err := newPromClient("https://example.com/prometheus/", "")
		if err != nil || c.endpoint != "https://example.com/prometheus/api/v1/query" {
			t.Errorf("endpoint %v %v", c, err)
		}
	})
}

// TestPrometheusSamples: the gates' reading of a vector: a missing label
// or a value that is not a Unix time is an error.
func TestPrometheusSamples(t *testing.T) {
	s := func(v float64, kv ...string) promSample {
		l := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			l[kv[i]] = kv[i+1]
		}
		return promSample{Labels: l, Value: v}
	}
	got, err := lastUsedFromSamples([]promSample{s(1770285600.2, "kid", "a"), s(1770280000, "kid", "a"), s(1770200000, "kid", "3")}, "kid")
	if err != nil || len(got) != 2 || got["a"].Format(time.RFC3339) != "2026-02-05T10:00:01Z" {
		t.Errorf("last used = %v %v (the latest per key, rounded up)", got, err)
	}
	if _, err := lastUsedFromSamples([]promSample{s(1, "version", "3")}, "kid"); err == nil || !strings.Contains(err.Error(), `series {version="3"} has no label "kid"`) {
		t.Errorf("missing label: %v", err)
	}
	if _, err := lastUsedFromSamples([]promSample{s(-5, "kid", "a")}, "kid"); err == nil || !strings.Contains(err.Error(), "not a Unix time") {
		t.Errorf("negative: %v", err)
	}
	acc, err := acceptedFromSamples([]promSample{s(1, "source", "api", "kid", "a"), s(0, "source", "worker", "kid", "a"), s(1, "source", "api", "kid", "2")}, "kid")
	if err != nil || fmt.Sprint(acc) != "map[api:[a 2] worker:[]]" {
		t.Errorf("accepted = %v %v", acc, err)
	}
	if _, err := acceptedFromSamples([]promSample{s(1, "kid", "a")}, "kid"); err == nil || !strings.Contains(err.Error(), `has no label "source"`) {
		t.Errorf("missing source: %v", err)
	}
	if _, err := acceptedFromSamples([]promSample{s(1, "source", "api")}, "kid"); err == nil || !strings.Contains(err.Error(), `has no label "kid"`) {
		t.Errorf("missing kid: %v", err)
	}
}

// gate builds a gate block value of the harness's resource.
func (h *protoHarness) gate(name string, vals map[string]tftypes.Value) tftypes.Value {
	return nullsFor(h.typ.AttributeTypes[name].(tftypes.Object), vals)
}

// prom is the prometheus block of a gate.
func (h *protoHarness) prom(gate, query, label string) tftypes.Value {
	gt := h.typ.AttributeTypes[gate].(tftypes.Object)
	return nullsFor(gt.AttributeTypes["prometheus"].(tftypes.Object), map[string]tftypes.Value{
		"query": tftypes.NewValue(tftypes.String, query), "label": tftypes.NewValue(tftypes.String, label),
	})
}

func strMap(kv ...string) tftypes.Value {
	m := map[string]tftypes.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = tftypes.NewValue(tftypes.String, kv[i+1])
	}
	return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)
}

// withProm configures the harness's provider with prometheus_url.
func (h *protoHarness) withProm(url string) *protoHarness {
	h.providerVals = map[string]tftypes.Value{"prometheus_url": tfStr(url)}
	h.configure(time.Time{})
	return h
}

// quiet asserts that a plan changes nothing.
func (h *protoHarness) quiet(s lifecycleSpec) []*tfprotov6.Diagnostic {
	h.t.Helper()
	planned, diags := h.mustPlan(s)
	if !planned.Equal(h.state) {
		h.t.Errorf("plan at %s is not empty:\nplanned %v\nstate   %v", h.clock.t.Format(time.RFC3339), planned, h.state)
	}
	return diags
}

// rotateToPrevious applies the harness's secret from v1 to "v1 previous,
// v2 active": created 2026-01-05 09:00, v2 issued 2026-02-04 09:00 and
// active 10:00; v1's overlap (1d) ends 2026-02-05 10:00.
func rotateToPrevious(h *protoHarness, s lifecycleSpec) {
	h.t.Helper()
	for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
		h.at(at).apply(s, must(h.mustPlan(s)))
	}
	if got := statuses(h.state); got != "v1:previous v2:active" {
		h.t.Fatalf("set up: %s", got)
	}
}

// TestGatePrometheusRevocation: the revocation of v1 waits for the evidence
// from Prometheus and happens once v1 has gone unused for quiet_period with
// v2 in use; Prometheus is queried only when the revocation is otherwise
// due, at the plan's instant, and a plan in which nothing changes is empty.
func TestGatePrometheusRevocation(t *testing.T) {
	lastV1 := mustTime("2026-02-05T09:30:00Z")
	var kid1 string
	f := newFakeProm(t, func(_ string, at time.Time) (int, string) {
		// v1 (by kid) last used 09:30; v2 (by number) in use; another
		// secret's kid.
		return ok(vector(at, used(kid1, lastV1), used("2", at.Add(-time.Minute)), used("kid-of-another-secret", at)))
	})
	h := newProtoHarness(t).withProm(f.srv.URL)
	s := secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{
		"revocation_gate": h.gate("revocation_gate", map[string]tftypes.Value{
			"quiet_period": tfStr("2h"), "max_wait": tfStr("7d"),
			"prometheus": h.prom("revocation_gate", `max by (kid) (last_used)`, "kid"),
		}),
	}}
	rotateToPrevious(h, s)
	kid1 = get(h.state, "versions", 0, "kid").(string)
	if f.count() != 0 {
		t.Fatalf("%d queries before anything gated was due", f.count())
	}
	expect(t, h.state, "revoke v1", "next_transition")

	// Before the overlap ends: nothing due, nothing queried, empty plan.
	h.at("2026-02-05T09:59:59Z").quiet(s)
	if f.count() != 0 {
		t.Fatalf("quiet plan queried Prometheus %d times", f.count())
	}

	// The overlap ended: v1 was used at 09:30, so it waits until 11:30.
	planned, diags := h.at("2026-02-05T10:00:00Z").mustPlan(s)
	if f.count() != 1 || !f.last().at.Equal(mustTime("2026-02-05T10:00:00Z")) || f.last().query != `max by (kid) (last_used)` {
		t.Fatalf("queries %d, last %+v", f.count(), f.last())
	}
	if got := statuses(planned); got != "v1:previous v2:active" {
		t.Fatalf("planned %s", got)
	}
	expect(t, planned, "revoke v1: last used 09:30, quiet until 11:30", "next_transition")
	expect(t, planned, "2026-02-05T11:30:00Z", "next_transition_at")
	expectWarning(t, diags, "revocation of v1 waits for evidence: last used 09:30, quiet until 11:30", "it cannot be revoked before 2026-02-05T11:30:00Z")
	expectWarning(t, diags, "evidence keys ignored", `"kid-of-another-secret"`)
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Errorf("waiting is never an error: %s", d.Detail)
		}
	}
	h.apply(s, planned)
	h.quiet(s) // the same instant, the same answer: nothing to change

	// Quiet for 2h: revoked, with the evidence recorded.
	planned, _ = h.at("2026-02-05T11:30:00Z").mustPlan(s)
	if got := statuses(planned); got != "v1:revoked v2:active" {
		t.Fatalf("planned %s", got)
	}
	want := "prometheus observed 2026-02-05T11:30:00Z: v1 last used 2026-02-05T09:30:00Z, quiet 2h since; successor v2 last used 2026-02-05T11:29:00Z"
	expect(t, planned, want, "versions", 0, "revocation_evidence")
	st := h.apply(s, planned)
	expect(t, st, want, "versions", 0, "revocation_evidence")
	expect(t, st, nil, "versions", 1, "revocation_evidence")
	expect(t, st, "issue v3", "next_transition")
	queries := f.count()
	h.at("2026-02-10T11:30:00Z").quiet(s)
	if f.count() != queries {
		t.Errorf("a quiet plan after the revocation queried Prometheus")
	}
}

// TestGatePrometheusBadAnswer: a bad answer is reported, the gated step
// does not happen, and the rest of the plan goes on; no error stops it.
func TestGatePrometheusBadAnswer(t *testing.T) {
	f := newFakeProm(t, func(string, time.Time) (int, string) { return 503, "overloaded" })
	h := newProtoHarness(t).withProm(f.srv.URL)
	s := secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{
		"revocation_gate": h.gate("revocation_gate", map[string]tftypes.Value{
			"quiet_period": tfStr("2h"), "max_wait": tfStr("7d"), "prometheus": h.prom("revocation_gate", "q", "kid"),
		}),
	}}
	rotateToPrevious(h, s)
	planned, diags := h.at("2026-02-05T10:00:00Z").mustPlan(s)
	if got := statuses(planned); got != "v1:previous v2:active" {
		t.Fatalf("planned %s", got)
	}
	expectWarning(t, diags, "revocation_gate evidence unusable", "does not happen in this plan", "answered HTTP 503", `"overloaded"`)
	expect(t, planned, "revoke v1: no evidence of use (prometheus query failed, see the warning)", "next_transition")

	// Matrix, missing label, non-numeric value: the same.
	for name, body := range map[string]string{
		"matrix":        `{"status":"success","data":{"resultType":"matrix","result":[]}}`,
		"missing label": vector(mustTime("2026-02-05T10:00:00Z"), series{labels: map[string]string{"version": "1"}, value: "1770280000"}),
		"not a number":  `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"kid":"1"},"value":[1,"x"]}]}}`,
	} {
		f.setAnswer(func(string, time.Time) (int, string) { return ok(body) })
		planned, diags := h.mustPlan(s)
		if got := statuses(planned); got != "v1:previous v2:active" {
			t.Errorf("%s: planned %s", name, got)
		}
		expectWarning(t, diags, "revocation_gate evidence unusable")
	}

	// Without prometheus_url: it waits and says so.
	h2 := newProtoHarness(t)
	rotateToPrevious(h2, secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{"revocation_gate": s.attrs["revocation_gate"]}})
	planned, diags = h2.at("2026-02-05T10:00:00Z").mustPlan(secretSpec{typ: "hmac", attrs: s.attrs})
	expect(t, planned, "revoke v1: no evidence of use (prometheus_url is not set)", "next_transition")
	expectWarning(t, diags, "prometheus_url is not set; set it in the provider block")
}

// TestGatePlanTimeReplan: with plan_time, the re-plan Terraform makes
// while applying a saved plan queries Prometheus at the plan's instant, so
// it agrees with the saved plan even when the answer at the apply time
// differs.
func TestGatePlanTimeReplan(t *testing.T) {
	f := newFakeProm(t, func(_ string, at time.Time) (int, string) {
		last := mustTime("2026-02-05T09:00:00Z")
		if at.After(mustTime("2026-02-05T12:00:00Z")) {
			last = at // seen again later
		}
		return ok(vector(at, used("1", last), used("2", at)))
	})
	h := newProtoHarness(t).withProm(f.srv.URL)
	s := secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{
		"revocation_gate": h.gate("revocation_gate", map[string]tftypes.Value{
			"quiet_period": tfStr("1h"), "max_wait": tfStr("7d"), "prometheus": h.prom("revocation_gate", "q", "kid"),
		}),
	}}
	rotateToPrevious(h, s)
	h.usePlanTime = true
	saved, _ := h.at("2026-02-05T11:00:00Z").mustPlan(s)
	if got := statuses(saved); got != "v1:revoked v2:active" {
		t.Fatalf("planned %s", got)
	}
	st := h.at("2026-02-05T13:00:00Z").apply(s, saved) // fails on an inconsistent re-plan
	if got := statuses(st); got != "v1:revoked v2:active" || !f.last().at.Equal(mustTime("2026-02-05T11:00:00Z")) {
		t.Fatalf("applied %s, last query at %s", got, f.last().at)
	}
	expect(t, st, "2026-02-05T13:00:00Z", "versions", 0, "revoked_at")
}

// TestGateStaticRevocation: the static last_used form, by kid and version
// number; unknown keys warn; a change of the evidence is a plan input; use
// after the revocation shows in used_after_revocation.
func TestGateStaticRevocation(t *testing.T) {
	h := newProtoHarness(t)
	gate := func(observed string, kv ...string) lifecycleSpec {
		return secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{"revocation_gate": h.gate("revocation_gate", map[string]tftypes.Value{
			"quiet_period": tfStr("2h"), "max_wait": tfStr("1h"), "require_successor_use": tftypes.NewValue(tftypes.Bool, false),
			"last_used": strMap(kv...), "observed_at": tfStr(observed),
		})}}
	}
	s := gate("2026-01-05T09:00:00Z")
	rotateToPrevious(h, s)
	kid1 := get(h.state, "versions", 0, "kid").(string)

	// Evidence collected before v1 stopped being active + quiet: stale.
	s = gate("2026-02-04T11:00:00Z", kid1, "2026-02-04T10:59:00Z", "7", "2026-02-04T10:00:00Z")
	planned, diags := h.at("2026-02-05T10:00:00Z").mustPlan(s)
	expect(t, planned, "revoke v1: evidence from 2026-02-04T11:00Z, needs evidence from 2026-02-04T12:00Z on (superseded 2026-02-04T10:00Z + quiet 2h); last used 2026-02-04T10:59Z, quiet until 2026-02-04T12:59Z", "next_transition")
	expectWarning(t, diags, "evidence keys ignored", `"7"`)
	h.apply(s, planned)

	// Past max_wait (overlap end + 1h) it keeps waiting and escalates.
	s = gate("2026-02-05T11:00:00Z", kid1, "2026-02-05T10:30:00Z")
	planned, diags = h.at("2026-02-05T11:00:00Z").mustPlan(s)
	expect(t, planned, "revoke v1: last used 10:30, quiet until 12:30", "next_transition")
	expectWarning(t, diags, "It has waited past max_wait 1h", "policy ROT033")
	h.apply(s, planned)
	h.quiet(s)

	// New evidence: quiet since 10:30.
	s = gate("2026-02-05T12:30:00Z", kid1, "2026-02-05T10:30:00Z")
	planned, _ = h.at("2026-02-05T12:30:00Z").mustPlan(s)
	expect(t, planned, "revoked", "versions", 0, "status")
	expect(t, planned, "last_used observed 2026-02-05T12:30:00Z: v1 last used 2026-02-05T10:30:00Z, quiet 2h since", "versions", 0, "revocation_evidence")
	expect(t, planned, nil, "used_after_revocation")
	h.apply(s, planned)

	// v1 used after its revocation: a consumer is failing.
	s = gate("2026-02-05T14:00:00Z", "1", "2026-02-05T13:00:00Z")
	planned, diags = h.at("2026-02-05T14:00:00Z").mustPlan(s)
	expectWarning(t, diags, "v1 was used at 2026-02-05T13:00:00Z, after its revocation at 2026-02-05T12:30:00Z", "ROT036")
	expect(t, planned, int64(1), "used_after_revocation", 0, "version")
	expect(t, planned, "2026-02-05T13:00:00Z", "used_after_revocation", 0, "last_used")
	expect(t, planned, "2026-02-05T12:30:00Z", "used_after_revocation", 0, "revoked_at")
	h.apply(s, planned)
	h.quiet(s)
}

// TestGateEmergency: revoke_versions ignores the gate; the evidence, fetched
// for the record, says the version was still in use.
func TestGateEmergency(t *testing.T) {
	f := newFakeProm(t, func(_ string, at time.Time) (int, string) {
		return ok(vector(at, used("1", at.Add(-5*time.Minute)), used("2", at)))
	})
	h := newProtoHarness(t).withProm(f.srv.URL)
	gate := h.gate("revocation_gate", map[string]tftypes.Value{
		"quiet_period": tfStr("2h"), "max_wait": tfStr("7d"), "prometheus": h.prom("revocation_gate", "q", "kid"),
	})
	s := secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{"revocation_gate": gate}}
	rotateToPrevious(h, s)
	s.revoke, s.reason = []int64{1}, "INC-11: key leaked"
	planned, _ := h.at("2026-02-04T12:00:00Z").mustPlan(s)
	expect(t, planned, "revoked", "versions", 0, "status")
	expect(t, planned, "prometheus observed 2026-02-04T12:00:00Z: v1 still in use, last used 2026-02-04T11:55:00Z (within quiet_period 2h)", "versions", 0, "revocation_evidence")
	h.apply(s, planned)

	// Prometheus down: the emergency goes ahead all the same.
	h2 := newProtoHarness(t).withProm(newFakeProm(t, func(string, time.Time) (int, string) { return 502, "bad gateway" }).srv.URL)
	s.revoke, s.reason = nil, ""
	rotateToPrevious(h2, s)
	s.revoke, s.reason = []int64{1}, "INC-12"
	planned, diags := h2.at("2026-02-04T12:00:00Z").mustPlan(s)
	expect(t, planned, "revoked", "versions", 0, "status")
	expect(t, planned, nil, "versions", 0, "revocation_evidence")
	expectWarning(t, diags, "the emergency revocation goes ahead (it ignores the gate) without the evidence on record", "answered HTTP 502")
}

// TestGateEmission: the pending version becomes active only once every
// source reports it, in evidence collected after it was issued (static
// and Prometheus forms); a pin ignores the gate.
func TestGateEmission(t *testing.T) {
	t.Run("static", func(t *testing.T) {
		h := newProtoHarness(t)
		spec := func(observed string, accepted map[string][]string) lifecycleSpec {
			m := map[string]tftypes.Value{}
			for src, keys := range accepted {
				var vs []tftypes.Value
				for _, k := range keys {
					vs = append(vs, tfStr(k))
				}
				m[src] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, vs)
			}
			return secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{"emission_gate": h.gate("emission_gate", map[string]tftypes.Value{
				"sources":     tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{tfStr("api"), tfStr("worker")}),
				"accepted":    tftypes.NewValue(tftypes.Map{ElementType: tftypes.List{ElementType: tftypes.String}}, m),
				"observed_at": tfStr(observed),
			})}}
		}
		s := spec("2026-01-05T09:00:00Z", map[string][]string{"api": {"1"}, "worker": {"1"}})
		h.at("2026-01-05T09:00:00Z").apply(s, must(h.mustPlan(s))) // v1 is active at once: nothing to gate
		h.at("2026-02-04T09:00:00Z").apply(s, must(h.mustPlan(s)))
		planned, diags := h.at("2026-02-04T10:00:00Z").mustPlan(s)
		expect(t, planned, "activate v2: evidence from 2026-01-05T09:00Z, not after v2 was issued 09:00", "next_transition")
		expectWarning(t, diags, "activation of v2 waits for evidence", "every source (api, worker)")
		h.apply(s, planned)
		s = spec("2026-02-04T10:00:00Z", map[string][]string{"api": {"1", "2"}, "worker": {"1"}})
		planned, _ = h.mustPlan(s)
		expect(t, planned, "activate v2: waiting for worker to report v2", "next_transition")
		h.apply(s, planned)
		s = spec("2026-02-04T10:30:00Z", map[string][]string{"api": {"1", "2"}, "worker": {get(h.state, "versions", 1, "kid").(string)}})
		planned, _ = h.at("2026-02-04T10:30:00Z").mustPlan(s)
		if got := statuses(planned); got != "v1:previous v2:active" {
			t.Fatalf("planned %s", got)
		}
		expect(t, planned, "accepted observed 2026-02-04T10:30:00Z: api, worker report v2", "versions", 1, "activation_evidence")
		h.apply(s, planned)
	})
	t.Run("prometheus", func(t *testing.T) {
		var kid2 string
		f := newFakeProm(t, func(_ string, at time.Time) (int, string) {
			ss := []series{{labels: map[string]string{"source": "api", "kid": kid2}, value: "1"}, {labels: map[string]string{"source": "worker", "kid": "2"}, value: "0"}}
			if at.After(mustTime("2026-02-04T11:00:00Z")) {
				ss[1].value = "1"
			}
			return ok(vector(at, ss...))
		})
		h := newProtoHarness(t).withProm(f.srv.URL)
		s := secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{"emission_gate": h.gate("emission_gate", map[string]tftypes.Value{
			"prometheus": h.prom("emission_gate", "max by (source, kid) (jwt_keys_loaded)", "kid"),
		})}}
		h.at("2026-01-05T09:00:00Z").apply(s, must(h.mustPlan(s)))
		h.at("2026-02-04T09:00:00Z").apply(s, must(h.mustPlan(s)))
		kid2 = get(h.state, "versions", 1, "kid").(string)
		if f.count() != 0 {
			t.Fatalf("queried before the activation was due")
		}
		planned, _ := h.at("2026-02-04T10:00:00Z").mustPlan(s)
		expect(t, planned, "activate v2: waiting for worker to report v2", "next_transition")
		h.apply(s, planned)
		// A pin ignores the gate: promoted at once.
		pinned := s
		pinned.pin = 2
		planned, _ = h.mustPlan(pinned)
		expect(t, planned, "active", "versions", 1, "status")
		// Without the pin, the gate lets it through once worker reports it.
		planned, _ = h.at("2026-02-04T11:01:00Z").mustPlan(s)
		expect(t, planned, "active", "versions", 1, "status")
		expect(t, planned, "prometheus observed 2026-02-04T11:01:00Z: api, worker report v2", "versions", 1, "activation_evidence")
	})
}

// TestGateSchedule: rotation_schedule has the same gates, keyed by version
// number.
func TestGateSchedule(t *testing.T) {
	h := newProtoHarnessFor(t, "rotation_schedule")
	spec := func(observed string, kv ...string) lifecycleSpec {
		return lifecycleSpec{schedule: map[string]string{"period": "30d", "overlap": "1d", "ttl": "90d"}, attrs: map[string]tftypes.Value{
			"revocation_gate": h.gate("revocation_gate", map[string]tftypes.Value{
				"quiet_period": tfStr("2h"), "max_wait": tfStr("7d"), "last_used": strMap(kv...), "observed_at": tfStr(observed),
			})}}
	}
	s := spec("2026-01-05T09:00:00Z")
	for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
		h.at(at).apply(s, must(h.mustPlan(s)))
	}
	s = spec("2026-02-05T10:00:00Z", "1", "2026-02-05T09:00:00Z", "2", "2026-02-05T10:00:00Z")
	planned, _ := h.at("2026-02-05T10:00:00Z").mustPlan(s)
	expect(t, planned, "previous", "slots", "a", "status")
	expect(t, planned, true, "slots", "a", "enabled")
	expect(t, planned, "revoke v1: last used 09:00, quiet until 11:00", "next_transition")
	h.apply(s, planned)
	s = spec("2026-02-05T11:00:00Z", "1", "2026-02-05T09:00:00Z", "2", "2026-02-05T10:00:00Z")
	planned, _ = h.at("2026-02-05T11:00:00Z").mustPlan(s)
	expect(t, planned, "revoked", "slots", "a", "status")
	expect(t, planned, false, "slots", "a", "enabled")
	expect(t, planned, "last_used observed 2026-02-05T11:00:00Z: v1 last used 2026-02-05T09:00:00Z, quiet 2h since; successor v2 last used 2026-02-05T10:00:00Z", "slots", "a", "revocation_evidence")
}

// TestGateValidation: each gate needs exactly one evidence form, and its
// required attributes.
func TestGateValidation(t *testing.T) {
	h := newProtoHarness(t)
	cases := map[string]struct {
		gate, want string
		vals       map[string]tftypes.Value
	}{
		"no evidence":        {"revocation_gate", "revocation_gate needs evidence: a prometheus { query, label } block, or last_used with observed_at", map[string]tftypes.Value{"quiet_period": tfStr("2h"), "max_wait": tfStr("1d")}},
		"both forms":         {"revocation_gate", "has both a prometheus block and last_used", map[string]tftypes.Value{"quiet_period": tfStr("2h"), "max_wait": tfStr("1d"), "last_used": strMap(), "observed_at": tfStr("2026-01-01T00:00:00Z"), "prometheus": h.prom("revocation_gate", "q", "kid")}},
		"no observed_at":     {"revocation_gate", "last_used needs observed_at", map[string]tftypes.Value{"quiet_period": tfStr("2h"), "max_wait": tfStr("1d"), "last_used": strMap("1", "2026-01-01T00:00:00Z")}},
		"no quiet_period":    {"revocation_gate", "revocation_gate needs quiet_period", map[string]tftypes.Value{"max_wait": tfStr("1d"), "prometheus": h.prom("revocation_gate", "q", "kid")}},
		"bad last_used":      {"revocation_gate", "is not an RFC 3339 timestamp", map[string]tftypes.Value{"quiet_period": tfStr("2h"), "max_wait": tfStr("1d"), "last_used": strMap("1", "yesterday"), "observed_at": tfStr("2026-01-01T00:00:00Z")}},
		"emission: none":     {"emission_gate", "emission_gate needs evidence: a prometheus { query, label } block, or accepted with observed_at", nil},
		"prometheus, no obs": {"emission_gate", "Prometheus evidence is observed at the plan's instant. Remove observed_at", map[string]tftypes.Value{"observed_at": tfStr("2026-01-01T00:00:00Z"), "prometheus": h.prom("emission_gate", "q", "kid")}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, diags := h.at("2026-01-05T09:00:00Z").plan(secretSpec{typ: "hmac", attrs: map[string]tftypes.Value{c.gate: h.gate(c.gate, c.vals)}})
			if !hasErrors(diags) || !strings.Contains(diagText(diags), c.want) {
				t.Errorf("diagnostics %s, want an error containing %q", diagText(diags), c.want)
			}
		})
	}
}

// TestProviderConfigure_prometheus: prometheus_url must be an http(s) URL.
func TestProviderConfigure_prometheus(t *testing.T) {
	data, diags := configureWith(t, map[string]string{"prometheus_url": "http://127.0.0.1:9090", "prometheus_bearer_token": "t"})
	if diags.HasError() || data.Prometheus == nil || data.Prometheus.endpoint != "http://127.0.0.1:9090/api/v1/query" || data.Prometheus.token != "t" {
		t.Fatalf("configure: %v %+v", diags, data)
	}
	_, diags = configureWith(t, map[string]string{"prometheus_url": "127.0.0.1:9090"})
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "is not an http or https URL") {
		t.Fatalf("bad URL accepted: %v", diags)
	}
	data, diags = configureWith(t, nil)
	if diags.HasError() || data.Prometheus != nil {
		t.Fatalf("no URL: %v %+v", diags, data)
	}
}

// TestGateAttributesUpgrade: a state written before the gates existed (no
// revocation_gate, emission_gate, used_after_revocation, and no evidence
// attributes on its versions or slots) reads with them null, and the first
// plan after the upgrade is empty.
func TestGateAttributesUpgrade(t *testing.T) {
	for _, typeName := range []string{"rotation_secret", "rotation_schedule"} {
		t.Run(typeName, func(t *testing.T) {
			h := newProtoHarnessFor(t, typeName)
			s := lifecycleSpec{}
			if typeName == "rotation_secret" {
				s.typ = "hmac"
			}
			for _, at := range []string{"2026-01-05T09:00:00Z", "2026-02-04T09:00:00Z", "2026-02-04T10:00:00Z"} {
				h.at(at).apply(s, must(h.mustPlan(s)))
			}
			cur := dynamic(t, h.typ, h.state)
			raw, err := json.Marshal(mustJSONValue(t, cur, h.typ))
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"revocation_gate", "emission_gate", "used_after_revocation"} {
				delete(doc, k)
			}
			stripped := 0
			var strip func(v any)
			strip = func(v any) {
				switch x := v.(type) {
				case map[string]any:
					for _, k := range []string{"activation_evidence", "revocation_evidence"} {
						if _, ok := x[k]; ok {
							delete(x, k)
							stripped++
						}
					}
					for _, y := range x {
						strip(y)
					}
				case []any:
					for _, y := range x {
						strip(y)
					}
				}
			}
			strip(doc)
			if stripped == 0 {
				t.Fatal("no evidence attribute found to strip")
			}
			old, _ := json.Marshal(doc)
			version := int64(0)
			if typeName == "rotation_secret" {
				version = secretSchemaVersion
			}
			resp, err := h.srv.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
				TypeName: typeName, Version: version, RawState: &tfprotov6.RawState{JSON: old},
			})
			if err != nil || hasErrors(resp.Diagnostics) {
				t.Fatalf("UpgradeResourceState: %v %s", err, diagText(resp.Diagnostics))
			}
			up, err := resp.UpgradedState.Unmarshal(h.typ)
			if err != nil {
				t.Fatal(err)
			}
			if !up.Equal(h.state) {
				t.Fatalf("upgraded state differs:\n%v\n%v", up, h.state)
			}
			h.state = up
			h.at("2026-02-04T12:00:00Z").quiet(s)
		})
	}
}

// mustJSONValue renders a dynamic value as the JSON Terraform stores in
// state.
func mustJSONValue(t *testing.T, dv tfprotov6.DynamicValue, typ tftypes.Type) any {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return tfValueJSON(v)
}

func tfValueJSON(v tftypes.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case v.Type().Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		n, _ := f.Int64()
		return n
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err == nil {
		out := map[string]any{}
		for k, x := range m {
			out[k] = tfValueJSON(x)
		}
		return out
	}
	var l []tftypes.Value
	if err := v.As(&l); err == nil {
		out := []any{}
		for _, x := range l {
			out = append(out, tfValueJSON(x))
		}
		return out
	}
	return nil
}
