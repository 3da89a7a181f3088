package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotationkit/terraform-provider-rotation/internal/lifecycle"
	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// A damaged state is refused, never repaired (docs/design.md, Plan and
// apply). The state is a lifecycle resource's only record: there is no
// remote object to read it back from. Every plan checks the prior record
// first, and a record that no apply of this provider can have written (a
// hand edit, a bad merge, a truncated upload) stops the plan with an error
// naming the version and the field, instead of being read as something it
// is not: a null issued_at read as "never issued", a null secret dropped
// from accepted_secrets, an empty version list starting over at v1. Each of
// those would drop a version that something may still use.

// damage is one defect of a recorded state.
type damage struct {
	// at is the attribute: versions[1].kid, slots.b.issued_at, versions.
	at path.Path
	// version is the version the attribute belongs to, 0 if none.
	version int64
	// problem completes the sentence "<attribute> (vN) ...".
	problem string
}

func (d damage) String() string {
	if d.version != 0 {
		return fmt.Sprintf("%s (v%d) %s", d.at, d.version, d.problem)
	}
	return fmt.Sprintf("%s %s", d.at, d.problem)
}

// damagedStateRecovery says how to recover from a damaged record.
const damagedStateRecovery = "This resource's state is its only record (there is no remote object to read it back from), " +
	"and no apply of this provider writes it like this: it was edited by hand, merged or truncated. The provider refuses to plan " +
	"rather than guess, since a guess could drop a version that consumers still accept.\n\n" +
	"To recover, restore the last good state and plan again: terraform.tfstate.backup next to a local state, or the previous " +
	"version in the remote backend's history (S3 or GCS object versions, Azure blob versions, HCP Terraform state versions), " +
	"with `terraform state push`. Do not edit the versions by hand. If no good copy exists, leave this resource as it is and " +
	"migrate through a normal rotation: declare a new resource beside it, let validators accept both, move emitters to the new " +
	"one, and remove this one only when nothing uses its versions any more."

// reportDamage adds one error per defect, each with the recovery advice.
func reportDamage(diags *diag.Diagnostics, resource string, damages []damage) {
	const shown = 5
	for i, d := range damages {
		if i == shown {
			diags.AddError("Damaged state: "+resource, fmt.Sprintf("%d further defects are not listed.\n\n%s", len(damages)-shown, damagedStateRecovery))
			return
		}
		diags.AddAttributeError(d.at, "Damaged state: "+resource, d.String()+".\n\n"+damagedStateRecovery)
	}
}

// recordChecker is the hook of a lifecycle model that checks what only it
// records (the material of rotation_secret, the slots of
// rotation_schedule); rows are its recorded versions, from rows().
type recordChecker[R any] interface {
	checkRecord(ctx context.Context, rows []R) []damage
}

