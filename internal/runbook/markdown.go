package runbook

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// mdWriter collects the first write error.
type mdWriter struct {
	w   *bufio.Writer
	err error
}

func (m *mdWriter) f(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, a...)
	}
}

func (m *mdWriter) line(s ...string) {
	if m.err == nil {
		_, m.err = m.w.WriteString(strings.Join(s, "") + "\n")
	}
}

func (m *mdWriter) row(cells ...string) { m.line("| " + strings.Join(cells, " | ") + " |") }

func (m *mdWriter) header(cells ...string) {
	m.row(cells...)
	seps := make([]string, len(cells))
	for i := range seps {
		seps[i] = "---"
	}
	m.row(seps...)
}

// WriteMarkdown writes the runbook as GitHub-flavoured Markdown with a
// Mermaid gantt chart per family.
func (r *Report) WriteMarkdown(w io.Writer) error {
	m := &mdWriter{w: bufio.NewWriter(w)}
	m.line("# Credential lifecycle plan")
	m.line()
	for _, t := range r.Intro() {
		m.line(t.Markdown() + "  ")
	}
	m.line()
	m.line("All times are UTC. The dates come from the provider's lifecycle engine (the same rules `terraform plan` applies), assuming each transition is applied when it becomes due.")
	m.line()

	m.line("## Overview")
	m.line()
	if len(r.Families) == 0 && len(r.Orphans) == 0 {
		m.line("No `rotation_secret_family`, `rotation_secret` or `rotation_schedule` resources in this document.")
		m.line()
	} else {
		m.header("Family", "Classification", "Owner / backup", "Secrets and schedules", "Next transition", "Checks", "Next review")
		for _, o := range r.Overview() {
			m.row(o.Family.Markdown(), mdEscape(o.Classification), mdEscape(o.Owners), o.Credentials.Markdown(), mdEscape(o.Next), mdEscape(o.Checks), mdEscape(o.Review))
		}
		m.line()
	}
	if len(r.Removed) > 0 {
		m.line("## Removed by this plan")
		m.line()
		m.line("These secrets and schedules leave the state with this plan: every version they accept stops being accepted at once, a flag day for whatever still uses it (ROT024).")
		m.line()
		m.header("Resource", "Change", "Versions that stop being accepted")
		for _, x := range r.Removed {
			m.row(mdCode(x.Address), mdEscape(x.Change()), mdEscape(x.AcceptedText()))
		}
		m.line()
		for _, x := range r.Removed {
			for _, f := range x.Findings {
				m.line("- ", makeText(Code(x.Address), ": ").Markdown(), findingText(f).Markdown())
			}
		}
		m.line()
	}
	if len(r.Findings) > 0 {
		m.line("## Other policy findings")
		m.line()
		m.line("About no family, secret or schedule of this document:")
		m.line()
		for _, t := range r.OtherFindings() {
			m.line("- ", t.Markdown())
		}
		m.line()
	}

	if len(r.Waived) > 0 {
		m.line("## Waived findings")
		m.line()
		m.line("Accepted in `params.waivers` until their expiry: not failures, shown so that they are revisited.")
		m.line()
		for _, t := range r.WaivedFindings() {
			m.line("- ", t.Markdown())
		}
		m.line()
	}

	for _, f := range r.Families {
		r.familyMarkdown(m, f)
	}
	if len(r.Orphans) > 0 {
		m.line("## Secrets and schedules without a family")
		m.line()
		m.line("ROT012: these name a family that is not declared in this document, so their owners, consumers and caches are unknown.")
		m.line()
		m.line("### Timeline")
		m.line()
		r.gantt(m, "without a family", r.Orphans)
		for _, c := range r.Orphans {
			r.credentialMarkdown(m, c)
		}
	}
	if m.err != nil {
		return m.err
	}
	return m.w.Flush()
}

