package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rotationkit/terraform-provider-rotation/docs/rules"
	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// report is the outcome of one `check` run: the files in command-line
// order, each with its findings (sorted by resource, rule, severity,
// message), and the rule catalog for SARIF and JUnit.
type report struct {
	results []fileResult
	rules   []policy.Rule
	failOn  policy.Severity
	// note says why findings point at the plan file although a
	// configuration was read (check --config); "" when none do.
	note string
}

type fileResult struct {
	file     string
	findings []policy.Finding
	// locs[i] is where findings[i] is declared (check --config); nil, or a
	// nil entry, when it is not known.
	locs []*sourceLoc
	// waived are the findings valid params.waivers entries cover (each
	// with its Waiver), and waivedLocs their locations: reported, never
	// failing.
	waived     []policy.Finding
	waivedLocs []*sourceLoc
}

// allWaived returns the waived findings of every file with their
// locations.
func (r *report) allWaived() []located {
	var out []located
	for _, fr := range r.results {
		for i, f := range fr.waived {
			var l *sourceLoc
			if i < len(fr.waivedLocs) {
				l = fr.waivedLocs[i]
			}
			out = append(out, located{f, l})
		}
	}
	return out
}

// entries returns the findings and the waived findings of one file with
// their locations, in the order of policy.SortFindings.
func (fr fileResult) entries() []located {
	out := make([]located, 0, len(fr.findings)+len(fr.waived))
	for i, f := range fr.findings {
		out = append(out, located{f, fr.loc(i)})
	}
	for i, f := range fr.waived {
		var l *sourceLoc
		if i < len(fr.waivedLocs) {
			l = fr.waivedLocs[i]
		}
		out = append(out, located{f, l})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Severity != b.Severity {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		return a.Message < b.Message
	})
	return out
}

// waivedCount counts the waived findings of every file.
func (r *report) waivedCount() int {
	n := 0
	for _, fr := range r.results {
		n += len(fr.waived)
	}
	return n
}

func (r *report) all() []policy.Finding {
	var out []policy.Finding
	for _, fr := range r.results {
		out = append(out, fr.findings...)
	}
	return out
}

func (r *report) counts() (deny, warn int) {
	for _, f := range r.all() {
		switch f.Severity {
		case policy.Deny:
			deny++
		case policy.Warn:
			warn++
		}
	}
	return deny, warn
}

// failing reports whether a finding is at or above --fail-on.
func (r *report) failing(f policy.Finding) bool { return f.Severity.Rank() >= r.failOn.Rank() }

func (r *report) exitCode() int {
	for _, f := range r.all() {
		if r.failing(f) {
			return ExitFindings
		}
	}
	return ExitOK
}

func (r *report) write(w io.Writer, format string, colour bool) error {
	switch format {
	case "text":
		return r.writeText(w, colour)
	case "json":
		return r.writeJSON(w)
	case "sarif":
		return r.writeSARIF(w)
	case "junit":
		return r.writeJUnit(w)
	case "github":
		return r.writeGitHub(w)
	}
	return usagef("unknown --format %q", format)
}

// ---------------------------------------------------------------------------
// text

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

