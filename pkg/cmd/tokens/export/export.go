// Package export is `replex tokens export`.
package export

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/retired"
	"github.com/replexio/replex/pkg/tokenspec"
)

// Options of `replex tokens export`.
type Options struct {
	F    *cmdutil.Factory
	Name string

	filter shared.Filter
}

// NewCmdExport builds the command.
func NewCmdExport(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "export [--name GLOB]",
		Short: "Write the spec file of the organization's tokens",
		Long: `Write the organization's live tokens as a spec file for 'tokens apply' and
'tokens diff' (YAML on stdout): name, grants (a preset when they equal one),
and expires as the absolute RFC 3339 time or never, so that
'replex tokens export | replex tokens diff -f -' exits 0. Retired grace twins
and expired tokens are left out (a spec cannot ask for an expiry in the past);
a note on stderr counts them. No secret is ever written: add secret: entries
by hand.`,
		Example: `  replex tokens export > tokens.yaml
  replex tokens export --name 'ci-*'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The --name glob of tokens list: "*" crosses "/" in a name.
			flt, err := shared.ParseFilter(opts.Name, nil, 0, false, 0)
			if err != nil {
				return err
			}
			flt.IncludeRetired = true // counted below, not silently dropped
			opts.filter = flt
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "only tokens whose name matches this glob")
	return cmd
}

func run(ctx context.Context, o *Options) error {
	ios := o.F.IOStreams
	client, _, err := o.F.Client()
	if err != nil {
		return err
	}
	all, err := client.ListTokens(ctx)
	if err != nil {
		return err
	}
	now := o.F.Now()
	var out []api.Token
	expired, twins := 0, 0
	for _, t := range all {
		if !o.filter.Match(t, now) {
			continue
		}
		switch {
		case retired.Is(t.Name):
			twins++
		case !tokenspec.Exportable(t, now):
			expired++
		default:
			out = append(out, t)
		}
	}
	if err := tokenspec.Export(ios.Out, out); err != nil {
		return fmt.Errorf("writing to stdout failed (%v)", err)
	}
	if expired+twins > 0 {
		fmt.Fprintf(ios.ErrOut, "note: left out %d expired and %d retired tokens\n", expired, twins)
	}
	return nil
}