func (r *Report) familyMarkdown(m *mdWriter, f *Family) {
	m.line("## Family ", mdCode(f.Title()))
	m.line()
	if f.Purpose.Set || f.Purpose.Unknown {
		m.line("> ", mdEscape(f.Purpose.Text("")))
		m.line()
	}
	m.header("", "")
	for _, kv := range f.Facts() {
		m.row("**"+mdEscape(kv.Key)+"**", kv.Value.Markdown())
	}
	m.line()

	if len(f.Other) > 0 {
		m.line("### Policy findings")
		m.line()
		for _, x := range f.Other {
			m.line("- ", findingText(x).Markdown())
		}
		m.line()
	}

	m.line("### Blast radius")
	m.line()
	for _, t := range f.BlastRadius() {
		m.line("- ", t.Markdown())
	}
	m.line()

	m.line("### Consumers")
	m.line()
	switch {
	case f.ConsumersUnknown:
		m.line("The consumer list is known only after apply.")
	case len(f.Consumers) == 0:
		m.line("No consumers are declared: nothing to check the overlap and propagation against. Declare every service that reads or uses the secret.")
	default:
		m.header("Consumer", "Role", "Cache TTL", "Reload", "Owner", "Third party")
		for _, c := range f.Consumers {
			tp := "no"
			if c.ThirdParty {
				tp = "**yes**"
			}
			m.row(mdEscape(c.Name), mdEscape(c.Role), mdEscape(c.CacheTTL.Text()), mdEscape(c.Reload), mdEscape(c.Owner.Text("—")), tp)
		}
	}
	m.line()

	m.line("### Timeline")
	m.line()
	if len(f.Credentials) == 0 {
		m.line("No `rotation_secret` or `rotation_schedule` belongs to this family in this document.")
		m.line()
	} else {
		r.gantt(m, f.Title(), f.Credentials)
	}
	for _, c := range f.Credentials {
		r.credentialMarkdown(m, c)
	}
}

func (r *Report) credentialMarkdown(m *mdWriter, c *Credential) {
	m.line("### ", mdCode(c.Address), " — ", mdEscape(c.Kind()))
	m.line()
	m.line("**Now:** ", c.NowText(r).Markdown())
	m.line()

	m.line("#### Schedule")
	m.line()
	m.header("Period", "Propagation", "Overlap", "TTL", "Jitter", "Change window")
	m.row(mdEscape(c.Period.Text()), mdEscape(c.Propagation.Text()), mdEscape(c.Overlap.Text()), mdEscape(c.TTL.Text()), mdEscape(c.Jitter.Text()), mdEscape(c.WindowLabel()))
	m.line()

	m.line("#### Overlap arithmetic")
	m.line()
	m.header("Check", "Rule", "Required", "Configured", "Verdict", "Margin")
	for _, k := range c.Checks {
		m.row(mdEscape(k.ID+" "+k.Name), k.Rule.Markdown(), k.Need.Markdown(), k.Have.Markdown(), k.Symbol()+" "+k.Verdict, mdEscape(k.Margin))
	}
	m.line()

	m.line("#### Rollout order")
	m.line()
	if len(c.Steps) == 0 {
		m.line("No transition is scheduled within the horizon.")
		m.line()
	}
	for i, s := range c.Steps {
		m.f("%d. **%s** — %s  \n", i+1, mdEscape(fmtTime(s.At)), s.Title.Markdown())
		for _, t := range s.Before {
			m.line("   - Before: ", t.Markdown())
		}
		for _, t := range s.After {
			m.line("   - After: ", t.Markdown())
		}
	}
	if len(c.Steps) > 0 {
		m.line()
	}

	events, more := c.Upcoming()
	if len(events) > 0 {
		m.line("#### Upcoming transitions (to ", fmtDate(r.End), ")")
		m.line()
		m.header("When (UTC)", "Transition", "Version")
		for _, e := range events {
			m.row(mdEscape(fmtTime(e.At)), mdEscape(ActionLabel(e.Action)), mdEscape(versionLabel(e.Version, e.Slot)))
		}
		if more > 0 {
			m.row("…", fmt.Sprintf("%d more", more), "")
		}
		m.line()
	}

	m.line("#### Rollback")
	m.line()
	for _, t := range c.Rollback {
		m.line("- ", t.Markdown())
	}
	m.line()

	m.line("#### Versions now")
	m.line()
	if len(c.Versions) == 0 {
		m.line("No version is recorded yet: the first apply issues v1, active at once.")
	} else {
		m.header("Version", "Status", "kid", "Issued", "Activated", "Superseded", "Revoked", "Expires")
		for _, v := range c.Versions {
			exp := fmtShort(v.ExpiresAt)
			if v.Expired {
				exp += " **expired**"
			}
			m.row(mdEscape(versionLabel(v.Version, v.Slot)), mdEscape(v.Status), kidMarkdown(v.KID), fmtShort(v.IssuedAt), fmtShort(v.ActivatedAt),
				fmtShort(v.SupersededAt), fmtShort(v.RevokedAt), exp)
		}
	}
	m.line()

	if len(c.Notes) > 0 {
		m.line("#### Notes")
		m.line()
		for _, t := range c.Notes {
			m.line("- ", t.Markdown())
		}
		m.line()
	}
}

