// Package token is `replex auth token`.
package token

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/secret"
)

// Options of `replex auth token`.
type Options struct {
	F *cmdutil.Factory
}

// NewCmdToken builds the command.
func NewCmdToken(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use:   "token",
		Short: "Print the API token of the profile",
		Long: `Print the API token replex would use, alone on a line on standard output,
for curl, Postman or another tool: REPLEX_API_TOKEN when set, else the token
of the profile in the OS keyring or the config file.

It is the one command that prints a stored credential. It sends no request,
and --debug logs nothing of it. The token stays out of argv and shell
history as long as it is passed on through a pipe or $(...), as below.
Exit status 4 when there is no token.`,
		Example: `  curl -H "Authorization: Api-Key $(replex auth token)" https://replex.replex.io/api/v1/organizations/org_123
  replex auth token --profile staging | pbcopy`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(opts)
		},
	}
}

func run(opts *Options) error {
	f := opts.F
	r, err := f.Resolve()
	if err != nil {
		return err
	}
	if r.Token.IsZero() {
		msg := "not logged in: run 'replex auth login' or set REPLEX_API_TOKEN"
		if r.KeyringErr != nil {
			msg = "not logged in: " + r.KeyringErr.Error() + "; run 'replex auth login' or set REPLEX_API_TOKEN"
		}
		return &cmdutil.AuthError{Msg: msg}
	}
	return secret.WriteLine(f.IOStreams.Out, r.Token)
}
