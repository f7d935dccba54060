// Package orgs groups `replex orgs` commands.
package orgs

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/orgs/get"
	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdOrgs builds `replex orgs`.
func NewCmdOrgs(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "orgs <command>",
		Aliases: []string{"org"},
		Short:   "Look at the organization",
		Example: `  replex orgs get
  replex orgs get -o json`,
	}
	cmd.AddCommand(get.NewCmdGet(f, nil))
	return cmd
}