// checkRows checks what every lifecycle record holds: version numbers,
// statuses and timestamps of each row, and one active version at most one
// pending. record is the attribute that holds the rows.
func checkRows[R lifecycleRow](record path.Path, rows []R) []damage {
	var out []damage
	var active, pending int
	var last int64
	for _, row := range rows {
		r := row.record()
		at := func(name string) path.Path { return r.where.AtName(name) }
		if r.Version.IsNull() || r.Version.IsUnknown() {
			out = append(out, damage{at: at("version"), problem: "is null: every recorded version has a number"})
			continue
		}
		v := r.Version.ValueInt64()
		bad := func(name, problem string, args ...any) {
			out = append(out, damage{at: at(name), version: v, problem: fmt.Sprintf(problem, args...)})
		}
		switch {
		case v < 1:
			bad("version", "is below 1: versions are numbered from 1")
		case v == math.MaxInt64:
			bad("version", "is %d, the largest version number there is: the next issue would wrap around to a negative number", v)
		case v <= last:
			bad("version", "comes after v%d: versions are recorded once each, in ascending order", last)
		}
		last = max(last, v)
		status := lifecycle.Status(r.Status.ValueString())
		switch {
		case r.Status.IsNull() || r.Status.IsUnknown():
			bad("status", "is null")
		case status == lifecycle.StatusActive:
			active++
		case status == lifecycle.StatusPending:
			pending++
		case status == lifecycle.StatusPrevious, status == lifecycle.StatusRevoked:
		default:
			bad("status", "is %q, not one of pending, active, previous or revoked", r.Status.ValueString())
		}
		for _, ts := range []struct {
			name     string
			v        types.String
			required bool
		}{
			{"issued_at", r.IssuedAt, true},
			{"activated_at", r.ActivatedAt, status == lifecycle.StatusActive || status == lifecycle.StatusPrevious},
			{"superseded_at", r.SupersededAt, status == lifecycle.StatusPrevious},
			{"revoked_at", r.RevokedAt, status == lifecycle.StatusRevoked},
		} {
			switch {
			case ts.v.IsNull() && ts.required:
				bad(ts.name, "is null, but every %s version records it", status)
			case ts.v.IsNull() || ts.v.IsUnknown():
			default:
				if _, err := time.Parse(time.RFC3339, ts.v.ValueString()); err != nil {
					bad(ts.name, "is %q, not an RFC 3339 timestamp", ts.v.ValueString())
				}
			}
		}
	}
	if len(rows) > 0 {
		switch {
		case active > 1:
			out = append(out, damage{at: record, problem: fmt.Sprintf("holds %d active versions; exactly one is active", active)})
		case active == 0:
			out = append(out, damage{at: record, problem: "holds no active version; after the first apply exactly one is active"})
		}
		if pending > 1 {
			out = append(out, damage{at: record, problem: fmt.Sprintf("holds %d pending versions; at most one is pending", pending)})
		}
	}
	return out
}

// checkRecord is the recordChecker hook of rotation_secret: versions must
// not be empty; every version records a valid type; every accepted version
// keeps its material, and an asymmetric one's public key and kid are the
// ones of its private key (so kids or material swapped between versions
// are found); no two versions share a kid.
func (m *secretModel) checkRecord(_ context.Context, rows []*versionModel) []damage {
	root := path.Root("versions")
	switch {
	case m.Versions.IsNull():
		return []damage{{at: root, problem: "is null, but a rotation_secret records at least its active version from its first apply on"}}
	case len(rows) == 0:
		return []damage{{at: root, problem: "is empty, but a rotation_secret records at least its active version from its first apply on"}}
	}
	var out []damage
	kids := map[string]int64{}
	for _, r := range rows {
		v := r.Version.ValueInt64()
		bad := func(name, problem string, args ...any) {
			out = append(out, damage{at: r.where.AtName(name), version: v, problem: fmt.Sprintf(problem, args...)})
		}
		typ := material.Type(r.Type.ValueString())
		if r.Type.IsNull() || !typ.Valid() {
			bad("type", "is %s, not one of %s", quoteValue(r.Type), strings.Join(material.TypeNames(), ", "))
			continue
		}
		if !r.KID.IsNull() && r.KID.ValueString() != "" {
			if other, dup := kids[r.KID.ValueString()]; dup {
				bad("kid", "is %q, the kid of v%d too: every version has its own kid", r.KID.ValueString(), other)
			}
			kids[r.KID.ValueString()] = v
		}
		status := lifecycle.Status(r.Status.ValueString())
		if !status.Accepted() {
			continue
		}
		empty := func(s types.String) bool { return s.IsNull() || s.ValueString() == "" }
		missing := fmt.Sprintf("is null, but the material of %s version is kept in state while it is accepted", article(string(status)))
		if empty(r.KID) {
			bad("kid", "is null, but every version keeps its kid")
		}
		if r.derived() {
			m.checkDerivedRecord(r, bad)
			continue
		}
		if empty(r.Secret) {
			bad("secret", "%s", missing)
			continue
		}
		if !typ.Asymmetric() {
			continue
		}
		if empty(r.PublicKeyPEM) {
			bad("public_key_pem", "%s", missing)
		}
		if empty(r.PublicJWK) {
			bad("public_jwk", "%s", missing)
		}
		pemText, _, kid, err := material.PublicFromSecret(typ, r.Secret.ValueString())
		switch {
		case err != nil:
			bad("secret", "is not a private key of the version's type: %v", err)
		case !empty(r.PublicKeyPEM) && !samePEM(r.PublicKeyPEM.ValueString(), pemText):
			bad("public_key_pem", "is not the public key of the private key in %s: the material was swapped or altered", r.where.AtName("secret"))
		case !empty(r.PublicJWK) && jwkThumbprint(r.PublicJWK.ValueString()) != kid:
			bad("public_jwk", "is not the public JWK of the private key in %s: the material was swapped or altered", r.where.AtName("secret"))
		case !empty(r.KID) && r.KID.ValueString() != kid:
			bad("kid", "is %q, but the RFC 7638 thumbprint of the version's public key is %q: the kid or the material was swapped or altered", r.KID.ValueString(), kid)
		}
	}
	return append(out, m.checkMaterialRecord(rows)...)
}

