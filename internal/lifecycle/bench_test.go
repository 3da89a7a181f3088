package lifecycle

import (
	"fmt"
	"testing"
	"time"
)

// benchSpec is the schedule of the benchmarks: period 30d, overlap 2h,
// propagation 1h, ttl 45d, Monday to Thursday 08:00-17:00 UTC.
func benchSpec(b *testing.B, historyLimit int) Spec {
	b.Helper()
	w, err := ParseChangeWindow([]string{"mon", "tue", "wed", "thu"}, "08:00", "17:00", "UTC")
	if err != nil {
		b.Fatal(err)
	}
	return Spec{
		Key:  "bench/prod",
		Mode: ModeSeries,
		Schedule: Schedule{
			Period: 30 * 24 * time.Hour, Overlap: 2 * time.Hour, Propagation: time.Hour,
			TTL: 45 * 24 * time.Hour, Window: w,
		},
		Controls: Controls{HistoryLimit: historyLimit},
	}
}

// rotated returns the record after the first apply and rotations complete
// rotations (issue, activate, revoke), each apply at the next scheduled
// transition, as the provider records it (Decide, then Stamp at the apply
// time).
func rotated(b *testing.B, spec Spec, rotations int) State {
	b.Helper()
	var s State
	t := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for {
		d, err := Decide(spec, s, t)
		if err != nil {
			b.Fatal(err)
		}
		s = Stamp(d.Planned(), t)
		if s.Generation == int64(rotations)+1 && len(s.Accepted()) == 1 {
			return s
		}
		_, _, t = NextTransition(spec, s, lastEvent(s))
	}
}

func lastEvent(s State) time.Time {
	var last time.Time
	for _, v := range s.Versions {
		for _, t := range []time.Time{v.IssuedAt, v.ActivatedAt, v.SupersededAt, v.RevokedAt} {
			if t.After(last) {
				last = t
			}
		}
	}
	return last
}

// BenchmarkDecide measures the engine's cost for one plan of one secret as
// its versions accumulate: after 0 to 1 000 rotations, with the default
// history_limit 10 (revoked versions beyond it are pruned, so the record
// stops growing) and with a history_limit high enough to keep every
// version (the cost per version). Two plans each:
//
//   - noop: an hour after the last apply, nothing due (the daily CI plan);
//     Decide plus NextTransition, as the provider's ModifyPlan runs them.
//   - rotate: at the next issue, a new version is due.
//
// The "versions" metric is the length of the record the plan reads.
func BenchmarkDecide(b *testing.B) {
	type series struct {
		name  string
		limit int
		rots  []int
	}
	for _, sr := range []series{
		{"history=10", 10, []int{0, 5, 10, 100, 1000}},
		{"history=all", 1 << 20, []int{5, 100, 1000}},
	} {
		for _, n := range sr.rots {
			spec := benchSpec(b, sr.limit)
			s := rotated(b, spec, n)
			last := lastEvent(s)
			_, _, due := NextTransition(spec, s, last)
			for _, op := range []struct {
				name string
				at   time.Time
			}{{"noop", last.Add(time.Hour)}, {"rotate", due}} {
				b.Run(fmt.Sprintf("%s/rotations=%d/%s", sr.name, n, op.name), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						d, err := Decide(spec, s, op.at)
						if err != nil {
							b.Fatal(err)
						}
						NextTransition(spec, d.Next, op.at)
					}
					b.ReportMetric(float64(len(s.Versions)), "versions")
				})
			}
		}
	}
}

// BenchmarkDecideRevokeVersions measures an emergency revocation with a
// long revoke_versions list (most entries already pruned): the engine's
// share of a plan is linear in the list (sort, then one binary search per
// entry), so ns/op grows tenfold from 1 000 to 10 000 entries. The
// provider caps the list at 1 000 (BenchmarkPlanRevokeVersions).
func BenchmarkDecideRevokeVersions(b *testing.B) {
	spec := benchSpec(b, 10)
	s := rotated(b, spec, 20)
	gen := s.Generation
	for _, n := range []int{10, 100, 1000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			list := make([]int64, n)
			for i := range list {
				list[i] = gen - int64(i%int(gen)) // every version, many times over
			}
			spec := spec
			spec.Controls.RevokeVersions, spec.Controls.RevokeReason = list, "INC-1"
			at := lastEvent(s).Add(time.Hour)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decide(spec, s, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
