// Package policies holds the bundled Rego policy set (one package per
// concern under rotation.*, helpers under rotation.lib.*) and exposes it to
// the binary with go:embed, the way Regal embeds its own bundle: the .rego
// files are compiled into the binary, so the `check` command needs nothing
// else installed.
//
// Only *.rego files one directory below this one are embedded (lib/, ttl/,
// overlap/, ...); test data under testdata/ is not. The *_test.rego files are
// embedded too and filtered out by the loader (internal/policy), as Regal
// does: they cost a few kilobytes and keep the embed pattern simple.
package policies

import (
	"embed"
	"io/fs"
)

//go:embed */*.rego
var bundle embed.FS

// FS returns the embedded policy files, rooted at this directory (paths such
// as "overlap/overlap.rego" and "lib/terraform.rego").
func FS() fs.FS { return bundle }