func kidMarkdown(kid string) string {
	if kid == "" {
		return "—"
	}
	return mdCode(shortKID(kid))
}

// shortKID abbreviates long kids (RFC 7638 thumbprints are 43 characters).
func shortKID(kid string) string {
	if len([]rune(kid)) > 16 {
		return string([]rune(kid)[:12]) + "…"
	}
	return kid
}

// ---------------------------------------------------------------------------
// Mermaid

// mermaidText removes what Mermaid's gantt grammar does not allow in a
// title, section or task name (":" ends a task name, "#" and ";" end a
// statement) and line breaks.
func mermaidText(s string) string {
	s = strings.NewReplacer(":", " ", "#", " ", ";", " ", "\r", " ", "\n", " ", "%%", "%").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

const mermaidDate = "2006-01-02T15:04"

func mermaidTag(s lifecycle.Status) string {
	switch s {
	case lifecycle.StatusPending:
		return "active, " // Mermaid's light "active" style
	case lifecycle.StatusPrevious:
		return "done, " // grey
	}
	return "" // the default (solid) style: the active version
}

// gantt writes the Mermaid gantt chart of credentials: one section per
// credential, one task per version and status, plus a "now" milestone.
func (r *Report) gantt(m *mdWriter, title string, creds []*Credential) {
	m.line("```mermaid")
	m.line("gantt")
	m.line("    title ", mermaidText(fmt.Sprintf("%s versions %s to %s (UTC)", title, fmtDate(r.Start), fmtDate(r.End))))
	m.line("    dateFormat YYYY-MM-DDTHH:mm")
	m.line("    axisFormat %Y-%m-%d")
	m.line("    todayMarker off")
	m.line("    section now")
	m.line("    now :milestone, ", r.Now.UTC().Format(mermaidDate), ", 0d")
	for _, c := range creds {
		lanes, hidden := c.LaneVersions()
		show := map[int64]bool{}
		for _, v := range lanes {
			show[v] = true
		}
		m.line("    section ", mermaidText(c.Address))
		if len(lanes) == 0 {
			// An empty section is an error in some Mermaid versions.
			m.line("    no versions in range :done, ", r.Start.UTC().Format(mermaidDate), ", ", r.Start.UTC().Format(mermaidDate))
			continue
		}
		for _, s := range mergeSpans(c.Spans) {
			if !show[s.Version] {
				continue
			}
			from := s.From.UTC().Truncate(time.Minute)
			to := s.To.UTC().Truncate(time.Minute)
			if !to.After(from) {
				to = from.Add(time.Minute)
			}
			name := fmt.Sprintf("v%d %s", s.Version, s.Status)
			if s.Slot != "" {
				name += " (slot " + s.Slot + ")"
			}
			m.line("    ", mermaidText(name), " :", mermaidTag(s.Status), from.Format(mermaidDate), ", ", to.Format(mermaidDate))
		}
		if hidden > 0 {
			m.line("    ", mermaidText(fmt.Sprintf("%d more versions not drawn", hidden)), " :done, ", r.End.UTC().Format(mermaidDate), ", ", r.End.UTC().Format(mermaidDate))
		}
	}
	m.line("```")
	m.line()
}

// mergeSpans joins a recorded span and the projected span that continues
// it (same version and status): Mermaid draws both alike.
func mergeSpans(spans []Span) []Span {
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && out[n-1].Version == s.Version && out[n-1].Status == s.Status && out[n-1].To.Equal(s.From) {
			out[n-1].To = s.To
			continue
		}
		out = append(out, s)
	}
	return out
}

