package runbook

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/defaults"
	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// SensitiveText replaces every value the plan or state marks sensitive
// (after_sensitive, sensitive_values): the runbook never shows such a value.
const SensitiveText = "(sensitive)"

// Value is an attribute as the runbook shows it.
type Value struct {
	// Content is the value as text (a number or a boolean spelled out), or
	// SensitiveText when the input marks it sensitive.
	Content string
	Set     bool // not null (or defaulted)
	Unknown bool // known only after apply
	// Sensitive is set when the input marks the value sensitive; raw then
	// holds it for what the runbook computes (the jitter key, a time to
	// parse), never for what it shows.
	Sensitive bool
	raw       string
}

// Raw is the value for computations: Content, or the value behind
// SensitiveText. Never show it.
func (v Value) Raw() string {
	if v.Sensitive {
		return v.raw
	}
	return v.Content
}

// Text is the value for people: the string, "known after apply" or
// fallback when not set.
func (v Value) Text(fallback string) string {
	switch {
	case v.Unknown:
		return "known after apply"
	case !v.Set || v.Content == "":
		return fallback
	}
	return v.Content
}

// Dur is a duration attribute (Sensitive: its value is not shown, Text and
// fmtDur print SensitiveText).
type Dur struct {
	Value
	D time.Duration
	// Valid is set for a duration that is set (or defaulted), known and
	// valid: D holds it.
	Valid bool
}

// Text is the canonical spelling, or why there is none.
func (d Dur) Text() string {
	switch {
	case d.Unknown:
		return "known after apply"
	case !d.Set:
		return "not set"
	case d.Sensitive:
		return SensitiveText
	case !d.Valid:
		return fmt.Sprintf("%q (not a duration)", d.Content)
	}
	return duration.Format(d.D)
}

// fmtSum spells a duration computed from parts (a sum, a maximum, a
// difference): SensitiveText when one of them is sensitive, since the
// result would show it.
func fmtSum(d time.Duration, parts ...Dur) string {
	for _, p := range parts {
		if p.Sensitive {
			return SensitiveText
		}
	}
	return duration.Format(d)
}

// valueOf turns a field of the view into a Value.
func valueOf(f fieldView) Value {
	switch f.State {
	case "unknown":
		return Value{Unknown: true}
	case "known", "invalid":
		if f.Sensitive {
			return Value{Content: SensitiveText, Set: f.Value != nil, Sensitive: true, raw: display(f.Value)}
		}
		return Value{Content: display(f.Value), Set: f.Value != nil}
	}
	return Value{}
}

// display spells a value of the view: strings as they are, whole numbers
// without a fraction.
func display(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case json.Number:
		if n, ok := number(x); ok {
			return strconv.FormatInt(n, 10)
		}
		return x.String()
	}
	return fmt.Sprint(v)
}

// durOf turns a duration field of the view (with its seconds) into a Dur.
func durOf(f fieldView) Dur {
	d := Dur{Value: valueOf(f)}
	if f.State == "known" && f.Seconds != nil {
		d.D, d.Valid = time.Duration(*f.Seconds)*time.Second, true
	}
	return d
}

// isTrue reads a boolean field: true only when known and true.
func isTrue(f fieldView) bool {
	b, _ := f.Value.(bool)
	return f.State == "known" && b
}

// Consumer is a consumer block of a family. Name, Role and Reload are as
// shown (SensitiveText for a sensitive value).
type Consumer struct {
	Name       string
	Role       string // validator, emitter or both
	CacheTTL   Dur
	Reload     string // hot or restart
	Owner      Value
	ThirdParty bool
	// role and reload are the values behind Role and Reload.
	role, reload string
}

// Validates reports a consumer that accepts (verifies, checks) the secret.
func (c Consumer) Validates() bool { return c.role == "validator" || c.role == "both" }

// Emits reports a consumer that uses the active version (signs, logs in).
func (c Consumer) Emits() bool { return c.role == "emitter" || c.role == "both" }

// Restarts reports a consumer that loads new versions only on restart.
func (c Consumer) Restarts() bool { return c.reload == "restart" }

// Family is a rotation_secret_family and the credentials matched to it.
type Family struct {
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

	// The caches the overlap rules compare with, as the policies' view
	// computes them.
	MaxCache         time.Duration // longest cache of any consumer
	MaxCacheFrom     []string      // consumers with that cache
	MaxValidator     time.Duration // longest cache of a validator (or both)
	MaxValidatorFrom []string
	HasValidators    bool
	CachesKnown      bool // every cache_ttl known and valid
	// RequiredOverlap is the longest cache plus the artifact lifetime;
	// RequiredKnown says whether both are known.
	RequiredOverlap time.Duration
	RequiredKnown   bool

	NextReview time.Time
	ReviewNote string
	// ReviewOverdue is set when the policies report the review overdue or
	// missing (ROT013).
	ReviewOverdue bool

	// CachesSensitive is set when a consumer's cache_ttl is sensitive: the
	// longest caches and the required overlap are not shown.
	CachesSensitive bool

	// Findings are the policy findings about the family itself; Other are
	// those that the facts do not show (ROT010 marks the owners, ROT013
	// the review), listed on their own.
	Findings []policy.Finding
	Other    []policy.Finding
	// NoOwner, NoBackup and SameOwners say what ROT010 denies.
	NoOwner, NoBackup, SameOwners bool

	shown shown
}

