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
	types := map[string]tftypes.Type{}
	values := map[string]tftypes.Value{}
	for name := range sresp.Schema.Attributes {
		types[name] = tftypes.String
		values[name] = tftypes.NewValue(tftypes.String, nil)
		if v, ok := attrs[name]; ok {
			values[name] = tftypes.NewValue(tftypes.String, v)
		}
	}
	for name := range attrs {
		if _, ok := types[name]; !ok {
			t.Fatalf("the provider has no attribute %q", name)
		}
	}
	raw := tftypes.NewValue(tftypes.Object{AttributeTypes: types}, values)
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: raw}}, &resp)
	data, _ := resp.ResourceData.(*ProviderData)
	return data, resp.Diagnostics
}
