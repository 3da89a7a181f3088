package cli

import (
	"context"
	"flag"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfjson"
)

// policyFlags are the flags of the commands that evaluate the policy
// bundle, `check` and `runbook`: the parameters and the extra policies, so
// that both judge a document alike.
type policyFlags struct {
	params   string
	policies stringList
}

// policyFlagsUsage documents policyFlags in the commands' usage texts.
const policyFlagsUsage = `  --params FILE       policy parameters, YAML or JSON: a bare mapping (max_ttl, allowed_owners,
                      owner_pattern, overlap_cache_factor, enforce_review, enforce_max_wait,
                      now, unknown_inputs, decommission, require_derived_material,
                      waivers) or conftest's --data shape {rotation: {params: {...}}}
  --policy DIR        extra Rego policies (a directory or .rego file; *_test.rego skipped);
                      repeatable
`

func (p *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.params, "params", "", "")
	fs.Var(&p.policies, "policy", "")
}

// engine loads the parameters file, if any, and compiles the bundle with
// the extra policies. now, when not empty, is an RFC 3339 instant that
// replaces params.now (the instant the time-based rules judge at).
func (p *policyFlags) engine(ctx context.Context, log hclog.Logger, now string) (*policy.Engine, error) {
	opts := policy.Options{PolicyDirs: p.policies, Logger: log, ParamsFile: p.params}
	if p.params != "" {
		data, err := policy.LoadParams(p.params)
		if err != nil {
			return nil, err
		}
		opts.Data = data
	}
	if now != "" {
		opts.Data = withNow(opts.Data, now)
	}
	return policy.New(ctx, opts)
}

// withNow sets data.rotation.params.now in a data document from
// policy.LoadParams (nil for none).
func withNow(data map[string]any, now string) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	rot, _ := data["rotation"].(map[string]any)
	if rot == nil {
		rot = map[string]any{}
		data["rotation"] = rot
	}
	params, _ := rot["params"].(map[string]any)
	if params == nil {
		params = map[string]any{}
		rot["params"] = params
	}
	params["now"] = now
	return data
}

// read reads one document the way every command that evaluates the bundle
// does, with the default memory budget.
func (p *policyFlags) read(name string) (*policy.Document, error) {
	return p.readWith(name, tfjson.ReadOptions{})
}

// readWith reads one document with check's reader. Extra policies may
// read anything, so with them the whole document is kept; otherwise only
// what the bundle reads. opts sets the memory budget (zero: the default).
func (p *policyFlags) readWith(name string, opts tfjson.ReadOptions) (*policy.Document, error) {
	opts.MaxBytes, opts.KeepAll = maxInputBytes, len(p.policies) > 0
	return tfjson.ReadFile(name, opts)
}