// Title is the family name, or its address when the name is unknown.
func (f *Family) Title() string {
	if f.Name.Set && !f.Name.Unknown && !f.Name.Sensitive && f.Name.Content != "" {
		return f.Name.Content
	}
	return f.Address
}

func readFamily(v familyView) *Family {
	f := &Family{
		Address:          v.Address,
		Name:             valueOf(v.Name),
		Purpose:          valueOf(v.Purpose),
		Owner:            valueOf(v.Owner),
		BackupOwner:      valueOf(v.BackupOwner),
		Classification:   valueOf(v.Classification),
		Storage:          valueOf(v.Storage),
		RunbookURL:       valueOf(v.RunbookURL),
		ArtifactLifetime: durOf(v.ArtifactLifetime),
		ReviewInterval:   durOf(v.ReviewInterval),
		ReviewedAt:       valueOf(v.ReviewedAt),
		ConsumersUnknown: v.Consumers.State == "unknown",
		CachesKnown:      v.Caches.Known,
		MaxCache:         time.Duration(v.Caches.Longest) * time.Second,
		MaxCacheFrom:     v.Caches.LongestFrom,
		MaxValidatorFrom: v.Caches.LongestValidatorFrom,
	}
	if lv := v.Caches.LongestValidator; lv != nil {
		f.MaxValidator, f.HasValidators = time.Duration(*lv)*time.Second, true
	}
	if r := v.RequiredOverlap; r.State == "known" && r.Seconds != nil {
		f.RequiredOverlap, f.RequiredKnown = time.Duration(*r.Seconds)*time.Second, true
	}
	if v.Tags.Sensitive {
		f.Tags = []string{SensitiveText}
	} else if tags, ok := v.Tags.Value.(map[string]any); ok && v.Tags.State == "known" {
		for k, x := range tags {
			s, _ := x.(string)
			f.Tags = append(f.Tags, k+" = "+s)
		}
		sort.Strings(f.Tags)
	}
	for _, c := range v.Consumers.List {
		role, reload := valueOf(c.Role), valueOf(c.Reload)
		x := Consumer{
			Name:       valueOf(c.Name).Text("(unnamed)"),
			Role:       role.Text("validator"),
			CacheTTL:   durOf(c.CacheTTL),
			Reload:     reload.Text("hot"),
			Owner:      valueOf(c.Owner),
			ThirdParty: isTrue(c.ThirdParty),
			role:       role.Raw(),
			reload:     reload.Raw(),
		}
		if x.role == "" && !role.Unknown {
			x.role = "validator"
		}
		f.Consumers = append(f.Consumers, x)
		f.CachesSensitive = f.CachesSensitive || x.CacheTTL.Sensitive
	}
	return f
}

// cachesDur stands for the consumers' caches in fmtSum: sensitive when one
// of them is.
func (f *Family) cachesDur() Dur { return Dur{Value: Value{Sensitive: f.CachesSensitive}} }

// maxCacheText and maxValidatorText are the longest cache of a consumer and
// of a validator, as shown.
func (f *Family) maxCacheText() string { return fmtSum(f.MaxCache, f.cachesDur()) }

func (f *Family) maxValidatorText() string { return fmtSum(f.MaxValidator, f.cachesDur()) }

// review computes the next review (reviewed_at + review_interval); whether
// it is overdue is the policies' verdict (ROT013), see Build.
func (f *Family) review() {
	switch {
	case f.ReviewedAt.Unknown || f.ReviewInterval.Unknown:
		f.ReviewNote = "known after apply"
	case f.ReviewedAt.Sensitive || f.ReviewInterval.Sensitive:
		f.ReviewNote = SensitiveText
	case !f.ReviewedAt.Set:
		f.ReviewNote = "never reviewed (no reviewed_at): review now"
	case !f.ReviewInterval.Valid:
		f.ReviewNote = "review_interval is not a duration"
	default:
		at, err := time.Parse(time.RFC3339, f.ReviewedAt.Raw())
		if err != nil {
			f.ReviewNote = fmt.Sprintf("reviewed_at %q is not an RFC 3339 time", f.ReviewedAt.Content)
			return
		}
		f.NextReview = at.Add(f.ReviewInterval.D).UTC()
	}
}

