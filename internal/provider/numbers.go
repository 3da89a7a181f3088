package provider

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Whole numbers in configuration. The integer attributes a user sets
// (length, hmac_bytes, rsa_bits, history_limit, pin_active_version and the
// elements of revoke_versions) are Numbers in the schema, the same wire
// type as an Int64: the framework's own Int64 conversion fails on 2048.5
// before any validator runs, with a message that prints
// "%!s(*big.Float=2048.5)". wholeNumber validates them instead, naming the
// attribute and the values it allows.

// wholeNumber validates a Number attribute: a whole number from min to max,
// or, when allowed is set, one of those values.
type wholeNumber struct {
	min, max int64
	allowed  []int64
	// unit says what the number counts ("characters", "bytes"), or what it
	// is, for the message; may be empty.
	unit string
}

var _ validator.Number = wholeNumber{}

// rule is the sentence part "a whole number from 16 to 1024 (characters)".
func (v wholeNumber) rule() string {
	var s string
	switch {
	case len(v.allowed) > 0:
		parts := make([]string, len(v.allowed))
		for i, a := range v.allowed {
			parts[i] = fmt.Sprint(a)
		}
		s = "one of " + strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
	case v.max == maxInt64:
		s = fmt.Sprintf("a whole number from %d", v.min)
	default:
		s = fmt.Sprintf("a whole number from %d to %d", v.min, v.max)
	}
	if v.unit != "" {
		s += " (" + v.unit + ")"
	}
	return s
}

const maxInt64 = int64(^uint64(0) >> 1)

func (v wholeNumber) Description(context.Context) string { return "must be " + v.rule() }

func (v wholeNumber) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v wholeNumber) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueBigFloat()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%s: %s; %s must be %s.", req.Path, msg, req.Path, v.rule()))
	}
}

// check returns what is wrong with f, "" if nothing.
func (v wholeNumber) check(f *big.Float) string {
	i, ok := wholeInt64(f)
	switch {
	case f == nil:
		return "the value is missing"
	case !ok && f.IsInt():
		return fmt.Sprintf("%s is too large", numberText(f))
	case !ok:
		return fmt.Sprintf("%s is not a whole number", numberText(f))
	case len(v.allowed) > 0:
		for _, a := range v.allowed {
			if i == a {
				return ""
			}
		}
		return fmt.Sprintf("%d is not allowed", i)
	case i < v.min || i > v.max:
		return fmt.Sprintf("%d is out of range", i)
	}
	return ""
}

// wholeInt64 returns f as an int64 if it is a whole number that fits.
func wholeInt64(f *big.Float) (int64, bool) {
	if f == nil || f.IsInf() || !f.IsInt() {
		return 0, false
	}
	i, acc := f.Int64()
	return i, acc == big.Exact
}

// numberText writes a number from configuration for a message: "2048.5",
// "1e+400".
func numberText(f *big.Float) string {
	if f == nil {
		return "null"
	}
	return f.Text('g', -1)
}

// numberInt64 reads a validated whole Number: def when null or unknown,
// the value otherwise (0 for a value validation refused).
func numberInt64(n types.Number, def int64) int64 {
	if n.IsNull() || n.IsUnknown() {
		return def
	}
	i, _ := wholeInt64(n.ValueBigFloat())
	return i
}

// maxEntries limits the number of entries of a set or map attribute.
type maxEntries struct {
	max int
	// what names an entry and why the limit, for the message.
	what, why string
}

var (
	_ validator.List = maxEntries{}
	_ validator.Map  = maxEntries{}
)

func (v maxEntries) Description(context.Context) string {
	return fmt.Sprintf("at most %d %s", v.max, v.what)
}

func (v maxEntries) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v maxEntries) validate(p path.Path, n int, diags *diag.Diagnostics) {
	if n > v.max {
		diags.AddAttributeError(p, "Too many entries in "+p.String(),
			fmt.Sprintf("%s has %d %s; at most %d are allowed%s.", p, n, v.what, v.max, v.why))
	}
}

func (v maxEntries) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() {
		v.validate(req.Path, len(req.ConfigValue.Elements()), &resp.Diagnostics)
	}
}

func (v maxEntries) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() {
		v.validate(req.Path, len(req.ConfigValue.Elements()), &resp.Diagnostics)
	}
}

// versionNumbers validates the elements of a list of version numbers
// (revoke_versions): whole numbers from 1.
type versionNumbers struct{}

var _ validator.List = versionNumbers{}

func (versionNumbers) Description(context.Context) string {
	return "every element must be a version number, a whole number from 1"
}

func (v versionNumbers) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (versionNumbers) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, e := range req.ConfigValue.Elements() {
		n, ok := e.(basetypes.NumberValue)
		if !ok || n.IsNull() || n.IsUnknown() {
			continue
		}
		f := n.ValueBigFloat()
		i, whole := wholeInt64(f)
		switch {
		case !whole:
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid version in "+req.Path.String(),
				fmt.Sprintf("%s contains %s, which is not a version number; versions are whole numbers from 1.", req.Path, numberText(f)))
		case i < 1:
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid version in "+req.Path.String(),
				fmt.Sprintf("%s contains %d; versions are numbered from 1.", req.Path, i))
		}
	}
}

// listInt64s returns the known whole elements of a list of numbers, as
// validated.
func listInt64s(l types.List) []int64 {
	out := make([]int64, 0, len(l.Elements()))
	for _, e := range l.Elements() {
		if n, ok := e.(basetypes.NumberValue); ok && !n.IsNull() && !n.IsUnknown() {
			if i, ok := wholeInt64(n.ValueBigFloat()); ok {
				out = append(out, i)
			}
		}
	}
	return out
}
