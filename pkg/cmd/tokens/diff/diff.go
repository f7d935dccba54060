// Package diff is `replex tokens diff`.
package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/tokens/specplan"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/tokenspec"
)

// Options of `replex tokens diff`.
type Options struct {
	F    *cmdutil.Factory
	Spec specplan.Flags
}

// NewCmdDiff builds the command.
func NewCmdDiff(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "diff -f <file>",
		Short: "Show what 'tokens apply' would change to match a spec file",
		Long: `Compare the organization's tokens with a spec file (see 'replex tokens apply
--help') and print the plan: tokens to create, grants and
expiries to change, and with --rotate rotations due, with --prune tokens the
file does not name. It sends no write; it is 'tokens apply --dry-run'.

Exit status: 0 in sync, 3 when there are differences (the audit convention),
2 for a bad file (FILE:LINE: problem) or flag, 1 and 4 as usual. Rotations due
without --rotate and unnamed tokens without --prune are notes on stderr, not
differences. On a terminal the plan is a table; piped it is tab separated;
-o json gives {"inSync", "changes", "held"}.`,
		Example: `  replex tokens diff -f tokens.yaml
  replex tokens diff -f tokens.yaml --rotate --prune -o json
  replex tokens export | replex tokens diff -f -`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Spec.Check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	specplan.AddFlags(cmd, &opts.Spec)
	return cmd
}

func run(ctx context.Context, o *Options) error {
	spec, err := specplan.Load(o.F, &o.Spec)
	if err != nil {
		return err
	}
	client, _, err := o.F.Client()
	if err != nil {
		return err
	}
	plan, err := specplan.Make(ctx, client, o.F, spec, &o.Spec)
	if err != nil {
		return err
	}
	return Report(o.F, spec, plan, o.Spec.Format)
}

// Report prints plan and turns it into diff's exit status: 3 when there is
// something to change.
func Report(f *cmdutil.Factory, spec *tokenspec.Spec, plan tokenspec.Plan, format string) error {
	if err := specplan.Print(f.IOStreams, plan, format); err != nil {
		return err
	}
	if plan.InSync() {
		fmt.Fprintln(f.IOStreams.ErrOut, specplan.InSyncLine(spec))
		return nil
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: errors.New("differences: " + specplan.Summary(plan)), Silent: format != ""}
}
