package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The Prometheus evidence source of the revocation and emission gates
// (docs/design.md, Evidence gates): one instant query of the Prometheus
// HTTP API (POST /api/v1/query, form-encoded query and time) at the
// engine's evaluation instant, with plain net/http. Every answer that is
// not a well-formed instant vector is an error that says what was wrong;
// the adapter then decides no gated step.

// promTimeout bounds one query, connection included. Plans wait for it, so
// it is generous, not infinite.
const promTimeout = 30 * time.Second

// maxPromBody bounds the answer read from Prometheus (a gate's query
// returns a handful of series).
const maxPromBody = 16 << 20

// promClient queries one Prometheus server.
type promClient struct {
	// endpoint is prometheus_url + /api/v1/query.
	endpoint string
	// token is prometheus_bearer_token, "" for none.
	token string
	http  *http.Client
}

// newPromClient checks prometheus_url (an absolute http or https URL,
// possibly with a path prefix such as https://example.com/prometheus).
func newPromClient(raw, token string) (*promClient, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https URL; write it as the address Prometheus serves its HTTP API under, "+
			"e.g. \"http://prometheus.monitoring:9090\" or \"https://example.com/prometheus\"", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q has a query or fragment; give the base address only, e.g. \"%s://%s%s\"", raw, u.Scheme, u.Host, u.Path)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/query"
	return &promClient{endpoint: u.String(), token: token, http: &http.Client{Timeout: promTimeout}}, nil
}

// promSample is one series of an instant vector: its labels and value.
type promSample struct {
	Labels map[string]string
	Value  float64
}

// promResponse is the body of the Prometheus HTTP API.
type promResponse struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

type promData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type promVectorSample struct {
	Metric map[string]string `json:"metric"`
	Value  []json.RawMessage `json:"value"`
}

// query runs an instant query evaluated at at and returns its vector.
func (c *promClient) query(ctx context.Context, query string, at time.Time) ([]promSample, error) {
	form := url.Values{}
	form.Set("query", query)
	form.Set("time", strconv.FormatFloat(float64(at.UnixNano())/1e9, 'f', 3, 64))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("cannot build the request to %s: %w", c.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return nil, fmt.Errorf("the Prometheus server at %s did not answer within %s", c.endpoint, promTimeout)
		}
		return nil, fmt.Errorf("the Prometheus server at %s is unreachable: %v", c.endpoint, unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPromBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of Prometheus at %s: %v", c.endpoint, err)
	}
	if len(body) > maxPromBody {
		return nil, fmt.Errorf("the answer of Prometheus at %s is larger than %d MiB; make the query return one series per version", c.endpoint, maxPromBody>>20)
	}
	var pr promResponse
	jsonErr := json.Unmarshal(body, &pr)
	if resp.StatusCode/100 != 2 {
		detail := strings.TrimSpace(snippet(body))
		if jsonErr == nil && pr.Error != "" {
			detail = pr.ErrorType + ": " + pr.Error
		}
		hint := ""
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			hint = " (check prometheus_bearer_token)"
		case http.StatusNotFound:
			hint = " (check prometheus_url: it is the address the HTTP API is served under, without /api/v1)"
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			hint = " (check the query)"
		}
		return nil, fmt.Errorf("the Prometheus server at %s answered HTTP %d%s: %s", c.endpoint, resp.StatusCode, hint, detail)
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("the Prometheus server at %s answered a malformed body (%v): %s", c.endpoint, jsonErr, snippet(body))
	}
	if pr.Status != "success" {
		return nil, fmt.Errorf("the Prometheus server at %s answered status %q: %s %s", c.endpoint, pr.Status, pr.ErrorType, pr.Error)
	}
	var data promData
	if err := json.Unmarshal(pr.Data, &data); err != nil {
		return nil, fmt.Errorf("the Prometheus server at %s answered a malformed body: data: %v", c.endpoint, err)
	}
	switch data.ResultType {
	case "vector":
	case "matrix":
		return nil, fmt.Errorf("the query returned a matrix (a range vector such as metric[5m]) where an instant vector is expected; " +
			"wrap it in a function that returns one value per series, such as max_over_time(...) or last_over_time(...)")
	case "":
		return nil, fmt.Errorf("the Prometheus server at %s answered a malformed body: data.resultType is missing", c.endpoint)
	default:
		return nil, fmt.Errorf("the query returned a %s where an instant vector is expected: it must return one series per version, each with its labels", data.ResultType)
	}
	var raw []promVectorSample
	if err := json.Unmarshal(data.Result, &raw); err != nil {
		return nil, fmt.Errorf("the Prometheus server at %s answered a malformed body: data.result: %v", c.endpoint, err)
	}
	out := make([]promSample, 0, len(raw))
	for _, s := range raw {
		if len(s.Value) != 2 {
			return nil, fmt.Errorf("the Prometheus server at %s answered a malformed body: series %s has value %s, not [time, \"value\"]", c.endpoint, labelText(s.Metric), rawList(s.Value))
		}
		var text string
		if err := json.Unmarshal(s.Value[1], &text); err != nil {
			return nil, fmt.Errorf("series %s has the value %s, which is not a number in a string", labelText(s.Metric), string(s.Value[1]))
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("series %s has the value %q, which is not a finite number", labelText(s.Metric), text)
		}
		out = append(out, promSample{Labels: s.Metric, Value: v})
	}
	return out, nil
}

