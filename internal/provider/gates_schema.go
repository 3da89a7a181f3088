package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
)

// This file holds the evidence gates both lifecycle resources share
// (docs/design.md, Evidence gates): the revocation_gate and emission_gate
// blocks, used_after_revocation, and how the adapter feeds their evidence
// to the engine. The engine decides; this file only reads the
// configuration, queries Prometheus when a gated step is otherwise due
// (evidence_prometheus.go), and maps version numbers and kids to versions.

// gatesModel is the part of lifecycleBase that holds the gates.
type gatesModel struct {
	RevocationGate      *revocationGateModel `tfsdk:"revocation_gate"`
	EmissionGate        *emissionGateModel   `tfsdk:"emission_gate"`
	UsedAfterRevocation types.List           `tfsdk:"used_after_revocation"`
}

type revocationGateModel struct {
	QuietPeriod         types.String     `tfsdk:"quiet_period"`
	MaxWait             types.String     `tfsdk:"max_wait"`
	RequireSuccessorUse types.Bool       `tfsdk:"require_successor_use"`
	LastUsed            types.Map        `tfsdk:"last_used"`
	ObservedAt          types.String     `tfsdk:"observed_at"`
	Prometheus          *prometheusModel `tfsdk:"prometheus"`
}

type emissionGateModel struct {
	Sources    types.List       `tfsdk:"sources"`
	Accepted   types.Map        `tfsdk:"accepted"`
	ObservedAt types.String     `tfsdk:"observed_at"`
	Prometheus *prometheusModel `tfsdk:"prometheus"`
}

type prometheusModel struct {
	Query types.String `tfsdk:"query"`
	Label types.String `tfsdk:"label"`
}

// usedAfterRevocationModel is one element of used_after_revocation.
type usedAfterRevocationModel struct {
	Version   types.Int64  `tfsdk:"version"`
	LastUsed  types.String `tfsdk:"last_used"`
	RevokedAt types.String `tfsdk:"revoked_at"`
}

var usedAfterRevocationType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"version": types.Int64Type, "last_used": types.StringType, "revoked_at": types.StringType,
}}

// Evidence sources, as the record of a transition names them.
const (
	sourcePrometheus = "prometheus"
	sourceLastUsed   = "last_used"
	sourceAccepted   = "accepted"
)

// lifecycleBlocks are the blocks of both lifecycle resources: schedule and
// the two gates.
func lifecycleBlocks(twoSlot bool) map[string]schema.Block {
	return map[string]schema.Block{
		"schedule":        scheduleBlock(twoSlot),
		"revocation_gate": revocationGateBlock(),
		"emission_gate":   emissionGateBlock(),
	}
}

func prometheusBlock(label, value string) schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "Evidence from Prometheus: the provider runs this instant query against its `prometheus_url` at the " +
			"evaluation instant of the plan (`plan_time`, `now`), only when the gated step is otherwise due. " + value,
		Attributes: map[string]schema.Attribute{
			"query": schema.StringAttribute{
				Optional:    true,
				Description: "PromQL returning an instant vector. Required with the block.",
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"label": schema.StringAttribute{
				Optional:    true,
				Description: label + " Required with the block.",
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func revocationGateBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "Revoke on evidence, not on the calendar: a previous version whose overlap has elapsed is revoked only " +
			"once evidence collected at least `quiet_period` after it stopped being active shows no use of it for `quiet_period`, " +
			"and (`require_successor_use`) its successor in use. Until then it waits, and the plan warns and says why; waiting " +
			"is never a deny. A version absent from the evidence was not seen in use. Evidence: a `prometheus` block, or " +
			"`last_used` with `observed_at`. Emergency `revoke_versions` ignores the gate.",
		Attributes: map[string]schema.Attribute{
			"quiet_period": schema.StringAttribute{
				Optional:    true,
				Description: "No observed use of the version for at least this long before the evidence was collected, as a duration (e.g. `2h`). Required with the block.",
				Validators:  []validator.String{durationValidator{}},
			},
			"max_wait": schema.StringAttribute{
				Optional: true,
				Description: "How long past the overlap to wait before escalating, as a duration (e.g. `7d`): past it the gate keeps " +
					"waiting and the plan warns (policy ROT033). Required with the block.",
				Validators: []validator.String{durationValidator{}},
			},
			"require_successor_use": schema.BoolAttribute{
				Optional: true,
				Description: "The workload must be seen using the new version (the active one, since it became active) before the " +
					"old one is revoked (default `true`).",
			},
			"last_used": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Static evidence from any other source: version number or kid -> last observed use (RFC 3339). " +
					"A numeric key is a version number, any other key a kid; keys that name no recorded version are ignored " +
					"with a warning. It is a plan input: changing it shows as a change in the plan.",
				Validators: []validator.Map{mapvalidator.ValueStringsAre(rfc3339Validator{})},
			},
			"observed_at": schema.StringAttribute{
				Optional:    true,
				Description: "When the `last_used` evidence was collected (RFC 3339). Required with `last_used`.",
				Validators:  []validator.String{rfc3339Validator{}},
			},
		},
		Blocks: map[string]schema.Block{
			"prometheus": prometheusBlock("The series label naming the kid or the version number, e.g. `kid`.",
				"Each series names a kid or version number in `label`, and its value is the Unix time of the last observed use."),
		},
	}
}

func emissionGateBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "Emit only once validators show they accept: the pending version becomes active (after `propagation`) " +
			"only when every source reports it loaded in evidence collected after it was issued. Until then it waits, and the " +
			"plan warns and says why. Evidence: a `prometheus` block, or `accepted` with `observed_at`. A pin ignores the gate.",
		Attributes: map[string]schema.Attribute{
			"sources": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "The consumers (validators) that must report the pending version. Default: the keys of `accepted`, " +
					"or, with `prometheus`, every `source` the answer names. Listing them means a validator that stopped " +
					"reporting holds the rotation instead of being skipped; policy ROT034 compares them with the family's validators.",
				Validators: []validator.List{listvalidator.UniqueValues(), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"accepted": schema.MapAttribute{
				Optional:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				Description: "Static evidence from any other source: source -> the version numbers or kids it has loaded. A plan " +
					"input: changing it shows as a change in the plan.",
			},
			"observed_at": schema.StringAttribute{
				Optional:    true,
				Description: "When the `accepted` evidence was collected (RFC 3339). Required with `accepted`.",
				Validators:  []validator.String{rfc3339Validator{}},
			},
		},
		Blocks: map[string]schema.Block{
			"prometheus": prometheusBlock("The series label naming the kid or the version number the source has loaded, e.g. `kid`; "+
				"the label `source` names the consumer.",
				"Each series names a consumer in the label `source` and a loaded kid or version number in `label`; a value of 0 means not loaded."),
		},
	}
}

// gateAttributes adds the computed attributes of the gates.
func gateAttributes(into map[string]schema.Attribute) {
	into["used_after_revocation"] = schema.ListNestedAttribute{
		Computed: true,
		Description: "Revoked versions the revocation gate's evidence shows in use after their `revoked_at`: a consumer still " +
			"presents them and is failing. Updated by plans that have evidence (the static form always; Prometheus when a gated " +
			"step is due); null when none. Policy ROT036 reports them.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"version":    schema.Int64Attribute{Computed: true, Description: "The version."},
			"last_used":  computedString("Its last observed use (RFC 3339)."),
			"revoked_at": computedString("When it was revoked."),
		}},
	}
}

// evidenceAttributes are the per-version audit attributes of the gates.
func evidenceAttributes(into map[string]schema.Attribute) {
	into["activation_evidence"] = computedString("The evidence an `emission_gate` let this version become active on (source, " +
		"when it was observed, which sources reported it); null without a gate.")
	into["revocation_evidence"] = computedString("The evidence a `revocation_gate` let this version be revoked on (source, when " +
		"it was observed, its last use and its successor's); for an emergency revocation under a gate, what the evidence showed " +
		"(\"still in use\" when it was); null otherwise.")
}

// The gates of a configuration, checked at validate time.

