// Package auth groups `replex auth` commands.
package auth

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/auth/login"
	"github.com/replexio/replex/pkg/cmd/auth/logout"
	"github.com/replexio/replex/pkg/cmd/auth/status"
	"github.com/replexio/replex/pkg/cmd/auth/token"
	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdAuth builds `replex auth`.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in, check, print the token and log out",
		Long: `Manage the API token replex uses.

The token is kept in the OS keyring (macOS Keychain, Windows Credential
Manager, the Secret Service on Linux). Where no keyring exists, login refuses
unless --insecure-storage is given, which keeps it in the 0600 config file.
REPLEX_API_TOKEN, when set, takes precedence over both.`,
		Example: `  echo "$TOKEN" | replex auth login --org org_123 --with-token
  replex auth status
  replex auth token
  replex auth logout`,
	}
	cmd.AddCommand(login.NewCmdLogin(f, nil))
	cmd.AddCommand(status.NewCmdStatus(f, nil))
	cmd.AddCommand(logout.NewCmdLogout(f, nil))
	cmd.AddCommand(token.NewCmdToken(f, nil))
	return cmd
}
