package runbook

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// Value is a string attribute as the runbook shows it.
type Value struct {
	S       string
	Set     bool // not null
	Unknown bool // known only after apply
}

// Text is the value for people: the string, "known after apply" or
// fallback when not set.
func (v Value) Text(fallback string) string {
	switch {
	case v.Unknown:
		return "known after apply"
	case !v.Set || v.S == "":
		return fallback
	}
	return v.S
}

// Dur is a duration attribute.
type Dur struct {
	Value
	D  time.Duration
	OK bool // set (or defaulted), known and valid
}

// Text is the canonical spelling, or why there is none.
func (d Dur) Text() string {
	switch {
	case d.Unknown:
		return "known after apply"
	case !d.Set:
		return "not set"
	case !d.OK:
		return fmt.Sprintf("%q (not a duration)", d.S)
	}
	return duration.Format(d.D)
}

func (r *Resource) value(path ...any) Value {
	if r.isUnknown(path...) {
		return Value{Unknown: true}
	}
	switch v := r.get(path...).(type) {
	case string:
		return Value{S: v, Set: true}
	case bool:
		return Value{S: fmt.Sprint(v), Set: true}
	case nil:
		return Value{}
	default:
		if n, ok := number(v); ok {
			return Value{S: fmt.Sprint(n), Set: true}
		}
		return Value{S: fmt.Sprint(v), Set: true}
	}
}

// dur reads a duration attribute; def is the provider's default ("" for
// none).
func (r *Resource) dur(def string, path ...any) Dur {
	v := r.value(path...)
	if !v.Unknown && !v.Set && def != "" {
		v = Value{S: def, Set: true}
	}
	d := Dur{Value: v}
	if v.Set && !v.Unknown {
		if x, err := duration.Parse(v.S); err == nil {
			d.D, d.OK = x, true
		}
	}
	return d
}

func (r *Resource) boolean(path ...any) bool {
	b, _ := r.get(path...).(bool)
	return b
}

func (r *Resource) int64(path ...any) (int64, bool) { return number(r.get(path...)) }

// Consumer is a consumer block of a family.
type Consumer struct {
	Name       string
	Role       string // validator, emitter or both
	CacheTTL   Dur
	Reload     string // hot or restart
	Owner      Value
	ThirdParty bool
}

// Validates reports a consumer that accepts (verifies, checks) the secret.
func (c Consumer) Validates() bool { return c.Role == "validator" || c.Role == "both" }

// Emits reports a consumer that uses the active version (signs, logs in).
func (c Consumer) Emits() bool { return c.Role == "emitter" || c.Role == "both" }

// Family is a rotation_secret_family and the credentials matched to it.
type Family struct {
	Resource         *Resource
	Address          string
	Name             Value
	Purpose          Value
	Owner            Value
	BackupOwner      Value
	Classification   Value
	Storage          Value
	RunbookURL       Value
	Tags             []string // "key = value", sorted
	ArtifactLifetime Dur
	ReviewInterval   Dur
	ReviewedAt       Value
	Consumers        []Consumer
	ConsumersUnknown bool
	Credentials      []*Credential

	// Derived.
	MaxCache         time.Duration // longest cache of any consumer
	MaxCacheFrom     []string      // consumers with that cache
	MaxValidator     time.Duration // longest cache of a validator (or both)
	MaxValidatorFrom []string
	HasValidators    bool
	CachesKnown      bool // every cache_ttl known and valid
	NextReview       time.Time
	ReviewOverdue    bool
	ReviewNote       string
}

// Title is the family name, or its address when the name is unknown.
func (f *Family) Title() string {
	if f.Name.Set && !f.Name.Unknown && f.Name.S != "" {
		return f.Name.S
	}
	return f.Address
}

func readFamily(r *Resource) *Family {
	f := &Family{
		Resource:         r,
		Address:          r.Address,
		Name:             r.value("name"),
		Purpose:          r.value("purpose"),
		Owner:            r.value("owner"),
		BackupOwner:      r.value("backup_owner"),
		Classification:   r.value("classification"),
		Storage:          r.value("storage"),
		RunbookURL:       r.value("runbook_url"),
		ArtifactLifetime: r.dur("0s", "artifact_lifetime"),
		ReviewInterval:   r.dur("90d", "review_interval"),
		ReviewedAt:       r.value("reviewed_at"),
	}
	if !f.Classification.Set && !f.Classification.Unknown {
		f.Classification = Value{S: "high", Set: true}
	}
	if tags, ok := r.get("tags").(map[string]any); ok {
		for k, v := range tags {
			f.Tags = append(f.Tags, k+" = "+str(v))
		}
		sort.Strings(f.Tags)
	}
	f.ConsumersUnknown = r.isUnknown("consumer")
	list, _ := r.get("consumer").([]any)
	f.CachesKnown = !f.ConsumersUnknown
	for i := range list {
		c := Consumer{
			Name:       r.value("consumer", i, "name").Text("(unnamed)"),
			Role:       r.value("consumer", i, "role").Text("validator"),
			CacheTTL:   r.dur("0s", "consumer", i, "cache_ttl"),
			Reload:     r.value("consumer", i, "reload").Text("hot"),
			Owner:      r.value("consumer", i, "owner"),
			ThirdParty: r.boolean("consumer", i, "third_party"),
		}
		f.Consumers = append(f.Consumers, c)
		if !c.CacheTTL.OK {
			f.CachesKnown = false
			continue
		}
		d := c.CacheTTL.D
		if len(f.MaxCacheFrom) == 0 || d > f.MaxCache {
			f.MaxCache, f.MaxCacheFrom = d, []string{c.Name}
		} else if d == f.MaxCache {
			f.MaxCacheFrom = append(f.MaxCacheFrom, c.Name)
		}
		if c.Validates() {
			if !f.HasValidators || d > f.MaxValidator {
				f.MaxValidator, f.MaxValidatorFrom = d, []string{c.Name}
			} else if d == f.MaxValidator {
				f.MaxValidatorFrom = append(f.MaxValidatorFrom, c.Name)
			}
			f.HasValidators = true
		}
	}
	return f
}

