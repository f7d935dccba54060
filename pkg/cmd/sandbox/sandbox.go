// Package sandbox groups `replex sandbox` commands.
package sandbox

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/sandbox/start"
	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdSandbox builds `replex sandbox`.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox <command>",
		Short: "Run a local Replex API server for trying replex and for tests",
		Long: `The sandbox is a local server that speaks the Replex API contract:
organization, API tokens with permissions, authentication and authorization as
a real server enforces them. No Replex account is needed.`,
		Example: `  replex sandbox start --ephemeral --listen 127.0.0.1:0 >sandbox.env 2>sandbox.log &
  replex sandbox start --data ./sandbox.json --seed-tokens 50`,
	}
	cmd.AddCommand(start.NewCmdStart(f, nil))
	return cmd
}
