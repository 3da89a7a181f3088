# METADATA
# title: Waiver rules
# description: |
#   The waivers of params.waivers themselves: ROT090 (every waiver is
#   complete, well-formed and unexpired). Its findings are never waived.
package rotation.waivers

import data.rotation.lib.waivers

# METADATA
# title: waivers are complete, valid and unexpired
# description: |
#   Every entry of params.waivers sets rule (a rule id other than ROT090),
#   resource (an address or a glob: * any characters, ? one, [abc] a class,
#   \[ a literal bracket), reason, approver and expires (a UTC date
#   YYYY-MM-DD), and has not expired: a waiver holds through the end of its
#   expires day, UTC, compared with the time the time-based rules evaluate
#   at (params.now, else the plan's timestamp, else the current time). A
#   waiver with a problem waives nothing, and ROT090 itself cannot be
#   waived.
# custom:
#   id: ROT090
#   severity: deny
#   remediation: Complete or correct the waiver named in the message (params.waivers[i].field); for an expired one, fix the finding and remove the waiver, or renew it with a new expires date and approval.
#   why: >-
#     An accepted risk without a reason, an accountable approver and an end
#     date is never revisited: the waiver outlives the incident it was
#     written for and silently hides the finding for good. An expired waiver
#     that kept working would do the same.
#   parameters:
#     waivers: >-
#       a list of {rule, resource, reason, expires, approver}: a finding of
#       rule at an address matching resource is reported as waived instead
#       of denied or warned, through the end of the expires day (UTC)
deny contains msg if {
	some p in waivers.problems
	msg := sprintf("ROT090: %s", [p.text])
}