// ---------------------------------------------------------------------------
// Content shared by both formats

// Intro is the document's header lines.
func (r *Report) Intro() []Text {
	src := makeText("Source: ", Code(r.Source), " (", r.Kind, ")")
	now := makeText("As of: ", fmtTime(r.Now), " (", r.NowSource, ")")
	hz := makeText("Horizon: ", duration.Format(r.Horizon), " (to ", fmtTime(r.End), ")")
	out := []Text{src, now, hz}
	if !r.AsOf.Truncate(time.Second).Equal(r.Now.Truncate(time.Second)) {
		out = append(out, makeText("Policy verdicts as of: ", fmtTime(r.AsOf), " (", r.AsOfSource, ")"))
	}
	if len(r.Capped) > 0 {
		out = append(out, makeText("Simulation limit: the report projects at most ", groupDigits(int64(r.MaxTransitions)), " transitions in all (", groupDigits(int64(r.Projected)),
			" projected), so the timelines of ", fmt.Sprint(len(r.Capped)), " secrets and schedules stop early (their notes say where); use a shorter ", Code("--horizon"), " to see them whole"))
	}
	if r.Generator != "" {
		out = append(out, makeText("Written by: ", r.Generator))
	}
	return out
}

// OtherFindings are the findings about no family or credential, with the
// resource they name.
func (r *Report) OtherFindings() []Text {
	var out []Text
	for _, f := range r.Findings {
		t := makeText(f.Rule, " (", string(f.Severity), ")")
		if f.Resource != "" {
			t = append(t, makeText(" ", Code(f.Resource))...)
		}
		out = append(out, append(t, makeText(": ", policy.MessageText(f))...))
	}
	return out
}

// WaivedFindings are the waived findings with their resource and waiver:
// "ROT020 (deny, waived) rotation_secret.s: overlap ... — params.waivers[0]:
// "INC-1234", approved by team-a, expires 2027-03-01 (end of day, UTC)".
func (r *Report) WaivedFindings() []Text {
	var out []Text
	for _, f := range r.Waived {
		t := makeText(f.Rule, " (", string(f.Severity), ", waived)")
		if f.Resource != "" {
			t = append(t, makeText(" ", Code(f.Resource))...)
		}
		t = append(t, makeText(": ", policy.MessageText(f))...)
		if f.Waiver != nil {
			t = append(t, makeText(" — ", f.Waiver.Justification())...)
		}
		out = append(out, t)
	}
	return out
}

// OverviewRow is a line of the overview table.
type OverviewRow struct {
	Family         Text
	Anchor         string
	Classification string
	Owners         string
	Credentials    Text
	Next           string
	Checks         string
	ChecksVerdict  string
	Review         string
	ReviewOverdue  bool
}

// Overview summarises every family.
func (r *Report) Overview() []OverviewRow {
	var out []OverviewRow
	for _, f := range r.Families {
		row := OverviewRow{Family: makeText(Code(f.Title())), Anchor: anchor(f.Title()), Classification: f.Classification.Text("high"),
			Owners: f.Owner.Text("no owner") + " / " + f.BackupOwner.Text("no backup")}
		row.Credentials, row.Next, row.Checks, row.ChecksVerdict = credSummary(f.Credentials, f.Findings)
		switch {
		case !f.NextReview.IsZero():
			row.Review = fmtDate(f.NextReview)
			if f.ReviewOverdue {
				row.Review += " (overdue)"
			}
		default:
			row.Review = f.ReviewNote
		}
		row.ReviewOverdue = f.ReviewOverdue
		out = append(out, row)
	}
	if len(r.Orphans) > 0 {
		row := OverviewRow{Family: makeText("(no family)"), Anchor: "no-family", Classification: "—", Owners: "—", Review: "—"}
		row.Credentials, row.Next, row.Checks, row.ChecksVerdict = credSummary(r.Orphans, nil)
		out = append(out, row)
	}
	return out
}

