package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotationkit/terraform-provider-rotation/internal/material"
)

// The material seed of derived mode (docs/design.md, Resources; the guide
// "Keeping secrets out of state"). It is provider configuration, never an
// attribute of a resource, so it is never written to state; where it comes
// from decides whether a saved plan holds it (see seedAttributes).

// Environment variables of the material seeds.
const (
	EnvMaterialSeed          = "ROTATION_MATERIAL_SEED"
	EnvPreviousMaterialSeeds = "ROTATION_PREVIOUS_MATERIAL_SEEDS"
)

// materialSeeds are the seeds the provider is configured with. Its
// methods and fmt never print a seed.
type materialSeeds struct {
	// current derives new versions; nil when none is configured.
	current []byte
	// previous keep older versions reproducible after a seed rotation.
	previous [][]byte
	// source and previousSource say where they came from, for messages.
	source, previousSource string
}

// String keeps seeds out of any message that prints the value by mistake.
func (s *materialSeeds) String() string {
	if s == nil {
		return "no material seeds"
	}
	return fmt.Sprintf("material seeds (current from %s, %d previous; values redacted)", s.sourceText(), len(s.previous))
}

// GoString is String, for %#v.
func (s *materialSeeds) GoString() string { return s.String() }

func (s *materialSeeds) sourceText() string {
	if s == nil || s.current == nil {
		return "nowhere"
	}
	return s.source
}

// any reports whether at least one seed is configured.
func (s *materialSeeds) any() bool { return s != nil && (s.current != nil || len(s.previous) > 0) }

// all is every configured seed, the current one first.
func (s *materialSeeds) all() [][]byte {
	if s == nil {
		return nil
	}
	var out [][]byte
	if s.current != nil {
		out = append(out, s.current)
	}
	return append(out, s.previous...)
}

// currentFingerprint is the fingerprint of the current seed, "" if none.
func (s *materialSeeds) currentFingerprint() string {
	if s == nil || s.current == nil {
		return ""
	}
	return material.SeedFingerprint(s.current)
}

// howToConfigure says where a seed is configured, for messages.
const howToConfigure = "Set the environment variable " + EnvMaterialSeed + " (on Terraform < 1.10 the only safe place: a variable " +
	"is written into saved plans there), or the provider attribute material_seed from an ephemeral variable or an " +
	"ephemeral resource (Terraform >= 1.10, OpenTofu >= 1.11). Make a seed with `openssl rand -hex 32`."

// seedAttributes are the provider's material seed attributes.
func seedAttributes(into map[string]schema.Attribute) {
	into["material_seed"] = schema.StringAttribute{
		Optional:  true,
		Sensitive: true,
		Description: "The seed every `rotation_secret` with `material = \"derived\"` derives its new versions from (HKDF-SHA256), " +
			"at least 32 characters, used exactly as given: make one with `openssl rand -hex 32`. Falls back to the `" +
			EnvMaterialSeed + "` environment variable. **On Terraform < 1.10 (and OpenTofu < 1.11) use the environment variable " +
			"only**: those CLIs write the root module's variables, sensitive ones included, into the saved plan file and " +
			"`show -json`. On Terraform >= 1.10 and OpenTofu >= 1.11 set it from an ephemeral variable or an ephemeral " +
			"resource (a secret store's ephemeral read). Never a literal. Whoever holds the seed can derive the material of " +
			"every derived version whose public record (salt, version, type) they can read.",
	}
	into["previous_material_seeds"] = schema.ListAttribute{
		Optional:    true,
		Sensitive:   true,
		ElementType: types.StringType,
		Description: "Seeds that derived versions still accepted were issued with, after a seed rotation: they keep those " +
			"versions reproducible while new versions use `material_seed`. Each version records its seed's fingerprint, " +
			"so the right seed is picked per version; remove a seed once no accepted version needs it. Falls back to the `" +
			EnvPreviousMaterialSeeds + "` environment variable (seeds separated by white space or commas). The same rules as " +
			"`material_seed` apply to where they come from.",
	}
}

