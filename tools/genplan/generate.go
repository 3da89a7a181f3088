package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// Options of a generated plan.
type Options struct {
	Families  int    // secret families: a family with two consumers + one rotation_secret each
	Unrelated int    // terraform_data resources
	Mode      string // "existing" or "create"
	Rotations int    // existing mode: rotations completed before the plan
	Type      string // rotation_secret type
	// Layout of the rotation resources in the configuration: "resources"
	// (one resource block per family and per secret) or "for_each" (one
	// block each, for_each over a local map of the families, the secret's
	// family = rotation_secret_family.f[each.key].id).
	Layout string
	Start  time.Time
	Seed   int64
	// TerraformVersion is written as terraform_version (the CLI the shape
	// was taken from).
	TerraformVersion string
}

// DefaultOptions returns 100 families, no unrelated resources, existing secrets
// rotated 3 times (one active version and three revoked ones), ed25519,
// first apply on Monday 2026-01-05 09:00 UTC.
func DefaultOptions() Options {
	return Options{
		Families:         100,
		Mode:             "existing",
		Layout:           "resources",
		Rotations:        3,
		Type:             string(material.TypeEd25519),
		Start:            time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		Seed:             1,
		TerraformVersion: "1.5.7",
	}
}

// The schedule, consumers and family attributes every generated family
// shares; they pass every bundled rule (overlap 2h > 1h cache + 15m
// artifacts, propagation 1h covers the validator cache, ttl 45d within
// high's 90d, a change window).
const (
	schedPeriod      = "30d"
	schedOverlap     = "2h"
	schedPropagation = "1h"
	schedTTL         = "45d"
	windowStart      = "08:00"
	windowEnd        = "17:00"
	windowTZ         = "UTC"
	artifactLifetime = "15m"
	reviewInterval   = "90d"
	historyLimit     = 10
	secretName       = "prod"
)

var windowDays = []string{"mon", "tue", "wed", "thu"}

type consumer struct{ name, role, cacheTTL string }

var consumers = []consumer{{"api", "validator", "1h"}, {"signer", "emitter", "5m"}}

// Generator writes one plan; New precomputes the lifecycle (the same for
// every secret: one schedule, applied together) and the key material.
type Generator struct {
	o       Options
	typ     material.Type
	spec    lifecycle.Spec
	applies []time.Time
	// generation is material_generation after the last apply.
	generation int64
	planTime   time.Time
	state      lifecycle.State    // existing mode: the record after the last apply
	famW       int                // digits of family indices
	unrW       int                // digits of unrelated indices
	mats       [][]materialRecord // existing mode: [family][version-1]
}

type materialRecord struct {
	kid, secret string
	pub, jwk    any // string or nil
}

