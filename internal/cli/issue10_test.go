package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is the path of a policy fixture document.
func fixture(name string) string {
	doc := "plan.json"
	if strings.HasSuffix(name, "-state") {
		doc = "state.json"
	}
	return filepath.Join(repoRoot, "policies", "testdata", "fixtures", name, doc)
}

// Issue 10: each behaviour through `check`, on real plans, with the exit
// code and the message.
func TestIssue10Check(t *testing.T) {
	dir := t.TempDir()
	params := func(name, yaml string) string { return writeFile(t, dir, name, []byte(yaml)) }
	number := writeFile(t, dir, "number.json", []byte(strings.ReplaceAll(string(mustRead(t, fixture("good"))), `"overlap": "2h"`, `"overlap": 7200`)))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
		not  []string
	}{
		{
			name: "ROT024 destroy",
			args: []string{fixture("rot024-destroy")},
			code: ExitFindings,
			want: []string{
				"deny  ROT024  this plan destroys it (plan -destroy, its block or module removed, or its for_each or count key renamed without a moved block): v1 (previous, kid kid-1), v2 (active, kid kid-2) stop being accepted at once, a flag day for every consumer still using them",
				"deny  ROT024  this plan destroys it (plan -destroy, its block or module removed, or its for_each or count key renamed without a moved block): v1 (previous, slot a), v2 (active, slot b) stop being accepted at once",
			},
		},
		{
			name: "ROT024 decommission",
			args: []string{"--params", params("decommission.yaml", "decommission: [rotation_secret.session, 'rotation_schedule.*']\n"), fixture("rot024-destroy")},
			code: ExitOK,
			want: []string{`warn  ROT024  decommissioned (params.decommission "rotation_schedule.*"): this plan destroys it`, `warn  ROT024  decommissioned (params.decommission "rotation_secret.session"): this plan destroys it`},
			not:  []string{"deny  "},
		},
		{
			name: "ROT024 decommission of something else",
			args: []string{"--params", params("other.yaml", "decommission: [rotation_secret.other]\n"), fixture("rot024-destroy")},
			code: ExitFindings,
			want: []string{"deny  ROT024"},
		},
		{
			name: "ROT024 invalid decommission",
			args: []string{"--params", params("bad.yaml", "decommission: ['[']\n"), fixture("rot024-destroy")},
			code: ExitUsage,
		},
		{
			name: "ROT024 replace and renamed key",
			args: []string{fixture("rot024-replace-renamed")},
			code: ExitFindings,
			want: []string{
				"rotation_secret.api\n    deny  ROT024  this plan replaces it (-replace or a changed name): the new resource starts over with a new version 1: v1 (active, kid kid-1) stops being accepted at once",
				"rotation_secret.regional[\"eu\"]\n    deny  ROT024  this plan destroys it",
			},
		},
		{
			name: "ROT024 removed block (OpenTofu)",
			args: []string{fixture("rot024-removed")},
			code: ExitFindings,
			want: []string{"deny  ROT024  this plan forgets it (a removed block): its record leaves the state: v1 (active, kid kid-1) stops being accepted at once"},
		},
		{
			name: "ROT024 state exempt",
			args: []string{"--params", params("now.yaml", "now: 2026-02-04T11:00:00Z\n"), fixture("good-state")},
			code: ExitOK,
			not:  []string{"ROT024"},
		},
		{
			name: "unknown inputs fail closed",
			args: []string{fixture("unknown-values")},
			code: ExitFindings,
			want: []string{
				"deny  ROT001  refused: schedule.ttl is unknown until apply (the apply could set a ttl above the classification's maximum unseen; make the value known at plan time, or set params.unknown_inputs to warn)",
				"deny  ROT002  refused: schedule.ttl is unknown until apply (",
				"deny  ROT003  refused: versions is unknown until apply (the apply could leave an expired version accepted unseen;",
				"deny  ROT031  refused: versions is unknown until apply (the apply could leave no active version, unseen;",
				"warn  ROT030  could not be checked: versions is unknown until apply",
			},
		},
		{
			name: "unknown_inputs warn",
			args: []string{"--params", params("warn.yaml", "unknown_inputs: warn\n"), fixture("unknown-values")},
			code: ExitOK,
			want: []string{"warn  ROT001  could not be checked: schedule.ttl is unknown until apply", "warn  ROT031  could not be checked: versions is unknown until apply"},
			not:  []string{"deny  ", "refused"},
		},
		{
			name: "unknown_inputs invalid",
			args: []string{"--params", params("maybe.yaml", "unknown_inputs: maybe\n"), fixture("unknown-values")},
			code: ExitUsage,
		},
		{
			name: "ROT014",
			args: []string{fixture("rot014-no-validator")},
			code: ExitFindings,
			want: []string{
				`deny  ROT014  family "webhook-signing" declares no consumer with role validator or both (roles: emitter), yet rotation_secret.webhook belongs to it: with no validator cache to compare with, ROT020 and ROT021 pass whatever the schedule`,
				`deny  ROT014  family "reporting-db" declares no consumer, yet rotation_schedule.db belongs to it`,
			},
		},
		{
			name: "ROT042",
			args: []string{fixture("rot042-record-ahead")},
			code: ExitOK,
			want: []string{"warn  ROT042  the record is ahead of the clock: 5 recorded timestamps are after 2026-01-05T09:00:00Z (plan timestamp), the latest version 1 superseded_at 2030-02-06T11:00:00Z; no scheduled step (issue, activate, revoke) is decided before that instant"},
		},
		{
			name: "ROT042 fails with --fail-on warn",
			args: []string{"--fail-on", "warn", fixture("rot042-record-ahead")},
			code: ExitFindings,
			want: []string{"ROT042"},
		},
		{
			name: "sensitive values",
			args: []string{"--params", params("owners.yaml", "allowed_owners: [team-identity]\n"), fixture("sensitive-values")},
			code: ExitFindings,
			want: []string{"deny  ROT011  owner (sensitive) is not in allowed_owners", "deny  ROT011  backup_owner (sensitive) is not in allowed_owners", "warn  ROT030  version 1 (previous) is revoked by revoke_versions on this apply, before its overlap 2h elapsed (revoke_reason (sensitive))"},
			not:  []string{"Nightjar", "nightjar", "Mallory", "team-incident-response"},
		},
		{
			name: "a number where a duration belongs",
			args: []string{number},
			code: ExitFindings,
			want: []string{"deny  ROT022  refused: schedule.overlap 7200 is not a duration ("},
			not:  []string{"'"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"check", "--config", ""}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(stdout, n) {
					t.Errorf("stdout has %q:\n%s", n, stdout)
				}
			}
			if tc.code == ExitUsage && !strings.Contains(stderr, "params.") {
				t.Errorf("stderr %q", stderr)
			}
		})
	}
}

// Issue 10, item 7: no output format of `check` shows a sensitive value.
func TestCheckHonoursSensitiveMarksInEveryFormat(t *testing.T) {
	owners := writeFile(t, t.TempDir(), "owners.yaml", []byte("allowed_owners: [team-identity]\n"))
	for _, format := range formats {
		code, stdout, stderr := run(t, "check", "--config", "", "--format", format, "--params", owners, fixture("sensitive-values"))
		if code != ExitFindings || stderr != "" {
			t.Errorf("%s: exit %d %q", format, code, stderr)
		}
		for _, s := range []string{"Nightjar", "nightjar", "Mallory", "team-incident-response"} {
			if strings.Contains(stdout, s) {
				t.Errorf("%s shows %q", format, s)
			}
		}
		if !strings.Contains(stdout, "(sensitive)") {
			t.Errorf("%s: no (sensitive)", format)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