// checkRecord is the recordChecker hook of rotation_schedule: slots must
// be set, hold a version in at least one slot, and each slot only the
// versions of its parity.
func (m *scheduleResourceModel) checkRecord(ctx context.Context, _ []*slotModel) []damage {
	root := path.Root("slots")
	if m.Slots.IsNull() {
		return []damage{{at: root, problem: "is null, but a rotation_schedule records its two slots from its first apply on"}}
	}
	var slots slotsModel
	if diags := m.Slots.As(ctx, &slots, basetypesObjectAsOptions); diags.HasError() {
		return []damage{{at: root, problem: "cannot be read: " + diagSummary(diags)}}
	}
	var out []damage
	used := 0
	for _, s := range []struct {
		name string
		slot slotModel
	}{{"a", slots.A}, {"b", slots.B}} {
		at := root.AtName(s.name)
		unused := s.slot.Status.ValueString() == statusUnused
		switch {
		case s.slot.Version.IsNull() && !unused:
			out = append(out, damage{at: at.AtName("version"), problem: fmt.Sprintf("is null, but the slot's status is %s", quoteValue(s.slot.Status))})
		case !s.slot.Version.IsNull() && unused:
			out = append(out, damage{at: at.AtName("status"), version: s.slot.Version.ValueInt64(), problem: "is unused, but the slot holds a version"})
		case !s.slot.Version.IsNull():
			used++
			if v := s.slot.Version.ValueInt64(); v >= 1 && lifecycle.SlotOf(lifecycle.ModeTwoSlot, v) != s.name {
				out = append(out, damage{at: at.AtName("version"), version: v,
					problem: fmt.Sprintf("is in slot %q, but version k lives in slot \"a\" when k is odd and \"b\" when it is even", s.name)})
			}
		}
	}
	if used == 0 && len(out) == 0 {
		out = append(out, damage{at: root, problem: "holds no version in either slot, but a rotation_schedule holds its active version from its first apply on"})
	}
	return out
}

// quoteValue writes a string attribute for a message: "null" or its
// quoted value.
func quoteValue(s types.String) string {
	if s.IsNull() {
		return "null"
	}
	if s.IsUnknown() {
		return "unknown"
	}
	return fmt.Sprintf("%q", s.ValueString())
}

// diagSummary joins the summaries and details of diagnostics.
func diagSummary(diags diag.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		parts = append(parts, d.Summary()+": "+d.Detail())
	}
	return strings.Join(parts, "; ")
}

// article prefixes a word with "a" or "an".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// samePEM reports whether two PEM texts hold the same block (type and
// bytes), whatever their line breaks.
func samePEM(a, b string) bool {
	ba, _ := pem.Decode([]byte(strings.TrimSpace(a)))
	bb, _ := pem.Decode([]byte(strings.TrimSpace(b)))
	return ba != nil && bb != nil && ba.Type == bb.Type && bytes.Equal(ba.Bytes, bb.Bytes)
}

// jwkThumbprint is the RFC 7638 thumbprint of a JWK in JSON, "" if it is
// not a JWK with a thumbprint.
func jwkThumbprint(jwk string) string {
	var members map[string]any
	if err := json.Unmarshal([]byte(jwk), &members); err != nil {
		return ""
	}
	strs := make(map[string]string, len(members))
	for k, v := range members {
		if s, ok := v.(string); ok {
			strs[k] = s
		}
	}
	tp, err := material.Thumbprint(strs)
	if err != nil {
		return ""
	}
	return tp
}
