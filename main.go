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

func usage(w io.Writer) {
	fmt.Fprint(w, `terraform-provider-rotation: the "rotation" provider for Terraform and OpenTofu.

Usage:
  terraform-provider-rotation            serve the provider (Terraform/OpenTofu start it this way)
  terraform-provider-rotation -debug     serve for a debugger; prints TF_REATTACH_PROVIDERS
  terraform-provider-rotation version    print the version
`+cli.Usage)
}