func (r *report) writeText(w io.Writer, colour bool) error {
	paint := func(code, s string) string {
		if !colour {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	for _, fr := range r.results {
		if len(fr.findings)+len(fr.waived) == 0 {
			fmt.Fprintf(&b, "%s: no findings\n", paint(ansiBold, fr.file))
			continue
		}
		d, wn := countOf(fr.findings)
		fmt.Fprintf(&b, "%s: %s\n", paint(ansiBold, fr.file), countText(d, wn)+waivedText(len(fr.waived)))
		last := "\x00"
		for _, f := range fr.entries() {
			if f.Resource != last {
				last = f.Resource
				res := f.Resource
				if res == "" {
					res = "(no resource)"
				}
				fmt.Fprintf(&b, "  %s\n", res)
			}
			sev := fmt.Sprintf("%-4s", f.Severity)
			switch {
			case f.Waiver != nil:
				sev = paint(ansiDim, "waived")
			case f.Severity == policy.Deny:
				sev = paint(ansiRed+ansiBold, sev)
			case f.Severity == policy.Warn:
				sev = paint(ansiYellow, sev)
			}
			where := ""
			if f.loc != nil {
				where = f.loc.String() + ": "
			}
			fmt.Fprintf(&b, "    %s%s  %s  %s\n", where, sev, f.Rule, policy.MessageText(f.Finding))
			if f.Waiver != nil {
				fmt.Fprintf(&b, "      %s\n", paint(ansiDim, fmt.Sprintf("waived %s by %s", f.Severity, f.Waiver.Justification())))
			}
		}
	}
	d, wn := r.counts()
	wv := r.waivedCount()
	files := "file"
	if len(r.results) != 1 {
		files = "files"
	}
	summary := fmt.Sprintf("%d %s checked: %s", len(r.results), files, countText(d, wn)+waivedText(wv))
	if r.exitCode() == ExitFindings {
		summary += fmt.Sprintf(" (failing on %s)", r.failOn)
	}
	if r.note != "" {
		fmt.Fprintf(&b, "\n%s\n", paint(ansiDim, "note: "+r.note))
	}
	if len(r.results) > 1 || d+wn+wv > 0 {
		fmt.Fprintf(&b, "\n%s\n", paint(ansiDim, summary))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func countOf(fs []policy.Finding) (deny, warn int) {
	for _, f := range fs {
		switch f.Severity {
		case policy.Deny:
			deny++
		case policy.Warn:
			warn++
		}
	}
	return deny, warn
}

func countText(deny, warn int) string {
	return fmt.Sprintf("%d deny, %d warn", deny, warn)
}

// waivedText is ", 2 waived" after the counts, "" when nothing is waived.
func waivedText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d waived", n)
}

// ---------------------------------------------------------------------------
// json (schema version 1, documented in docs/check.md)

type jsonReport struct {
	Version int          `json:"version"`
	Results []jsonResult `json:"results"`
	// Waived are the findings valid params.waivers entries cover: not in
	// results, never failing.
	Waived  []jsonResult `json:"waived"`
	Summary jsonSummary  `json:"summary"`
	Notes   []string     `json:"notes,omitempty"`
}

type jsonResult struct {
	File     string `json:"file"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Resource string `json:"resource"`
	Message  string `json:"message"`
	// Source is where the finding is declared (check --config), omitted
	// when unknown.
	Source *jsonSource `json:"source,omitempty"`
	// Waiver is the params.waivers entry of a waived finding (only in
	// waived).
	Waiver *policy.Waiver `json:"waiver,omitempty"`
}

type jsonSummary struct {
	Deny   int `json:"deny"`
	Warn   int `json:"warn"`
	Waived int `json:"waived"`
}

func (r *report) writeJSON(w io.Writer) error {
	out := jsonReport{Version: 1, Results: []jsonResult{}, Waived: []jsonResult{}}
	for _, f := range r.allLocated() {
		res := jsonResult{File: f.File, Rule: f.Rule, Severity: string(f.Severity), Resource: f.Resource, Message: f.Message}
		if f.loc != nil {
			res.Source = &jsonSource{File: f.loc.File, Line: f.loc.Line, Column: f.loc.Column}
		}
		out.Results = append(out.Results, res)
	}
	for _, f := range r.allWaived() {
		res := jsonResult{File: f.File, Rule: f.Rule, Severity: string(f.Severity), Resource: f.Resource, Message: f.Message, Waiver: f.Waiver}
		if f.loc != nil {
			res.Source = &jsonSource{File: f.loc.File, Line: f.loc.Line, Column: f.loc.Column}
		}
		out.Waived = append(out.Waived, res)
	}
	out.Summary.Deny, out.Summary.Warn = r.counts()
	out.Summary.Waived = r.waivedCount()
	if r.note != "" {
		out.Notes = []string{r.note}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// ---------------------------------------------------------------------------
// SARIF 2.1.0

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	infoURI      = rules.RepositoryURL
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Artifacts   []sarifArtifact   `json:"artifacts,omitempty"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	FullName       string      `json:"fullName,omitempty"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string           `json:"id"`
	Name                 string           `json:"name,omitempty"`
	HelpURI              string           `json:"helpUri,omitempty"`
	ShortDescription     *sarifText       `json:"shortDescription,omitempty"`
	FullDescription      *sarifText       `json:"fullDescription,omitempty"`
	Help                 *sarifText       `json:"help,omitempty"`
	DefaultConfiguration *sarifRuleConfig `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any   `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifArtifact struct {
	Location sarifArtifactLocation `json:"location"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	// Suppressions holds the waiver of a waived finding (kind external:
	// params.waivers, outside the analysed files).
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status,omitempty"`
	Justification string `json:"justification,omitempty"`
}

type sarifLocation struct {
	ID               *int           `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

func sarifLevel(s policy.Severity) string {
	if s == policy.Deny {
		return "error"
	}
	return "warning"
}

// artifactLocation turns a file name into a SARIF artifact location: a
// relative URI against %SRCROOT% for relative paths, a file:// URI for
// absolute ones.
func artifactLocation(file string) sarifArtifactLocation {
	if file == "(stdin)" {
		return sarifArtifactLocation{URI: "stdin"}
	}
	slash := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		u := url.URL{Scheme: "file", Path: slash}
		if !strings.HasPrefix(u.Path, "/") {
			u.Path = "/" + u.Path
		}
		return sarifArtifactLocation{URI: u.String()}
	}
	slash = strings.TrimPrefix(slash, "./")
	return sarifArtifactLocation{URI: (&url.URL{Path: slash}).String(), URIBaseID: "%SRCROOT%"}
}

func (r *report) writeSARIF(w io.Writer) error {
	driver := sarifDriver{
		Name:           "rotation-check",
		FullName:       Program + " check",
		Version:        Version,
		InformationURI: infoURI,
		Rules:          []sarifRule{},
	}
	index := map[string]int{}
	for _, rule := range r.rules {
		sr := sarifRule{
			ID:                   rule.ID,
			Name:                 ruleName(rule.Title),
			HelpURI:              ruleHelpURI(rule.ID),
			ShortDescription:     &sarifText{Text: rule.Title},
			DefaultConfiguration: &sarifRuleConfig{Level: sarifLevel(rule.Severity)},
			Properties:           map[string]any{"severity": string(rule.Severity), "package": rule.Package, "tags": []string{"security", "secrets", "rotation"}},
		}
		if rule.Title == "" {
			sr.ShortDescription = &sarifText{Text: rule.ID}
		}
		if rule.Description != "" {
			sr.FullDescription = &sarifText{Text: rule.Description}
		}
		if rule.Remediation != "" {
			sr.Help = &sarifText{Text: rule.Remediation, Markdown: "**Remediation:** " + rule.Remediation}
		}
		sevs := make([]string, 0, len(rule.Severities))
		for _, s := range rule.Severities {
			sevs = append(sevs, string(s))
		}
		sr.Properties["severities"] = sevs
		index[rule.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sr)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	if r.note != "" {
		inv.ToolExecutionNotifications = []sarifNotification{{Message: sarifText{Text: r.note}, Level: "note"}}
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}, Invocations: []sarifInvocation{inv}}
	for _, fr := range r.results {
		run.Artifacts = append(run.Artifacts, sarifArtifact{Location: artifactLocation(fr.file)})
	}
	for _, f := range append(r.allLocated(), r.allWaived()...) {
		i, ok := index[f.Rule]
		if !ok { // a --policy rule without METADATA: a minimal descriptor
			i = len(run.Tool.Driver.Rules)
			index[f.Rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: f.Rule, ShortDescription: &sarifText{Text: f.Rule}})
		}
		loc := sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: artifactLocation(f.File)}}
		if f.Resource != "" {
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Resource, Kind: "resource"}}
		}
		var related []sarifLocation
		if f.loc != nil {
			// The .tf line is the location; the plan file stays as a
			// related location.
			id := 1
			related = []sarifLocation{{ID: &id, PhysicalLocation: loc.PhysicalLocation, Message: &sarifText{Text: "the checked plan or state"}}}
			loc.PhysicalLocation = &sarifPhysical{
				ArtifactLocation: artifactLocation(f.loc.RepoFile),
				Region:           &sarifRegion{StartLine: f.loc.Line, StartColumn: f.loc.Column},
			}
		}
		sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.Resource + "\x00" + string(f.Severity) + "\x00" + f.Message))
		res := sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           i,
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{Text: f.Message},
			Locations:           []sarifLocation{loc},
			RelatedLocations:    related,
			PartialFingerprints: map[string]string{"rotationFinding/v1": hex.EncodeToString(sum[:16])},
		}
		if f.Waiver != nil {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: f.Waiver.Justification()}}
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// ruleName makes a SARIF rule name (an identifier-like PascalCase string)
// from a title.
func ruleName(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) {
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// JUnit XML

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// junitSkipped marks a (rule, resource) whose findings are all waived.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes one test suite per input file: one test case per (rule,
// resource) with findings, failed when a finding is at or above --fail-on
// (warnings below it are listed in system-out), and one passing test case
// per catalogued rule without findings in the file.
func (r *report) writeJUnit(w io.Writer) error {
	suites := junitSuites{Name: Program + " check"}
	for _, fr := range r.results {
		suite := junitSuite{Name: fr.file}
		type key struct{ rule, resource string }
		groups := map[key][]policy.Finding{}
		var keys []key
		hit := map[string]bool{}
		for _, f := range append(append([]policy.Finding(nil), fr.findings...), fr.waived...) {
			k := key{f.Rule, f.Resource}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], f)
			hit[f.Rule] = true
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].rule != keys[j].rule {
				return keys[i].rule < keys[j].rule
			}
			return keys[i].resource < keys[j].resource
		})
		for _, rule := range r.rules {
			if !hit[rule.ID] {
				suite.Cases = append(suite.Cases, junitCase{Name: rule.ID + ": " + rule.Title, Classname: fr.file})
			}
		}
		for _, k := range keys {
			name := k.rule
			if k.resource != "" {
				name += " " + k.resource
			}
			c := junitCase{Name: name, Classname: fr.file}
			var failing, other, waived []string
			worst := policy.Severity("")
			for _, f := range groups[k] {
				line := string(f.Severity) + ": " + f.Message
				if f.Waiver != nil {
					waived = append(waived, "waived "+line+" ("+f.Waiver.Justification()+")")
					continue
				}
				if r.failing(f) {
					failing = append(failing, line)
					if f.Severity.Rank() > worst.Rank() {
						worst = f.Severity
					}
				} else {
					other = append(other, line)
				}
			}
			if len(failing) > 0 {
				c.Failure = &junitFailure{Message: strings.TrimPrefix(strings.TrimPrefix(failing[0], "deny: "), "warn: "), Type: string(worst), Text: strings.Join(failing, "\n")}
				suite.Failures++
			}
			if len(failing) == 0 && len(waived) > 0 {
				c.Skipped = &junitSkipped{Message: "waived by " + groups[k][0].Waiver.Justification()}
				suite.Skipped++
			}
			if all := append(other, waived...); len(all) > 0 {
				c.SystemOut = strings.Join(all, "\n")
			}
			suite.Cases = append(suite.Cases, c)
		}
		sort.SliceStable(suite.Cases, func(i, j int) bool { return suite.Cases[i].Name < suite.Cases[j].Name })
		suite.Tests = len(suite.Cases)
		suites.Tests += suite.Tests
		suites.Failures += suite.Failures
		suites.Skipped += suite.Skipped
		suites.Suites = append(suites.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// ---------------------------------------------------------------------------
// GitHub Actions workflow commands

// writeGitHub writes one ::error (deny) or ::warning (warn) workflow command
// per finding, which GitHub Actions shows as annotations on the file.
func (r *report) writeGitHub(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.allLocated() {
		cmd := "warning"
		if f.Severity == policy.Deny {
			cmd = "error"
		}
		where := "file=" + ghProperty(filepath.ToSlash(f.File))
		if f.loc != nil {
			where = fmt.Sprintf("file=%s,line=%d", ghProperty(f.loc.RepoFile), f.loc.Line)
			if f.loc.Column > 0 {
				where += fmt.Sprintf(",col=%d", f.loc.Column)
			}
		}
		fmt.Fprintf(&b, "::%s %s,title=%s::%s\n", cmd, where, ghProperty(f.Rule), ghData(f.Message))
	}
	// A waived finding is a notice: visible on the line, never failing.
	for _, f := range r.allWaived() {
		where := "file=" + ghProperty(filepath.ToSlash(f.File))
		if f.loc != nil {
			where = fmt.Sprintf("file=%s,line=%d", ghProperty(f.loc.RepoFile), f.loc.Line)
			if f.loc.Column > 0 {
				where += fmt.Sprintf(",col=%d", f.loc.Column)
			}
		}
		fmt.Fprintf(&b, "::notice %s,title=%s::%s\n", where, ghProperty(f.Rule+" (waived)"), ghData(f.Message+" — waived "+string(f.Severity)+" by "+f.Waiver.Justification()))
	}
	if r.note != "" {
		fmt.Fprintf(&b, "::notice title=%s::%s\n", ghProperty("rotation check"), ghData(r.note))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData and ghProperty escape workflow command values as the Actions
// toolkit does (escapeData / escapeProperty).
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
