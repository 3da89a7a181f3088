package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
)

// fixtureLines is where every finding of every policy fixture case lands
// in the configuration the fixture was made from
// (policies/testdata/configs/<fixture>/): "case rule resource" ->
// "file:line", the file relative to the configuration directory, with
// the text that line must hold.
var fixtureLines = map[string][2]string{
	"rot001-ttl-over-max ROT001 rotation_secret.session":                       {"main.tf:40", `ttl         = "45d"`},
	"rot002-ttl-short ROT002 rotation_secret.session":                          {"main.tf:43", `ttl         = "45d"`},
	"rot003-expired ROT003 rotation_secret.session":                            {"main.tf:33", `resource "rotation_secret" "session" {`},
	"rot010-no-backup-owner ROT010 rotation_secret_family.f":                   {"main.tf:10", `resource "rotation_secret_family" "f" {`},
	"rot011-owner-not-allowed ROT011 rotation_secret_family.f":                 {"main.tf:14", `owner             = "team-payments"`},
	"rot011-owner-pattern ROT011 rotation_secret_family.f":                     {"main.tf:14", `owner             = "team-payments"`},
	"rot012-no-family ROT012 rotation_secret.session":                          {"main.tf:11", `family = "session-signing"`},
	"rot012-no-family ROT020 rotation_secret.session":                          {"main.tf:17", `overlap     = "2h"`},
	"rot013-review-overdue ROT013 rotation_secret_family.f":                    {"main.tf:17", `reviewed_at       = "2025-06-01T10:00:00Z"`},
	"rot013-review-overdue-enforced ROT013 rotation_secret_family.f":           {"main.tf:17", `reviewed_at       = "2025-06-01T10:00:00Z"`},
	"rot020-nested ROT020 module.outer.module.inner.rotation_secret.queue":     {"modules/inner/main.tf:30", `overlap     = "1h"`},
	"rot020-overlap-equals-cache ROT020 rotation_secret.session":               {"main.tf:39", `overlap     = "1h"`},
	"rot020-overlap-one-second-longer-factor-2 ROT020 rotation_secret.session": {"main.tf:39", `overlap     = "1h0m1s"`},
	"rot021-propagation-short ROT021 rotation_secret.session":                  {"main.tf:39", `propagation = "30m"`},
	"rot022-zero-overlap ROT020 rotation_secret.session":                       {"main.tf:38", `overlap     = "0s"`},
	"rot022-zero-overlap ROT022 rotation_secret.session":                       {"main.tf:38", `overlap     = "0s"`},
	"rot023-pileup ROT023 rotation_secret.session":                             {"main.tf:37", `period      = "1d"`},
	"rot030-emergency-revocation ROT030 rotation_secret.session":               {"main.tf:41", `revoke_versions = var.revoke`},
	"rot030-emergency-revocation-state ROT030 rotation_secret.session":         {"main.tf:37", `resource "rotation_secret" "session" {`},
	"rot031-no-active-version ROT031 rotation_secret.session":                  {"main.tf:34", `resource "rotation_secret" "session" {`},
	"rot032-hold-without-reason ROT032 rotation_secret.session":                {"main.tf:35", `hold_revocation = true`},
	`rot040-provider-now ROT040 provider["rotation"]`:                          {"main.tf:11", `now = "2026-01-05T09:00:00Z"`},
	"rot041-no-change-window ROT041 rotation_secret.session":                   {"main.tf:36", `schedule {`},
	"rot014-no-validator ROT014 rotation_secret_family.emitters":               {"main.tf:21", `consumer {`},
	"rot014-no-validator ROT014 rotation_secret_family.none":                   {"main.tf:48", `resource "rotation_secret_family" "none" {`},
	"rot024-destroy ROT024 rotation_schedule.db":                               {"main.tf:47", `resource "rotation_schedule" "db" {`},
	"rot024-destroy ROT024 rotation_secret.session":                            {"main.tf:27", `resource "rotation_secret" "session" {`},
	"rot024-destroy-decommissioned ROT024 rotation_schedule.db":                {"main.tf:47", `resource "rotation_schedule" "db" {`},
	"rot024-destroy-decommissioned ROT024 rotation_secret.session":             {"main.tf:27", `resource "rotation_secret" "session" {`},
	"rot024-removed ROT024 rotation_secret.session":                            {"main.tf:28", `resource "rotation_secret" "session" {`},
	"rot024-replace-renamed ROT024 rotation_secret.api":                        {"main.tf:32", `resource "rotation_secret" "api" {`},
	`rot024-replace-renamed ROT024 rotation_secret.regional["eu"]`:             {"main.tf:52", `resource "rotation_secret" "regional" {`},
	"rot042-record-ahead ROT042 rotation_secret.session":                       {"main.tf:27", `resource "rotation_secret" "session" {`},
	"sensitive-values ROT030 rotation_secret.session":                          {"main.tf:50", `revoke_versions = var.revoke`},
	"sensitive-values-allowed-owners ROT030 rotation_secret.session":           {"main.tf:50", `revoke_versions = var.revoke`},
	"sensitive-values-allowed-owners ROT011 rotation_secret_family.f":          {"main.tf:29", `backup_owner      = sensitive("team-nightjar-oncall")`},
	"sensitive-values-allowed-owners ROT011 rotation_secret_family.f #2":       {"main.tf:28", `owner             = var.owner`},
	"unknown-values ROT001 rotation_secret.session":                            {"main.tf:46", `ttl         = terraform_data.ttl.output`},
	"unknown-values ROT002 rotation_secret.session":                            {"main.tf:46", `ttl         = terraform_data.ttl.output`},
	"unknown-values ROT003 rotation_secret.session":                            {"main.tf:37", `resource "rotation_secret" "session" {`},
	"unknown-values ROT030 rotation_secret.session":                            {"main.tf:37", `resource "rotation_secret" "session" {`},
	"unknown-values ROT031 rotation_secret.session":                            {"main.tf:37", `resource "rotation_secret" "session" {`},
	"unknown-values-warn ROT001 rotation_secret.session":                       {"main.tf:46", `ttl         = terraform_data.ttl.output`},
	"unknown-values-warn ROT002 rotation_secret.session":                       {"main.tf:46", `ttl         = terraform_data.ttl.output`},
	"unknown-values-warn ROT003 rotation_secret.session":                       {"main.tf:37", `resource "rotation_secret" "session" {`},
	"unknown-values-warn ROT030 rotation_secret.session":                       {"main.tf:37", `resource "rotation_secret" "session" {`},
	"unknown-values-warn ROT031 rotation_secret.session":                       {"main.tf:37", `resource "rotation_secret" "session" {`},
	"rot003-gate-waiting ROT003 rotation_secret.session":                       {"main.tf:34", `resource "rotation_secret" "session" {`},
	"rot030-emergency-in-use ROT030 rotation_secret.session":                   {"main.tf:43", `revoke_versions = var.revoke`},
	"rot033-max-wait ROT033 rotation_secret.session":                           {"main.tf:40", `max_wait     = "1d"`},
	"rot033-max-wait-enforced ROT033 rotation_secret.session":                  {"main.tf:40", `max_wait     = "1d"`},
	"rot034-emission-sources ROT034 rotation_secret_family.f":                  {"main.tf:11", `resource "rotation_secret_family" "f" {`},
	"rot035-no-revocation-gate ROT035 rotation_secret.session":                 {"main.tf:44", `resource "rotation_secret" "session" {`},
	"rot036-used-after-revocation ROT036 rotation_secret.session":              {"main.tf:43", `resource "rotation_secret" "session" {`},

	// ROT050: the secrets that keep their material in state; an omitted
	// material (the default) points at the resource block.
	"rot001-ttl-over-max ROT050 rotation_secret.session":                               {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot002-ttl-short ROT050 rotation_secret.session":                                  {"main.tf:34", `resource "rotation_secret" "session" {`},
	"rot003-expired ROT050 rotation_secret.session":                                    {"main.tf:33", `resource "rotation_secret" "session" {`},
	"rot003-gate-held ROT050 rotation_secret.session":                                  {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot003-gate-waiting ROT050 rotation_secret.session":                               {"main.tf:34", `resource "rotation_secret" "session" {`},
	"rot010-no-backup-owner ROT050 rotation_secret.session":                            {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot011-default-params ROT050 rotation_secret.session":                             {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot011-owner-not-allowed ROT050 rotation_secret.session":                          {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot011-owner-pattern ROT050 rotation_secret.session":                              {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot012-no-family ROT050 rotation_secret.session":                                  {"main.tf:10", `resource "rotation_secret" "session" {`},
	"rot013-review-overdue ROT050 rotation_secret.session":                             {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot013-review-overdue-enforced ROT050 rotation_secret.session":                    {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot014-no-validator ROT050 rotation_secret.webhook":                               {"main.tf:28", `resource "rotation_secret" "webhook" {`},
	"rot020-nested ROT050 module.outer.module.inner.rotation_secret.queue":             {"modules/inner/main.tf:23", `resource "rotation_secret" "queue" {`},
	"rot020-overlap-equals-cache ROT050 rotation_secret.session":                       {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot020-overlap-one-second-longer ROT050 rotation_secret.session":                  {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot020-overlap-one-second-longer-factor-2 ROT050 rotation_secret.session":         {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot021-propagation-short ROT050 rotation_secret.session":                          {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot022-zero-overlap ROT050 rotation_secret.session":                               {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot023-pileup ROT050 rotation_secret.session":                                     {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot090-expired-waiver ROT050 rotation_secret.session":                             {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot090-incomplete-waiver ROT050 rotation_secret.session":                          {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot090-waived ROT050 rotation_secret.session":                                     {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot090-waived-module-glob ROT050 module.outer.module.inner.rotation_secret.queue": {"modules/inner/main.tf:23", `resource "rotation_secret" "queue" {`},
	"rot090-waived-warn ROT050 rotation_secret.session":                                {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot090-waiver-glob-not-matching ROT050 rotation_secret.session":                   {"main.tf:32", `resource "rotation_secret" "session" {`},
	"rot024-replace-renamed ROT050 rotation_secret.api":                                {"main.tf:32", `resource "rotation_secret" "api" {`},
	"rot024-replace-renamed ROT050 rotation_secret.regional[\"europe\"]":               {"main.tf:52", `resource "rotation_secret" "regional" {`},
	"rot030-emergency-in-use ROT050 rotation_secret.session":                           {"main.tf:38", `resource "rotation_secret" "session" {`},
	"rot030-emergency-revocation ROT050 rotation_secret.session":                       {"main.tf:37", `resource "rotation_secret" "session" {`},
	"rot030-emergency-revocation-state ROT050 rotation_secret.session":                 {"main.tf:37", `resource "rotation_secret" "session" {`},
	"rot031-no-active-version ROT050 rotation_secret.session":                          {"main.tf:34", `resource "rotation_secret" "session" {`},
	"rot032-hold-without-reason ROT050 rotation_secret.session":                        {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot033-max-wait ROT050 rotation_secret.session":                                   {"main.tf:33", `resource "rotation_secret" "session" {`},
	"rot033-max-wait-enforced ROT050 rotation_secret.session":                          {"main.tf:33", `resource "rotation_secret" "session" {`},
	"rot034-emission-sources ROT050 rotation_secret.session":                           {"main.tf:37", `resource "rotation_secret" "session" {`},
	"rot035-no-revocation-gate ROT050 rotation_secret.session":                         {"main.tf:44", `resource "rotation_secret" "session" {`},
	"rot036-used-after-revocation ROT050 rotation_secret.session":                      {"main.tf:43", `resource "rotation_secret" "session" {`},
	"rot040-provider-now ROT050 rotation_secret.session":                               {"main.tf:35", `resource "rotation_secret" "session" {`},
	"rot041-no-change-window ROT050 rotation_secret.session":                           {"main.tf:31", `resource "rotation_secret" "session" {`},
	"rot042-record-ahead ROT050 rotation_secret.session":                               {"main.tf:27", `resource "rotation_secret" "session" {`},
	"rot050-state-versions-migrating ROT050 rotation_secret.payments":                  {"main.tf:42", `material = var.material`},
	"rot050-state-versions-migrating-required ROT050 rotation_secret.payments":         {"main.tf:42", `material = var.material`},
	"rot050-state-material ROT050 rotation_secret.payments":                            {"main.tf:30", `resource "rotation_secret" "payments" {`},
	"rot050-state-material-required ROT050 rotation_secret.payments":                   {"main.tf:30", `resource "rotation_secret" "payments" {`},
	"sensitive-values ROT050 rotation_secret.session":                                  {"main.tf:46", `resource "rotation_secret" "session" {`},
	"sensitive-values-allowed-owners ROT050 rotation_secret.session":                   {"main.tf:46", `resource "rotation_secret" "session" {`},
	"unknown-values ROT050 rotation_secret.session":                                    {"main.tf:37", `resource "rotation_secret" "session" {`},
	"unknown-values-warn ROT050 rotation_secret.session":                               {"main.tf:37", `resource "rotation_secret" "session" {`},
	"rot090-expired-waiver ROT020 rotation_secret.session":                             {"main.tf:39", `overlap     = "1h"`},
	"rot090-waiver-glob-not-matching ROT020 rotation_secret.session":                   {"main.tf:39", `overlap     = "1h"`},
	"rot090-incomplete-waiver ROT020 rotation_secret.session":                          {"main.tf:39", `overlap     = "1h"`},
	// Waived findings are located like the others ("case waived rule
	// resource"); ROT090 findings name no resource (they are about
	// params.waivers) and are not located.
	"rot090-waived waived ROT020 rotation_secret.session":                                     {"main.tf:39", `overlap     = "1h"`},
	"rot090-waived-module-glob waived ROT020 module.outer.module.inner.rotation_secret.queue": {"modules/inner/main.tf:30", `overlap     = "1h"`},
	"rot090-waived-warn waived ROT023 rotation_secret.session":                                {"main.tf:37", `period      = "1d"`},
}

// TestSourcesEveryFixture maps every finding of every case of
// policies/testdata/fixtures/expected.json to the configuration the
// fixture was made from and checks the file and line.
func TestSourcesEveryFixture(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{}
	names := []string{}
	_, cases := fixtureCases(t)
	if len(cases) == 0 {
		t.Fatal("no cases in expected.json")
	}
	for name := range cases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cases[name]
		fixture := filepath.Base(filepath.Dir(c.Input))
		dir, err := filepath.Abs(filepath.Join(repoRoot, "policies/testdata/configs", fixture))
		if err != nil {
			t.Fatal(err)
		}
		opts := policy.Options{}
		if c.Params != nil {
			opts.Data = map[string]any{"rotation": map[string]any{"params": c.Params}}
		}
		engine, err := policy.New(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := policy.ReadInputFile(filepath.Join(repoRoot, c.Input), 0)
		if err != nil {
			t.Fatal(err)
		}
		findings, waived, err := engine.EvaluateAll(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		src := loadSources(dir, engine.Rules(), hclog.NewNullLogger())
		locs := append(src.locate(findings), src.locate(waived)...)
		if note := src.note(); note != "" {
			t.Errorf("%s: note %q", name, note)
		}
		ids := map[string]bool{}
		for _, f := range findings {
			ids[string(f.Severity)+" "+f.Rule] = true
		}
		if len(ids) != len(c.Deny)+len(c.Warn) {
			t.Errorf("%s: findings of %d rules, expected.json lists %d", name, len(ids), len(c.Deny)+len(c.Warn))
		}
		count := map[string]int{}
		for i, f := range append(append([]policy.Finding(nil), findings...), waived...) {
			if f.Rule == "ROT090" && f.Resource == "" {
				if locs[i] != nil {
					t.Errorf("%s: ROT090 located at %v", name, locs[i])
				}
				continue
			}
			key := name + " " + f.Rule + " " + f.Resource
			if f.Waiver != nil {
				key = name + " waived " + f.Rule + " " + f.Resource
			}
			if count[key]++; count[key] > 1 {
				key += " #" + strconv.Itoa(count[key]) // in the findings' order
			}
			seen[key] = true
			want, ok := fixtureLines[key]
			if !ok {
				t.Errorf("no expected location for %q (%s)", key, f.Message)
				continue
			}
			loc := locs[i]
			if loc == nil {
				t.Errorf("%s: not located", key)
				continue
			}
			rel, err := filepath.Rel(dir, filepath.FromSlash(loc.File))
			if err != nil {
				t.Fatal(err)
			}
			got := filepath.ToSlash(rel) + ":" + strconv.Itoa(loc.Line)
			if got != want[0] {
				t.Errorf("%s: %s, want %s", key, got, want[0])
				continue
			}
			src, err := os.ReadFile(filepath.FromSlash(loc.File))
			if err != nil {
				t.Fatal(err)
			}
			if line := strings.TrimSpace(strings.Split(string(src), "\n")[loc.Line-1]); line != want[1] {
				t.Errorf("%s: line %q, want %q", key, line, want[1])
			}
		}
	}
	for key := range fixtureLines {
		if !seen[key] {
			t.Errorf("%s: no such finding any more", key)
		}
	}
}

// TestCheckConfig runs check --config end to end from the repository root,
// as a workflow does: the findings of a nested-module fixture point at the
// child module's .tf line in every format.
func TestCheckConfig(t *testing.T) {
	t.Chdir(repoRoot)
	const (
		conf = "policies/testdata/configs/rot020-nested"
		plan = "policies/testdata/fixtures/rot020-nested/plan.json"
		line = "policies/testdata/configs/rot020-nested/modules/inner/main.tf:30"
	)
	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := run(t, "check", "--config", conf, plan)
		if code != 1 || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		want := "  module.outer.module.inner.rotation_secret.queue\n    " + line + ": deny  ROT020  overlap 1h must exceed 1h"
		if !strings.Contains(stdout, want) || strings.Contains(stdout, "note:") {
			t.Errorf("got\n%s\nwant\n%s", stdout, want)
		}
	})
	t.Run("github", func(t *testing.T) {
		_, stdout, _ := run(t, "check", "--format", "github", plan, "--config", conf)
		want := "::error file=policies/testdata/configs/rot020-nested/modules/inner/main.tf,line=30,col=5,title=ROT020::ROT020 module.outer.module.inner.rotation_secret.queue: overlap 1h must exceed 1h"
		// The fixture keeps its material in state: ROT050 warns on the resource block.
		rot050 := "\n::warning file=policies/testdata/configs/rot020-nested/modules/inner/main.tf,line=23,col=1,title=ROT050::"
		if !strings.HasPrefix(stdout, want) || strings.Count(stdout, "\n") != 2 || !strings.Contains(stdout, rot050) {
			t.Errorf("got\n%s\nwant\n%s", stdout, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		_, stdout, _ := run(t, "check", "--format", "json", "--config", conf, plan)
		var rep struct {
			Results []struct {
				File   string
				Source *struct {
					File         string
					Line, Column int
				}
			}
			Notes []string
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != 2 || rep.Results[0].File != plan || rep.Results[0].Source == nil ||
			rep.Results[0].Source.File+":"+strconv.Itoa(rep.Results[0].Source.Line) != line || rep.Results[0].Source.Column != 5 || rep.Notes != nil {
			t.Errorf("%s", stdout)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		_, stdout, _ := run(t, "check", "--format", "sarif", "--config", conf, plan)
		var log map[string]any
		if err := json.Unmarshal([]byte(stdout), &log); err != nil {
			t.Fatal(err)
		}
		run0 := obj(t, list(t, log["runs"])[0])
		res := obj(t, list(t, run0["results"])[0])
		locs := list(t, res["locations"])
		if len(locs) != 1 {
			t.Fatalf("%d locations", len(locs))
		}
		phys := obj(t, obj(t, locs[0])["physicalLocation"])
		art := obj(t, phys["artifactLocation"])
		region := obj(t, phys["region"])
		if str(art["uri"]) != "policies/testdata/configs/rot020-nested/modules/inner/main.tf" || str(art["uriBaseId"]) != "%SRCROOT%" ||
			region["startLine"] != 30.0 || region["startColumn"] != 5.0 {
			t.Errorf("location %v", phys)
		}
		if logical := list(t, obj(t, locs[0])["logicalLocations"]); str(obj(t, logical[0])["fullyQualifiedName"]) != "module.outer.module.inner.rotation_secret.queue" {
			t.Errorf("logical %v", logical)
		}
		related := list(t, res["relatedLocations"])
		if len(related) != 1 || str(obj(t, obj(t, obj(t, related[0])["physicalLocation"])["artifactLocation"])["uri"]) != plan || obj(t, related[0])["id"] != 1.0 {
			t.Errorf("related %v", related)
		}
		if inv := obj(t, list(t, run0["invocations"])[0]); inv["toolExecutionNotifications"] != nil {
			t.Errorf("notifications %v", inv)
		}
	})
	t.Run("default: the working directory", func(t *testing.T) {
		t.Chdir("policies/testdata/configs/rot020-overlap-equals-cache")
		_, stdout, _ := run(t, "check", "../../fixtures/rot020-overlap-equals-cache/plan.json")
		if !strings.Contains(stdout, "    main.tf:39: deny  ROT020  overlap 1h must exceed 1h") {
			t.Errorf("%s", stdout)
		}
		_, stdout, _ = run(t, "check", "--config", "", "../../fixtures/rot020-overlap-equals-cache/plan.json")
		if !strings.Contains(stdout, "    deny  ROT020  overlap 1h must exceed 1h") || strings.Contains(stdout, "note:") {
			t.Errorf("--config '': %s", stdout)
		}
	})
}

// TestRepositoryRoot: without a .git directory above, paths are relative to
// the working directory in every format.
func TestRepositoryRoot(t *testing.T) {
	plan, err := filepath.Abs(filepath.Join(repoRoot, "policies/testdata/fixtures/rot032-hold-without-reason/plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(filepath.Join(repoRoot, "policies/testdata/configs/rot032-hold-without-reason/main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "infra/main.tf", conf)
	t.Chdir(dir)
	if got := repositoryRoot(filepath.Join(dir, "infra")); got != filepath.Join(dir, "infra") {
		t.Skipf("a .git above the temporary directory (%s)", got)
	}
	_, stdout, _ := run(t, "check", "--format", "github", "--config", "infra", plan)
	if !strings.HasPrefix(stdout, "::error file=infra/main.tf,line=35,col=3,title=ROT032::") {
		t.Errorf("%s", stdout)
	}
	if err := os.Mkdir(".git", 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir("infra")
	_, stdout, _ = run(t, "check", "--format", "github", plan)
	if !strings.HasPrefix(stdout, "::error file=infra/main.tf,line=35,col=3,title=ROT032::") {
		t.Errorf("from a subdirectory: %s", stdout)
	}
	_, stdout, _ = run(t, "check", plan)
	if !strings.Contains(stdout, "\n    main.tf:35: deny  ROT032  ") {
		t.Errorf("text, from a subdirectory: %s", stdout)
	}
}

// TestCheckConfigFallback: findings that cannot be located point at the
// plan file, and the report says so once.
func TestCheckConfigFallback(t *testing.T) {
	t.Chdir(repoRoot)
	const plan = "policies/testdata/fixtures/rot022-zero-overlap/plan.json" // two denies and the ROT050 warning
	for _, tc := range []struct {
		name, config, note string
	}{
		{"missing directory", "policies/testdata/configs/nope", "findings point at the plan file: the Terraform configuration could not be read (--config policies/testdata/configs/nope): policies/testdata/configs/nope: no such directory"},
		{"address not declared", "internal/tfconfig/testdata/nested", "3 findings point at the plan file: not declared in the Terraform configuration in internal/tfconfig/testdata/nested: rotation_secret.session"},
		{"unparsable file", "internal/tfconfig/testdata/broken", "3 findings point at the plan file: not declared in the Terraform configuration in internal/tfconfig/testdata/broken: rotation_secret.session; not read: internal/tfconfig/testdata/broken/bad.tf:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, _ := run(t, "check", "--config", tc.config, plan)
			if code != 1 {
				t.Errorf("exit %d", code)
			}
			if strings.Count(stdout, "note: ") != 1 || !strings.Contains(stdout, "\nnote: "+tc.note) {
				t.Errorf("text: want one note %q:\n%s", tc.note, stdout)
			}
			if !strings.Contains(stdout, "\n    deny  ROT020  overlap 0s") {
				t.Errorf("text: findings not on the plan file:\n%s", stdout)
			}
			_, stdout, _ = run(t, "check", "--format", "github", "--config", tc.config, plan)
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != 4 || !strings.HasPrefix(lines[0], "::error file="+plan+",title=") || !strings.HasPrefix(lines[3], "::notice title=rotation check::"+ghData(tc.note)) {
				t.Errorf("github:\n%s", stdout)
			}
			_, stdout, _ = run(t, "check", "--format", "sarif", "--config", tc.config, plan)
			var log map[string]any
			if err := json.Unmarshal([]byte(stdout), &log); err != nil {
				t.Fatal(err)
			}
			run0 := obj(t, list(t, log["runs"])[0])
			notes := list(t, obj(t, list(t, run0["invocations"])[0])["toolExecutionNotifications"])
			if len(notes) != 1 || str(obj(t, notes[0])["level"]) != "note" || !strings.HasPrefix(str(obj(t, obj(t, notes[0])["message"])["text"]), tc.note) {
				t.Errorf("sarif notifications %v", notes)
			}
			for _, r := range list(t, run0["results"]) {
				res := obj(t, r)
				if res["relatedLocations"] != nil || str(obj(t, obj(t, obj(t, list(t, res["locations"])[0])["physicalLocation"])["artifactLocation"])["uri"]) != plan {
					t.Errorf("sarif result %v", res)
				}
			}
			_, stdout, _ = run(t, "check", "--format", "json", "--config", tc.config, plan)
			var rep struct{ Notes []string }
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Notes) != 1 || !strings.HasPrefix(rep.Notes[0], tc.note) {
				t.Errorf("json notes %v (%v)", rep.Notes, err)
			}
		})
	}
}

// TestSourcesNested maps findings in a configuration with for_each and
// count module instances, nested local modules, moved blocks and a
// registry module (internal/tfconfig/testdata/nested).
func TestSourcesNested(t *testing.T) {
	dir := filepath.Join("..", "tfconfig", "testdata", "nested")
	rules := []policy.Rule{
		{ID: "ROT020", Attributes: []string{"schedule.overlap"}},
		{ID: "ROT032", Attributes: []string{"hold_reason", "hold_revocation"}},
		{ID: "ROT001", Attributes: []string{"schedule.ttl"}},
	}
	msgs := map[string]string{
		`ROT020 module.apps["x"].module.keys[0].rotation_secret.jwt["a"]: overlap 1h must exceed 2h`:                                                                                                         "modules/keys/main.tf:19",
		`ROT001 module.apps["y"].module.keys[0].rotation_secret.jwt["b"]: ttl 45d exceeds 30d`:                                                                                                               "modules/keys/main.tf:20",
		`ROT020 module.legacy["x"].module.keys[0].rotation_secret.jwt["a"]: overlap 1h must exceed 2h`:                                                                                                       "modules/keys/main.tf:19",
		`ROT020 module.apps["x"].module.keys[0].rotation_secret.jwt["a"]: could not be checked: consumer[2].cache_ttl of module.apps["x"].module.keys[0].rotation_secret_family.keys is unknown until apply`: "modules/keys/main.tf:8",
		`ROT020 module.apps["x"].rotation_secret.gone: could not be checked: consumer[1].cache_ttl of module.apps["x"].rotation_secret_family.app is unknown until apply`:                                    "modules/app/main.tf:10",
		`ROT032 rotation_secret.older[1]: hold_revocation is true without a hold_reason`:                                                                                                                     "main.tf:63",
		`ROT020 rotation_secret.renamed[0]: overlap 2h must exceed 3h`:                                                                                                                                       "main.tf:67",
		`ROT020 module.vendor.module.x.rotation_secret.y: overlap 2h must exceed 3h`:                                                                                                                         "main.tf:23",
		`ROT020 rotation_secret.json: overlap 1h must exceed 2h`:                                                                                                                                             "generated.tf.json:8",
	}
	var findings []policy.Finding
	for m := range msgs {
		rule, res := policy.ParseMessage(m)
		findings = append(findings, policy.Finding{Rule: rule, Resource: res, Message: m})
	}
	src := loadSources(dir, rules, hclog.NewNullLogger())
	locs := src.locate(findings)
	for i, f := range findings {
		want := filepath.ToSlash(filepath.Join(dir, msgs[f.Message]))
		if abs, err := filepath.Abs(filepath.Join(dir, msgs[f.Message])); err == nil {
			want = filepath.ToSlash(abs)
		}
		if locs[i] == nil || locs[i].String() != want {
			t.Errorf("%s:\n got %v\nwant %s", f.Message, locs[i], want)
		}
		if repo := "internal/tfconfig/testdata/nested/" + msgs[f.Message]; locs[i] != nil && locs[i].RepoFile+":"+strconv.Itoa(locs[i].Line) != repo {
			t.Errorf("%s: repository path %s:%d, want %s", f.Message, locs[i].RepoFile, locs[i].Line, repo)
		}
	}
	if note := src.note(); note != "" {
		t.Errorf("note %q", note)
	}
}