// fileFindings sorts the family's findings: ROT010 marks the owner or
// backup owner it finds missing or the same, ROT013 the review; the others
// are listed.
func (f *Family) fileFindings() {
	covered := map[int]bool{}
	rot010 := checked(f.Findings, "ROT010")
	if len(rot010) > 0 {
		f.NoOwner, f.NoBackup = blank(f.Owner), blank(f.BackupOwner)
		f.SameOwners = !f.NoOwner && !f.NoBackup && !f.Owner.Unknown && !f.BackupOwner.Unknown
	}
	f.ReviewOverdue = len(checked(f.Findings, "ROT013")) > 0
	for i, x := range f.Findings {
		if isUnchecked(x) {
			continue
		}
		if (x.Rule == "ROT010" && (f.NoOwner || f.NoBackup || f.SameOwners)) || x.Rule == "ROT013" {
			covered[i] = true
			f.shown.add(x.Rule, x.Severity)
		}
	}
	for i, x := range f.Findings {
		if !covered[i] {
			f.Other = append(f.Other, x)
			f.shown.add(x.Rule, x.Severity)
		}
	}
}

// blank is a known value that is not set or only white space.
func blank(v Value) bool { return !v.Unknown && strings.TrimSpace(v.Content) == "" }

// Credential is a rotation_secret or rotation_schedule.
type Credential struct {
	Address string
	Type    string // rotation_secret or rotation_schedule
	Mode    lifecycle.Mode
	Family  *Family // nil when no family was found
	// FamilyValue is the family argument (the family's name).
	FamilyValue Value
	Name        Value
	// SecretType is the material type of a rotation_secret ("" for a
	// schedule).
	SecretType Value
	// Classification is the family's classification as the policies use
	// it (high for a credential without a family); NoFamily marks that
	// default.
	Classification Value
	NoFamily       bool

	Period, Overlap, Propagation, TTL, Jitter Dur
	WindowText                                string
	Window                                    *lifecycle.ChangeWindow
	Pin                                       int64
	Hold                                      bool
	HoldReason                                Value
	RevokeRequested                           []int64
	RevokeReason                              string
	HistoryLimit                              int

	// Versions are the recorded versions (timestamps of this plan's own
	// transitions stamped with the report's time).
	Versions []VersionInfo
	// Recorded is the record as the document has it (unstamped).
	Recorded lifecycle.State
	// State is the engine's record at the report's time.
	State lifecycle.State
	// Problem says why the credential could not be projected ("" if it
	// was).
	Problem string
	// Projection.
	Spec lifecycle.Spec
	// Gates are the evidence gates with the static evidence the document
	// holds (engineGates); Spec leaves them out, since the timeline shows
	// the calendar's earliest times.
	Gates  lifecycle.Gates
	Events []lifecycle.Event
	Spans  []Span
	// Truncated is set when the projection stopped early (see Problem).
	Truncated bool
	// JitterOffset is the deterministic delay of each issue.
	JitterOffset time.Duration

	// Findings are the policy findings about the credential.
	Findings []policy.Finding
	// Waived are its findings that valid params.waivers entries cover: a
	// check of such a rule shows "waived", not "ok" or a failure.
	Waived []policy.Finding
	shown  shown

	Checks   []Check
	Steps    []Step
	Rollback []Text
	Notes    []Text

	view secretView
	// asOf is the instant the policies judged at (Report.AsOf).
	asOf time.Time
	// versionsNote says where the versions came from when the plan leaves
	// them unknown.
	versionsNote string
	// expiresAt are the recorded expires_at of the versions, by number.
	expiresAt map[int64]time.Time
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
	// Expired is set when the policies report the version accepted past
	// its expiry (ROT003).
	Expired bool
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
	return c.Type == typeSecret && (c.SecretType.Raw() == "password" || c.SecretType.Raw() == "hmac")
}

// Asymmetric reports a key pair type: validators only hold public keys.
func (c *Credential) Asymmetric() bool {
	if c.Type != typeSecret {
		return false
	}
	switch c.SecretType.Raw() {
	case "ed25519", "ecdsa-p256", "ecdsa-p384", "rsa":
		return true
	}
	return false
}

