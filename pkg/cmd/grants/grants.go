// Package grants is `replex grants`.
package grants

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdGrants builds the command.
func NewCmdGrants(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "grants", Hidden: true}
}
