package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// manifestName is the file of an export that lists what `policies
// --export` wrote, with the SHA-256 of each file, in sha256sum's format
// ("<hex>  <path>"): `sha256sum -c EXPORT.sha256` verifies an export. OPA
// and conftest ignore the file (an extension they do not load).
const manifestName = "EXPORT.sha256"

// exportPlan is what writing an export into a directory does: the files
// to write, the files of the previous export the new one drops (removed),
// and why the directory may not be written without --force (refusal: the
// files that are not an unchanged previous export; empty when it may).
type exportPlan struct {
	files    map[string][]byte // slash path -> content, manifest included
	removed  []string
	refusal  []string
	previous bool
}

// planExport decides how to write files into dir. The directory may be
// written when it does not exist, is empty, or holds exactly an unchanged
// previous export (every file listed in its manifest with the same SHA-256,
// and nothing else): then the files of the previous export that the new one
// drops are removed too. Anything else (another file, an edited
// params.yaml) is reported in refusal.
func planExport(dir string, files map[string][]byte) (*exportPlan, error) {
	plan := &exportPlan{files: files}
	var lines []string
	for p, b := range files {
		sum := sha256.Sum256(b)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+p)
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	files[manifestName] = []byte(strings.Join(lines, "\n") + "\n")

	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return plan, nil
	case err != nil:
		return nil, fmt.Errorf("--export %s: %s", dir, describeErr(err))
	case !info.IsDir():
		return nil, usagef("--export %s: not a directory", dir)
	}
	present, err := listFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("--export %s: %s", dir, describeErr(err))
	}
	if len(present) == 0 {
		return plan, nil
	}
	old, err := readManifest(filepath.Join(dir, manifestName))
	if err != nil {
		old = nil // no manifest: not an export of this command
	}
	for _, p := range present {
		if p == manifestName && old != nil {
			continue
		}
		want, listed := old[p]
		if !listed {
			plan.refusal = append(plan.refusal, p)
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("--export %s: %s: %s", dir, p, describeErr(err))
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
			plan.refusal = append(plan.refusal, p+" (changed)")
			continue
		}
		if _, kept := files[p]; !kept {
			plan.removed = append(plan.removed, p)
		}
	}
	plan.previous = old != nil
	return plan, nil
}

// write writes the plan's files and removes the dropped ones.
func (p *exportPlan) write(dir string) error {
	names := make([]string, 0, len(p.files))
	for n := range p.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dst := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("--export %s: %s", dir, describeErr(err))
		}
		if err := os.WriteFile(dst, p.files[n], 0o644); err != nil {
			return fmt.Errorf("--export %s: %s: %s", dir, n, describeErr(err))
		}
	}
	for _, n := range p.removed {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(n))); err != nil {
			return fmt.Errorf("--export %s: removing %s of the previous export: %s", dir, n, describeErr(err))
		}
	}
	return nil
}

// listFiles lists the files below dir (slash paths, sorted); directories
// themselves do not count.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out, err
}

// readManifest reads an EXPORT.sha256: path -> hex SHA-256.
func readManifest(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" {
			return nil, fmt.Errorf("%s: not a manifest line", path)
		}
		out[name] = sum
	}
	return out, sc.Err()
}

// refusalText lists at most five of the files that keep a directory from
// being written.
func refusalText(files []string) string {
	if len(files) <= 5 {
		return strings.Join(files, ", ")
	}
	return strings.Join(files[:5], ", ") + fmt.Sprintf(" and %d more", len(files)-5)
}
