// Package list is `replex tokens list`.
package list

import (
	"context"
	"fmt"
	"time"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
)

// compactGrants is how many categories the terminal table shows before "+N".
const compactGrants = 3

// Options of `replex tokens list`.
type Options struct {
	F         *cmdutil.Factory
	Format    string
	NoHeaders bool
	JQ        string

	Name           string
	Grants         []string
	ExpiringWithin time.Duration
	Expired        bool
	UnusedSince    time.Duration

	// Filled from the flags above before anything is sent.
	Query  *gojq.Code
	Filter shared.Filter
}

var formats = []string{output.Wide, output.JSON, output.YAML, output.Name}

// NewCmdList builds the command.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List API tokens",
		Long: `List the organization's API tokens (never their secrets), sorted by name,
following every page of the API.

On a terminal the table shows relative times and a compact summary of the
grants (e.g. "cluster:r billing:rcud +3", letters r, c, u, d for read, create,
update, delete); expired tokens are marked red and tokens expiring within 7 days
yellow, and the table fits the terminal's width: names and grants are cut
with "…" rather than wrapped (-o wide keeps them whole). Piped, it prints stable
tab-separated columns ID, NAME, GRANTS, CREATED, EXPIRES, LAST_USED with every
grant spelled out ("cluster:read,update") and RFC 3339 UTC times ("never" when
there is none), and never any colour.

Output formats (-o):
  wide   every grant, absolute times and an UPDATED column, nothing cut
         (on a terminal the grants are in letters, "cluster:ru billing:r")
  json   the array of token objects as the API returns them ([] when none)
  yaml   the same as YAML
  name   the token ids, one per line: the stable identifiers, so that
         'replex tokens list -o name | replex tokens delete --yes -' works

--jq runs a jq expression over the JSON array (implies -o json; strings print
raw). Filters combine: a token is listed only when it matches all of them.`,
		Example: `  replex tokens list
  replex tokens ls --name 'ci-*' --grant cluster:update
  replex tokens list --expiring-within 14d
  replex tokens list --unused-since 90d -o name
  replex tokens list --expired -o name | replex tokens delete --yes -
  replex tokens list --jq '.[] | select(.lastUsedAt == null) | .name'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.prepare(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Format, formats...)
	fl := cmd.Flags()
	fl.BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header line of the table")
	fl.StringVar(&opts.JQ, "jq", "", "print the result of a jq `expression` over the JSON array of tokens")
	fl.StringVar(&opts.Name, "name", "", "only tokens whose name matches the shell `glob` (*, ?, [a-z]; case-sensitive)")
	shared.AddGrantFlag(cmd, &opts.Grants, "grant",
		"only tokens granted `CAT[:ACT[,ACT]]`: every action given, or any action in CAT when none is (repeatable: all must hold)")
	fl.Var(expiry.NewDurationFlag(&opts.ExpiringWithin, 0, false), "expiring-within", "only tokens not yet expired that expire within `duration` (e.g. 14d)")
	fl.BoolVar(&opts.Expired, "expired", false, "only expired tokens")
	fl.Var(expiry.NewDurationFlag(&opts.UnusedSince, 0, false), "unused-since", "only tokens not used within `duration` (e.g. 90d): never used or last used before then, "+
		"and created before then (a token created an hour ago is not \"unused for 90 days\")")
	return cmd
}

// prepare validates every flag, so that a mistake is a usage error before
// any request.
func (opts *Options) prepare() error {
	if err := cmdutil.CheckOutputFlag(&opts.Format, formats...); err != nil {
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
		opts.Query = code
	}
	filter, err := shared.ParseFilter(opts.Name, opts.Grants, opts.ExpiringWithin, opts.Expired, opts.UnusedSince)
	if err != nil {
		return err
	}
	// list is the inventory, not a bulk action: retired twins are live
	// credentials and are shown like any other token.
	filter.IncludeRetired = true
	opts.Filter = filter
	return nil
}

func run(ctx context.Context, opts *Options) error {
	f := opts.F
	client, _, err := f.Client()
	if err != nil {
		return err
	}
	all, err := client.ListTokens(ctx)
	if err != nil {
		return err
	}
	now := f.Now()
	tokens := opts.Filter.Select(all, now)

	ios := f.IOStreams
	w := ios.Out
	if done, err := output.WriteListDoc(w, opts.Format, opts.Query, tokens, func(t api.Token) string { return t.ID }); done {
		return err
	}

	tty := ios.IsStdoutTTY()
	if tty && len(tokens) == 0 {
		fmt.Fprintln(ios.ErrOut, emptyMessage(len(all)))
		return nil
	}
	wide := opts.Format == output.Wide
	tb := BuildTable(tokens, now, wide, tty)
	if tty {
		if !wide {
			// Cut the name and the grants rather than wrap; -o wide
			// keeps everything.
			tb.Width, tb.Flex = ios.TerminalWidth(), []int{1, 2}
		}
		return tb.WriteStyled(w, ios.ColorEnabled(), opts.NoHeaders)
	}
	return tb.WritePlain(w, ios.ColorEnabled(), opts.NoHeaders)
}

// emptyMessage explains an empty table on a terminal, given how many
// tokens there are before filtering.
func emptyMessage(total int) string {
	if total == 0 {
		return "No tokens yet; create one with: replex tokens create NAME --grant CAT:ACTION"
	}
	return "No tokens match."
}

// BuildTable lays tokens out for a terminal (tty) or a pipe, wide or not.
// The terminal's default form is for reading: relative times, compact
// grants. Everything else is absolute and complete. Rows are marked in
// every form; only colour draws the marks.
func BuildTable(tokens []api.Token, now time.Time, wide, tty bool) output.Table {
	var tb output.Table
	lastUsed := "LAST_USED"
	if tty {
		lastUsed = "LAST USED"
	}
	if wide {
		tb.Headers = []string{"ID", "NAME", "GRANTS", "CREATED", "UPDATED", "EXPIRES", lastUsed}
	} else {
		tb.Headers = []string{"ID", "NAME", "GRANTS", "CREATED", "EXPIRES", lastUsed}
	}
	for _, t := range tokens {
		expires, mark := shared.Expiry(t, now)
		var row []string
		switch {
		case wide && tty:
			// Every grant, but in letters: the canonical form of a
			// full-access token is some 600 characters wide.
			row = []string{t.ID, t.Name, grants.Compact(t.Permissions, 0),
				shared.Timestamp(&t.CreatedAt), shared.Timestamp(&t.UpdatedAt),
				shared.Timestamp(t.ExpiresAt), shared.Timestamp(t.LastUsedAt)}
		case wide:
			row = []string{t.ID, t.Name, shared.GrantList(t.Permissions),
				shared.Timestamp(&t.CreatedAt), shared.Timestamp(&t.UpdatedAt),
				shared.Timestamp(t.ExpiresAt), shared.Timestamp(t.LastUsedAt)}
		case tty:
			row = []string{t.ID, t.Name, grants.Compact(t.Permissions, compactGrants),
				expiry.Relative(t.CreatedAt, now), expires, shared.LastUsed(t, now)}
		default:
			row = []string{t.ID, t.Name, shared.GrantList(t.Permissions),
				shared.Timestamp(&t.CreatedAt), shared.Timestamp(t.ExpiresAt), shared.Timestamp(t.LastUsedAt)}
		}
		tb.Rows = append(tb.Rows, row)
		tb.Marks = append(tb.Marks, mark)
	}
	return tb
}
