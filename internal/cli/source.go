package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/rotationkit/terraform-provider-rotation/internal/policy"
	"github.com/rotationkit/terraform-provider-rotation/internal/tfconfig"
)

// sourceLoc is where a finding is declared in the Terraform configuration
// (check --config): a .tf file and the line (and column) of the attribute or
// block. File is relative to the working directory (text and json output),
// RepoFile to the repository root (sarif's %SRCROOT% and GitHub's file=,
// which name files of the repository whatever directory the job runs in);
// both are slash-separated, and absolute when the file is outside.
type sourceLoc struct {
	File      string
	RepoFile  string
	Line      int
	Column    int
	EndLine   int
	EndColumn int
}

func (l *sourceLoc) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// sources maps findings to the configuration. A nil *sources (no --config
// and no .tf file in the working directory) maps nothing and says nothing.
type sources struct {
	dir  string // as given, or "." for the default
	cfg  *tfconfig.Config
	err  error // the configuration could not be loaded
	cwd  string
	repo string // the repository root: the nearest directory up with .git, else cwd

	rules map[string]policy.Rule
	// unlocated: addresses not declared in the configuration, with the
	// number of findings on each.
	unlocated map[string]int
}

// configDir decides which configuration check reads: --config when given
// ("" turns the lookup off), else the working directory when it holds .tf
// files, else none.
func configDir(flagValue string, given bool) string {
	if given {
		return flagValue
	}
	if tfconfig.HasConfig(".") {
		return "."
	}
	return ""
}

// loadSources reads the configuration in dir ("" for none). A configuration
// that cannot be read is not an error: the findings then point at the plan
// file and the report carries a note.
func loadSources(dir string, rules []policy.Rule, log hclog.Logger) *sources {
	if dir == "" {
		log.Debug("no Terraform configuration: findings point at the plan files")
		return nil
	}
	s := &sources{dir: dir, rules: map[string]policy.Rule{}, unlocated: map[string]int{}}
	for _, r := range rules {
		s.rules[r.ID] = r
	}
	s.cwd, _ = os.Getwd()
	s.repo = repositoryRoot(s.cwd)
	s.cfg, s.err = tfconfig.Load(dir)
	if s.err != nil {
		log.Info("cannot read the Terraform configuration; findings point at the plan files", "config", dir, "error", s.err)
		return s
	}
	for _, p := range s.cfg.Problems {
		log.Info("part of the Terraform configuration not read", "problem", p)
	}
	log.Debug("read the Terraform configuration", "config", dir)
	return s
}

// locate maps each finding to its declaration; nil entries stay on the
// plan file.
func (s *sources) locate(findings []policy.Finding) []*sourceLoc {
	if s == nil || s.cfg == nil {
		return nil
	}
	out := make([]*sourceLoc, len(findings))
	for i, f := range findings {
		if f.Resource == "" {
			continue
		}
		if _, err := tfconfig.ParseAddress(f.Resource); err != nil {
			continue // "params" and other non-addresses: nothing to find
		}
		m, err := locateFinding(s.cfg, f, s.rules[f.Rule].Attributes)
		if err != nil {
			s.unlocated[f.Resource]++
			continue
		}
		l := m.Line()
		out[i] = &sourceLoc{File: s.display(l.File), RepoFile: s.inRepo(l.File), Line: l.Line, Column: l.Column, EndLine: l.EndLine, EndColumn: l.EndColumn}
	}
	return out
}

// locateFinding points a finding at the attribute its message names
// (policy.FindingTarget) in the declaration of its resource, or of the
// resource that holds the attribute (a secret's family); when that other
// resource is not declared, at the finding's own resource.
func locateFinding(cfg *tfconfig.Config, f policy.Finding, attributes []string) (tfconfig.Match, error) {
	t := policy.FindingTarget(f, attributes)
	m, err := cfg.LocateFirst(t.Resource, t.Attributes)
	if err != nil && t.Resource != f.Resource {
		return cfg.Locate(f.Resource, "")
	}
	return m, err
}

// display makes a configuration path relative to the working directory
// when it is below it (SARIF's %SRCROOT%, GitHub's file=), slash-separated.
func (s *sources) display(path string) string {
	if !filepath.IsAbs(path) && strings.HasPrefix(filepath.Clean(path), "..") {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	if filepath.IsAbs(path) && s.cwd != "" {
		if rel, err := filepath.Rel(s.cwd, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			path = rel
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}

// inRepo makes a configuration path relative to the repository root when
// it is below it, slash-separated; else absolute.
func (s *sources) inRepo(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil || s.repo == "" {
		return s.display(path)
	}
	if rel, err := filepath.Rel(s.repo, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

// repositoryRoot is the nearest directory at or above dir that holds .git
// (a directory, or a file in a worktree or submodule); dir itself when
// there is none.
func repositoryRoot(dir string) string {
	for d := dir; d != ""; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return dir
}

// note is the one line that says why findings still point at the plan
// file: "" when every finding with a resource address was located (or no
// configuration was asked for).
func (s *sources) note() string {
	if s == nil {
		return ""
	}
	if s.err != nil {
		return fmt.Sprintf("findings point at the plan file: the Terraform configuration could not be read (--config %s): %v", s.dir, s.err)
	}
	if len(s.unlocated) == 0 {
		return ""
	}
	n := 0
	addrs := make([]string, 0, len(s.unlocated))
	for a, c := range s.unlocated {
		n += c
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	const show = 5
	list := strings.Join(addrs[:min(show, len(addrs))], ", ")
	if len(addrs) > show {
		list += fmt.Sprintf(" and %d more", len(addrs)-show)
	}
	finding := "findings point"
	if n == 1 {
		finding = "finding points"
	}
	msg := fmt.Sprintf("%d %s at the plan file: not declared in the Terraform configuration in %s: %s", n, finding, s.dir, list)
	if len(s.cfg.Problems) > 0 {
		msg += "; not read: " + strings.Join(s.cfg.Problems, "; ")
	}
	return msg
}

// flagGiven reports whether the flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			given = true
		}
	})
	return given
}
