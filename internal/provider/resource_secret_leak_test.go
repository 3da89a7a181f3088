package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// materialPaths are the attributes of rotation_secret that hold secret
// material; versions.secret is inside the versions list.
var materialPaths = []string{"versions.secret", "active_secret", "accepted_secrets"}

// otherSensitivePaths are the attributes of rotation_secret that are
// Sensitive without holding material: versions.revoke_reason copies
// revoke_reason, which a configuration may mark sensitive (a mark never
// reaches the provider).
var otherSensitivePaths = []string{"versions.revoke_reason"}

// TestSecretSchema_materialIsSensitive: every attribute that holds material
// is Sensitive, and no other attribute is but those listed in
// otherSensitivePaths: a new sensitive attribute must be added here
// deliberately.
func TestSecretSchema_materialIsSensitive(t *testing.T) {
	var resp fwresource.SchemaResponse
	NewSecretResource().Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	var sensitive, all []string
	var walk func(prefix string, attrs map[string]schema.Attribute)
	walk = func(prefix string, attrs map[string]schema.Attribute) {
		for name, a := range attrs {
			p := prefix + name
			all = append(all, p)
			if a.IsSensitive() {
				sensitive = append(sensitive, p)
			}
			if n, ok := a.(schema.ListNestedAttribute); ok {
				walk(p+".", n.NestedObject.Attributes)
			}
		}
	}
	walk("", resp.Schema.Attributes)
	for name, b := range resp.Schema.Blocks {
		if sb, ok := b.(schema.SingleNestedBlock); ok {
			walk(name+".", sb.Attributes)
		}
	}
	sort.Strings(sensitive)
	want := append(append([]string(nil), materialPaths...), otherSensitivePaths...)
	sort.Strings(want)
	if strings.Join(sensitive, ",") != strings.Join(want, ",") {
		t.Fatalf("sensitive attributes = %v, want exactly %v", sensitive, want)
	}
	if len(all) < 30 {
		t.Fatalf("walked only %d attributes: %v", len(all), all)
	}
}

// secretRecorder is a state check that records every secret value of the
// given resources in state (versions[*].secret, active_secret,
// accepted_secrets) and fails if a non-sensitive attribute contains one of
// them.
type secretRecorder struct {
	addrs []string
	mu    sync.Mutex
	seen  map[string]bool
}

func (r *secretRecorder) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []string
	var other []string // every non-material string value
	for _, addr := range r.addrs {
		attrs, err := resourceValues(req.State, addr)
		if err != nil {
			resp.Error = err
			return
		}
		add := func(v any) {
			if s, ok := v.(string); ok && s != "" {
				found = append(found, s)
			}
		}
		add(attrs["active_secret"])
		if m, ok := attrs["accepted_secrets"].(map[string]any); ok {
			for _, v := range m {
				add(v)
			}
		}
		versions, _ := attrs["versions"].([]any)
		for _, v := range versions {
			vm, _ := v.(map[string]any)
			add(vm["secret"])
			for k, x := range vm {
				if k != "secret" {
					other = append(other, fmt.Sprint(x))
				}
			}
		}
		for k, x := range attrs {
			if k != "active_secret" && k != "accepted_secrets" && k != "versions" {
				other = append(other, fmt.Sprint(x))
			}
		}
	}
	if len(found) == 0 {
		resp.Error = fmt.Errorf("no secret material found in state")
		return
	}
	for _, s := range found {
		r.seen[s] = true
		for _, o := range other {
			if strings.Contains(o, s) || (strings.Contains(s, "PRIVATE KEY") && strings.Contains(o, "PRIVATE KEY")) {
				resp.Error = fmt.Errorf("a non-sensitive attribute holds secret material: %.40q...", o)
				return
			}
		}
	}
}

// needles returns the strings no log may contain: each secret, and for PEM
// private keys each base64 line of the body (a partial leak).
func (r *secretRecorder) needles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for s := range r.seen {
		out = append(out, s)
		if strings.HasPrefix(s, "-----BEGIN") {
			for _, line := range strings.Split(s, "\n") {
				if len(line) >= 24 && !strings.HasPrefix(line, "-----") {
					out = append(out, line)
				}
			}
		}
	}
	return out
}

