// Package get is `replex orgs get`.
package get

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex orgs get`.
type Options struct {
	F      *cmdutil.Factory
	Format string
}

// NewCmdGet builds the command.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:        "get",
		SuggestFor: []string{"list", "show", "view", "describe"},
		Short:      "Show the organization of the current profile",
		Long: `Show the organization replex works on (--org, REPLEX_ORG or the profile's).
This is the API's "hello world": it proves the base URL, organization and token
fit together.`,
		Example: `  replex orgs get
  replex orgs get --org org_123 -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutputFlag(&opts.Format, output.JSON, output.YAML); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Format, output.JSON, output.YAML)
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	client, _, err := opts.F.Client()
	if err != nil {
		return err
	}
	org, err := client.Organization(ctx)
	if err != nil {
		return err
	}
	w := opts.F.IOStreams.Out
	if ok, err := output.WriteDoc(w, opts.Format, org); ok {
		return err
	}
	fmt.Fprintf(w, "ID:       %s\n", output.Sanitize(org.ID))
	fmt.Fprintf(w, "Name:     %s\n", output.Sanitize(org.Name))
	if org.CreatedAt != nil {
		fmt.Fprintf(w, "Created:  %s\n", org.CreatedAt.UTC().Format("2006-01-02 15:04:05Z07:00"))
	}
	return nil
}
