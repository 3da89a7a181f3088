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
const secretSchemaVersion = 1

var _ resource.ResourceWithUpgradeState = (*secretResource)(nil)

// UpgradeState upgrades the states earlier versions wrote.
func (r *secretResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: upgradeSecretV0},
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
