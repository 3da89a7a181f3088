package ops

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/runbook"
)

// The metrics `metrics` writes (docs/metrics.md has the table; a test
// holds the two equal). Every one is a gauge evaluated at one instant,
// --at: the output is a snapshot for the node_exporter textfile collector,
// a Pushgateway or a static file served to Prometheus.

// Label names.
const (
	labelWorkspace    = "workspace"
	labelAddress      = "address"
	labelResourceType = "resource_type"
	labelFamily       = "family"
	labelName         = "name"
)

// credentialLabels identify a rotation_secret or rotation_schedule.
var credentialLabels = []string{labelWorkspace, labelAddress, labelResourceType, labelFamily, labelName}

// familyLabels identify a rotation_secret_family.
var familyLabels = []string{labelWorkspace, labelAddress, labelFamily}

func with(base []string, extra ...string) []string {
	return append(append([]string{}, base...), extra...)
}

// Metric is one metric the collector writes: its name, help and labels.
type Metric struct {
	Name   string
	Help   string
	Labels []string
	desc   *prometheus.Desc
}

func metric(name, help string, labels []string) *Metric {
	return &Metric{Name: name, Help: help, Labels: labels, desc: prometheus.NewDesc(name, help, labels, nil)}
}

// The metrics, in the order of docs/metrics.md.
var (
	mEvaluation = metric("rotation_evaluation_timestamp_seconds",
		"Instant the rotation metrics were evaluated at (--at), as a Unix time.", nil)
	mInfo = metric("rotation_credential_info",
		"A rotation_secret or rotation_schedule: always 1, with its classification, material type (\"\" for a schedule) and mode (series or two-slot).",
		with(credentialLabels, "classification", "secret_type", "mode"))
	mProblem = metric("rotation_record_problem",
		"1 when the resource cannot be evaluated (a damaged record, a schedule unknown or invalid); its other metrics are then absent.",
		credentialLabels)
	mActiveVersion = metric("rotation_active_version",
		"Number of the active version (what emitters use).", credentialLabels)
	mActiveAge = metric("rotation_active_version_age_seconds",
		"Age of the active version's material: seconds since it was issued.", credentialLabels)
	mVersions = metric("rotation_versions",
		"Recorded versions by status (pending, active, previous, revoked); revoked ones beyond history_limit are pruned.",
		with(credentialLabels, "status"))
	mDue = metric("rotation_transition_due",
		"1 when a plan at the evaluation instant would carry out a transition (what the due command reports), else 0.", credentialLabels)
	mOverdue = metric("rotation_transition_overdue_seconds",
		"Seconds since the transition due now became due (0 when nothing is due): how late the apply is.", credentialLabels)
	mNextAt = metric("rotation_next_transition_timestamp_seconds",
		"Time of the next scheduled transition of the record, as a Unix time; the evaluation instant when it is due.",
		with(credentialLabels, "action"))
	mNextIn = metric("rotation_next_transition_seconds",
		"Seconds from the evaluation instant until the next scheduled transition (0 when it is due).",
		with(credentialLabels, "action"))
	mLast = metric("rotation_last_transition_timestamp_seconds",
		"Time of the last recorded transition (the newest timestamp of any version), as a Unix time.", credentialLabels)
	mHold = metric("rotation_revocation_hold",
		"1 when hold_revocation is set: previous versions stay accepted past their overlap.", credentialLabels)
	mHeld = metric("rotation_held_revocations",
		"Previous versions past their overlap that hold_revocation keeps accepted.", credentialLabels)
	mPastOverlap = metric("rotation_previous_past_overlap_seconds",
		"Longest time a previous version has stayed accepted past the end of its overlap (0 when none has).", credentialLabels)
	mGateWaits = metric("rotation_gate_waits",
		"Gated steps (action revoke: revocation_gate; activate: emission_gate) due by the calendar that wait for evidence at the evaluation instant. Static evidence (last_used, accepted) is decided as the provider decides; a gate fed by Prometheus counts as waiting, since only a plan queries it.",
		with(credentialLabels, "action"))
	mGateWaitSeconds = metric("rotation_gate_wait_seconds",
		"Longest time a gated step that waits has been due by the calendar (revoke: since its overlap ended; activate: since its propagation ended); 0 when none waits.",
		with(credentialLabels, "action"))
	mGatePastMaxWait = metric("rotation_gate_past_max_wait",
		"Revocations that have waited longer than revocation_gate.max_wait past their overlap (policy ROT033).", credentialLabels)
	mTTL = metric("rotation_ttl_remaining_seconds",
		"Seconds until the first accepted version reaches its expiry (expires_at, issued_at + ttl); negative once past it.", credentialLabels)
	mFamilyInfo = metric("rotation_family_info",
		"A rotation_secret_family: always 1, with its classification and owner.", with(familyLabels, "classification", "owner"))
	mFamilyCredentials = metric("rotation_family_credentials",
		"Secrets and schedules of the family in the document.", familyLabels)
	mReviewAt = metric("rotation_family_next_review_timestamp_seconds",
		"When the family's runbook is due for review (reviewed_at + review_interval), as a Unix time.", familyLabels)
	mReviewOverdue = metric("rotation_family_review_overdue",
		"1 when the family's review is overdue (next review before the evaluation instant) or it was never reviewed, else 0.", familyLabels)
	mReviewOverdueFor = metric("rotation_family_review_overdue_seconds",
		"Seconds the family's review is overdue (0 when it is not).", familyLabels)
)

