package lifecycle

import (
	"testing"
	"time"
)

func TestNewest(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := (State{}).Newest(); !got.IsZero() {
		t.Fatalf("empty state: Newest = %v, want zero", got)
	}
	s := State{Generation: 2, Versions: []Version{
		{Version: 1, Status: StatusRevoked, IssuedAt: t0, ActivatedAt: t0, SupersededAt: t0.Add(48 * time.Hour), RevokedAt: t0.Add(72 * time.Hour)},
		{Version: 2, Status: StatusActive, IssuedAt: t0.Add(24 * time.Hour), ActivatedAt: t0.Add(48 * time.Hour)},
	}}
	if got, want := s.Newest(), t0.Add(72*time.Hour); !got.Equal(want) {
		t.Fatalf("Newest = %v, want %v (v1's revoked_at)", got, want)
	}
}

func TestAcceptedOrder(t *testing.T) {
	s := State{Generation: 5, Versions: []Version{
		{Version: 1, Status: StatusRevoked},
		{Version: 2, Status: StatusPrevious},
		{Version: 3, Status: StatusPrevious},
		{Version: 4, Status: StatusActive},
		{Version: 5, Status: StatusPending},
	}}
	var got []int64
	for _, v := range s.AcceptedOrder() {
		got = append(got, v.Version)
	}
	want := []int64{4, 5, 3, 2}
	if len(got) != len(want) {
		t.Fatalf("AcceptedOrder = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("AcceptedOrder = %v, want %v (active, pending, previous newest first)", got, want)
		}
	}
}

func TestHistory(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	type span struct {
		st       Status
		from, to int
	}
	for _, tc := range []struct {
		name  string
		v     Version
		until int
		want  []span
	}{
		{"pending now", Version{Status: StatusPending, IssuedAt: h(0)}, 5, []span{{StatusPending, 0, 5}}},
		{"active", Version{Status: StatusActive, IssuedAt: h(0), ActivatedAt: h(2)}, 5, []span{{StatusPending, 0, 2}, {StatusActive, 2, 5}}},
		{"full life", Version{Status: StatusRevoked, IssuedAt: h(0), ActivatedAt: h(2), SupersededAt: h(3), RevokedAt: h(4)}, 10,
			[]span{{StatusPending, 0, 2}, {StatusActive, 2, 3}, {StatusPrevious, 3, 4}}},
		{"revoked while pending", Version{Status: StatusRevoked, IssuedAt: h(0), RevokedAt: h(1)}, 5, []span{{StatusPending, 0, 1}}},
		{"revoked while active", Version{Status: StatusRevoked, IssuedAt: h(0), ActivatedAt: h(0), RevokedAt: h(1)}, 5, []span{{StatusActive, 0, 1}}},
		{"cut at until", Version{Status: StatusRevoked, IssuedAt: h(0), ActivatedAt: h(2), SupersededAt: h(3), RevokedAt: h(4)}, 2,
			[]span{{StatusPending, 0, 2}}},
		{"issued after until", Version{Status: StatusPending, IssuedAt: h(6)}, 5, nil},
		{"issued by this plan", Version{Status: StatusPending}, 5, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.v.History(h(tc.until))
			if len(got) != len(tc.want) {
				t.Fatalf("History = %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Status != w.st || !got[i].From.Equal(h(w.from)) || !got[i].To.Equal(h(w.to)) {
					t.Fatalf("span %d = %s %v..%v, want %s h%d..h%d", i, got[i].Status, got[i].From, got[i].To, w.st, w.from, w.to)
				}
			}
		})
	}
}

func TestStatusBeforeRevocation(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    Version
		want Status
	}{
		{Version{Status: StatusRevoked, IssuedAt: t0}, StatusPending},
		{Version{Status: StatusRevoked, IssuedAt: t0, ActivatedAt: t0}, StatusActive},
		{Version{Status: StatusRevoked, IssuedAt: t0, ActivatedAt: t0, SupersededAt: t0}, StatusPrevious},
		{Version{Status: StatusActive, IssuedAt: t0, ActivatedAt: t0}, StatusActive},
	} {
		if got := tc.v.StatusBeforeRevocation(); got != tc.want {
			t.Errorf("%+v: StatusBeforeRevocation = %s, want %s", tc.v, got, tc.want)
		}
	}
}
