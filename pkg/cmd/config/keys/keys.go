// Package keys is what `replex config get` and `set` know about the config
// file: which keys exist, where they live and how they are checked.
package keys

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
)

// Key names, as in the YAML file.
const (
	BaseURL        = "base_url"
	Org            = "org"
	TokenStorage   = "token_storage"
	CurrentProfile = "current_profile"
)

// Key is one setting of the config file.
type Key struct {
	Name     string
	Usage    string
	Settable bool
	Global   bool // a key of the file, not of a profile
}

// All returns every key, in the order help shows them.
func All() []Key {
	return []Key{
		{BaseURL, "API base URL of the profile", true, false},
		{Org, "organization id of the profile", true, false},
		{TokenStorage, "where the profile's token is kept: keyring or file (set by 'replex auth login')", false, false},
		{CurrentProfile, "the profile used when neither --profile nor REPLEX_PROFILE names one", true, true},
	}
}

// Lookup finds a key; the error is a usage error listing the keys.
func Lookup(name string, forSet bool) (Key, error) {
	switch strings.ToLower(name) {
	case "token", "api_token", "token_id", "token_expires":
		return Key{}, cmdutil.Usagef("%q is not a setting: tokens are stored by 'replex auth login' (or set REPLEX_API_TOKEN)", name)
	}
	var names []string
	for _, k := range All() {
		if !forSet || k.Settable {
			names = append(names, k.Name)
		}
		if k.Name != strings.ReplaceAll(strings.ToLower(name), "-", "_") {
			continue
		}
		if forSet && !k.Settable {
			return Key{}, cmdutil.Usagef("%s cannot be set with 'replex config set': 'replex auth login' records it", k.Name)
		}
		return k, nil
	}
	return Key{}, cmdutil.Usagef("unknown key %q: use one of %s", name, strings.Join(names, ", "))
}

// Complete completes key names.
func Complete(forSet bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, k := range All() {
			if (!forSet || k.Settable) && strings.HasPrefix(k.Name, toComplete) {
				out = append(out, k.Name+"\t"+k.Usage)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// Profile returns the profile `config get/set` work on: --profile, else
// REPLEX_PROFILE, else current_profile, else "default".
func Profile(f *cmdutil.Factory, cfg *config.Config) (string, error) {
	name, _, err := config.ResolveProfile(cfg, f.Sources())
	if err != nil {
		return "", &cmdutil.UsageError{Err: err}
	}
	return name, nil
}

// CompleteProfiles completes the names of the profiles in the config file.
// It reads only the file: no keyring, no network.
func CompleteProfiles(f *cmdutil.Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := config.Load(f.Getenv)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range cfg.ProfileNames() {
			if strings.HasPrefix(n, toComplete) {
				p, _ := cfg.Profile(n)
				out = append(out, fmt.Sprintf("%s\t%s", n, describe(p)))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func describe(p config.Profile) string {
	var parts []string
	if p.Org != "" {
		parts = append(parts, p.Org)
	}
	if p.BaseURL != "" {
		parts = append(parts, config.RedactBaseURL(p.BaseURL))
	}
	if len(parts) == 0 {
		return "profile"
	}
	return strings.Join(parts, " at ")
}

// NoSuchProfile is the error for a profile name the file does not have.
func NoSuchProfile(cfg *config.Config, name string) error {
	names := cfg.ProfileNames()
	if len(names) == 0 {
		return &cmdutil.NotFoundError{Msg: fmt.Sprintf("no profile %q: the config file has no profiles yet; create one with 'replex auth login --profile %s' or 'replex config set org ID --profile %s'", name, name, name)}
	}
	return &cmdutil.NotFoundError{Msg: fmt.Sprintf("no profile %q in %s: the profiles are %s", name, cfg.Path, strings.Join(names, ", "))}
}
