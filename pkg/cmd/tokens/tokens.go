// Package tokens groups `replex tokens` commands.
package tokens

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/tokens/apply"
	"github.com/replexio/replex/pkg/cmd/tokens/audit"
	"github.com/replexio/replex/pkg/cmd/tokens/create"
	"github.com/replexio/replex/pkg/cmd/tokens/delete"
	"github.com/replexio/replex/pkg/cmd/tokens/diff"
	"github.com/replexio/replex/pkg/cmd/tokens/edit"
	"github.com/replexio/replex/pkg/cmd/tokens/export"
	"github.com/replexio/replex/pkg/cmd/tokens/get"
	"github.com/replexio/replex/pkg/cmd/tokens/list"
	"github.com/replexio/replex/pkg/cmd/tokens/prune"
	"github.com/replexio/replex/pkg/cmd/tokens/rotate"
	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdTokens builds `replex tokens`.
func NewCmdTokens(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "tokens <command>",
		Aliases: []string{"token"},
		Short:   "Create, list, inspect, edit and delete API tokens",
		Long: `API tokens authenticate clients of the Replex API. Each holds granular
permissions in 14 categories (see 'replex grants'). Its secret is shown exactly
once, when it is created: replex copies it to the clipboard on a terminal, or
prints it alone on standard output when piped, or writes it to --secret-file.`,
		Example: `  replex tokens create ci --grant cluster:read --expires 90d
  TOKEN=$(replex tokens create deploy --grant cluster:read,update)
  replex tokens list --expiring-within 14d
  replex tokens get ci
  replex tokens edit ci --add-grant budget:read
  replex tokens rotate ci --grace 1h --yes
  replex tokens delete ci --yes
  replex tokens apply -f tokens.yaml --secret-dir ./secrets`,
	}
	cmd.AddCommand(create.NewCmdCreate(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(get.NewCmdGet(f, nil))
	cmd.AddCommand(edit.NewCmdEdit(f, nil))
	cmd.AddCommand(delete.NewCmdDelete(f, nil))
	cmd.AddCommand(rotate.NewCmdRotate(f, nil))
	cmd.AddCommand(prune.NewCmdPrune(f, nil))
	cmd.AddCommand(audit.NewCmdAudit(f, nil))
	cmd.AddCommand(apply.NewCmdApply(f, nil))
	cmd.AddCommand(diff.NewCmdDiff(f, nil))
	cmd.AddCommand(export.NewCmdExport(f, nil))
	return cmd
}
