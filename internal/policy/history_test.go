package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// revokedVersion is one revoked version (or slot) object found in a
// document, with where it was found.
type revokedVersion struct {
	where string
	obj   map[string]any
}

// TestStatusBeforeRevocationAgrees checks the policies' inference of what a
// revoked version was before its revocation
// (data.rotation.lib.terraform.status_before_revocation, used by ROT030)
// against the authority, lifecycle.Version.StatusBeforeRevocation, for every
// revoked version and slot of every rotation_secret and rotation_schedule in
// the fixtures (real `terraform show -json` plans and states: planned,
// prior and current values), and for hand-written versions that cover the
// cases the fixtures lack.
func TestStatusBeforeRevocationAgrees(t *testing.T) {
	files, err := filepath.Glob("../../policies/testdata/fixtures/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var all []revokedVersion
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		all = append(all, revokedVersions(filepath.Base(filepath.Dir(file)), doc)...)
	}
	if len(all) == 0 {
		t.Fatal("the fixtures hold no revoked version; the comparison would be empty")
	}
	fromFixtures := len(all)
	for name, v := range handWritten {
		all = append(all, revokedVersion{where: "hand-written: " + name, obj: v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].where < all[j].where })

	objs := make([]any, len(all))
	for i, r := range all {
		objs[i] = r.obj
	}
	got, ok := evalBundle(t, newEngine(t, Options{}),
		"out := {sprintf(\"%d\", [i]): s | some i, v in input; s := data.rotation.lib.terraform.status_before_revocation(v)}", objs)
	if !ok {
		t.Fatal("the query is undefined")
	}
	fromRego, _ := got.(map[string]any)
	seen := map[lifecycle.Status]int{}
	for i, r := range all {
		want := versionOf(r.obj).StatusBeforeRevocation()
		seen[want]++
		g, ok := fromRego[fmt.Sprint(i)]
		if !ok {
			t.Errorf("%s: status_before_revocation is undefined, lifecycle says %s", r.where, want)
			continue
		}
		if g != string(want) {
			t.Errorf("%s: status_before_revocation says %v, lifecycle.Version.StatusBeforeRevocation says %s", r.where, g, want)
		}
	}
	t.Logf("%d revoked versions compared (%d from fixtures); before revocation: %v", len(all), fromFixtures, seen)
}

// handWritten are revoked versions the fixtures lack (the provider does not
// write some of them, a hand-written input may).
var handWritten = map[string]map[string]any{
	"revoked while previous": {"version": 1, "status": "revoked", "issued_at": day1, "activated_at": day1, "superseded_at": day2, "revoked_at": day3},
	"revoked while active":   {"version": 1, "status": "revoked", "issued_at": day1, "activated_at": day2, "superseded_at": nil, "revoked_at": day3},
	"revoked while pending":  {"version": 1, "status": "revoked", "issued_at": day1, "activated_at": nil, "superseded_at": nil, "revoked_at": day3},
	"no timestamps":          {"version": 1, "status": "revoked"},
	"timestamps unknown":     {"version": 1, "status": "revoked", "activated_at": nil, "superseded_at": nil, "revoked_at": nil},
	"not RFC 3339":           {"version": 1, "status": "revoked", "activated_at": "2026-01-02", "superseded_at": "yesterday"},
	"offset time":            {"version": 1, "status": "revoked", "activated_at": "2026-01-02T01:00:00+01:00"},
}

const day1, day2, day3 = "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"

// revokedVersions finds, in a plan or state document, every revoked version
// of a rotation_secret (values.versions) and every revoked slot of a
// rotation_schedule (values.slots), in the values of resources
// (planned_values, prior_state, values) and the before and after values of
// resource_changes.
func revokedVersions(fixture string, doc any) []revokedVersion {
	var out []revokedVersion
	var visit func(x any)
	visit = func(x any) {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				visit(e)
			}
		case map[string]any:
			if typ, _ := x["type"].(string); typ == "rotation_secret" || typ == "rotation_schedule" {
				address, _ := x["address"].(string)
				values := map[string]any{"values": x["values"]}
				if c, ok := x["change"].(map[string]any); ok {
					values = map[string]any{"before": c["before"], "after": c["after"]}
				}
				for which, v := range values {
					vals, _ := v.(map[string]any)
					for key, obj := range versionObjects(typ, vals) {
						if obj["status"] == "revoked" {
							out = append(out, revokedVersion{where: fmt.Sprintf("%s: %s %s %s", fixture, address, which, key), obj: obj})
						}
					}
				}
			}
			for _, e := range x {
				visit(e)
			}
		}
	}
	visit(doc)
	return out
}

// versionObjects returns the version objects of a secret's or schedule's
// values, keyed by where they are (versions[0], slots.a).
func versionObjects(typ string, values map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	if typ == "rotation_secret" {
		list, _ := values["versions"].([]any)
		for i, v := range list {
			if m, ok := v.(map[string]any); ok {
				out[fmt.Sprintf("versions[%d]", i)] = m
			}
		}
		return out
	}
	slots, _ := values["slots"].(map[string]any)
	for k, v := range slots {
		if m, ok := v.(map[string]any); ok {
			out["slots."+k] = m
		}
	}
	return out
}

// versionOf reads a version object as the lifecycle engine's Version: a
// timestamp that is absent, null or not RFC 3339 is the zero time (the
// event has not happened).
func versionOf(m map[string]any) lifecycle.Version {
	ts := func(k string) time.Time {
		s, _ := m[k].(string)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}
		}
		return t
	}
	status, _ := m["status"].(string)
	return lifecycle.Version{
		Status:       lifecycle.Status(status),
		IssuedAt:     ts("issued_at"),
		ActivatedAt:  ts("activated_at"),
		SupersededAt: ts("superseded_at"),
		RevokedAt:    ts("revoked_at"),
	}
}