// credSummary lists creds with their next transition, and sums up the
// policies' verdicts about them and about their family (familyFindings):
// the rules that fail, else those that warn, else how many lines of
// overlap arithmetic pass.
func credSummary(creds []*Credential, familyFindings []policy.Finding) (list Text, next, checks, verdict string) {
	var best lifecycle.Event
	var bestCred *Credential
	fails, warns := countRules(familyFindings)
	total := 0
	for i, c := range creds {
		if i > 0 {
			list = append(list, makeText(", ")...)
		}
		list = append(list, makeText(Code(c.Address))...)
		if e, ok := c.NextEvent(); ok && (bestCred == nil || e.At.Before(best.At)) {
			best, bestCred = e, c
		}
		f, w := c.Failing()
		fails, warns, total = fails+f, warns+w, total+len(c.Checks)
	}
	if len(creds) == 0 {
		list = makeText("none")
	}
	next = "none within the horizon"
	if bestCred != nil {
		next = fmt.Sprintf("%s — %s %s of %s", fmtShort(best.At), ActionLabel(best.Action), versionLabel(best.Version, best.Slot), bestCred.Address)
	}
	switch {
	case fails > 0:
		checks, verdict = fmt.Sprintf("✗ %d failing", fails), VerdictFail
	case warns > 0:
		checks, verdict = fmt.Sprintf("⚠ %d warning", warns), VerdictWarn
	case total == 0:
		checks, verdict = "—", VerdictUnknown
	default:
		checks, verdict = fmt.Sprintf("✓ %d ok", total), VerdictOK
	}
	return
}

