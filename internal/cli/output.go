package cli

import (
	"fmt"
	"os"
)

// checkOutput refuses an --output that is one of the files the command
// reads (an input document, the --params file, a --policy file), by name
// or through another path, a symbolic or a hard link: writing the report
// would replace what it was made from. Standard input ("-") and names that
// do not exist yet cannot be inputs.
func checkOutput(output string, inputs []string, params string, policies []string) error {
	if output == "" {
		return nil
	}
	out, exists := stat(output)
	if !exists {
		return nil // a new file (or one os.WriteFile reports on)
	}
	if out.IsDir() {
		return usagef("--output %s is a directory; name a file", output)
	}
	type named struct{ what, path string }
	var read []named
	for _, in := range inputs {
		read = append(read, named{"the input file", in})
	}
	if params != "" {
		read = append(read, named{"the --params file", params})
	}
	for _, p := range policies {
		read = append(read, named{"the --policy file", p})
	}
	for _, r := range read {
		if r.path == "" || r.path == "-" {
			continue
		}
		info, ok := stat(r.path)
		if !ok || !os.SameFile(out, info) {
			continue
		}
		how := ""
		if r.path != output {
			how = " (the same file through another path or a link)"
		}
		return usagef("--output %s is %s %s%s: the report would replace it; write the report to another file", output, r.what, r.path, how)
	}
	return nil
}

// stat is os.Stat following links; false when path cannot be read.
func stat(path string) (os.FileInfo, bool) {
	info, err := os.Stat(path)
	return info, err == nil
}

// outputError words a failure to write --output.
func outputError(output string, err error) error {
	return fmt.Errorf("--output %s: %v", output, describeErr(err))
}
