package policy

import "testing"

func TestParseMessage(t *testing.T) {
	cases := []struct {
		msg, rule, resource, text string
	}{
		{"ROT020 rotation_secret.jwt: overlap 30m must exceed 1h", "ROT020", "rotation_secret.jwt", "overlap 30m must exceed 1h"},
		{`ROT040 provider["rotation"]: now = "x" is set`, "ROT040", `provider["rotation"]`, `now = "x" is set`},
		{`ROT010 module.a["k: v"].rotation_secret_family.f: no owner`, "ROT010", `module.a["k: v"].rotation_secret_family.f`, "no owner"},
		{`ROT001 module.m[0].rotation_secret.s: ttl 1d exceeds 30d`, "ROT001", `module.m[0].rotation_secret.s`, "ttl 1d exceeds 30d"},
		{"ROT020 params: could not be checked", "ROT020", "params", "could not be checked"},
		{"ROT099: something general", "ROT099", "", "something general"},
		{"ROT099 something general: with a colon", "ROT099", "", "something general: with a colon"},
		{"ACME_7 aws_s3_bucket.b: public", "ACME_7", "aws_s3_bucket.b", "public"},
		{"just a message", "", "", "just a message"},
		{"ROT020", "ROT020", "", "ROT020"},
		{"rot020 lower case: no", "", "", "rot020 lower case: no"},
	}
	for _, tc := range cases {
		rule, res := ParseMessage(tc.msg)
		if rule != tc.rule || res != tc.resource {
			t.Errorf("ParseMessage(%q) = %q, %q; want %q, %q", tc.msg, rule, res, tc.rule, tc.resource)
		}
		f := Finding{Rule: rule, Resource: res, Message: tc.msg}
		if f.Rule == "" {
			f.Rule = "main.deny"
		}
		if got := MessageText(f); got != tc.text {
			t.Errorf("MessageText(%q) = %q, want %q", tc.msg, got, tc.text)
		}
	}
}