// review computes the next review and whether it is overdue at now.
func (f *Family) review(now time.Time) {
	switch {
	case f.ReviewedAt.Unknown || f.ReviewInterval.Unknown:
		f.ReviewNote = "known after apply"
	case !f.ReviewedAt.Set:
		f.ReviewNote = "never reviewed (no reviewed_at): review now"
		f.ReviewOverdue = true
	case !f.ReviewInterval.OK:
		f.ReviewNote = "review_interval is not a duration"
	default:
		at, err := time.Parse(time.RFC3339, f.ReviewedAt.S)
		if err != nil {
			f.ReviewNote = fmt.Sprintf("reviewed_at %q is not an RFC 3339 time", f.ReviewedAt.S)
			return
		}
		f.NextReview = at.Add(f.ReviewInterval.D).UTC()
		f.ReviewOverdue = f.NextReview.Before(now)
	}
}

// Credential is a rotation_secret or rotation_schedule.
type Credential struct {
	Resource *Resource
	Address  string
	Type     string // rotation_secret or rotation_schedule
	Mode     lifecycle.Mode
	Family   *Family // nil when no family was found
	// FamilyValue is the family argument (the family's name).
	FamilyValue Value
	Name        Value
	// SecretType is the material type of a rotation_secret ("" for a
	// schedule).
	SecretType Value

	Period, Overlap, Propagation, TTL, Jitter Dur
	WindowText                                string
	Window                                    *lifecycle.ChangeWindow
	Pin                                       int64
	Hold                                      bool
	HoldReason                                string
	RevokeRequested                           []int64
	RevokeReason                              string
	HistoryLimit                              int

	// Versions are the recorded versions (timestamps of this plan's own
	// transitions stamped with the report's time).
	Versions []VersionInfo
	// State is the engine's record at the report's time.
	State lifecycle.State
	// Problem says why the credential could not be projected ("" if it
	// was).
	Problem string
	// Projection.
	Spec   lifecycle.Spec
	Events []lifecycle.Event
	Spans  []Span
	// Truncated is set when the projection stopped early (see Problem).
	Truncated bool
	// JitterOffset is the deterministic delay of each issue.
	JitterOffset time.Duration

	Checks   []Check
	Steps    []Step
	Rollback []Text
	Notes    []Text
}

// VersionInfo is a recorded version for the versions table: public
// metadata only.
type VersionInfo struct {
	Version                                        int64
	Slot                                           string
	Status                                         string
	KID                                            string
	IssuedAt, ActivatedAt, SupersededAt, RevokedAt time.Time
	ExpiresAt                                      time.Time
	RevokeReason                                   string
	Expired                                        bool // accepted and past issued_at + ttl at the report's time
}

// Span is a stretch of time a version spends in one accepted status.
// Recorded spans come from the version's timestamps (before the report's
// time); the others from the projection.
type Span struct {
	Version  int64
	Slot     string
	Status   lifecycle.Status
	From, To time.Time // To is the end of the timeline for an open span
	Recorded bool
}

// Label is "v2" or "v2 (slot b)".
func (s Span) Label() string { return versionLabel(s.Version, s.Slot) }

func versionLabel(v int64, slot string) string {
	if slot != "" {
		return fmt.Sprintf("v%d (slot %s)", v, slot)
	}
	return fmt.Sprintf("v%d", v)
}

// Symmetric reports a secret whose validators hold the same material as its
// emitters (password, hmac).
func (c *Credential) Symmetric() bool {
	return c.Type == typeSecret && (c.SecretType.S == "password" || c.SecretType.S == "hmac")
}

// Asymmetric reports a key pair type: validators only hold public keys.
func (c *Credential) Asymmetric() bool {
	if c.Type != typeSecret {
		return false
	}
	switch c.SecretType.S {
	case "ed25519", "ecdsa-p256", "ecdsa-p384", "rsa":
		return true
	}
	return false
}

