// Package logout is `replex auth logout`.
package logout

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
)

// Options of `replex auth logout`.
type Options struct{ F *cmdutil.Factory }

// NewCmdLogout builds the command.
func NewCmdLogout(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the stored token of a profile",
		Long: `Remove the profile's token from the OS keyring or the config file. The
profile's base URL and organization are kept. The token itself stays valid on
the server: delete it with 'replex tokens delete' to revoke it.`,
		Example: `  replex auth logout
  replex auth logout --profile staging`,
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
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	name, _, err := config.ResolveProfile(cfg, f.Overrides(), f.Getenv)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	p, ok := cfg.Profile(name)
	removed := false
	if ok && p.TokenStorage == config.StorageKeyring {
		switch err := f.Keyring.Delete(name); {
		case err == nil:
			removed = true
		case errors.Is(err, config.ErrNoKeyringEntry):
		default:
			return fmt.Errorf("cannot remove the token from the keyring: %w", err)
		}
	}
	if ok && p.Token != "" {
		removed = true
	}
	if ok && p.TokenStorage != "" {
		p.Token, p.TokenStorage = "", ""
		cfg.SetProfile(name, p)
		if err := cfg.Save(); err != nil {
			return err
		}
	}
	ios := f.IOStreams
	if removed {
		fmt.Fprintf(ios.ErrOut, "Logged out of profile %q; its stored token was removed.\n", name)
	} else {
		fmt.Fprintf(ios.ErrOut, "Profile %q has no stored token; nothing to do.\n", name)
	}
	if f.Getenv(config.EnvToken) != "" {
		fmt.Fprintln(ios.ErrOut, "note: REPLEX_API_TOKEN is still set in your environment; unset it to stop using that token")
	}
	return nil
}
