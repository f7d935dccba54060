// Package config groups `replex config` commands.
package config

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/config/get"
	"github.com/replexio/replex/pkg/cmd/config/list"
	"github.com/replexio/replex/pkg/cmd/config/set"
	"github.com/replexio/replex/pkg/cmd/config/use"
	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdConfig builds `replex config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Read and change the config file and its profiles",
		Long: `Read and change replex's config file ($REPLEX_CONFIG_DIR/config.yaml, else
$XDG_CONFIG_HOME/replex/config.yaml, else ~/.config/replex/config.yaml).

A profile is a named set of connection settings: base_url and org, and where
its token is kept. Settings are taken from flags, then the environment, then
the profile in the file, then defaults; see docs/config.md and
'replex help environment'.`,
		Example: `  replex config list
  replex config set org org_123 --profile staging
  replex config get base_url
  replex config use-profile staging`,
	}
	cmd.AddCommand(get.NewCmdGet(f, nil))
	cmd.AddCommand(set.NewCmdSet(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(use.NewCmdUse(f, nil))
	return cmd
}
