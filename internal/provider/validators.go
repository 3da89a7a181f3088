package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/rotationkit/terraform-provider-rotation/internal/duration"
)

// durationValidator checks the duration grammar (docs/design.md, Durations;
// internal/duration): "90d", "1d12h".
type durationValidator struct{}

var _ validator.String = durationValidator{}

func (durationValidator) Description(context.Context) string {
	return "must be a duration: " + duration.Grammar
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := duration.Parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s: %s", req.Path, err))
	}
}

// rfc3339Validator checks an RFC 3339 timestamp such as "2026-01-01T09:00:00Z".
type rfc3339Validator struct{}

var _ validator.String = rfc3339Validator{}

func (rfc3339Validator) Description(context.Context) string {
	return `must be an RFC 3339 timestamp such as "2026-01-01T09:00:00Z"`
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp",
			fmt.Sprintf("%s: %q is not an RFC 3339 timestamp; write it as YYYY-MM-DDTHH:MM:SSZ, e.g. \"2026-01-01T09:00:00Z\"",
				req.Path, req.ConfigValue.ValueString()))
	}
}
