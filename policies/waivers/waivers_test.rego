package rotation.waivers_test

import data.rotation.hygiene
import data.rotation.lib.mock_test as mock
import data.rotation.lib.waivers as lib
import data.rotation.ttl
import data.rotation.waivers

# rotation_secret.s with a ttl over the high maximum (ROT001, deny) and no
# change window (ROT041, warn); the plan is made at 2026-01-05T09:00:00Z.
_doc := mock.plan([mock.fam({}), mock.sec({"schedule": {"ttl": "100d", "change_window": null}})])

_w(overrides) := object.union(
	{
		"rule": "ROT001",
		"resource": "rotation_secret.*",
		"reason": "INC-1234",
		"expires": "2026-01-05",
		"approver": "team-platform-security",
	},
	overrides,
)

# _eval(waivers, params): deny, warn and waived of ttl and hygiene, and the
# ROT090 messages, with params.waivers (and the other params) set.
_eval(ws, params) := r if {
	p := object.union(params, {"waivers": ws})
	r := {
		"deny": ttl.deny,
		"warn": hygiene.warn,
		"waived": (ttl.waived | hygiene.waived),
		"rot090": waivers.deny,
	} with input as _doc
		with data.rotation.params as p
}

test_without_waivers_the_findings_stand if {
	r := _eval([], {})
	"ROT001" in mock.ids(r.deny)
	"ROT041" in mock.ids(r.warn)
	r.waived == set()
	r.rot090 == set()
}

test_a_waived_deny_moves_to_waived if {
	r := _eval([_w({})], {})
	not "ROT001" in mock.ids(r.deny)
	"ROT041" in mock.ids(r.warn)
	r.rot090 == set()
	some x in r.waived
	x.rule == "ROT001"
	x.resource == "rotation_secret.s"
	x.severity == "deny"
	startswith(x.message, "ROT001 rotation_secret.s: ttl 100d exceeds 90d")
	x.reason == "INC-1234"
	x.approver == "team-platform-security"
	x.expires == "2026-01-05"
	x.waiver == 0
	count(r.waived) == 1
}

test_a_warning_can_be_waived if {
	r := _eval([_w({"rule": "ROT041", "resource": "rotation_secret.s"})], {})
	r.warn == set()
	"ROT001" in mock.ids(r.deny)
	[x] := [x | some x in r.waived]
	x.rule == "ROT041"
	x.severity == "warn"
}

test_an_exact_address_waives if {
	r := _eval([_w({"resource": "rotation_secret.s"})], {})
	not "ROT001" in mock.ids(r.deny)
}

test_a_glob_that_does_not_match_waives_nothing if {
	r := _eval([_w({"resource": "module.legacy.rotation_secret.*"})], {})
	"ROT001" in mock.ids(r.deny)
	r.waived == set()
	r.rot090 == set()
}

test_a_glob_class_and_single_character if {
	r := _eval([_w({"resource": "rotation_secret.[st]"})], {})
	not "ROT001" in mock.ids(r.deny)
	r2 := _eval([_w({"resource": "rotation_secret.?"})], {})
	not "ROT001" in mock.ids(r2.deny)
	r3 := _eval([_w({"resource": "rotation_secret.[ab]"})], {})
	"ROT001" in mock.ids(r3.deny)
}

test_another_rule_is_not_waived if {
	r := _eval([_w({"rule": "ROT002"})], {})
	"ROT001" in mock.ids(r.deny)
	r.waived == set()
}

test_the_first_matching_waiver_is_reported if {
	r := _eval([_w({"rule": "ROT041"}), _w({"reason": "second"}), _w({"reason": "third", "resource": "*"})], {})
	some x in r.waived
	x.rule == "ROT001"
	x.waiver == 1
	x.reason == "second"
}

test_valid_through_the_end_of_the_expires_day if {
	r := _eval([_w({})], {"now": "2026-01-05T23:59:59Z"})
	not "ROT001" in mock.ids(r.deny)
	r.rot090 == set()
}

test_expired_is_rot090_and_waives_nothing if {
	r := _eval([_w({"expires": "2026-01-04"})], {})
	"ROT001" in mock.ids(r.deny)
	r.waived == set()
	[m] := [m | some m in r.rot090]
	startswith(m, `ROT090: params.waivers[0] (ROT001 on "rotation_secret.*"): expires "2026-01-04" has passed: the waiver held through 2026-01-04T23:59:59Z and the evaluation time is 2026-01-05T09:00:00Z (plan timestamp)`)
	contains(m, "renew it")
}

test_expired_at_midnight_after_the_day if {
	r := _eval([_w({})], {"now": "2026-01-06T00:00:00Z"})
	"ROT001" in mock.ids(r.deny)
	some m in r.rot090
	contains(m, "params.now")
}

test_missing_fields_are_rot090 if {
	r := _eval([{"rule": "ROT001", "resource": "rotation_secret.s", "reason": "  "}], {})
	"ROT001" in mock.ids(r.deny)
	r.waived == set()
	count(r.rot090) == 3
	some m1 in r.rot090
	startswith(m1, `ROT090: params.waivers[0] (ROT001 on "rotation_secret.s"): reason is missing; set it to why the finding is accepted`)
	some m2 in r.rot090
	startswith(m2, `ROT090: params.waivers[0] (ROT001 on "rotation_secret.s"): expires is missing; set it to the last day the waiver holds, a UTC date YYYY-MM-DD`)
	some m3 in r.rot090
	startswith(m3, `ROT090: params.waivers[0] (ROT001 on "rotation_secret.s"): approver is missing`)
}

