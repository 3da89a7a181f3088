package runbook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// Resource types of the rotation provider, as the view names them.
const (
	typeFamily   = "rotation_secret_family"
	typeSecret   = "rotation_secret"
	typeSchedule = "rotation_schedule"
)

// Input is one plan or state document as the policy engine sees it: the
// bundle's normalized view of its rotation resources
// (data.rotation.lib.view.document, policies/lib/view.rego) and the
// findings of the rules, both from one evaluation. Nothing in this package
// reads Terraform's JSON itself: the document is read by the `check`
// command's reader (policy.ReadInputFile) and interpreted by the bundle.
type Input struct {
	// File is the name the document was read from ("(stdin)" for "-").
	File string
	// Kind is "plan" or "state".
	Kind string
	// Timestamp is the plan's timestamp ("" for a state or an old plan).
	Timestamp string
	// AsOf is the instant the time-based rules were evaluated at, and
	// AsOfSource where it came from: "params.now", "plan timestamp" or
	// "current time".
	AsOf       time.Time
	AsOfSource string
	// Findings are the deny and warn messages of the policy set.
	Findings []policy.Finding
	// Waived are the findings valid params.waivers entries cover, from
	// the same evaluation: shown as waived, never as failures.
	Waived []policy.Finding

	view docView
}

// Evaluate evaluates the policy set and its view of doc in one query of
// engine (policy.Engine.EvaluateWithView). at sets the engine's clock,
// which the time-based rules read for a state without params.now; zero
// means the current time.
func Evaluate(ctx context.Context, engine *policy.Engine, doc *policy.Document, at time.Time) (*Input, error) {
	ev, err := engine.EvaluateWithView(ctx, doc, policy.EvalOptions{Time: at})
	if err != nil {
		return nil, err
	}
	in := &Input{File: doc.File, Findings: ev.Findings, Waived: ev.Waived}
	dec := json.NewDecoder(bytes.NewReader(ev.View))
	dec.UseNumber()
	if err := dec.Decode(&in.view); err != nil {
		return nil, &policy.InputError{File: doc.File, Reason: fmt.Sprintf("the policies' view of the document: %v", err)}
	}
	in.Kind = in.view.Kind
	if in.view.Timestamp != nil {
		in.Timestamp = *in.view.Timestamp
	}
	in.AsOfSource = in.view.AsOfSource
	if t, err := time.Parse(time.RFC3339, in.view.AsOf); err == nil {
		in.AsOf = t.UTC()
	}
	return in, nil
}

// Counts are the numbers of families, secrets and schedules, and findings,
// for logs.
func (in *Input) Counts() (families, credentials, findings int) {
	return len(in.view.Families), len(in.view.Secrets), len(in.Findings)
}

// ---------------------------------------------------------------------------
// The view, as policies/lib/view.rego builds it. Every attribute is a
// field: {"state": "known", "value": v}, {"state": "unknown"} or
// {"state": "null"}; durations add "seconds", or are {"state": "invalid"}.

type docView struct {
	Kind       string                 `json:"kind"`
	Timestamp  *string                `json:"timestamp"`
	AsOf       string                 `json:"as_of"`
	AsOfSource string                 `json:"as_of_source"`
	Params     paramsView             `json:"params"`
	Families   map[string]familyView  `json:"families"`
	Secrets    map[string]secretView  `json:"secrets"`
	Removed    map[string]removedView `json:"removed"`
}

// removedView is a secret or schedule the plan deletes, replaces or
// forgets, with its versions before the plan.
type removedView struct {
	Address  string        `json:"address"`
	Type     string        `json:"type"`
	Actions  []string      `json:"actions"`
	Versions []versionView `json:"versions"`
}

type paramsView struct {
	MaxTTL             map[string]fieldView `json:"max_ttl"`
	MaxTTLDefault      bool                 `json:"max_ttl_default"`
	OverlapCacheFactor any                  `json:"overlap_cache_factor"`
}

type fieldView struct {
	State   string `json:"state"`
	Value   any    `json:"value"`
	Seconds *int64 `json:"seconds"`
	// NoFamily marks the classification of a secret without a family
	// (high, as the provider defaults it).
	NoFamily bool `json:"no_family"`
	// Sensitive marks a value the input marks sensitive.
	Sensitive bool `json:"sensitive"`
}