func (g *gatesModel) validate(diags *diag.Diagnostics) {
	if r := g.RevocationGate; r != nil {
		root := path.Root("revocation_gate")
		requireKnownSet(diags, root.AtName("quiet_period"), r.QuietPeriod, "revocation_gate needs quiet_period: how long a version must go unused before it is revoked, e.g. quiet_period = \"2h\"")
		requireKnownSet(diags, root.AtName("max_wait"), r.MaxWait, "revocation_gate needs max_wait: how long past the overlap to wait before escalating, e.g. max_wait = \"7d\"")
		validateEvidenceForm(diags, root, r.Prometheus, "last_used", !r.LastUsed.IsNull(), r.ObservedAt)
	}
	if e := g.EmissionGate; e != nil {
		validateEvidenceForm(diags, path.Root("emission_gate"), e.Prometheus, "accepted", !e.Accepted.IsNull(), e.ObservedAt)
	}
}

func requireKnownSet(diags *diag.Diagnostics, p path.Path, v types.String, msg string) {
	if v.IsNull() {
		diags.AddAttributeError(p, "Missing "+p.String(), msg+".")
	}
}

// validateEvidenceForm checks that exactly one evidence form is given: the
// prometheus block, or the static attribute with observed_at.
func validateEvidenceForm(diags *diag.Diagnostics, root path.Path, prom *prometheusModel, static string, hasStatic bool, observedAt types.String) {
	switch {
	case prom != nil && hasStatic:
		diags.AddAttributeError(root, "Two evidence forms in "+root.String(),
			fmt.Sprintf("%s has both a prometheus block and %s: give one evidence form, the prometheus block or %s with observed_at.", root, static, static))
	case prom == nil && !hasStatic:
		diags.AddAttributeError(root, "No evidence in "+root.String(),
			fmt.Sprintf("%s needs evidence: a prometheus { query, label } block, or %s with observed_at.", root, static))
	case prom != nil:
		if !observedAt.IsNull() {
			diags.AddAttributeError(root.AtName("observed_at"), "observed_at applies to "+static+" only",
				fmt.Sprintf("%s.observed_at dates the static %s evidence; Prometheus evidence is observed at the plan's instant. Remove observed_at.", root, static))
		}
		if prom.Query.IsNull() {
			diags.AddAttributeError(root.AtName("prometheus").AtName("query"), "Missing query", root.String()+".prometheus needs query: the PromQL to run.")
		}
		if prom.Label.IsNull() {
			diags.AddAttributeError(root.AtName("prometheus").AtName("label"), "Missing label",
				root.String()+".prometheus needs label: the series label naming the kid or version number, e.g. label = \"kid\".")
		}
	default:
		if observedAt.IsNull() {
			diags.AddAttributeError(root.AtName("observed_at"), "Missing observed_at",
				fmt.Sprintf("%s.%s needs observed_at: when that evidence was collected (RFC 3339), so the gate can tell stale evidence.", root, static))
		}
	}
}

// keyIndex maps the keys of evidence to recorded versions
// (lifecycle.EvidenceKeys: a numeric key is a version number, any other
// key a kid).
type keyIndex = lifecycle.EvidenceKeys

// kidRow is a row that has a kid (rotation_secret's versions).
type kidRow interface{ kidValue() string }

func (v *versionModel) kidValue() string {
	if v.KID.IsNull() || v.KID.IsUnknown() {
		return ""
	}
	return v.KID.ValueString()
}

func newKeyIndex[R lifecycleRow](rows []R) keyIndex {
	k := lifecycle.NewEvidenceKeys()
	for _, r := range rows {
		kid := ""
		if kr, ok := any(r).(kidRow); ok {
			kid = kr.kidValue()
		}
		k.Add(r.record().Version.ValueInt64(), kid)
	}
	return k
}

// unknownKeys reports keys that name no recorded version.
func unknownKeys(diags *diag.Diagnostics, resource, gate string, keys []string) {
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	keys = slices.Compact(keys)
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = strconv.Quote(k)
	}
	diags.AddWarning("Rotation: "+resource+": evidence keys ignored",
		fmt.Sprintf("The %s evidence names %s, which match no recorded version of %s (a numeric key is a version number, "+
			"any other a kid); they are ignored. A Prometheus query also returns other secrets' kids and pruned versions; "+
			"filter it (e.g. kid=~\"...\") to silence this.", gate, strings.Join(quoted, ", "), resource))
}

