package lifecycle

import (
	"strconv"
	"strings"
)

// EvidenceKeys resolves the keys of gate evidence (last_used, accepted, a
// Prometheus label) to recorded versions: a numeric key is a version
// number, any other key a kid. A key that names no recorded version does
// not resolve (a query also returns other secrets' and pruned kids). The
// provider and the day-2 commands resolve evidence with it, so both read
// the same evidence alike.
type EvidenceKeys struct {
	versions map[int64]bool
	kids     map[string]int64
}

// NewEvidenceKeys returns an empty index; Add the recorded versions.
func NewEvidenceKeys() EvidenceKeys {
	return EvidenceKeys{versions: map[int64]bool{}, kids: map[string]int64{}}
}

// Add records a version and its kid ("" when it has none).
func (k EvidenceKeys) Add(version int64, kid string) {
	k.versions[version] = true
	if kid != "" {
		k.kids[kid] = version
	}
}

// Resolve returns the recorded version a key names.
func (k EvidenceKeys) Resolve(key string) (int64, bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(key), 10, 64); err == nil {
		return n, k.versions[n]
	}
	v, ok := k.kids[key]
	return v, ok
}
