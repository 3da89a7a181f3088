// Package defaults holds the values the provider fills in for attributes a
// configuration leaves out. The provider schemas use these constants; the
// policies (`defaults` in policies/lib/fields.rego) and the runbook must
// mean the same thing by an omitted attribute, and TestDefaultsAgree in
// internal/policy checks that the schemas and the policies do.
package defaults

const (
	// HistoryLimit is rotation_secret.history_limit: how many revoked
	// versions are kept as metadata.
	HistoryLimit = 10
	// TwoSlotHistoryLimit is the record of rotation_schedule, which has no
	// history_limit attribute: both slots' occupants are kept.
	TwoSlotHistoryLimit = 2
	// MaxHistoryLimit is the largest history_limit accepted.
	MaxHistoryLimit = 1000

	// Propagation is schedule.propagation.
	Propagation = "0s"
	// Jitter is schedule.jitter.
	Jitter = "0s"

	// ArtifactLifetime is rotation_secret_family.artifact_lifetime.
	ArtifactLifetime = "0s"
	// ReviewInterval is rotation_secret_family.review_interval.
	ReviewInterval = "90d"
	// Classification is rotation_secret_family.classification, and the
	// classification the policies assume for a secret without a family.
	Classification = "high"
	// CacheTTL is rotation_secret_family.consumer[*].cache_ttl.
	CacheTTL = "0s"
	// ConsumerRole is rotation_secret_family.consumer[*].role.
	ConsumerRole = "validator"
	// HoldRevocation is hold_revocation.
	HoldRevocation = false
	// Material is rotation_secret.material: new versions keep their
	// material in state (ROT050 flags it).
	Material = "state"
)

// ByAttribute returns the defaults of string and bool attributes keyed by
// the attribute's own name (the last step of its path), as the policies
// look them up.
func ByAttribute() map[string]any {
	return map[string]any{
		"propagation":       Propagation,
		"jitter":            Jitter,
		"artifact_lifetime": ArtifactLifetime,
		"cache_ttl":         CacheTTL,
		"review_interval":   ReviewInterval,
		"classification":    Classification,
		"role":              ConsumerRole,
		"hold_revocation":   HoldRevocation,
		"material":          Material,
	}
}
