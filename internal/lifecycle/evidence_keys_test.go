package lifecycle

import "testing"

func TestEvidenceKeys(t *testing.T) {
	k := NewEvidenceKeys()
	k.Add(1, "kid-one")
	k.Add(2, "")
	for _, c := range []struct {
		key  string
		want int64
		ok   bool
	}{
		{"1", 1, true},
		{" 2 ", 2, true},
		{"kid-one", 1, true},
		{"3", 3, false},         // a number that names no recorded version
		{"kid-other", 0, false}, // another secret's kid
		{"", 0, false},
	} {
		got, ok := k.Resolve(c.key)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Resolve(%q) = %d, %v; want %d, %v", c.key, got, ok, c.want, c.ok)
		}
	}
}
