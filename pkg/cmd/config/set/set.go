// Package set is `replex config set`.
package set

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/config/keys"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
)

// Options of `replex config set`.
type Options struct {
	F     *cmdutil.Factory
	Key   string
	Value string
}

// NewCmdSet builds the command.
func NewCmdSet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "set <key> <value>",
		Short: "Change a setting in the config file",
		Long: `Write one setting to the config file, for the profile named by --profile,
REPLEX_PROFILE or current_profile (in that order); the profile is created if
it does not exist, and becomes the current profile if the file names none.
The file is written atomically with mode 0600.

Keys: base_url (checked like --base-url: https, or http only to loopback
unless --allow-insecure-http), org, and current_profile (like 'replex config
use-profile', the profile must exist). Tokens are not settings: store one with
'replex auth login'.`,
		Example: `  replex config set base_url https://replex.example.com --profile staging
  replex config set org org_123
  replex config set current_profile staging`,
		Args:              cmdutil.ExactArgs(2, "a key and a value"),
		ValidArgsFunction: keys.Complete(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
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
	key, err := keys.Lookup(opts.Key, true)
	if err != nil {
		return err
	}
	value := strings.TrimSpace(opts.Value)
	if value == "" {
		return cmdutil.Usagef("empty value for %s", key.Name)
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if key.Global {
		if _, ok := cfg.Profile(value); !ok {
			return keys.NoSuchProfile(cfg, value)
		}
		cfg.File.CurrentProfile = value
		return cfg.Save()
	}
	name, err := keys.Profile(f, cfg)
	if err != nil {
		return err
	}
	p, _ := cfg.Profile(name)
	switch key.Name {
	case keys.BaseURL:
		if err := cmdutil.CheckBaseURL(value, f.Flags.AllowInsecureHTTP); err != nil {
			return err
		}
		p.BaseURL = config.NormalizeBaseURL(value)
	case keys.Org:
		if strings.ContainsAny(value, " \t/") {
			return cmdutil.Usagef("invalid organization id %q: it has white space or '/'", value)
		}
		p.Org = value
	}
	cfg.SetProfile(name, p)
	if cfg.File.CurrentProfile == "" {
		cfg.File.CurrentProfile = name // as 'auth login' does: the first profile is the current one
	}
	return cfg.Save()
}
