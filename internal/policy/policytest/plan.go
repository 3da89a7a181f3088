// Package policytest builds small `terraform show -json` documents by hand
// for the tests and benchmarks of internal/policy and internal/cli: the
// shape Terraform writes (format_version "1.2", planned_values,
// resource_changes, configuration with the family references), only the
// attributes the policies read.
package policytest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Consumer is a consumer block of a family.
type Consumer struct {
	Name, Role, CacheTTL string
}

// Family is a rotation_secret_family with one rotation_secret.
type Family struct {
	Name             string // resource name and family name suffix
	Classification   string // default "high"
	Owner, Backup    string // defaults team-a / team-b
	ArtifactLifetime string // default "0s"
	Consumers        []Consumer
	// The secret's schedule; defaults period 30d, overlap 2h,
	// propagation 1h, ttl 45d, with a change window.
	Period, Overlap, Propagation, TTL string
	NoChangeWindow                    bool
	// StateMaterial makes the secret keep its material in state
	// (material = "state", the provider's default, which ROT050 flags);
	// otherwise it is material = "derived" and its version has a salt and
	// no secret.
	StateMaterial bool
}

// Clean returns a family that passes every bundled rule: a validator with
// a 1h cache, overlap 2h, propagation 1h, period 30d, ttl 45d, derived
// material.
func Clean(name string) Family {
	return Family{Name: name, Consumers: []Consumer{{Name: "api", Role: "validator", CacheTTL: "1h"}, {Name: "signer", Role: "emitter", CacheTTL: "5m"}}}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Timestamp is the plan's timestamp.
var Timestamp = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Plan returns the plan JSON of the families (one family and one secret
// each, in the root module) as `terraform show -json` writes it.
func Plan(families ...Family) []byte {
	var pv, rcs, conf []any
	for _, f := range families {
		famAddr := "rotation_secret_family." + f.Name
		secAddr := "rotation_secret." + f.Name
		consumers := []any{}
		for _, c := range f.Consumers {
			consumers = append(consumers, map[string]any{"name": c.Name, "role": or(c.Role, "validator"), "cache_ttl": or(c.CacheTTL, "0s"), "reload": "hot", "owner": nil, "third_party": false})
		}
		famValues := map[string]any{
			"id": "fam-" + f.Name, "name": "fam-" + f.Name, "purpose": "signs things",
			"owner": or(f.Owner, "team-a"), "backup_owner": or(f.Backup, "team-b"),
			"classification": or(f.Classification, "high"), "storage": nil,
			"artifact_lifetime": or(f.ArtifactLifetime, "0s"), "consumer": consumers,
			"review_interval": "90d", "reviewed_at": Timestamp.Add(-10 * 24 * time.Hour).Format(time.RFC3339),
			"runbook_url": nil, "tags": nil,
		}
		schedule := map[string]any{
			"period": or(f.Period, "30d"), "overlap": or(f.Overlap, "2h"), "propagation": or(f.Propagation, "1h"),
			"ttl": or(f.TTL, "45d"), "jitter": "0s",
			"change_window": map[string]any{"days": []any{"mon", "tue", "wed", "thu"}, "start": "09:00", "end": "16:00", "time_zone": "UTC"},
		}
		if f.NoChangeWindow {
			schedule["change_window"] = nil
		}
		issued := Timestamp.Add(-24 * time.Hour)
		mode, v1 := "derived", map[string]any{
			"version": 1, "kid": "kid-1", "status": "active",
			"issued_at": issued.Format(time.RFC3339), "activated_at": issued.Format(time.RFC3339),
			"superseded_at": nil, "revoked_at": nil, "expires_at": issued.Add(45 * 24 * time.Hour).Format(time.RFC3339),
			"material": "derived", "salt": "(salt)", "seed_fingerprint": "(fingerprint)", "secret": nil,
		}
		if f.StateMaterial {
			mode = "state"
			v1["material"], v1["salt"], v1["seed_fingerprint"], v1["secret"] = "state", nil, nil, "(redacted)"
		}
		secValues := map[string]any{
			"id": "fam-" + f.Name + "/prod", "family": "fam-" + f.Name, "name": "prod", "type": "hmac",
			"schedule": schedule, "hold_revocation": false, "hold_reason": nil,
			"revoke_versions": nil, "revoke_reason": nil, "pin_active_version": nil, "history_limit": 10,
			"active_version": 1, "material": mode,
			"versions": []any{v1},
		}
		for _, r := range []struct {
			addr, typ string
			values    map[string]any
		}{{famAddr, "rotation_secret_family", famValues}, {secAddr, "rotation_secret", secValues}} {
			pv = append(pv, map[string]any{"address": r.addr, "mode": "managed", "type": r.typ, "name": f.Name, "provider_name": "registry.terraform.io/rotationkit/rotation", "schema_version": 0, "values": r.values, "sensitive_values": map[string]any{}})
			rcs = append(rcs, map[string]any{"address": r.addr, "mode": "managed", "type": r.typ, "name": f.Name, "provider_name": "registry.terraform.io/rotationkit/rotation",
				"change": map[string]any{"actions": []any{"no-op"}, "before": r.values, "after": r.values, "after_unknown": map[string]any{}, "before_sensitive": map[string]any{}, "after_sensitive": map[string]any{}}})
		}
		conf = append(conf,
			map[string]any{"address": famAddr, "mode": "managed", "type": "rotation_secret_family", "name": f.Name, "provider_config_key": "rotation",
				"expressions": map[string]any{"name": map[string]any{"constant_value": "fam-" + f.Name}}, "schema_version": 0},
			map[string]any{"address": secAddr, "mode": "managed", "type": "rotation_secret", "name": f.Name, "provider_config_key": "rotation",
				"expressions": map[string]any{"family": map[string]any{"references": []any{famAddr + ".id", famAddr}}, "name": map[string]any{"constant_value": "prod"}}, "schema_version": 0},
		)
	}
	doc := map[string]any{
		"format_version":    "1.2",
		"terraform_version": "1.5.7",
		"timestamp":         Timestamp.Format(time.RFC3339),
		"planned_values":    map[string]any{"root_module": map[string]any{"resources": nonNil(pv)}},
		"resource_changes":  nonNil(rcs),
		"configuration": map[string]any{
			"provider_config": map[string]any{"rotation": map[string]any{"name": "rotation", "full_name": "registry.terraform.io/rotationkit/rotation"}},
			"root_module":     map[string]any{"resources": nonNil(conf)},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("policytest: %v", err))
	}
	return b
}

func nonNil(x []any) []any {
	if x == nil {
		return []any{}
	}
	return x
}

// Families returns n clean families named f0, f1, ...
func Families(n int) []Family {
	out := make([]Family, n)
	for i := range out {
		out[i] = Clean(fmt.Sprintf("f%d", i))
	}
	return out
}
