package policy

import (
	"strings"
	"testing"
)

func TestFindingTarget(t *testing.T) {
	attrs := map[string][]string{
		"ROT001": {"schedule.ttl"},
		"ROT002": {"schedule.ttl", "schedule.period", "schedule.overlap", "schedule.propagation"},
		"ROT010": {"backup_owner", "owner"},
		"ROT011": {"owner", "backup_owner"},
		"ROT020": {"schedule.overlap"},
		"ROT023": {"schedule.period", "schedule.overlap", "schedule.propagation"},
		"ROT030": {"revoke_versions"},
		"ROT032": {"hold_reason", "hold_revocation"},
		"ROT041": {"schedule.change_window"},
		"ROT040": {"now"},
	}
	for _, tc := range []struct{ msg, resource, attrs string }{
		{"ROT001 rotation_secret.session: ttl 45d exceeds 30d, the max_ttl for classification critical (family rotation_secret_family.f)", "rotation_secret.session", "schedule.ttl"},
		{"ROT001 rotation_secret.session: schedule.ttl is not set; set it to at most 90d (family rotation_secret_family.f)", "rotation_secret.session", "schedule.ttl"},
		{"ROT002 rotation_secret.session: propagation 1h + period 30d + overlap 2h = 30d3h exceeds ttl 30d", "rotation_secret.session", "schedule.ttl,schedule.period,schedule.overlap,schedule.propagation"},
		{`ROT010 rotation_secret_family.f: family "session-signing" has no backup_owner; name a team`, "rotation_secret_family.f", "backup_owner"},
		{`ROT010 rotation_secret_family.f: family "x" has backup_owner "A", the same team as owner "a"; name a different team`, "rotation_secret_family.f", "backup_owner,owner"},
		{`ROT011 rotation_secret_family.f: owner "team-payments" is not in allowed_owners ["team-identity", "team-platform"]`, "rotation_secret_family.f", "owner"},
		{`ROT011 rotation_secret_family.f: backup_owner "owner" does not match owner_pattern "x"`, "rotation_secret_family.f", "backup_owner"},
		{"ROT020 module.outer.module.inner.rotation_secret.queue: overlap 1h must exceed 1h (longest consumer cache 30m + artifact lifetime 30m)", "module.outer.module.inner.rotation_secret.queue", "schedule.overlap"},
		{"ROT020 rotation_secret.s: could not be checked: consumer[0].cache_ttl of rotation_secret_family.f is unknown until apply", "rotation_secret_family.f", "consumer[0].cache_ttl"},
		{`ROT020 rotation_secret.s: could not be checked: artifact_lifetime of module.a["x y"].rotation_secret_family.f "1 day" is not a duration (...)`, `module.a["x y"].rotation_secret_family.f`, "artifact_lifetime"},
		{"ROT001 rotation_secret.session: could not be checked: schedule.ttl is unknown until apply", "rotation_secret.session", "schedule.ttl"},
		{`ROT002 rotation_secret.s: could not be checked: schedule.period "1 day" is not a duration (...)`, "rotation_secret.s", "schedule.period"},
		{"ROT003 rotation_secret.session: could not be checked: versions is unknown until apply", "rotation_secret.session", "versions"},
		{"ROT023 rotation_secret.session: propagation 4h + overlap 20h = 1d is not shorter than period 1d: more", "rotation_secret.session", "schedule.period,schedule.overlap,schedule.propagation"},
		{"ROT030 rotation_secret.session: version 1 was revoked at 2026-02-04T11:30:00Z, 30m after ...", "rotation_secret.session", ""},
		{"ROT030 rotation_secret.session: version 1 (previous) is revoked by revoke_versions on this apply", "rotation_secret.session", "revoke_versions"},
		{"ROT032 rotation_secret.session: hold_revocation is true without a hold_reason; previous versions stay valid", "rotation_secret.session", "hold_reason,hold_revocation"},
		{`ROT040 provider["rotation"]: now = "2026-01-05T09:00:00Z" is set: this plan evaluates`, `provider["rotation"]`, "now"},
		{"ROT041 rotation_secret.session: no schedule.change_window although the classification is high", "rotation_secret.session", "schedule.change_window"},
		{"ROT020 params: could not be checked: overlap_cache_factor -1 is not a number >= 0", "params", ""},
		// Unknown inputs fail closed: the refusal names the attribute the same way.
		{"ROT002 rotation_secret.s: refused: schedule.ttl is unknown until apply (the apply could ...)", "rotation_secret.s", "schedule.ttl"},
		{"ROT020 rotation_secret.s: refused: consumer[0].cache_ttl of rotation_secret_family.f is unknown until apply (...)", "rotation_secret_family.f", "consumer[0].cache_ttl"},
		{"ROT022 rotation_secret.s: refused: schedule.overlap 3600 is not a duration (...)", "rotation_secret.s", "schedule.overlap"},
		{"ROT022 rotation_secret.s: refused: schedule.overlap (sensitive) is not a duration (...)", "rotation_secret.s", "schedule.overlap"},
		{"ROT020: no resource", "", ""},
	} {
		rule, res := ParseMessage(tc.msg)
		f := Finding{Rule: rule, Resource: res, Message: tc.msg}
		got := FindingTarget(f, attrs[rule])
		if got.Resource != tc.resource || strings.Join(got.Attributes, ",") != tc.attrs {
			t.Errorf("%s:\n got %q %v\nwant %q %s", tc.msg, got.Resource, got.Attributes, tc.resource, tc.attrs)
		}
	}
}