test_missing_rule_and_resource_are_rot090 if {
	r := _eval([object.remove(_w({}), ["rule", "resource"])], {})
	"ROT001" in mock.ids(r.deny)
	r.rot090 == {
		"ROT090: params.waivers[0]: rule is missing; set it to the rule id it waives, e.g. ROT020",
		`ROT090: params.waivers[0]: resource is missing; set it to a resource address or glob, e.g. "module.legacy.rotation_secret.*"`,
	}
}

test_a_null_field_is_missing if {
	r := _eval([_w({"approver": null})], {})
	some m in r.rot090
	contains(m, "params.waivers[0]")
	contains(m, "approver is missing")
}

test_wrong_types_are_rot090 if {
	r := _eval([_w({"expires": 20270301, "approver": false})], {})
	"ROT001" in mock.ids(r.deny)
	r.waived == set()
	r.rot090 == {
		`ROT090: params.waivers[0] (ROT001 on "rotation_secret.*"): expires 20270301 is not a string; set it to the last day the waiver holds, a UTC date YYYY-MM-DD`,
		`ROT090: params.waivers[0] (ROT001 on "rotation_secret.*"): approver false is not a string; set it to who accepted the risk, e.g. a team`,
	}
}

test_waivers_not_a_list_is_rot090 if {
	r := _eval({"rule": "ROT001"}, {})
	"ROT001" in mock.ids(r.deny)
	[m] := [m | some m in r.rot090]
	startswith(m, `ROT090: params.waivers {"rule":"ROT001"} is not a list`)
}

test_a_waiver_not_an_object_is_rot090 if {
	r := _eval(["ROT001"], {})
	r.rot090 == {`ROT090: params.waivers[0] "ROT001" is not an object; write {rule, resource, reason, expires, approver}`}
}

test_an_invalid_date_is_rot090 if {
	every bad in ["2027-02-30", "03/01/2027", "2027-3-1", "2027-03-01T00:00:00Z", "2027-13-01"] {
		r := _eval([_w({"expires": bad})], {})
		"ROT001" in mock.ids(r.deny)
		[m] := [m | some m in r.rot090]
		contains(m, sprintf("expires %q is not a UTC date; write YYYY-MM-DD", [bad]))
	}
}

test_an_invalid_glob_is_rot090 if {
	r := _eval([_w({"resource": "rotation_secret.["})], {})
	"ROT001" in mock.ids(r.deny)
	[m] := [m | some m in r.rot090]
	contains(m, `resource "rotation_secret.[" is not a valid glob`)
}

test_an_invalid_rule_id_is_rot090 if {
	r := _eval([_w({"rule": "rot001"})], {})
	"ROT001" in mock.ids(r.deny)
	[m] := [m | some m in r.rot090]
	contains(m, `rule "rot001" is not a rule id`)
}

test_rot090_cannot_be_waived if {
	r := _eval([_w({"expires": "2026-01-01"}), _w({"rule": "ROT090", "resource": "*"})], {})
	count(r.rot090) == 2
	some m in r.rot090
	contains(m, `params.waivers[1] (ROT090 on "*"): rule "ROT090" cannot be waived`)
	r.waived == set()
}

test_one_broken_waiver_leaves_the_others_working if {
	r := _eval([_w({"reason": ""}), _w({"rule": "ROT041"})], {})
	"ROT001" in mock.ids(r.deny)
	r.warn == set()
	count(r.rot090) == 1
}

test_parse_reads_rule_and_resource_as_check_does if {
	lib.parse(`ROT020 module.a["x: y"].rotation_secret.s: overlap 1h`) == {"rule": "ROT020", "resource": `module.a["x: y"].rotation_secret.s`}
	lib.parse("ROT001 rotation_secret.s[0]: ttl") == {"rule": "ROT001", "resource": "rotation_secret.s[0]"}
	lib.parse("ROT090: params.waivers[0]: x") == {"rule": "ROT090", "resource": ""}
	lib.parse("ROT040 some text: x") == {"rule": "ROT040", "resource": ""}
	not lib.parse("no id here")
}

test_a_waiver_for_a_resource_less_finding_uses_an_empty_address if {
	lib.covering("ROT099: text") == 0 with data.rotation.params as {"waivers": [_w({"rule": "ROT099", "resource": "*"})]}
		with input as _doc
	not lib.covering("ROT099: text") with data.rotation.params as {"waivers": [_w({"rule": "ROT099", "resource": "rotation_secret.*"})]}
		with input as _doc
}

# A real date past what Rego's clock holds is refused with its own reason,
# not called "not a date"; the last comparable day still works.
test_a_date_past_2262_is_rot090_saying_why if {
	r := _eval([_w({"expires": "9999-12-31"})], {})
	"ROT001" in mock.ids(r.deny)
	[m] := [m | some m in r.rot090]
	contains(m, `expires "9999-12-31" is later than 2262-04-10, the last day the policies can compare`)
	r2 := _eval([_w({"expires": "2262-04-10"})], {})
	r2.rot090 == set()
}
