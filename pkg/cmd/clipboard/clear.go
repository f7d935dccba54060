// Package clipboard is the hidden helper that clears a copied secret from
// the clipboard after a delay.
package clipboard

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/secret"
)

// CommandName is how `tokens create` starts the helper.
const CommandName = "__clear-clipboard"

// NewCmdClearClipboard builds the hidden helper command. It reads the secret
// from standard input (a pipe from its parent: never argv or environment),
// waits, and clears the clipboard only if it still holds that secret.
func NewCmdClearClipboard(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:    CommandName + " <delay>",
		Short:  "Clear the clipboard after a delay if it still holds the secret on stdin",
		Hidden: true,
		Args:   cmdutil.ExactArgs(1, "a delay"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := time.ParseDuration(args[0])
			if err != nil || d < 0 {
				return cmdutil.Usagef("invalid delay %q", args[0])
			}
			return secret.RunClearer(f.IOStreams.In, f.Clipboard(), d, time.Sleep)
		},
	}
}

// Starter returns the function that starts the helper for a secret.
func Starter(f *cmdutil.Factory) func(secret.Secret, time.Duration) error {
	return func(s secret.Secret, d time.Duration) error {
		exe, err := f.Executable()
		if err != nil {
			return err
		}
		return secret.SpawnClearer(exe, []string{CommandName}, s, d)
	}
}