// Metrics lists every metric the collector may write, in order.
func Metrics() []*Metric {
	return []*Metric{mEvaluation, mInfo, mProblem, mActiveVersion, mActiveAge, mVersions, mDue, mOverdue, mNextAt, mNextIn, mLast,
		mHold, mHeld, mPastOverlap, mGateWaits, mGateWaitSeconds, mGatePastMaxWait, mTTL, mFamilyInfo, mFamilyCredentials, mReviewAt, mReviewOverdue, mReviewOverdueFor}
}

// Collector is a prometheus.Collector of the rotation metrics of some
// documents at one instant.
type Collector struct {
	docs []*Document
	at   time.Time
}

// NewCollector collects the metrics of docs at the instant at. Every
// document needs its own workspace, so that no two series collide.
func NewCollector(docs []*Document, at time.Time) (*Collector, error) {
	seen := map[string]string{}
	for _, d := range docs {
		if prev, ok := seen[d.Workspace]; ok {
			return nil, fmt.Errorf("%s and %s are both for workspace %q: name each state's workspace with WORKSPACE=FILE", prev, d.File, d.Workspace)
		}
		seen[d.Workspace] = d.File
	}
	return &Collector{docs: docs, at: at.UTC()}, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range Metrics() {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	emit := func(m *Metric, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(m.desc, prometheus.GaugeValue, v, labels...)
	}
	emit(mEvaluation, unix(c.at))
	for _, d := range c.docs {
		for _, f := range d.Families {
			c.family(emit, d, f)
		}
		for _, cr := range d.Credentials {
			c.credential(emit, d, cr)
		}
	}
}

type emitFunc func(m *Metric, v float64, labels ...string)

func (c *Collector) family(emit emitFunc, d *Document, f *runbook.Family) {
	labels := []string{d.Workspace, f.Address, f.Name.Content}
	emit(mFamilyInfo, 1, with(labels, f.Classification.Content, f.Owner.Content)...)
	emit(mFamilyCredentials, float64(len(f.Credentials)), labels...)
	switch {
	case !f.NextReview.IsZero():
		emit(mReviewAt, unix(f.NextReview), labels...)
		overdue := f.NextReview.Before(c.at)
		emit(mReviewOverdue, boolean(overdue), labels...)
		emit(mReviewOverdueFor, max(0, c.at.Sub(f.NextReview).Seconds()), labels...)
	case !f.ReviewedAt.Set && !f.ReviewedAt.Unknown:
		emit(mReviewOverdue, 1, labels...) // never reviewed
	}
}

func (c *Collector) credential(emit emitFunc, d *Document, cr *runbook.Credential) {
	labels := []string{d.Workspace, cr.Address, cr.Type, FamilyName(cr), cr.Name.Content}
	emit(mInfo, 1, with(labels, cr.Classification.Content, cr.SecretType.Content, cr.Mode.String())...)
	if cr.Problem != "" {
		emit(mProblem, 1, labels...)
		return
	}
	spec, state, at := cr.Spec, cr.State, c.at
	dec, err := lifecycle.Decide(spec, state, at)
	if err != nil {
		emit(mProblem, 1, labels...)
		return
	}
	emit(mProblem, 0, labels...)

	counts := map[lifecycle.Status]int{}
	for _, v := range state.Versions {
		counts[v.Status]++
	}
	for _, s := range []lifecycle.Status{lifecycle.StatusPending, lifecycle.StatusActive, lifecycle.StatusPrevious, lifecycle.StatusRevoked} {
		emit(mVersions, float64(counts[s]), with(labels, string(s))...)
	}
	if a := state.Active(); a != nil {
		emit(mActiveVersion, float64(a.Version), labels...)
		if !a.IssuedAt.IsZero() {
			emit(mActiveAge, at.Sub(a.IssuedAt).Seconds(), labels...)
		}
	}

	due := len(dec.Transitions) > 0
	emit(mDue, boolean(due), labels...)
	overdue := 0.0
	if due {
		overdue = at.Sub(DueSince(spec, state, at)).Seconds()
	}
	emit(mOverdue, overdue, labels...)
	// The next scheduled transition of the record: due now (at) or later.
	if action, _, next := lifecycle.NextTransition(spec, state, at); action != "" {
		if due && dec.Transitions[0].Action != action {
			// Something explicit is due now (the first version, an
			// emergency revocation, a pin): it is the next transition.
			action, next = dec.Transitions[0].Action, at
		}
		emit(mNextAt, unix(next), with(labels, string(action))...)
		emit(mNextIn, max(0, next.Sub(at).Seconds()), with(labels, string(action))...)
	} else if due {
		emit(mNextAt, unix(at), with(labels, string(dec.Transitions[0].Action))...)
		emit(mNextIn, 0, with(labels, string(dec.Transitions[0].Action))...)
	}
	if last := state.Newest(); !last.IsZero() {
		emit(mLast, unix(last), labels...)
	}

	emit(mHold, boolean(spec.Controls.HoldRevocation), labels...)
	held, past := 0, 0.0
	for _, v := range state.Versions {
		if v.Status != lifecycle.StatusPrevious {
			continue
		}
		end := v.SupersededAt.Add(spec.Schedule.Overlap)
		if end.After(at) {
			continue
		}
		past = max(past, at.Sub(end).Seconds())
		if spec.Controls.HoldRevocation && v.Version != spec.Controls.Pin {
			held++
		}
	}
	emit(mHeld, float64(held), labels...)
	emit(mPastOverlap, past, labels...)
	c.gates(emit, cr, labels)

	var first time.Time
	for _, info := range cr.Versions {
		if !lifecycle.Status(info.Status).Accepted() || info.ExpiresAt.IsZero() {
			continue
		}
		if first.IsZero() || info.ExpiresAt.Before(first) {
			first = info.ExpiresAt
		}
	}
	if !first.IsZero() {
		emit(mTTL, first.Sub(at).Seconds(), labels...)
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func boolean(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Format is an output format of WriteMetrics.
type Format string

// The formats: the Prometheus text exposition format (0.0.4), which
// `promtool check metrics` lints, and OpenMetrics 1.0.0.
const (
	FormatPrometheus  Format = "prometheus"
	FormatOpenMetrics Format = "openmetrics"
)

// WriteMetrics gathers the collector through a pedantic registry (which
// checks every metric against its description) and encodes the families
// with expfmt.
func WriteMetrics(w io.Writer, col prometheus.Collector, format Format) error {
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(col); err != nil {
		return err
	}
	families, err := reg.Gather()
	if err != nil {
		return err
	}
	var f expfmt.Format
	switch format {
	case FormatPrometheus:
		f = expfmt.NewFormat(expfmt.TypeTextPlain)
	case FormatOpenMetrics:
		f = expfmt.NewFormat(expfmt.TypeOpenMetrics)
	default:
		return fmt.Errorf("unknown metrics format %q", format)
	}
	enc := expfmt.NewEncoder(w, f)
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	closer, ok := enc.(expfmt.Closer)
	if !ok {
		return errors.New("the expfmt encoder cannot be closed")
	}
	return closer.Close()
}

// gates writes the gate-wait metrics of a credential with evidence gates:
// the engine decides with the gates and the static evidence the document
// holds (runbook.Credential.Gates), as the provider's plan does.
func (c *Collector) gates(emit emitFunc, cr *runbook.Credential, labels []string) {
	g := cr.Gates
	if g.Revocation == nil && g.Emission == nil {
		return
	}
	waits, err := GateWaits(cr, c.at)
	if err != nil {
		return
	}
	type tally struct {
		n       int
		longest time.Duration
	}
	byAction := map[lifecycle.Action]*tally{}
	if g.Revocation != nil {
		byAction[lifecycle.ActionRevoke] = &tally{}
	}
	if g.Emission != nil {
		byAction[lifecycle.ActionActivate] = &tally{}
	}
	pastMax := 0
	for _, w := range waits {
		t := byAction[w.Wait.Action]
		if t == nil {
			continue
		}
		t.n++
		t.longest = max(t.longest, c.at.Sub(w.DueAt))
		if w.Wait.PastMaxWait {
			pastMax++
		}
	}
	for _, a := range []lifecycle.Action{lifecycle.ActionRevoke, lifecycle.ActionActivate} {
		if t := byAction[a]; t != nil {
			emit(mGateWaits, float64(t.n), with(labels, string(a))...)
			emit(mGateWaitSeconds, max(0, t.longest.Seconds()), with(labels, string(a))...)
		}
	}
	if g.Revocation != nil {
		emit(mGatePastMaxWait, float64(pastMax), labels...)
	}
}

// GateWait is a gated step that waits for evidence, with the time it
// became due by the calendar.
type GateWait struct {
	Wait  lifecycle.Wait
	DueAt time.Time
}

// GateWaits decides cr at at with its evidence gates and the static
// evidence the document holds, and returns the gated steps that wait (none
// without gates).
func GateWaits(cr *runbook.Credential, at time.Time) ([]GateWait, error) {
	if cr.Gates.Revocation == nil && cr.Gates.Emission == nil {
		return nil, nil
	}
	spec := cr.Spec
	spec.Gates = cr.Gates
	dec, err := lifecycle.Decide(spec, cr.State, at)
	if err != nil {
		return nil, err
	}
	out := make([]GateWait, 0, len(dec.Waits))
	for _, w := range dec.Waits {
		gw := GateWait{Wait: w, DueAt: at}
		if v := cr.State.Find(w.Version); v != nil {
			switch w.Action {
			case lifecycle.ActionRevoke:
				gw.DueAt = v.SupersededAt.Add(spec.Schedule.Overlap)
			case lifecycle.ActionActivate:
				gw.DueAt = v.IssuedAt.Add(spec.Schedule.Propagation)
			}
		}
		out = append(out, gw)
	}
	return out, nil
}
