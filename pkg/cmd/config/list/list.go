// Package list is `replex config list`.
package list

import (
	"context"
	"fmt"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex config list`.
type Options struct {
	F         *cmdutil.Factory
	Format    string
	NoHeaders bool
	JQ        string

	query *gojq.Code
}

// Profile is one profile as -o json and -o yaml print it. The token itself
// is never shown, only where it is kept.
type Profile struct {
	Name         string `json:"name"`
	Current      bool   `json:"current"`
	BaseURL      string `json:"baseUrl"`
	Org          string `json:"org"`
	TokenStorage string `json:"tokenStorage"`
}

func formats() []string { return []string{output.JSON, output.YAML, output.Name} }

// NewCmdList builds the command.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:        "list",
		SuggestFor: []string{"view", "show"},
		Aliases:    []string{"ls"},
		Short:      "List the profiles of the config file",
		Long: `List the profiles in the config file, sorted by name: whether it is the
current profile, its base URL, organization and where its token is kept
(keyring, file, or none). Tokens themselves are never shown.

On a terminal a table; piped, tab-separated columns PROFILE, CURRENT,
BASE_URL, ORG, TOKEN ("-" for an empty cell, CURRENT "*" or "-").
-o json and -o yaml print an array of {name, current, baseUrl, org,
tokenStorage}; -o name the profile names, one a line; --jq runs a jq
expression over the JSON array.`,
		Example: `  replex config list
  replex config ls -o name
  replex config list --jq '.[] | select(.current) | .org'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.prepare(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Format, formats()...)
	cmd.Flags().BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header line of the table")
	cmd.Flags().StringVar(&opts.JQ, "jq", "", "print the result of a jq `expression` over the JSON array of profiles")
	return cmd
}

func (opts *Options) prepare() error {
	if err := cmdutil.CheckOutputFlag(&opts.Format, formats()...); err != nil {
		return err
	}
	if opts.JQ != "" {
		if opts.Format != "" && opts.Format != output.JSON {
			return cmdutil.Usagef("--jq works on the JSON output: drop -o %s", opts.Format)
		}
		code, err := output.CompileJQ(opts.JQ)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		opts.query = code
	}
	return nil
}

// Profiles returns the file's profiles, sorted by name.
func Profiles(cfg *config.Config) []Profile {
	out := []Profile{}
	for _, n := range cfg.ProfileNames() {
		p, _ := cfg.Profile(n)
		storage := p.TokenStorage
		if storage == "" {
			storage = "none"
		}
		out = append(out, Profile{Name: n, Current: n == cfg.File.CurrentProfile, BaseURL: config.RedactBaseURL(p.BaseURL), Org: p.Org, TokenStorage: storage})
	}
	return out
}

func run(opts *Options) error {
	f := opts.F
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	profiles := Profiles(cfg)
	ios := f.IOStreams
	w := ios.Out
	if done, err := output.WriteListDoc(w, opts.Format, opts.query, profiles, func(p Profile) string { return p.Name }); done {
		return err
	}
	tty := ios.IsStdoutTTY()
	if tty && len(profiles) == 0 {
		fmt.Fprintf(ios.ErrOut, "No profiles in %s yet; create one with: replex auth login --org ID\n", cfg.Path)
		return nil
	}
	tb := output.Table{Headers: []string{"PROFILE", "CURRENT", "BASE_URL", "ORG", "TOKEN"}}
	if tty {
		tb.Headers[2] = "BASE URL"
	}
	for _, p := range profiles {
		cur := "-"
		if p.Current {
			cur = "*"
		}
		tb.Rows = append(tb.Rows, []string{p.Name, cur, dash(p.BaseURL), dash(p.Org), p.TokenStorage})
	}
	if tty {
		tb.Width, tb.Flex = ios.TerminalWidth(), []int{2, 3}
		return tb.WriteStyled(w, ios.ColorEnabled(), opts.NoHeaders)
	}
	return tb.WritePlain(w, ios.ColorEnabled(), opts.NoHeaders)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
