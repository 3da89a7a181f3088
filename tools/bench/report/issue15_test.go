package main

import (
	"strings"
	"testing"
)

// benchReport is a report with one check time per case and tool, on the
// given number of cores.
func benchReport(nproc string, secs map[key]float64) *report {
	r := &report{samples: map[key][]sample{}, meta: map[string]string{"nproc": nproc}}
	for k, s := range secs {
		r.samples[k] = []sample{{secs: s}}
	}
	return r
}

func TestCoresText(t *testing.T) {
	const pure = "n=10000 m=0"
	all := key{"checker", pure, "check"}
	one := key{"checker-1core", pure, "check"}
	tests := []struct {
		name      string
		nproc     string
		secs      map[key]float64
		read      float64
		perFamily float64
		want      []string // substrings, in order
		absent    string   // a substring that must not appear
		empty     bool
	}{
		{
			// 12.0 s on one core, 0.7 s of it reading: 1130 µs per family;
			// 650 µs on two: 1.74× faster, 87% of perfect scaling. 1130 µs
			// needs 7.5 cores scaling perfectly, and 2 × 650 ÷ 150 = 8.7
			// at 87%.
			name: "two cores, target missed", nproc: "2",
			secs: map[key]float64{all: 7.2, one: 12.0}, read: 0.7, perFamily: 650e-6,
			want: []string{"it is 1130 µs per family", "The 2 cores ran it 1.74× faster (87% of perfect scaling)", "needs 8 cores scaling perfectly", "(9 at the scaling measured here", "on 2 cores, an evaluator 4.33× cheaper"},
		},
		{
			name: "target met on one core", nproc: "2",
			secs: map[key]float64{all: 0.9, one: 1.7}, read: 0.7, perFamily: 20e-6,
			want: []string{"it is 100 µs per family", "The 2 cores ran it 5.00× faster"}, absent: "needs",
		},
		{
			name: "one core", nproc: "1",
			secs: map[key]float64{all: 12.0, one: 12.0}, read: 0.7, perFamily: 1130e-6,
			want: []string{"it is 1130 µs per family, start-up included: about the CPU the rules take."},
		},
		{
			name: "no one-core run", nproc: "2",
			secs: map[key]float64{all: 6.7}, read: 0.7, perFamily: 600e-6, empty: true,
		},
		{
			name: "no core count", nproc: "",
			secs: map[key]float64{all: 6.7, one: 12.0}, read: 0.7, perFamily: 600e-6, empty: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := benchReport(tt.nproc, tt.secs).coresText(pure, tt.read, tt.perFamily)
			if tt.empty {
				if got != "" {
					t.Fatalf("coresText = %q, want nothing", got)
				}
				return
			}
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("coresText = %q\nlacks (in order) %q", got, w)
				}
				rest = rest[i+len(w):]
			}
			if tt.absent != "" && strings.Contains(got, tt.absent) {
				t.Errorf("coresText = %q: has %q", got, tt.absent)
			}
		})
	}
}