func anchor(s string) string {
	var b strings.Builder
	b.WriteString("family-")
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Fact is a labelled fact.
type Fact struct {
	Key   string
	Value Text
}

// Facts are the family's identity, owners, storage and review.
func (f *Family) Facts() []Fact {
	req := makeText("known after apply")
	if f.RequiredKnown {
		req = makeText(fmtSum(f.RequiredOverlap, f.cachesDur(), f.ArtifactLifetime), " (longest consumer cache ", f.maxCacheText(), " + artifact lifetime ", f.ArtifactLifetime.Text(), ")")
	}
	review := makeText(f.ReviewNote)
	if f.ReviewOverdue && f.NextReview.IsZero() {
		review = append(review, makeText(" (ROT013)")...)
	}
	if !f.NextReview.IsZero() {
		review = makeText(fmtTime(f.NextReview), " (reviewed ", f.ReviewedAt.Content, ", every ", f.ReviewInterval.Text(), ")")
		if f.ReviewOverdue {
			review = append(review, makeText(" — OVERDUE (ROT013)")...)
		}
	}
	owner := makeText(f.Owner.Text("not set"))
	if f.NoOwner {
		owner = makeText("not set (ROT010)")
	}
	backup := makeText(f.BackupOwner.Text("not set"))
	switch {
	case f.NoBackup:
		backup = makeText("not set (ROT010)")
	case f.SameOwners:
		backup = append(backup, makeText(" — the same as the owner (ROT010)")...)
	}
	kv := []Fact{
		{"Resource", makeText(Code(f.Address))},
		{"Owner", owner},
		{"Backup owner", backup},
		{"Classification", makeText(f.Classification.Text("high"))},
		{"Storage", makeText(f.Storage.Text("not set"))},
		{"Artifact lifetime", makeText(f.ArtifactLifetime.Text())},
		{"Required overlap", req},
		{"Next review", review},
	}
	if f.RunbookURL.Set || f.RunbookURL.Unknown {
		kv = append(kv, Fact{"Runbook", makeText(f.RunbookURL.Text(""))})
	}
	if len(f.Tags) > 0 {
		kv = append(kv, Fact{"Tags", makeText(strings.Join(f.Tags, ", "))})
	}
	return kv
}

// BlastRadius says what leaks if a version leaks, who is affected and how
// long a leaked version stays accepted.
func (f *Family) BlastRadius() []Text {
	cl := f.Classification.Text("high")
	out := []Text{makeText("Classification ", Code(cl), ": ", classificationMeaning(cl))}
	var validators, emitters, third []string
	for _, c := range f.Consumers {
		if c.Validates() {
			validators = append(validators, c.Name)
		}
		if c.Emits() {
			emitters = append(emitters, c.Name)
		}
		if c.ThirdParty {
			third = append(third, c.who())
		}
	}
	for _, c := range f.Credentials {
		out = append(out, makeText(Code(c.Address), ": ", c.leakMeaning(validators)))
	}
	if len(validators) > 0 {
		out = append(out, makeText("Accepted by: ", joinNames(validators), "."))
	}
	if len(emitters) > 0 {
		out = append(out, makeText("Used (emitted) by: ", joinNames(emitters), "."))
	}
	if len(third) > 0 {
		out = append(out, makeText("Third parties: ", joinNames(third), " — a leak must be reported to them, and they must rotate in step."))
	} else if !f.ConsumersUnknown {
		out = append(out, makeText("Third parties: none declared."))
	}
	for _, c := range f.Credentials {
		if c.TTL.Valid && c.Period.Valid && c.Overlap.Valid {
			out = append(out, makeText("Exposure of a leaked version of ", Code(c.Address), ": accepted for at most ", Code("ttl"), " ", c.TTL.Text(),
				"; on schedule it is active for ", c.Period.Text(), " and previous for ", c.Overlap.Text(),
				". Cut it short with ", Code("revoke_versions"), " and ", Code("revoke_reason"), "."))
		}
	}
	return out
}

func classificationMeaning(cl string) string {
	switch cl {
	case "critical":
		return "a leak is a company-wide incident (max ttl 30d by default)."
	case "high":
		return "a leak compromises customer data or sessions (max ttl 90d by default)."
	case "medium":
		return "a leak affects internal systems (max ttl 180d by default)."
	case "low":
		return "a leak has limited impact (max ttl 365d by default)."
	}
	return "unknown classification."
}

func (c *Credential) leakMeaning(validators []string) string {
	who := "every validator"
	if len(validators) > 0 {
		who = joinNames(validators)
	}
	switch {
	case c.Type == typeSchedule:
		return "a leaked slot credential works wherever the credential is accepted until its slot is revoked (disabled)."
	case c.Asymmetric():
		return "a leaked private key lets its holder sign artifacts accepted by " + who + "; public keys and the JWKS are public."
	case c.SecretType.Raw() == "hmac":
		return "a leaked HMAC key lets its holder forge (and verify) artifacts accepted by " + who + "."
	case c.SecretType.Raw() == "password":
		return "a leaked password lets its holder log in wherever it is checked (" + who + ")."
	}
	return "a leaked version lets its holder act as an emitter towards " + who + "."
}

// Kind is "hmac secret session-signing/prod" or "two-slot schedule ...".
func (c *Credential) Kind() string {
	id := c.FamilyValue.Text("?") + "/" + c.Name.Text("?")
	if c.Type == typeSchedule {
		return "two-slot schedule " + id
	}
	return c.SecretType.Text("unknown type") + " secret " + id
}

// WindowLabel is the change window for the schedule table.
func (c *Credential) WindowLabel() string {
	if c.WindowText != "" {
		return c.WindowText
	}
	return "not known"
}

// NowText describes the accepted versions at the report's time and the
// next transition.
func (c *Credential) NowText(r *Report) Text {
	var parts []string
	for _, v := range c.State.Versions {
		if v.Status.Accepted() {
			parts = append(parts, versionLabel(v.Version, v.Slot)+" "+string(v.Status))
		}
	}
	t := makeText("no accepted version")
	if len(parts) > 0 {
		t = makeText(strings.Join(parts, ", "))
	}
	if e, ok := c.NextEvent(); ok {
		t = append(t, makeText(". Next: ", ActionLabel(e.Action), " ", versionLabel(e.Version, e.Slot), " at ", fmtTime(e.At), ".")...)
	} else if c.Problem == "" {
		t = append(t, makeText(". Nothing is scheduled within the horizon.")...)
	} else {
		t = append(t, makeText(".")...)
	}
	return t
}
