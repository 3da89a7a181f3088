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
	attrs := map[string]string{}
	if now != "" {
		attrs["now"] = now
	}
	return configureWith(t, attrs)
}

// configureWith calls Configure with the given string attributes (every
// other attribute null) and returns the provider data handed to resources.
func configureWith(t *testing.T, attrs map[string]string) (*ProviderData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ, _ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, v := range attrs {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("the provider has no attribute %q", name)
		}
		values[name] = tftypes.NewValue(tftypes.String, v)
	}
	raw := nullsFor(typ, values)
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: raw}}, &resp)
	data, _ := resp.ResourceData.(*ProviderData)
	return data, resp.Diagnostics
}
