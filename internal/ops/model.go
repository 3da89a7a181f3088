package ops

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/runbook"
)

// DefaultWorkspace names the workspace of a document given without one,
// as Terraform names the workspace that always exists.
const DefaultWorkspace = "default"

// Document is one plan or state, read for `due` and `metrics`.
type Document struct {
	// File is the name the document was read from ("(stdin)" for "-").
	File string
	// Workspace is the workspace the document was given for (WORKSPACE=FILE
	// on the command line), DefaultWorkspace when none was.
	Workspace string
	// Kind is "plan" or "state".
	Kind string
	// Families are the rotation_secret_family resources, by address.
	Families []*runbook.Family
	// Credentials are the rotation_secret and rotation_schedule resources,
	// by address; Credential.Family is the family found for it (nil when
	// none is).
	Credentials []*runbook.Credential
}

// Read evaluates the policy bundle's view of doc with engine and builds the
// runbook's model of it at the instant at: each credential's Spec (as the
// provider builds it), its record (a plan's own, still unknown, timestamps
// read as at: the plan applied at at) and, when it cannot be evaluated,
// Problem saying why. workspace names the document ("" means
// DefaultWorkspace).
func Read(ctx context.Context, engine *policy.Engine, doc *policy.Document, workspace string, at time.Time, log hclog.Logger) (*Document, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if workspace == "" {
		workspace = DefaultWorkspace
	}
	in, err := runbook.Evaluate(ctx, engine, doc, at)
	if err != nil {
		return nil, err
	}
	// The runbook's conversion, with the shortest horizon: this package
	// asks the engine itself (Due, the collector), the model is what it
	// needs from the runbook. Its warnings about resources it cannot
	// project are this package's problems, reported by the callers; they
	// are logged at debug level only.
	buildLog := hclog.NewNullLogger()
	if log.IsDebug() {
		buildLog = log.Named("model")
	}
	rep, err := runbook.Build(in, runbook.Options{Now: at, Horizon: time.Second, Source: doc.File, Logger: buildLog})
	if err != nil {
		return nil, err
	}
	out := &Document{File: doc.File, Workspace: workspace, Kind: rep.Kind, Families: rep.Families}
	for _, f := range rep.Families {
		out.Credentials = append(out.Credentials, f.Credentials...)
	}
	out.Credentials = append(out.Credentials, rep.Orphans...)
	sort.Slice(out.Credentials, func(i, j int) bool { return out.Credentials[i].Address < out.Credentials[j].Address })
	log.Debug("read for operations", "file", doc.File, "workspace", workspace, "kind", out.Kind,
		"families", len(out.Families), "credentials", len(out.Credentials), "at", at.Format(time.RFC3339))
	return out, nil
}

// FamilyName is the name of c's family: the family argument, else the name
// of the family found for it; "" when neither is known.
func FamilyName(c *runbook.Credential) string {
	if c.FamilyValue.Set && !c.FamilyValue.Unknown {
		return c.FamilyValue.Content
	}
	if c.Family != nil && c.Family.Name.Set && !c.Family.Name.Unknown {
		return c.Family.Name.Content
	}
	return ""
}

// Input is one input argument: a file, optionally named by the workspace
// its state belongs to ("prod=state-prod.json").
type Input struct {
	Workspace string // "" when not given
	File      string
}

// workspaceName is what Terraform accepts as a workspace name (and a
// little more: any name a workflow matrix might use).
var workspaceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ParseInput reads WORKSPACE=FILE or FILE. An argument is split at its
// first "=" only when the part before is a workspace name and the part
// after is not empty; exists says whether a file of the whole name exists,
// which then wins (a file named "a=b.json").
func ParseInput(arg string, exists func(string) bool) (Input, error) {
	if arg == "" {
		return Input{}, fmt.Errorf("empty file name")
	}
	ws, file, ok := strings.Cut(arg, "=")
	if !ok || !workspaceName.MatchString(ws) || (exists != nil && exists(arg)) {
		return Input{File: arg}, nil
	}
	if file == "" {
		return Input{}, fmt.Errorf("%q names workspace %q but no file", arg, ws)
	}
	return Input{Workspace: ws, File: file}, nil
}
