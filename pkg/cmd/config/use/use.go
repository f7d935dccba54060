// Package use is `replex config use-profile`.
package use

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/config/keys"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
)

// Options of `replex config use-profile`.
type Options struct {
	F       *cmdutil.Factory
	Profile string
}

// NewCmdUse builds the command.
func NewCmdUse(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "use-profile <name>",
		Short: "Make a profile the current one",
		Long: `Set current_profile in the config file: the profile every command uses when
neither --profile nor REPLEX_PROFILE names another. The profile must exist
('replex config list' shows them; 'replex auth login --profile NAME' creates one).`,
		Example: `  replex config use-profile staging
  replex config use-profile default`,
		Args:              cmdutil.ExactArgs(1, "a profile name"),
		ValidArgsFunction: completeFirst(keys.CompleteProfiles(f)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profile = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(opts)
		},
	}
	return cmd
}

func completeFirst(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return fn(c, args, toComplete)
	}
}

func run(opts *Options) error {
	f := opts.F
	if err := config.ValidateProfileName(opts.Profile); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if _, ok := cfg.Profile(opts.Profile); !ok {
		return keys.NoSuchProfile(cfg, opts.Profile)
	}
	cfg.File.CurrentProfile = opts.Profile
	if err := cfg.Save(); err != nil {
		return err
	}
	ios := f.IOStreams
	fmt.Fprintf(ios.ErrOut, "Now using profile %q.\n", opts.Profile)
	if env := f.Getenv(config.EnvProfile); env != "" && env != opts.Profile {
		fmt.Fprintf(ios.ErrOut, "warning: REPLEX_PROFILE=%s is set and takes precedence; unset it to use %q\n", env, opts.Profile)
	}
	return nil
}