// gateFetch says which gates take their evidence from Prometheus.
type gateFetch struct {
	revocation, emission *prometheusModel
}

// engineGates builds the engine's gates with the static evidence, if any;
// gates whose evidence comes from Prometheus have none yet (fetch adds it).
// Values unknown at plan time leave the gate without evidence: it waits.
func (g *gatesModel) engineGates(ctx context.Context, keys keyIndex, resource string, diags *diag.Diagnostics) (lifecycle.Gates, gateFetch) {
	var out lifecycle.Gates
	var fetch gateFetch
	if r := g.RevocationGate; r != nil {
		rg := &lifecycle.RevocationGate{RequireSuccessorUse: r.RequireSuccessorUse.IsNull() || r.RequireSuccessorUse.ValueBool()}
		var unknown []string
		for name, v := range map[string]types.String{"quiet_period": r.QuietPeriod, "max_wait": r.MaxWait} {
			d, ok := gateDuration(v)
			if !ok {
				unknown = append(unknown, "revocation_gate."+name)
			}
			if name == "quiet_period" {
				rg.QuietPeriod = d
			} else {
				rg.MaxWait = d
			}
		}
		if r.RequireSuccessorUse.IsUnknown() {
			unknown = append(unknown, "revocation_gate.require_successor_use")
		}
		switch {
		case r.Prometheus != nil:
			fetch.revocation = r.Prometheus
			if r.Prometheus.Query.IsUnknown() || r.Prometheus.Label.IsUnknown() {
				unknown = append(unknown, "revocation_gate.prometheus")
				fetch.revocation = nil
			}
			rg.Missing = "not queried"
		case r.LastUsed.IsUnknown() || !mapElementsKnown(r.LastUsed) || r.ObservedAt.IsUnknown():
			unknown = append(unknown, "revocation_gate.last_used or observed_at")
		default:
			obs := parseTime(r.ObservedAt)
			raw := map[string]string{}
			diags.Append(r.LastUsed.ElementsAs(ctx, &raw, false)...)
			ev := &lifecycle.UseEvidence{Source: sourceLastUsed, ObservedAt: obs, LastUsed: map[int64]time.Time{}}
			var ignored []string
			for key, at := range raw {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					continue // refused at validate time
				}
				addUse(ev, keys, key, t.UTC(), &ignored)
			}
			unknownKeys(diags, resource, "revocation_gate.last_used", ignored)
			if !obs.IsZero() {
				rg.Use = ev
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			rg.Use, fetch.revocation = nil, nil
			rg.Missing = strings.Join(unknown, ", ") + " unknown until apply"
		}
		out.Revocation = rg
	}
	if e := g.EmissionGate; e != nil {
		eg := &lifecycle.EmissionGate{}
		var unknown []string
		if e.Sources.IsUnknown() || !listElementsKnown(e.Sources) {
			unknown = append(unknown, "emission_gate.sources")
		} else if !e.Sources.IsNull() {
			diags.Append(e.Sources.ElementsAs(ctx, &eg.Sources, false)...)
		}
		switch {
		case e.Prometheus != nil:
			fetch.emission = e.Prometheus
			if e.Prometheus.Query.IsUnknown() || e.Prometheus.Label.IsUnknown() {
				unknown = append(unknown, "emission_gate.prometheus")
			}
			eg.Missing = "not queried"
		case e.Accepted.IsUnknown() || !mapElementsKnown(e.Accepted) || e.ObservedAt.IsUnknown():
			unknown = append(unknown, "emission_gate.accepted or observed_at")
		default:
			raw := map[string][]string{}
			diags.Append(e.Accepted.ElementsAs(ctx, &raw, false)...)
			var ignored []string
			ev := acceptEvidence(sourceAccepted, parseTime(e.ObservedAt), raw, keys, &ignored)
			unknownKeys(diags, resource, "emission_gate.accepted", ignored)
			if e.Sources.IsNull() {
				eg.Sources = sortedKeys(raw)
			}
			if !ev.ObservedAt.IsZero() {
				eg.Accepted = ev
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			eg.Accepted, fetch.emission = nil, nil
			eg.Missing = strings.Join(unknown, ", ") + " unknown until apply"
		}
		out.Emission = eg
	}
	return out, fetch
}

// gateDuration parses a gate duration; false when unknown or invalid (an
// invalid one is refused at validate time).
func gateDuration(v types.String) (time.Duration, bool) {
	if v.IsUnknown() || v.IsNull() {
		return 0, false
	}
	d, err := duration.Parse(v.ValueString())
	return d, err == nil
}

func addUse(ev *lifecycle.UseEvidence, keys keyIndex, key string, t time.Time, ignored *[]string) {
	v, ok := keys.Resolve(key)
	if !ok {
		*ignored = append(*ignored, key)
		return
	}
	if t.After(ev.LastUsed[v]) {
		ev.LastUsed[v] = t
	}
}

func acceptEvidence(source string, observed time.Time, raw map[string][]string, keys keyIndex, ignored *[]string) *lifecycle.AcceptEvidence {
	ev := &lifecycle.AcceptEvidence{Source: source, ObservedAt: observed, Loaded: map[string][]int64{}}
	for src, list := range raw {
		ev.Loaded[src] = []int64{}
		for _, key := range list {
			v, ok := keys.Resolve(key)
			if !ok {
				*ignored = append(*ignored, key)
				continue
			}
			if !slices.Contains(ev.Loaded[src], v) {
				ev.Loaded[src] = append(ev.Loaded[src], v)
			}
		}
		slices.Sort(ev.Loaded[src])
	}
	return ev
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// decideGated runs the engine with the gates' evidence: first with the
// static evidence only; then, if a gated step is otherwise due (or an
// emergency revokes a gated version) and its evidence comes from
// Prometheus, it queries Prometheus at the decision instant and decides
// again. A query that fails leaves the gate without evidence, so the gated
// step waits: the plan says why in a warning, and every other step
// proceeds. Quiet plans query nothing.
func (a *lifecycleResource[M, R, P]) decideGated(ctx context.Context, m P, spec lifecycle.Spec, rows []R, at time.Time, diags *diag.Diagnostics) (lifecycle.Decision, lifecycle.Spec, error) {
	prior := engineState(spec.Mode, rows)
	keys := newKeyIndex(rows)
	resource := a.typeName(m)
	var fetch gateFetch
	spec.Gates, fetch = m.base().engineGates(ctx, keys, resource, diags)
	dec, err := lifecycle.Decide(spec, prior, at)
	if err != nil {
		return dec, spec, err
	}
	use, accept := dec.NeedsEvidence(spec)
	use = use && fetch.revocation != nil
	accept = accept && fetch.emission != nil
	if !use && !accept {
		return dec, spec, nil
	}
	client := a.data.prometheus()
	// An emergency revocation needs no evidence (it ignores the gate); it is
	// fetched only to record what it showed.
	onlyEmergency := use && !slices.ContainsFunc(dec.Waits, func(w lifecycle.Wait) bool { return w.NoEvidence && w.Action == lifecycle.ActionRevoke })
	failed := func(gate string, rg *string, err error) {
		*rg = "prometheus query failed, see the warning"
		if errors.Is(err, errNoPrometheusURL) {
			*rg = "prometheus_url is not set"
		}
		effect := "so the step it gates does not happen in this plan (waiting is the safe side; nothing else in the plan is held back)"
		if gate == "revocation_gate" && onlyEmergency {
			effect = "so the emergency revocation goes ahead (it ignores the gate) without the evidence on record"
		}
		diags.AddWarning("Rotation: "+resource+": "+gate+" evidence unusable",
			fmt.Sprintf("The %s evidence could not be read, %s: %v", gate, effect, err))
	}
	if use {
		rg := spec.Gates.Revocation
		if client == nil {
			failed("revocation_gate", &rg.Missing, errNoPrometheusURL)
		} else if ev, err := fetchUse(ctx, client, fetch.revocation, at, keys, resource, diags); err != nil {
			failed("revocation_gate", &rg.Missing, err)
		} else {
			rg.Use, rg.Missing = ev, ""
		}
	}
	if accept {
		eg := spec.Gates.Emission
		if client == nil {
			failed("emission_gate", &eg.Missing, errNoPrometheusURL)
		} else if ev, sources, err := fetchAccepted(ctx, client, fetch.emission, at, keys, resource, diags); err != nil {
			failed("emission_gate", &eg.Missing, err)
		} else {
			eg.Accepted, eg.Missing = ev, ""
			if m.base().EmissionGate.Sources.IsNull() {
				eg.Sources = sources
			}
		}
	}
	dec, err = lifecycle.Decide(spec, prior, at)
	return dec, spec, err
}

var errNoPrometheusURL = errors.New("the provider's prometheus_url is not set; set it in the provider block (and prometheus_bearer_token if the server needs one)")

func fetchUse(ctx context.Context, c *promClient, p *prometheusModel, at time.Time, keys keyIndex, resource string, diags *diag.Diagnostics) (*lifecycle.UseEvidence, error) {
	samples, err := c.query(ctx, p.Query.ValueString(), at)
	if err != nil {
		return nil, err
	}
	byKey, err := lastUsedFromSamples(samples, p.Label.ValueString())
	if err != nil {
		return nil, err
	}
	ev := &lifecycle.UseEvidence{Source: sourcePrometheus, ObservedAt: at.UTC(), LastUsed: map[int64]time.Time{}}
	var ignored []string
	for key, t := range byKey {
		addUse(ev, keys, key, t, &ignored)
	}
	unknownKeys(diags, resource, "revocation_gate.prometheus", ignored)
	return ev, nil
}

func fetchAccepted(ctx context.Context, c *promClient, p *prometheusModel, at time.Time, keys keyIndex, resource string, diags *diag.Diagnostics) (*lifecycle.AcceptEvidence, []string, error) {
	samples, err := c.query(ctx, p.Query.ValueString(), at)
	if err != nil {
		return nil, nil, err
	}
	raw, err := acceptedFromSamples(samples, p.Label.ValueString())
	if err != nil {
		return nil, nil, err
	}
	var ignored []string
	ev := acceptEvidence(sourcePrometheus, at.UTC(), raw, keys, &ignored)
	unknownKeys(diags, resource, "emission_gate.prometheus", ignored)
	return ev, sortedKeys(raw), nil
}

// setGateOutputs writes what the gates decided: used_after_revocation
// (from the evidence at hand, else as recorded), and, when a gated step
// waits and nothing else happens, next_transition says what it waits for
// ("revoke v3: last used 09:12, quiet until 11:12") and
// next_transition_at the earliest instant it can happen, when known.
func (b *lifecycleBase) setGateOutputs(ctx context.Context, spec lifecycle.Spec, dec lifecycle.Decision, prior *lifecycleBase) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case spec.Gates.Revocation != nil && spec.Gates.Revocation.Use != nil:
		b.UsedAfterRevocation = types.ListNull(usedAfterRevocationType)
		if len(dec.UsedAfterRevocation) > 0 {
			uses := make([]usedAfterRevocationModel, len(dec.UsedAfterRevocation))
			for i, u := range dec.UsedAfterRevocation {
				uses[i] = usedAfterRevocationModel{Version: types.Int64Value(u.Version), LastUsed: types.StringValue(fmtTime(u.LastUsed)), RevokedAt: types.StringValue(fmtTime(u.RevokedAt))}
			}
			b.UsedAfterRevocation, diags = types.ListValueFrom(ctx, usedAfterRevocationType, uses)
		}
	case spec.Gates.Revocation != nil && prior != nil && !prior.UsedAfterRevocation.IsUnknown():
		b.UsedAfterRevocation = prior.UsedAfterRevocation
	default:
		b.UsedAfterRevocation = types.ListNull(usedAfterRevocationType)
	}
	if len(dec.Transitions) > 0 || len(dec.Waits) == 0 {
		return diags
	}
	texts := make([]string, len(dec.Waits))
	var until time.Time
	for i, w := range dec.Waits {
		texts[i] = w.Text()
		if !w.Until.IsZero() && (until.IsZero() || w.Until.Before(until)) {
			until = w.Until
		}
	}
	b.NextTransition = types.StringValue(strings.Join(texts, "; "))
	if !until.IsZero() {
		b.NextTransitionAt = types.StringValue(fmtTime(until))
	}
	return diags
}
