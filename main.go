// Command terraform-provider-rotation is the Terraform/OpenTofu provider
// "rotation" and, through subcommands, the policy checker and the credential
// lifecycle plan writer built on the same lifecycle engine.
//
// Started with no arguments (as Terraform and OpenTofu start it) it serves the
// provider over plugin protocol 6. "-debug" serves it for a debugger and
// prints the TF_REATTACH_PROVIDERS value to use.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/rotationkit/terraform-provider-rotation/internal/cli"
	"github.com/rotationkit/terraform-provider-rotation/internal/provider"

	// Change windows name IANA time zones; embed the database so they resolve
	// on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// version is set by goreleaser (-X main.version=...).
var version = "dev"

// registryAddress is the provider's source address. OpenTofu users write the
// same "rotationkit/rotation" source, which OpenTofu resolves against its own
// registry.
const registryAddress = "registry.terraform.io/rotationkit/rotation"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version", "-version":
			fmt.Fprintf(stdout, "terraform-provider-rotation %s (protocol 6, %s)\n", version, registryAddress)
			return 0
		case "help", "-h", "--help":
			usage(stdout)
			return 0
		}
	}
	cli.Version = version
	if code, handled := cli.Run(args, stdout, stderr); handled {
		return code
	}

	fs := flag.NewFlagSet("terraform-provider-rotation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	debug := fs.Bool("debug", false, "serve the provider for a debugger (delve) and print TF_REATTACH_PROVIDERS")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "terraform-provider-rotation: unknown command %q; run with --help for the list\n", fs.Arg(0))
		return 2
	}

	quietSDKLogs(os.Environ(), os.Setenv)
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         registryAddress,
		Debug:           *debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Print(err)
		return 1
	}
	return 0
}

// sdkLogLevels are the variables terraform-plugin-log reads for the levels
// of the plugin SDK's own loggers (the framework's and the protocol's).
var sdkLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// quietSDKLogs turns the plugin SDK's own logs off when nobody asked for
// logs: no TF_LOG* or TOFU_LOG* variable is set. terraform-plugin-log then
// defaults to trace and formats several JSON lines per attribute and plan
// (every plan modifier, default and validator the framework calls), which
// the CLI reads and throws away unless TF_LOG is set: on a no-op plan of 200
// secrets that was a third of the time. Any logging variable, TF_LOG=trace
// as the leak tests set it included, leaves every level as the user set it.
// The provider's own logs (tflog, TF_LOG_PROVIDER) are not touched.
func quietSDKLogs(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value != "" && (strings.HasPrefix(name, "TF_LOG") || strings.HasPrefix(name, "TOFU_LOG")) {
			return
		}
	}
	for _, name := range sdkLogLevels {
		_ = setenv(name, "off") // os.Setenv fails only on an invalid name
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `terraform-provider-rotation: the "rotation" provider for Terraform and OpenTofu.

Usage:
  terraform-provider-rotation            serve the provider (Terraform/OpenTofu start it this way)
  terraform-provider-rotation -debug     serve for a debugger; prints TF_REATTACH_PROVIDERS
  terraform-provider-rotation version    print the version
`+cli.Usage)
}