type familyView struct {
	Address          string        `json:"address"`
	Name             fieldView     `json:"name"`
	Purpose          fieldView     `json:"purpose"`
	Owner            fieldView     `json:"owner"`
	BackupOwner      fieldView     `json:"backup_owner"`
	Classification   fieldView     `json:"classification"`
	Storage          fieldView     `json:"storage"`
	RunbookURL       fieldView     `json:"runbook_url"`
	ReviewedAt       fieldView     `json:"reviewed_at"`
	Tags             fieldView     `json:"tags"`
	ArtifactLifetime fieldView     `json:"artifact_lifetime"`
	ReviewInterval   fieldView     `json:"review_interval"`
	Consumers        consumersView `json:"consumers"`
	Caches           cachesView    `json:"caches"`
	RequiredOverlap  fieldView     `json:"required_overlap"`
}

type consumersView struct {
	State string         `json:"state"`
	List  []consumerView `json:"list"`
}

type consumerView struct {
	Name       fieldView `json:"name"`
	Role       fieldView `json:"role"`
	CacheTTL   fieldView `json:"cache_ttl"`
	Reload     fieldView `json:"reload"`
	Owner      fieldView `json:"owner"`
	ThirdParty fieldView `json:"third_party"`
}

type cachesView struct {
	Known                bool     `json:"known"`
	Longest              int64    `json:"longest"`
	LongestFrom          []string `json:"longest_from"`
	LongestValidator     *int64   `json:"longest_validator"`
	LongestValidatorFrom []string `json:"longest_validator_from"`
}

type secretView struct {
	Address        string               `json:"address"`
	Type           string               `json:"type"`
	Name           fieldView            `json:"name"`
	FamilyValue    fieldView            `json:"family_value"`
	Family         *string              `json:"family"`
	Classification fieldView            `json:"classification"`
	SecretType     fieldView            `json:"secret_type"`
	Schedule       map[string]fieldView `json:"schedule"`
	ChangeWindow   windowView           `json:"change_window"`
	Controls       controlsView         `json:"controls"`
	Versions       versionsView         `json:"versions"`
	Gates          gatesView            `json:"gates"`
}

type windowView struct {
	State    string   `json:"state"`
	Days     []string `json:"days"`
	Start    *string  `json:"start"`
	End      *string  `json:"end"`
	TimeZone *string  `json:"time_zone"`
}

type controlsView struct {
	Pin            fieldView `json:"pin"`
	HoldRevocation fieldView `json:"hold_revocation"`
	HoldReason     fieldView `json:"hold_reason"`
	RevokeVersions fieldView `json:"revoke_versions"`
	RevokeReason   fieldView `json:"revoke_reason"`
	HistoryLimit   fieldView `json:"history_limit"`
}

type versionsView struct {
	Attr       string        `json:"attr"`
	Known      bool          `json:"known"`
	List       []versionView `json:"list"`
	Generation any           `json:"generation"`
	Prior      *struct {
		List       []versionView `json:"list"`
		Generation any           `json:"generation"`
	} `json:"prior"`
}

type versionView struct {
	Version      any     `json:"version"`
	Status       *string `json:"status"`
	KID          *string `json:"kid"`
	IssuedAt     *string `json:"issued_at"`
	ActivatedAt  *string `json:"activated_at"`
	SupersededAt *string `json:"superseded_at"`
	RevokedAt    *string `json:"revoked_at"`
	ExpiresAt    *string `json:"expires_at"`
	RevokeReason *string `json:"revoke_reason"`
	// Sensitive lists the keys the input marks sensitive.
	Sensitive []string `json:"sensitive"`
}

// sensitive reports whether the input marks key of the version sensitive.
func (v versionView) sensitive(key string) bool {
	for _, k := range v.Sensitive {
		if k == key {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of m in order: the view's objects are keyed
// by address.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// str is the string a pointer holds, "" for nil.
func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// number reads a JSON number of the view (json.Number) as an int64.
func number(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// float reads a JSON number of the view as a float64.
func float(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}