// unwrapURLError drops the "Post URL:" prefix that net/http adds.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// snippet is the start of a body, for messages.
func snippet(body []byte) string {
	const n = 200
	s := strings.ToValidUTF8(string(body), "?")
	if len(s) > n {
		return strconv.Quote(s[:n]) + "..."
	}
	return strconv.Quote(s)
}

func rawList(v []json.RawMessage) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = string(x)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// labelText prints a label set as PromQL does: {kid="a", source="api"}.
func labelText(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, labels[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// lastUsedFromSamples reads a revocation gate's answer: every series names
// a version number or kid in label, and its value is the Unix time of the
// last observed use of it (rounded up to the second). Several series of one
// key keep the latest.
func lastUsedFromSamples(samples []promSample, label string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, s := range samples {
		key, ok := s.Labels[label]
		if !ok || key == "" {
			return nil, fmt.Errorf("series %s has no label %q: the query must keep it (e.g. max by (%s) (...)), or set prometheus.label to the label that names the kid or version", labelText(s.Labels), label, label)
		}
		if s.Value <= 0 || s.Value > float64(math.MaxInt64)/1e9 {
			return nil, fmt.Errorf("series %s has the value %v, which is not a Unix time in seconds: the query must return when each version was last used, e.g. timestamp(...)", labelText(s.Labels), s.Value)
		}
		// Whole seconds, rounded up: the safe side for a quiet period.
		t := time.Unix(int64(math.Ceil(s.Value)), 0).UTC()
		if t.After(out[key]) {
			out[key] = t
		}
	}
	return out, nil
}

// sourceLabel is the label that names the consumer in an emission gate's
// answer.
const sourceLabel = "source"

// acceptedFromSamples reads an emission gate's answer: every series names
// a source (label "source") and a version number or kid it has loaded (in
// label); a value of 0 means not loaded.
func acceptedFromSamples(samples []promSample, label string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, s := range samples {
		src, ok := s.Labels[sourceLabel]
		if !ok || src == "" {
			return nil, fmt.Errorf("series %s has no label %q: every series must name the consumer that loaded the version in the label %q", labelText(s.Labels), sourceLabel, sourceLabel)
		}
		key, ok := s.Labels[label]
		if !ok || key == "" {
			return nil, fmt.Errorf("series %s has no label %q: the query must keep it (e.g. max by (%s, %s) (...)), or set prometheus.label to the label that names the kid or version", labelText(s.Labels), label, sourceLabel, label)
		}
		if _, seen := out[src]; !seen {
			out[src] = nil
		}
		if s.Value != 0 {
			out[src] = append(out[src], key)
		}
	}
	return out, nil
}
