// Package prune is `replex tokens prune`.
package prune

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/retired"
)

// Options of `replex tokens prune`.
type Options struct {
	F           *cmdutil.Factory
	Expired     bool
	UnusedSince time.Duration
	DryRun      bool
	Yes         bool
	Retired     bool
	Parallel    int
	Format      string

	filter shared.Filter
}

// NewCmdPrune builds the command.
func NewCmdPrune(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "prune (--expired | --unused-since D) [--dry-run] [--yes]",
		Short: "Delete expired or unused tokens in bulk",
		Long: `Delete every token that has expired (--expired) or has not been used for a
while (--unused-since D: never used or last used before now-D, and created
before now-D). Both flags together delete tokens matching either. The old
tokens that 'tokens rotate --grace' keeps working for their grace period are
left alone (a note on stderr counts them) unless --include-retired is given.

One result line per token and a summary go to stderr; the exit status is 3 if
any deletion failed. replex's own token is never pruned. On a terminal replex
asks first; without one pass --yes.`,
		Example: `  replex tokens prune --expired --dry-run
  replex tokens prune --expired --yes
  replex tokens prune --unused-since 90d --yes -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Expired, "expired", false, "delete tokens that have expired")
	fl.Var(expiry.NewDurationFlag(&opts.UnusedSince, 0, false), "unused-since", "delete tokens not used for this long (e.g. 90d)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list what would be deleted, delete nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	fl.BoolVar(&opts.Retired, "include-retired", false, "also delete the old tokens that 'tokens rotate --grace' keeps working")
	fl.IntVar(&opts.Parallel, "parallel", shared.DefaultParallel, "deletions at a time")
	cmdutil.AddOutputFlag(cmd, &opts.Format, output.JSON, output.YAML)
	return cmd
}

func (o *Options) validate() error {
	if !o.Expired && o.UnusedSince == 0 {
		return cmdutil.Usagef("say what to prune: --expired and/or --unused-since D")
	}
	if err := shared.CheckParallel(o.Parallel); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	flt, err := shared.ParseFilter("", nil, 0, false, o.UnusedSince)
	if err != nil {
		return err
	}
	flt.IncludeRetired = o.Retired
	o.filter = flt
	return cmdutil.CheckOutputFlag(&o.Format, output.JSON, output.YAML)
}

// match: expired, or unused (either criterion given), and not a retired
// twin unless --include-retired.
func (o *Options) match(t api.Token, flt shared.Filter, now time.Time) bool {
	if !flt.IncludeRetired && retired.Is(t.Name) {
		return false
	}
	if o.Expired && t.Expired(now) {
		return true
	}
	return flt.UnusedSince > 0 && flt.Match(t, now)
}

type result struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"` // deleted, failed, skipped, not-started, would-delete
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	client, _, err := f.Client()
	if err != nil {
		return err
	}
	all, err := client.ListTokens(ctx)
	if err != nil {
		return err
	}
	var targets []api.Token
	now := f.Now()
	withRetired := o.filter
	withRetired.IncludeRetired = true
	leftOut := 0
	for _, t := range withRetired.Select(all, now) {
		switch {
		case o.match(t, o.filter, now):
			targets = append(targets, t)
		case o.match(t, withRetired, now):
			leftOut++
		}
	}
	if leftOut > 0 {
		fmt.Fprintln(ios.ErrOut, shared.RetiredNote(leftOut, true))
	}
	results := []result{}
	if len(targets) == 0 {
		fmt.Fprintln(ios.ErrOut, "No tokens match: nothing to prune.")
		return o.write(results)
	}
	self, err := shared.SelfIDs(ctx, client, targets)
	if err != nil {
		return err
	}
	var doomed []api.Token
	for _, t := range targets {
		if self[t.ID] {
			fmt.Fprintf(ios.ErrOut, "skipped  %s  %q: it is the token replex is using\n", t.ID, output.Sanitize(t.Name))
			results = append(results, result{ID: t.ID, Name: t.Name, Status: "skipped", Reason: "replex's own token"})
			continue
		}
		doomed = append(doomed, t)
	}
	if o.DryRun {
		for _, t := range doomed {
			if o.Format == "" {
				fmt.Fprintf(ios.Out, "would delete  %s  %q  (%s)\n", t.ID, output.Sanitize(t.Name), o.reason(t))
			}
			results = append(results, result{ID: t.ID, Name: t.Name, Status: "would-delete", Reason: o.reason(t)})
		}
		fmt.Fprintf(ios.ErrOut, "Dry run: %d tokens would be deleted.\n", len(doomed))
		return o.write(results)
	}
	if len(doomed) > 0 && !o.Yes {
		err := shared.Confirm(ios, fmt.Sprintf("Delete %d tokens? This cannot be undone.", len(doomed)),
			fmt.Sprintf("delete %d tokens", len(doomed)), "pass --yes, or look first with --dry-run")
		if err != nil {
			return err
		}
	}

	base := len(results)
	for _, t := range doomed {
		results = append(results, result{ID: t.ID, Name: t.Name, Status: "not-started", Reason: o.reason(t)})
	}
	prog := &shared.Progress{W: ios.ErrOut, Enabled: ios.IsStderrTTY(), Total: len(doomed), Label: "deleting"}
	started := shared.RunBulk(ctx, len(doomed), o.Parallel,
		func(ctx context.Context, i int) error {
			err := client.DeleteToken(ctx, doomed[i].ID)
			if api.StatusOf(err) == 404 {
				return nil // gone already: the goal is reached
			}
			return err
		},
		func(i int, err error) {
			r := &results[base+i]
			if err != nil {
				r.Status, r.Error = "failed", cmdutil.Message(err)
				prog.Line("failed   %s  %q: %s", r.ID, output.Sanitize(r.Name), output.Sanitize(r.Error))
			} else {
				r.Status = "deleted"
				prog.Line("deleted  %s  %q  (%s)", r.ID, output.Sanitize(r.Name), r.Reason)
			}
			prog.Step(err != nil)
		})
	prog.Done()
	tally := shared.BulkTally{Verb: "deleted", Noun: "deletions", Started: started, Total: len(doomed)}
	for _, r := range results {
		switch r.Status {
		case "deleted":
			tally.Done++
		case "failed":
			tally.Failed++
		}
	}
	fmt.Fprintln(ios.ErrOut, tally.Summary())
	if err := o.write(results); err != nil {
		return err
	}
	return tally.Err(ctx)
}

func (o *Options) reason(t api.Token) string {
	if o.Expired && t.Expired(o.F.Now()) {
		return "expired " + shared.Timestamp(t.ExpiresAt)
	}
	if t.LastUsedAt == nil {
		return "never used"
	}
	return "last used " + shared.Timestamp(t.LastUsedAt)
}

func (o *Options) write(results []result) error {
	_, err := output.WriteDoc(o.F.IOStreams.Out, o.Format, results)
	return err
}
