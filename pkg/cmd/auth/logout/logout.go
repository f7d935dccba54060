// Package logout is `replex auth logout`.
package logout

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
		Long: `Remove the profile's token from every place replex keeps tokens: the OS
keyring and the config file, whichever holds a copy, and say which. The
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
	name, _, err := config.ResolveProfile(cfg, f.Sources())
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	p, ok := cfg.Profile(name)

	// Every store replex may have put the token in is emptied, whatever
	// token_storage says: an older login, or a switch of store whose clean-up
	// failed, can have left a copy in the other one.
	var removed []string
	var keyringUnchecked error
	var ku *config.KeyringUnavailableError
	switch err := f.Keyring.Delete(name); {
	case err == nil:
		removed = append(removed, "the OS keyring")
	case errors.Is(err, config.ErrNoKeyringEntry):
	case errors.As(err, &ku) && !(ok && p.TokenStorage == config.StorageKeyring):
		// The profile's token is not kept there: what matters can still go.
		keyringUnchecked = err
	default:
		return fmt.Errorf("cannot remove the token of profile %q from the OS keyring: %w; nothing was changed; %s", name, err, logoutHint(err))
	}
	if ok && p.Token != "" {
		removed = append(removed, "the config file "+cfg.Path)
	}
	if ok && (p.TokenStorage != "" || p.Token != "") {
		p.Token, p.TokenStorage = "", ""
		cfg.SetProfile(name, p)
		if err := cfg.Save(); err != nil {
			return err
		}
	}
	ios := f.IOStreams
	if len(removed) > 0 {
		fmt.Fprintf(ios.ErrOut, "Logged out of profile %q: removed its token from %s.\n", name, strings.Join(removed, " and from "))
	} else {
		fmt.Fprintf(ios.ErrOut, "Profile %q has no stored token; nothing to do.\n", name)
	}
	if keyringUnchecked != nil {
		fmt.Fprintf(ios.ErrOut, "note: the OS keyring could not be checked for a copy: %s\n", keyringUnchecked)
	}
	if f.Getenv(config.EnvToken) != "" {
		fmt.Fprintln(ios.ErrOut, "note: REPLEX_API_TOKEN is still set in your environment; unset it to stop using that token")
	}
	return nil
}

func logoutHint(err error) string {
	var ku *config.KeyringUnavailableError
	if errors.As(err, &ku) {
		return "run 'replex auth logout' again where the keyring is reachable"
	}
	return "check the keyring and try again"
}
