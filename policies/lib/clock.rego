# The instant the time-based rules evaluate at, and times in messages
# (package rotation.lib.terraform; see terraform.rego).
package rotation.lib.terraform

import data.rotation.lib.params

# as_of is the instant the time-based rules evaluate at, in nanoseconds, and
# as_of_source says where it came from: params.now, else the plan's
# timestamp, else (a state, or a plan from Terraform before 1.5) the current
# time.
as_of := time.parse_rfc3339_ns(params.now) if {
	params.now != ""
} else := time.parse_rfc3339_ns(input.timestamp) if {
	is_string(input.timestamp)
} else := time.now_ns()

as_of_source := "params.now" if {
	params.now != ""
} else := "plan timestamp" if {
	is_string(input.timestamp)
} else := "current time"

# as_of_text is as_of in RFC 3339 with its source, for messages.
as_of_text := sprintf("%s (%s)", [rfc3339(as_of), as_of_source])

# rfc3339(ns) formats nanoseconds since the epoch as RFC 3339 in UTC, to the
# second.
rfc3339(ns) := time.format([ns, "UTC", "2006-01-02T15:04:05Z07:00"])

# time_ns(x) parses an RFC 3339 string; undefined for anything else.
time_ns(x) := time.parse_rfc3339_ns(x) if is_string(x)