// New checks the options and simulates the applies.
func New(o Options) (*Generator, error) {
	if o.Families < 0 || o.Unrelated < 0 || o.Rotations < 0 {
		return nil, fmt.Errorf("counts must not be negative")
	}
	if o.Mode != "existing" && o.Mode != "create" {
		return nil, fmt.Errorf("-mode %q: use existing or create", o.Mode)
	}
	if o.Layout != "resources" && o.Layout != "for_each" {
		return nil, fmt.Errorf("-layout %q: use resources or for_each", o.Layout)
	}
	typ, err := material.ParseType(o.Type)
	if err != nil {
		return nil, fmt.Errorf("-type: %v", err)
	}
	if o.TerraformVersion == "" {
		o.TerraformVersion = "1.5.7"
	}
	g := &Generator{o: o, typ: typ, famW: width(o.Families), unrW: width(o.Unrelated)}
	if g.spec, err = buildSpec(); err != nil {
		return nil, err
	}
	if o.Mode == "create" {
		g.planTime = o.Start
		return g, nil
	}
	if err := g.simulate(); err != nil {
		return nil, err
	}
	g.mats = make([][]materialRecord, o.Families)
	for i := range g.mats {
		if g.mats[i], err = g.materials(i + 1); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func width(n int) int { return max(4, len(fmt.Sprint(n))) }

func mustDur(s string) time.Duration {
	d, err := duration.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func buildSpec() (lifecycle.Spec, error) {
	w, err := lifecycle.ParseChangeWindow(windowDays, windowStart, windowEnd, windowTZ)
	if err != nil {
		return lifecycle.Spec{}, err
	}
	return lifecycle.Spec{
		Mode: lifecycle.ModeSeries,
		Schedule: lifecycle.Schedule{
			Period: mustDur(schedPeriod), Overlap: mustDur(schedOverlap),
			Propagation: mustDur(schedPropagation), TTL: mustDur(schedTTL), Window: w,
		},
		Controls: lifecycle.Controls{HistoryLimit: historyLimit},
	}, nil
}

// simulate applies at -start and then at every scheduled transition until
// -rotations versions after the first have been issued, activated and
// their predecessors revoked; the plan is an hour after the last apply.
func (g *Generator) simulate() error {
	t := g.o.Start
	for range 10000 {
		dec, err := lifecycle.Decide(g.spec, g.state, t)
		if err != nil {
			return fmt.Errorf("lifecycle at %s: %v", t.Format(time.RFC3339), err)
		}
		if len(dec.Transitions) == 0 {
			return fmt.Errorf("lifecycle: nothing due at %s", t.Format(time.RFC3339))
		}
		before := acceptedSignature(g.state)
		g.state = lifecycle.Stamp(dec.Planned(), t)
		switch {
		case len(g.applies) == 0:
			g.generation = 1
		case acceptedSignature(g.state) != before:
			g.generation++
		}
		g.applies = append(g.applies, t)
		if g.state.Generation == int64(g.o.Rotations)+1 && len(g.state.Accepted()) == 1 && g.state.Active() != nil {
			g.planTime = t.Add(time.Hour)
			next, err := lifecycle.Decide(g.spec, g.state, g.planTime)
			if err != nil || len(next.Transitions) > 0 {
				return fmt.Errorf("lifecycle: the plan at %s is not a no-op (%v)", g.planTime.Format(time.RFC3339), err)
			}
			return nil
		}
		_, _, t = lifecycle.NextTransition(g.spec, g.state, g.state.Newest())
	}
	return fmt.Errorf("lifecycle: too many applies")
}

// materials generates the key material of every version family i ever
// issued, from a generator seeded with (seed, i).
func (g *Generator) materials(i int) ([]materialRecord, error) {
	rng := g.rng("material", i)
	out := make([]materialRecord, g.state.Generation)
	for k := range out {
		m, err := material.Generate(g.typ, material.DefaultOptions(), rng)
		if err != nil {
			return nil, err
		}
		out[k] = materialRecord{kid: m.KID, secret: m.Secret, pub: nullIfEmpty(m.PublicKeyPEM), jwk: nullIfEmpty(m.PublicJWK)}
	}
	return out, nil
}

func (g *Generator) rng(purpose string, i int) *rand.ChaCha8 {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[0:], uint64(g.o.Seed))
	binary.LittleEndian.PutUint64(seed[8:], uint64(i))
	copy(seed[16:], purpose)
	return rand.NewChaCha8(seed)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ApplyTimes are the rehearsal clocks (ROTATION_NOW) of the applies that
// made the prior state (existing mode; none in create mode).
func (g *Generator) ApplyTimes() []time.Time { return g.applies }

// PlanTime is the rehearsal clock of the plan, written as its timestamp.
func (g *Generator) PlanTime() time.Time { return g.planTime }

// ---------------------------------------------------------------------------
// Names

func (g *Generator) famIdx(i int) string { return fmt.Sprintf("%0*d", g.famW, i) }
func (g *Generator) unrIdx(j int) string { return fmt.Sprintf("%0*d", g.unrW, j) }

func (g *Generator) forEach() bool { return g.o.Layout == "for_each" }

// familyRName and secretRName are the resource names (the block labels);
// instanceKey the for_each key ("" without for_each).
func (g *Generator) familyRName(i int) string {
	if g.forEach() {
		return "f"
	}
	return "f" + g.famIdx(i)
}

func (g *Generator) secretRName(i int) string {
	if g.forEach() {
		return "s"
	}
	return "s" + g.famIdx(i)
}

func (g *Generator) instanceKey(i int) string {
	if g.forEach() {
		return g.famIdx(i)
	}
	return ""
}

func instanceAddress(typ, name, key string) string {
	if key == "" {
		return typ + "." + name
	}
	return fmt.Sprintf("%s.%s[%q]", typ, name, key)
}
func (g *Generator) unrelatedRName(j int) string {
	return "u" + g.unrIdx(j)
}
func (g *Generator) familyName(i int) string { return "family-" + g.famIdx(i) }

func (g *Generator) reviewedAt() string {
	d := g.planTime.Truncate(24*time.Hour).AddDate(0, 0, -30).Add(10 * time.Hour)
	return d.Format(time.RFC3339)
}

func owner(i int) string { return fmt.Sprintf("team-%02d", i%40) }

// ---------------------------------------------------------------------------
// Values (planned or prior): map[string]any trees as cty's JSON encoding
// writes them, with unknown values as unknownValue.

type unknownValue struct{ kind byte } // 'p' primitive, 'l' list, 'o' object or map

var (
	unknownPrim = unknownValue{'p'}
	unknownList = unknownValue{'l'}
	unknownObj  = unknownValue{'o'}
)

func (g *Generator) familyValues(i int) map[string]any {
	cs := make([]any, len(consumers))
	maxCache := time.Duration(0)
	for k, c := range consumers {
		cs[k] = map[string]any{"cache_ttl": c.cacheTTL, "name": c.name, "owner": nil, "reload": "hot", "role": c.role, "third_party": false}
		maxCache = max(maxCache, mustDur(c.cacheTTL))
	}
	reviewed := g.reviewedAt()
	at, _ := time.Parse(time.RFC3339, reviewed)
	name := g.familyName(i)
	return map[string]any{
		"artifact_lifetime": artifactLifetime,
		"backup_owner":      "team-platform",
		"classification":    "high",
		"consumer":          cs,
		"id":                name,
		"max_cache_ttl":     duration.Format(maxCache),
		"name":              name,
		"next_review_at":    at.Add(mustDur(reviewInterval)).UTC().Format(time.RFC3339),
		"owner":             owner(i),
		"purpose":           fmt.Sprintf("Signs the tokens of service %s.", g.famIdx(i)),
		"required_overlap":  duration.Format(maxCache + mustDur(artifactLifetime)),
		"review_interval":   reviewInterval,
		"reviewed_at":       reviewed,
		"runbook_url":       nil,
		"storage":           nil,
		"tags":              nil,
	}
}

func scheduleValues() map[string]any {
	days := make([]any, len(windowDays))
	for k, d := range windowDays {
		days[k] = d
	}
	return map[string]any{
		"change_window": map[string]any{"days": days, "end": windowEnd, "start": windowStart, "time_zone": windowTZ},
		"jitter":        "0s",
		"overlap":       schedOverlap,
		"period":        schedPeriod,
		"propagation":   schedPropagation,
		"ttl":           schedTTL,
	}
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// secretValues is the rotation_secret of family i: after the last apply
// (existing mode, all known) or as planned on create (unknowns where the
// provider leaves them unknown).
func (g *Generator) secretValues(i int) map[string]any {
	var versions []map[string]any
	var next, nextAt any = unknownPrim, unknownPrim
	// uid is set by the first apply (random; the comparison with
	// Terraform normalises UUIDs); material_generation counts the applies
	// that changed the accepted versions or the active one.
	var uid, generation any = unknownPrim, int64(1)
	if g.o.Mode != "create" {
		uid, generation = g.uid(i), g.generation
	}
	if g.o.Mode == "create" {
		var pub, jwk any = unknownPrim, unknownPrim
		if !g.typ.Asymmetric() {
			pub, jwk = nil, nil
		}
		versions = []map[string]any{{
			"activated_at": unknownPrim, "expires_at": unknownPrim, "issued_at": unknownPrim,
			"kid": unknownPrim, "public_jwk": jwk, "public_key_pem": pub, "revoke_reason": nil,
			"revoked_at": nil, "secret": unknownPrim, "status": string(lifecycle.StatusActive),
			"superseded_at": nil, "version": int64(1), "activation_evidence": nil, "revocation_evidence": nil,
			"material": "state", "salt": nil, "seed_fingerprint": nil,
		}}
		g.versionMaterial(versions[0])
	} else {
		mats := g.mats[i-1]
		for _, v := range g.state.Versions {
			m := mats[v.Version-1]
			vm := map[string]any{
				"activated_at": ts(v.ActivatedAt), "expires_at": ts(v.IssuedAt.Add(g.spec.Schedule.TTL)),
				"issued_at": ts(v.IssuedAt), "kid": m.kid, "public_jwk": m.jwk, "public_key_pem": m.pub,
				"revoke_reason": nil, "revoked_at": ts(v.RevokedAt), "secret": m.secret,
				"status": string(v.Status), "superseded_at": ts(v.SupersededAt), "version": v.Version,
				"activation_evidence": nullIfEmpty(v.ActivationEvidence), "revocation_evidence": nullIfEmpty(v.RevocationEvidence),
				"material": "state", "salt": nil, "seed_fingerprint": nil,
			}
			if v.RevokeReason != "" {
				vm["revoke_reason"] = v.RevokeReason
			}
			g.versionMaterial(vm)
			if v.Status == lifecycle.StatusRevoked {
				vm["public_jwk"], vm["public_key_pem"], vm["secret"] = nil, nil, nil
			}
			versions = append(versions, vm)
		}
		a, v, at := lifecycle.NextTransition(g.spec, g.state, g.state.Newest())
		if a == "" {
			next, nextAt = "none", nil
		} else {
			next, nextAt = fmt.Sprintf("%s v%d", a, v), ts(at)
		}
	}
	out := map[string]any{
		"family":              g.familyName(i),
		"history_limit":       int64(historyLimit),
		"hmac_bytes":          nil,
		"hold_reason":         nil,
		"hold_revocation":     false,
		"id":                  g.familyName(i) + "/" + secretName,
		"length":              nil,
		"material":            "state",
		"material_generation": generation,
		"name":                secretName,
		"next_transition":     next,
		"next_transition_at":  nextAt,
		"pin_active_version":  nil,
		"revoke_reason":       nil,
		"revoke_versions":     nil,
		"rotate_triggers":     nil,
		"rsa_bits":            nil,
		"schedule":            scheduleValues(),
		"special":             nil,
		"type":                g.o.Type,
		"uid":                 uid,
		// The evidence gates (issue 11): none.
		"emission_gate":         nil,
		"revocation_gate":       nil,
		"used_after_revocation": nil,
	}
	render(out, versions)
	return out
}

// versionMaterial sets the type and material options a version records
// (the resource's type with the default options, as generated): the
// options of the type, the others null.
func (g *Generator) versionMaterial(vm map[string]any) {
	o := material.DefaultOptions()
	vm["type"], vm["length"], vm["special"], vm["hmac_bytes"], vm["rsa_bits"] = string(g.typ), nil, nil, nil, nil
	switch g.typ {
	case material.TypePassword:
		vm["length"], vm["special"] = int64(o.Length), o.Special
	case material.TypeHMAC:
		vm["hmac_bytes"] = int64(o.HMACBytes)
	case material.TypeRSA:
		vm["rsa_bits"] = int64(o.RSABits)
	}
}

// render mirrors the provider's derived attributes: versions, active_*,
// accepted_kids (active, pending, then previous newest first),
// accepted_secrets and jwks, each unknown when any part of it is.
func render(out map[string]any, versions []map[string]any) {
	list := make([]any, len(versions))
	for k, v := range versions {
		list[k] = v
	}
	out["versions"] = list
	out["active_version"], out["active_kid"], out["active_secret"], out["active_public_key_pem"] = nil, nil, nil, nil
	accepted := lifecycle.OrderAccepted(versions, func(v map[string]any) lifecycle.Status { s, _ := v["status"].(string); return lifecycle.Status(s) })
	for _, v := range versions {
		if v["status"] == string(lifecycle.StatusActive) {
			out["active_version"], out["active_kid"], out["active_secret"], out["active_public_key_pem"] = v["version"], v["kid"], v["secret"], v["public_key_pem"]
		}
	}
	kidsKnown, secretsKnown, jwksKnown := true, true, true
	kids := []any{}
	secrets := map[string]any{}
	var jwks []string
	for _, v := range accepted {
		_, kidU := v["kid"].(unknownValue)
		_, secU := v["secret"].(unknownValue)
		_, jwkU := v["public_jwk"].(unknownValue)
		kidsKnown = kidsKnown && !kidU
		secretsKnown = secretsKnown && !kidU && !secU
		jwksKnown = jwksKnown && !jwkU
		kids = append(kids, v["kid"])
		if kid, ok := v["kid"].(string); ok && secretsKnown {
			secrets[kid] = v["secret"]
		}
		if s, ok := v["public_jwk"].(string); ok {
			jwks = append(jwks, s)
		}
	}
	out["accepted_kids"], out["accepted_secrets"], out["jwks"] = unknownList, unknownObj, unknownPrim
	if kidsKnown {
		out["accepted_kids"] = kids
	}
	if secretsKnown {
		out["accepted_secrets"] = secrets
	}
	if jwksKnown {
		set, err := material.JWKS(jwks)
		if err != nil {
			panic(err)
		}
		out["jwks"] = set
	}
}

// unrelatedInput is the input of terraform_data j: the size and shape of a
// small cloud resource's arguments.
func (g *Generator) unrelatedInput(j int) map[string]any {
	idx := g.unrIdx(j)
	return map[string]any{
		"ami":           "ami-0c55b159cbfafe1f0",
		"enabled":       j%7 != 0,
		"environment":   "prod",
		"instance_type": []string{"m6i.large", "c6i.xlarge", "r6i.2xlarge"}[j%3],
		"name":          "app-" + idx,
		"ports":         []any{int64(80), int64(443)},
		"replicas":      int64(1 + j%5),
		"subnet_id":     fmt.Sprintf("subnet-%017x", uint64(j)*2654435761),
		"tags": map[string]any{
			"cost_center": fmt.Sprintf("cc-%04d", j%997),
			"managed_by":  "terraform",
			"service":     "svc-" + idx,
			"team":        owner(j),
		},
	}
}

func (g *Generator) unrelatedValues(j int) map[string]any {
	in := g.unrelatedInput(j)
	if g.o.Mode == "create" {
		return map[string]any{"id": unknownPrim, "input": in, "output": unknownObj, "triggers_replace": nil}
	}
	return map[string]any{"id": g.uuid(j), "input": in, "output": g.unrelatedInput(j), "triggers_replace": nil}
}

func (g *Generator) uuid(j int) string {
	var b [16]byte
	r := g.rng("uuid", j)
	binary.LittleEndian.PutUint64(b[0:], r.Uint64())
	binary.LittleEndian.PutUint64(b[8:], r.Uint64())
	h := fmt.Sprintf("%x", b)
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

// acceptedSignature names the accepted versions and the active one, as the
// provider's material_generation compares them.
func acceptedSignature(s lifecycle.State) string {
	var b strings.Builder
	for _, v := range s.Versions {
		switch v.Status {
		case lifecycle.StatusActive:
			fmt.Fprintf(&b, "*%d,", v.Version)
		case lifecycle.StatusPending, lifecycle.StatusPrevious:
			fmt.Fprintf(&b, "%d,", v.Version)
		}
	}
	return b.String()
}

// uid is the uid the first apply gave the secret of family i: a random
// UUID, from a generator seeded with (seed, i).
func (g *Generator) uid(i int) string {
	var b [16]byte
	rng := g.rng("uid", i)
	for k := range b {
		b[k] = byte(rng.Uint64())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
