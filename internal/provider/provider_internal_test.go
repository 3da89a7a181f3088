package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// configureForTest calls Configure with the given "now" attribute ("" = null)
// and returns the provider data handed to resources.
func configureForTest(t *testing.T, now string) (*ProviderData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	nowVal := tftypes.NewValue(tftypes.String, nil)
	if now != "" {
		nowVal = tftypes.NewValue(tftypes.String, now)
	}
	typ, _ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	raw := nullsFor(typ, map[string]tftypes.Value{"now": nowVal})
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: raw}}, &resp)
	data, _ := resp.ResourceData.(*ProviderData)
	return data, resp.Diagnostics
}
