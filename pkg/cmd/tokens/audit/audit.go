// Package audit is `replex tokens audit`.
package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/retired"
)

// Options of `replex tokens audit`.
type Options struct {
	F              *cmdutil.Factory
	ExpiringWithin time.Duration
	UnusedSince    time.Duration
	Broad          bool
	IncludeRetired bool
	Format         string
	NoHeaders      bool

	expiring, unused time.Duration
}

// Finding kinds.
const (
	KindExpired  = "expired"
	KindExpiring = "expiring"
	KindUnused   = "unused"
	KindBroad    = "broad"
	KindRetired  = "retired" // retired by a rotation, yet never expires
)

// Finding is one thing the audit found about a token.
type Finding struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	// At is when the token expired, expires or was last used; absent for
	// a token never used and for broad grants.
	At *time.Time `json:"at,omitempty"`
}

// Report is one token with findings.
type Report struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Findings []Finding `json:"findings"`
}

// NewCmdAudit builds the command.
func NewCmdAudit(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "audit [--expiring-within 14d] [--unused-since 90d] [--broad]",
		Short: "Find tokens that need attention; exit 3 when there are any",
		Long: `Check every token for:
  - expired, or expiring within --expiring-within (default 14d);
  - unused: never used or last used before now minus --unused-since (default
    90d), and created before then;
  - with --broad, broad grants: every action in every category (like the full
    preset), or any write action on api-key (a token that can mint or change
    tokens).

The old tokens that 'tokens rotate --grace' keeps working for their grace
period are left out (a note on stderr counts those with findings);
--include-retired audits them too. A retired token that never expires (its
rotation could not retire it) is always reported.

Exit status 3 when anything is found, 0 when nothing is, so it fits CI:
  replex tokens audit --broad || notify-the-team
On a terminal the findings give relative times ("expires in 3 days"); piped
and with -o json|yaml they give RFC 3339 UTC times, and -o json|yaml also
the time alone in "at". -o json gives the findings for machines.`,
		Example: `  replex tokens audit
  replex tokens audit --expiring-within 30d --unused-since 60d --broad
  replex tokens audit -o json | jq '.[] | select(.findings[].kind == "broad")'`,
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
	fl.Var(expiry.NewDurationFlag(&opts.ExpiringWithin, 14*expiry.Day, false), "expiring-within", "report tokens expiring within this duration")
	fl.Var(expiry.NewDurationFlag(&opts.UnusedSince, 90*expiry.Day, false), "unused-since", "report tokens not used for this long")
	fl.BoolVar(&opts.Broad, "broad", false, "also report tokens with broad grants")
	fl.BoolVar(&opts.IncludeRetired, "include-retired", false, "also audit the old tokens that 'tokens rotate --grace' keeps working")
	fl.BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header line of the table")
	cmdutil.AddOutputFlag(cmd, &opts.Format, output.JSON, output.YAML)
	return cmd
}

func (o *Options) validate() error {
	o.expiring, o.unused = o.ExpiringWithin, o.UnusedSince
	return cmdutil.CheckOutputFlag(&o.Format, output.JSON, output.YAML)
}

// Audit returns the findings about t at now. Their details give times
// relative to now ("expires in 3 days") when relative, for a person at a
// terminal, and as RFC 3339 UTC otherwise, for pipes and machines.
func (o *Options) Audit(t api.Token, now time.Time, relative bool) []Finding {
	when := func(at time.Time) string {
		if relative {
			return expiry.Relative(at, now)
		}
		return shared.Timestamp(&at)
	}
	var out []Finding
	switch {
	case t.Expired(now):
		out = append(out, Finding{Kind: KindExpired, Detail: "expired " + when(*t.ExpiresAt), At: t.ExpiresAt})
	case t.ExpiresAt != nil && !t.ExpiresAt.After(now.Add(o.expiring)):
		out = append(out, Finding{Kind: KindExpiring, Detail: "expires " + when(*t.ExpiresAt), At: t.ExpiresAt})
	}
	if (shared.Filter{UnusedSince: o.unused, IncludeRetired: true}).Match(t, now) {
		f := Finding{Kind: KindUnused, Detail: "never used"}
		if t.LastUsedAt != nil {
			f.Detail, f.At = "last used "+when(*t.LastUsedAt), t.LastUsedAt
		}
		out = append(out, f)
	}
	if t.ExpiresAt == nil && retired.Is(t.Name) {
		// Its rotation did not finish retiring it (see RetireError): a
		// credential nobody means to keep, that no bulk command touches.
		out = append(out, Finding{Kind: KindRetired, Detail: "retired by a rotation but never expires: delete it"})
	}
	if o.Broad {
		switch {
		case grants.Covers(t.Permissions, grants.All()):
			out = append(out, Finding{Kind: KindBroad, Detail: "every action in every category"})
		case t.Permissions.Has("apiKey", grants.Create) || t.Permissions.Has("apiKey", grants.Update) || t.Permissions.Has("apiKey", grants.Delete):
			out = append(out, Finding{Kind: KindBroad, Detail: "can create or change API tokens (api-key write)"})
		}
	}
	return out
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
	now := f.Now()
	reports := []Report{}
	// Relative times only in the terminal's table.
	relative := ios.IsStdoutTTY() && o.Format == output.Default
	audited, leftOut := 0, 0
	for _, t := range (shared.Filter{IncludeRetired: true}).Select(all, now) {
		fs := o.Audit(t, now, relative)
		// A retired twin in its grace period always expires soon:
		// reporting it would drown what needs attention.
		if !o.IncludeRetired && retired.Is(t.Name) && t.ExpiresAt != nil {
			if len(fs) > 0 {
				leftOut++
			}
			continue
		}
		audited++
		if len(fs) > 0 {
			reports = append(reports, Report{ID: t.ID, Name: t.Name, Findings: fs})
		}
	}
	if leftOut > 0 {
		fmt.Fprintln(ios.ErrOut, shared.RetiredNote(leftOut, true))
	}
	written, err := output.WriteDoc(ios.Out, o.Format, reports)
	if !written {
		err = o.writeTable(reports)
	}
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		fmt.Fprintf(ios.ErrOut, "No findings in %d tokens.\n", audited)
		return nil
	}
	fmt.Fprintf(ios.ErrOut, "%d of %d tokens need attention.\n", len(reports), audited)
	return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: fmt.Errorf("%d tokens need attention", len(reports)), Silent: true}
}

func (o *Options) writeTable(reports []Report) error {
	ios := o.F.IOStreams
	tb := output.Table{Headers: []string{"ID", "NAME", "FINDINGS"}}
	for _, r := range reports {
		var parts []string
		mark := output.MarkWarn
		for _, fd := range r.Findings {
			parts = append(parts, fd.Detail)
			if fd.Kind == KindExpired || fd.Kind == KindBroad || fd.Kind == KindRetired {
				mark = output.MarkDanger
			}
		}
		tb.Rows = append(tb.Rows, []string{r.ID, r.Name, strings.Join(parts, "; ")})
		tb.Marks = append(tb.Marks, mark)
	}
	if len(reports) == 0 {
		return nil
	}
	if ios.IsStdoutTTY() {
		tb.Width, tb.Flex = ios.TerminalWidth(), []int{1, 2}
		return tb.WriteStyled(ios.Out, ios.ColorEnabled(), o.NoHeaders)
	}
	return tb.WritePlain(ios.Out, ios.ColorEnabled(), o.NoHeaders)
}
