// Package get is `replex config get`.
package get

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/config/keys"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
)

// Options of `replex config get`.
type Options struct {
	F   *cmdutil.Factory
	Key string
}

// NewCmdGet builds the command.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "get <key>",
		Short: "Print a setting of the config file",
		Long: `Print one setting as the config file holds it, for the profile named by
--profile, REPLEX_PROFILE or current_profile (in that order).

Keys: base_url, org and token_storage of the profile; current_profile of the
file. A key that is not set is an error (exit 5), so that scripts can tell
"empty" from "not set". This shows the file only: for the settings in effect,
with flags and environment applied, run 'replex auth status'.`,
		Example: `  replex config get base_url
  replex config get org --profile staging
  replex config get current_profile`,
		Args:              cmdutil.ExactArgs(1, "a key: base_url, org, token_storage or current_profile"),
		ValidArgsFunction: keys.Complete(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(opts)
		},
	}
	return cmd
}

func run(opts *Options) error {
	f := opts.F
	key, err := keys.Lookup(opts.Key, false)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	var value, where string
	if key.Global {
		value, where = cfg.File.CurrentProfile, "the config file"
	} else {
		name, err := keys.Profile(f, cfg)
		if err != nil {
			return err
		}
		p, _ := cfg.Profile(name)
		switch key.Name {
		case keys.BaseURL:
			value = config.RedactBaseURL(p.BaseURL) // replex refuses to use one with a password; it never prints it
		case keys.Org:
			value = p.Org
		case keys.TokenStorage:
			value = p.TokenStorage
		}
		where = fmt.Sprintf("profile %q", name)
	}
	if value == "" {
		return &cmdutil.NotFoundError{Msg: fmt.Sprintf("%s is not set in %s (%s); set it with 'replex config set %s VALUE'", key.Name, where, cfg.Path, key.Name)}
	}
	_, err = fmt.Fprintln(f.IOStreams.Out, value)
	return err
}
