package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// secretSchemaVersion is rotation_secret's schema version:
//
//	0  the first release: type replaced the secret, versions had no type
//	1  a type change is a rotation; each version records its type and
//	   material options (versions[*].type, length, special, hmac_bytes,
//	   rsa_bits); length, hmac_bytes, rsa_bits and history_limit are
//	   Numbers (the same wire type as before)
//	2  derived material: material, uid and material_generation; each
//	   version records its material mode, salt and seed_fingerprint
const secretSchemaVersion = 2

var _ resource.ResourceWithUpgradeState = (*secretResource)(nil)

// UpgradeState upgrades the states earlier versions wrote.
func (r *secretResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: upgradeSecretV0},
		1: {StateUpgrader: upgradeSecretV1},
	}
}

// upgradeSecretV0 fills each version's type and options from the resource's
// top-level type and options (with their defaults): in version 0 a type
// change replaced the secret, so every recorded version has the type the
// resource has. Options changed in place before the upgrade applied to the
// versions issued after the change; the state does not say which, so every
// version records the options in force. Nothing else changes, so the first
// plan after the upgrade is empty.
func upgradeSecretV0(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Cannot upgrade the rotation_secret state",
			"The stored state of schema version 0 has no JSON form; restore it from terraform.tfstate.backup or the remote state's history.")
		return
	}
	out, err := upgradeSecretV0JSON(req.RawState.JSON)
	if err == nil {
		out, err = upgradeSecretV1JSON(out)
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the rotation_secret state",
			fmt.Sprintf("The stored state of schema version 0 cannot be read: %v. Restore it from terraform.tfstate.backup or the remote state's history.", err))
		return
	}
	resp.DynamicValue = &tfprotov6.DynamicValue{JSON: out}
}

// upgradeSecretV0JSON is upgradeSecretV0 on the state's JSON.
func upgradeSecretV0JSON(in []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var st map[string]any
	if err := dec.Decode(&st); err != nil {
		return nil, err
	}
	typ, _ := st["type"].(string)
	if !material.Type(typ).Valid() {
		return nil, fmt.Errorf("type is %q, not one of %s", typ, material.TypeNames())
	}
	opts := material.DefaultOptions()
	whole := func(name string, dst *int) error {
		switch v := st[name].(type) {
		case nil:
		case json.Number:
			i, err := v.Int64()
			if err != nil {
				return fmt.Errorf("%s is %s, not a whole number", name, v)
			}
			*dst = int(i)
		default:
			return fmt.Errorf("%s is %v, not a number", name, v)
		}
		return nil
	}
	for name, dst := range map[string]*int{"length": &opts.Length, "hmac_bytes": &opts.HMACBytes, "rsa_bits": &opts.RSABits} {
		if err := whole(name, dst); err != nil {
			return nil, err
		}
	}
	if b, ok := st["special"].(bool); ok {
		opts.Special = b
	}
	fill := map[string]any{"type": typ, "length": nil, "special": nil, "hmac_bytes": nil, "rsa_bits": nil}
	switch material.Type(typ) {
	case material.TypePassword:
		fill["length"], fill["special"] = opts.Length, opts.Special
	case material.TypeHMAC:
		fill["hmac_bytes"] = opts.HMACBytes
	case material.TypeRSA:
		fill["rsa_bits"] = opts.RSABits
	}
	if versions, ok := st["versions"].([]any); ok {
		for i, e := range versions {
			v, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("versions[%d] is not an object", i)
			}
			for k, x := range fill {
				v[k] = x
			}
		}
	}
	return json.Marshal(st)
}

// upgradeSecretV1 adds what derived material needs to a state of schema
// version 1, which kept every version's material in state: material =
// "state" for the resource and every version (salt and seed_fingerprint
// null), material_generation 1, and a uid. The uid is a hash of the id and
// the oldest recorded version's kid and issue time (upgradedUID), not a
// random value, because Terraform upgrades the stored state again on every
// plan until an apply stores the result: each of those plans must see the
// same uid. Nothing else changes, so the first plan after the upgrade is
// empty.
func upgradeSecretV1(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Cannot upgrade the rotation_secret state",
			"The stored state of schema version 1 has no JSON form; restore it from terraform.tfstate.backup or the remote state's history.")
		return
	}
	out, err := upgradeSecretV1JSON(req.RawState.JSON)
	if err != nil {
		resp.Diagnostics.AddError("Cannot upgrade the rotation_secret state",
			fmt.Sprintf("The stored state of schema version 1 cannot be read: %v. Restore it from terraform.tfstate.backup or the remote state's history.", err))
		return
	}
	resp.DynamicValue = &tfprotov6.DynamicValue{JSON: out}
}

// upgradeSecretV1JSON is upgradeSecretV1 on the state's JSON.
func upgradeSecretV1JSON(in []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	var st map[string]any
	if err := dec.Decode(&st); err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("the state is not a JSON object")
	}
	id, _ := st["id"].(string)
	var kid, issued string
	if versions, ok := st["versions"].([]any); ok {
		for i, e := range versions {
			v, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("versions[%d] is not an object", i)
			}
			if i == 0 {
				kid, _ = v["kid"].(string)
				issued, _ = v["issued_at"].(string)
			}
			v["material"], v["salt"], v["seed_fingerprint"] = materialState, nil, nil
		}
	}
	st["material"] = materialState
	st["material_generation"] = 1
	if u, _ := st["uid"].(string); u == "" {
		st["uid"] = upgradedUID(id, kid, issued)
	}
	return json.Marshal(st)
}