func readCredential(v secretView) *Credential {
	ctl := v.Controls
	c := &Credential{
		view:           v,
		Address:        v.Address,
		Type:           v.Type,
		FamilyValue:    valueOf(v.FamilyValue),
		Name:           valueOf(v.Name),
		Classification: valueOf(v.Classification),
		NoFamily:       v.Classification.NoFamily,
		Period:         durOf(v.Schedule["period"]),
		Overlap:        durOf(v.Schedule["overlap"]),
		Propagation:    durOf(v.Schedule["propagation"]),
		TTL:            durOf(v.Schedule["ttl"]),
		Jitter:         durOf(v.Schedule["jitter"]),
		Hold:           isTrue(ctl.HoldRevocation),
		HoldReason:     valueOf(ctl.HoldReason),
		RevokeReason:   strings.TrimSpace(valueOf(ctl.RevokeReason).Text("")),
		HistoryLimit:   defaults.HistoryLimit,
	}
	c.HoldReason.Content = strings.TrimSpace(c.HoldReason.Content)
	c.HoldReason.raw = strings.TrimSpace(c.HoldReason.raw)
	if v.Type == typeSchedule {
		c.Mode = lifecycle.ModeTwoSlot
		c.HistoryLimit = defaults.TwoSlotHistoryLimit
	} else {
		c.SecretType = valueOf(v.SecretType)
		if n, ok := number(ctl.HistoryLimit.Value); ok && n >= 0 && ctl.HistoryLimit.State == "known" {
			c.HistoryLimit = int(n)
		}
	}
	if n, ok := number(ctl.Pin.Value); ok && ctl.Pin.State == "known" {
		c.Pin = n
	}
	if list, ok := ctl.RevokeVersions.Value.([]any); ok && ctl.RevokeVersions.State == "known" {
		for _, x := range list {
			if n, ok := number(x); ok {
				c.RevokeRequested = append(c.RevokeRequested, n)
			}
		}
	}
	sort.Slice(c.RevokeRequested, func(i, j int) bool { return c.RevokeRequested[i] < c.RevokeRequested[j] })
	c.Recorded, c.Versions, c.expiresAt, c.versionsNote = readVersions(v)
	return c
}

// readWindow reads schedule.change_window; a problem is returned as text.
func (c *Credential) readWindow() string {
	w := c.view.ChangeWindow
	switch w.State {
	case "unknown":
		return "schedule.change_window is known only after apply"
	case "known":
	default:
		c.WindowText = "any time (no change_window)"
		return ""
	}
	start, end, tz := str(w.Start), str(w.End), str(w.TimeZone)
	if start == "" || end == "" {
		return "schedule.change_window needs start and end"
	}
	cw, err := lifecycle.ParseChangeWindow(w.Days, start, end, tz)
	if err != nil {
		return "schedule.change_window: " + err.Error()
	}
	c.Window = cw
	c.WindowText = cw.String()
	return ""
}

// readVersions reads the versions (rotation_secret) or used slots
// (rotation_schedule) of the view into the engine's record, with the
// public metadata of each for the versions table and the recorded
// expires_at. When a plan leaves them unknown, the prior versions are the
// best record there is, and note says so.
func readVersions(v secretView) (st lifecycle.State, infos []VersionInfo, expires map[int64]time.Time, note string) {
	vs := v.Versions
	list, generation := vs.List, vs.Generation
	if !vs.Known {
		if vs.Prior == nil {
			return lifecycle.State{}, nil, nil, ""
		}
		// Rare: the plan could not decide (something the engine reads is
		// unknown).
		list, generation = vs.Prior.List, vs.Prior.Generation
		note = vs.Attr + " are known only after apply: projected from the prior state"
	}
	expires = map[int64]time.Time{}
	for _, m := range list {
		n, ok := number(m.Version)
		if !ok || n < 1 {
			continue
		}
		ver := lifecycle.Version{
			Version:      n,
			Status:       lifecycle.Status(str(m.Status)),
			IssuedAt:     parseTime(m.IssuedAt),
			ActivatedAt:  parseTime(m.ActivatedAt),
			SupersededAt: parseTime(m.SupersededAt),
			RevokedAt:    parseTime(m.RevokedAt),
			RevokeReason: str(m.RevokeReason),
		}
		if v.Type == typeSchedule {
			ver.Slot = lifecycle.SlotOf(lifecycle.ModeTwoSlot, n)
		}
		st.Versions = append(st.Versions, ver)
		st.Generation = max(st.Generation, n)
		info := VersionInfo{Version: n, Slot: ver.Slot, Status: string(ver.Status), KID: str(m.KID), RevokeReason: ver.RevokeReason}
		if m.sensitive("kid") && info.KID != "" {
			info.KID = SensitiveText
		}
		if m.sensitive("revoke_reason") && info.RevokeReason != "" {
			info.RevokeReason = SensitiveText
		}
		infos = append(infos, info)
		if t := parseTime(m.ExpiresAt); !t.IsZero() {
			expires[n] = t
		}
	}
	if g, ok := number(generation); ok && v.Type == typeSchedule {
		st.Generation = max(st.Generation, g)
	}
	sort.Slice(st.Versions, func(i, j int) bool { return st.Versions[i].Version < st.Versions[j].Version })
	sort.Slice(infos, func(i, j int) bool { return infos[i].Version < infos[j].Version })
	return st, infos, expires, note
}

func parseTime(s *string) time.Time {
	if s == nil || *s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
