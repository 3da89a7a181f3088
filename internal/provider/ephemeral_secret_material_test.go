package provider

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestSecretMaterialSchema_materialIsSensitive: every attribute of
// rotation_secret_material that holds material is Sensitive, and no other
// is, so a new one must be added here deliberately.
func TestSecretMaterialSchema_materialIsSensitive(t *testing.T) {
	var resp ephemeral.SchemaResponse
	NewSecretMaterialEphemeralResource().Schema(context.Background(), ephemeral.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	var sensitive []string
	var walk func(prefix string, attrs map[string]schema.Attribute)
	walk = func(prefix string, attrs map[string]schema.Attribute) {
		for name, a := range attrs {
			if a.IsSensitive() {
				sensitive = append(sensitive, prefix+name)
			}
			if n, ok := a.(schema.ListNestedAttribute); ok {
				walk(prefix+name+".", n.NestedObject.Attributes)
			}
		}
	}
	walk("", resp.Schema.Attributes)
	sort.Strings(sensitive)
	want := "accepted_secrets,active_secret,keys.private_jwk,keys.private_key_pem,keys.secret,private_jwks,versions.secret"
	if got := strings.Join(sensitive, ","); got != want {
		t.Fatalf("sensitive attributes = %s, want %s", got, want)
	}
}

// TestScheduleSchema_onlyMetadata: rotation_schedule keeps only slot
// metadata (docs/resources/schedule.md says so): the credentials its slots
// drive are issued by other providers, and nothing it records is secret
// but an emergency's revoke_reason.
func TestScheduleSchema_onlyMetadata(t *testing.T) {
	var resp fwresource.SchemaResponse
	NewScheduleResource().Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	slots, ok := resp.Schema.Attributes["slots"].(rschema.SingleNestedAttribute)
	if !ok {
		t.Fatalf("slots is %T", resp.Schema.Attributes["slots"])
	}
	for name, a := range resp.Schema.Attributes {
		if a.IsSensitive() {
			t.Errorf("rotation_schedule.%s is sensitive", name)
		}
	}
	for _, slot := range []string{"a", "b"} {
		s, ok := slots.Attributes[slot].(rschema.SingleNestedAttribute)
		if !ok {
			t.Fatalf("slots.%s is %T", slot, slots.Attributes[slot])
		}
		var names []string
		for name, a := range s.Attributes {
			names = append(names, name)
			if a.IsSensitive() && name != "revoke_reason" {
				t.Errorf("slots.%s.%s is sensitive", slot, name)
			}
		}
		sort.Strings(names)
		want := "activated_at,activation_evidence,enabled,expires_at,issued_at,keeper,revocation_evidence,revoke_reason,revoked_at,status,superseded_at,version"
		if got := strings.Join(names, ","); got != want {
			t.Errorf("slots.%s holds %s, want only the metadata %s", slot, got, want)
		}
	}
}