// configureSeeds reads the material seeds of the provider configuration
// (the attributes win over the environment variables). tfVersion is the
// CLI's version, for the warning about variables in saved plans. Errors
// never contain a seed.
func configureSeeds(cfg providerModel, tfVersion string, diags *diag.Diagnostics) *materialSeeds {
	s := &materialSeeds{}
	switch {
	case cfg.MaterialSeed.IsUnknown():
		diags.AddAttributeError(path.Root("material_seed"), "Provider attribute material_seed is not known yet",
			"The material seed must be known when the plan is made, since every plan checks that it reproduces the derived "+
				"versions. Set it from an ephemeral variable, an ephemeral resource whose arguments are known at plan time, or "+
				"the environment variable "+EnvMaterialSeed+".")
		return nil
	case !cfg.MaterialSeed.IsNull():
		seed, err := material.ParseSeed(cfg.MaterialSeed.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("material_seed"), "Invalid provider attribute material_seed", err.Error())
			return nil
		}
		s.current, s.source = seed, "provider attribute material_seed"
		if oldCLI(tfVersion) {
			diags.AddAttributeWarning(path.Root("material_seed"), "material_seed on a CLI without ephemeral variables",
				fmt.Sprintf("This CLI (version %s) has no ephemeral variables or resources: the variable or literal material_seed "+
					"comes from is written into the saved plan file and `show -json`, where anyone reading plans can take it. "+
					"Remove material_seed from the configuration and set the environment variable %s instead.", tfVersion, EnvMaterialSeed))
		}
	default:
		if v, ok := os.LookupEnv(EnvMaterialSeed); ok && v != "" {
			seed, err := material.ParseSeed(v)
			if err != nil {
				diags.AddError("Invalid environment variable "+EnvMaterialSeed, err.Error())
				return nil
			}
			s.current, s.source = seed, "environment variable "+EnvMaterialSeed
		}
	}

	switch {
	case cfg.PreviousMaterialSeeds.IsUnknown():
		diags.AddAttributeError(path.Root("previous_material_seeds"), "Provider attribute previous_material_seeds is not known yet",
			"The previous material seeds must be known when the plan is made. Set them from ephemeral variables or the "+
				"environment variable "+EnvPreviousMaterialSeeds+".")
		return nil
	case !cfg.PreviousMaterialSeeds.IsNull():
		for i, e := range cfg.PreviousMaterialSeeds.Elements() {
			sv, ok := e.(types.String)
			if !ok || sv.IsNull() || sv.IsUnknown() {
				diags.AddAttributeError(path.Root("previous_material_seeds").AtListIndex(i), "Invalid provider attribute previous_material_seeds",
					fmt.Sprintf("Element %d is null or not known yet; every previous seed must be a known string.", i))
				return nil
			}
			seed, err := material.ParseSeed(sv.ValueString())
			if err != nil {
				diags.AddAttributeError(path.Root("previous_material_seeds").AtListIndex(i), "Invalid provider attribute previous_material_seeds",
					fmt.Sprintf("Element %d: %v", i, err))
				return nil
			}
			s.previous = append(s.previous, seed)
		}
		s.previousSource = "provider attribute previous_material_seeds"
	default:
		if v, ok := os.LookupEnv(EnvPreviousMaterialSeeds); ok {
			fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
			for i, f := range fields {
				seed, err := material.ParseSeed(f)
				if err != nil {
					diags.AddError("Invalid environment variable "+EnvPreviousMaterialSeeds,
						fmt.Sprintf("Seed %d of %d (seeds are separated by white space or commas): %v", i+1, len(fields), err))
					return nil
				}
				s.previous = append(s.previous, seed)
			}
			s.previousSource = "environment variable " + EnvPreviousMaterialSeeds
		}
	}
	return s
}

// oldCLI reports whether a CLI version predates ephemeral variables
// (Terraform 1.10; OpenTofu has them from 1.11 and cannot be told apart
// by its version, so OpenTofu 1.10 is not caught). "" (unknown) is not
// old.
func oldCLI(version string) bool {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major < 1 || (major == 1 && minor < 10)
}

// seedsOf returns the configured seeds of provider data (nil when the
// provider was not configured).
func seedsOf(d *ProviderData) *materialSeeds {
	if d == nil {
		return nil
	}
	return d.Seeds
}