func readCredential(r *Resource) *Credential {
	c := &Credential{
		Resource:     r,
		Address:      r.Address,
		Type:         r.Type,
		FamilyValue:  r.value("family"),
		Name:         r.value("name"),
		Period:       r.dur("", "schedule", "period"),
		Overlap:      r.dur("", "schedule", "overlap"),
		Propagation:  r.dur("0s", "schedule", "propagation"),
		TTL:          r.dur("", "schedule", "ttl"),
		Jitter:       r.dur("0s", "schedule", "jitter"),
		Hold:         r.boolean("hold_revocation"),
		HoldReason:   strings.TrimSpace(str(r.get("hold_reason"))),
		RevokeReason: strings.TrimSpace(str(r.get("revoke_reason"))),
		HistoryLimit: 10,
	}
	if r.Type == typeSchedule {
		c.Mode = lifecycle.ModeTwoSlot
		c.HistoryLimit = 2
	} else {
		c.SecretType = r.value("type")
		if n, ok := r.int64("history_limit"); ok && n >= 0 {
			c.HistoryLimit = int(n)
		}
	}
	if n, ok := r.int64("pin_active_version"); ok {
		c.Pin = n
	}
	for _, x := range listOf(r.get("revoke_versions")) {
		if n, ok := number(x); ok {
			c.RevokeRequested = append(c.RevokeRequested, n)
		}
	}
	sort.Slice(c.RevokeRequested, func(i, j int) bool { return c.RevokeRequested[i] < c.RevokeRequested[j] })
	return c
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// readWindow reads schedule.change_window; a problem is returned as text.
func (c *Credential) readWindow() string {
	r := c.Resource
	if r.isUnknown("schedule", "change_window") {
		return "schedule.change_window is known only after apply"
	}
	w, ok := r.get("schedule", "change_window").(map[string]any)
	if !ok || w == nil {
		c.WindowText = "any time (no change_window)"
		return ""
	}
	days := strings2(w["days"])
	start, end, tz := str(w["start"]), str(w["end"]), str(w["time_zone"])
	if start == "" || end == "" {
		return "schedule.change_window needs start and end"
	}
	cw, err := lifecycle.ParseChangeWindow(days, start, end, tz)
	if err != nil {
		return "schedule.change_window: " + err.Error()
	}
	c.Window = cw
	c.WindowText = cw.String()
	return ""
}

// readVersions reads versions (rotation_secret) or slots
// (rotation_schedule) into the engine's record. A problem is returned as
// text.
func (c *Credential) readVersions() (lifecycle.State, []VersionInfo, string) {
	r := c.Resource
	attr := "versions"
	if c.Type == typeSchedule {
		attr = "slots"
	}
	source := r.values
	note := ""
	if r.isUnknown(attr) {
		if r.before == nil {
			return lifecycle.State{}, nil, ""
		}
		// Rare: the plan could not decide (something the engine reads is
		// unknown); the prior versions are the best record there is.
		source, note = r.before, attr+" are known only after apply: projected from the prior state"
	}
	var raw []map[string]any
	if c.Type == typeSchedule {
		slots, _ := source["slots"].(map[string]any)
		for _, name := range []string{"a", "b"} {
			s, _ := slots[name].(map[string]any)
			if s == nil || str(s["status"]) == "unused" || s["version"] == nil {
				continue
			}
			s2 := map[string]any{}
			for k, v := range s {
				s2[k] = v
			}
			s2["slot"] = name
			raw = append(raw, s2)
		}
	} else {
		for _, x := range listOf(source["versions"]) {
			if m, ok := x.(map[string]any); ok {
				raw = append(raw, m)
			}
		}
	}
	var st lifecycle.State
	var infos []VersionInfo
	for _, m := range raw {
		n, ok := number(m["version"])
		if !ok || n < 1 {
			continue
		}
		v := lifecycle.Version{
			Version:      n,
			Status:       lifecycle.Status(str(m["status"])),
			IssuedAt:     parseTime(m["issued_at"]),
			ActivatedAt:  parseTime(m["activated_at"]),
			SupersededAt: parseTime(m["superseded_at"]),
			RevokedAt:    parseTime(m["revoked_at"]),
			RevokeReason: str(m["revoke_reason"]),
		}
		if c.Type == typeSchedule {
			v.Slot = lifecycle.SlotOf(lifecycle.ModeTwoSlot, n)
		}
		st.Versions = append(st.Versions, v)
		st.Generation = max(st.Generation, n)
		infos = append(infos, VersionInfo{Version: n, Slot: v.Slot, Status: string(v.Status), KID: str(m["kid"]), RevokeReason: v.RevokeReason})
	}
	if g, ok := number(source["generation"]); ok && c.Type == typeSchedule {
		st.Generation = max(st.Generation, g)
	}
	sort.Slice(st.Versions, func(i, j int) bool { return st.Versions[i].Version < st.Versions[j].Version })
	sort.Slice(infos, func(i, j int) bool { return infos[i].Version < infos[j].Version })
	return st, infos, note
}

func parseTime(v any) time.Time {
	s, _ := v.(string)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