// TestAccSecret_noLeaks applies a secret of every type through issue,
// activation and revocation with Terraform, the framework and the provider
// all logging at TRACE into one file, then checks that the log holds none
// of the material that was ever in state, and no "PRIVATE KEY" at all.
func TestAccSecret_noLeaks(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "trace.log")
	// TF_ACC_LOG_PATH: the Terraform CLI (TF_ACC_LOG level) and the
	// in-process provider (terraform-plugin-log's test sink, TRACE when
	// this is set) both append to this file.
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG_PROVIDER", "TRACE")
	t.Setenv("TF_LOG_SDK", "TRACE")
	t.Setenv("TF_LOG_SDK_FRAMEWORK", "TRACE")
	t.Setenv("TF_LOG_SDK_PROTO", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", "")
	t.Setenv("TF_LOG_CORE", "")
	// Raw protocol dumps would hold every value by design: keep them off.
	t.Setenv("TF_LOG_SDK_PROTO_DATA_DIR", "")

	types := []struct{ name, typ, extra string }{
		{"password", "password", ""},
		{"hmac", "hmac", ""},
		{"ed", "ed25519", ""},
		{"p256", "ecdsa-p256", ""},
		{"p384", "ecdsa-p384", ""},
		{"rsa", "rsa", "rsa_bits = 2048"},
	}
	var addrs []string
	for _, ty := range types {
		addrs = append(addrs, "rotation_secret."+ty.name)
	}
	rec := &secretRecorder{addrs: addrs, seen: map[string]bool{}}
	cfg := func(now string) string {
		s := providerBlock(now) + familyHCL
		for _, ty := range types {
			s += fmt.Sprintf(`
resource "rotation_secret" %q {
  family = rotation_secret_family.f.id
  name   = %q
  type   = %q
  %s
  schedule {
    period      = "30d"
    propagation = "1h"
    overlap     = "1d"
    ttl         = "90d"
  }
}
`, ty.name, ty.name, ty.typ, ty.extra)
		}
		return s
	}
	statuses := func(st ...string) []statecheck.StateCheck {
		checks := []statecheck.StateCheck{rec}
		for _, a := range addrs {
			for i, s := range st {
				checks = append(checks, statecheck.ExpectKnownValue(a, vpath(i, "status"), knownvalue.StringExact(s)))
			}
		}
		return checks
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg("2026-01-05T09:00:00Z"), ConfigStateChecks: statuses("active")},
			{Config: cfg("2026-02-04T09:00:00Z"), ConfigStateChecks: statuses("active", "pending")},
			{Config: cfg("2026-02-04T10:00:00Z"), ConfigStateChecks: statuses("previous", "active")},
			{Config: cfg("2026-02-05T10:00:00Z"), ConfigStateChecks: statuses("revoked", "active")},
		},
	})
	if t.Failed() {
		return
	}

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	log := string(raw)
	// The log must really hold all three sources, or the test proves
	// nothing: Terraform core, the framework, and the provider's own
	// tflog calls.
	for _, marker := range []string{
		"[TRACE]", // Terraform CLI
		"Calling provider defined Resource ModifyPlan", // terraform-plugin-framework
		"rotation transition",                          // the provider (tflog.Info in decide)
		"rotation issued key material",                 // the provider (tflog.Info in apply)
	} {
		if !strings.Contains(log, marker) {
			t.Errorf("the trace log (%d bytes) has no %q: logging was not captured", len(raw), marker)
		}
	}
	needles := rec.needles()
	if len(needles) < 2*len(types) {
		t.Fatalf("recorded only %d secret values", len(needles))
	}
	// where names the log entry around offset i without echoing material.
	where := func(i int) string {
		start := strings.LastIndex(log[:i], "\n20") + 1
		end := start + strings.IndexByte(log[start:], '\n')
		if end < start {
			end = len(log)
		}
		line := log[start:min(end, start+160)]
		for _, n := range needles {
			line = strings.ReplaceAll(line, n, "<redacted>")
		}
		return fmt.Sprintf("offset %d, in the entry %q", i, line)
	}
	if i := strings.Index(log, "PRIVATE KEY"); i >= 0 {
		t.Errorf("the trace log contains \"PRIVATE KEY\": %s", where(i))
	}
	for k, n := range needles {
		if i := strings.Index(log, n); i >= 0 {
			t.Errorf("the trace log contains secret value #%d (%d chars): %s", k, len(n), where(i))
		}
	}
	t.Logf("trace log: %d bytes, %d secret values checked", len(raw), len(needles))
}
