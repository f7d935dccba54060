// Package get is `replex tokens get`.
package get

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
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

// Options of `replex tokens get`.
type Options struct {
	F      *cmdutil.Factory
	Format string
	Token  string // id or name
}

// NewCmdGet builds the command.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use: "get <id|name>",
		// kubectl and gh users reach for these words first.
		SuggestFor: []string{"describe", "show", "view"},
		Short:      "Show one API token with all its grants",
		Long: `Show every field of one token (never its secret), found by id or by name.
An id always works; a name shared by several tokens is an error listing their ids.

On a terminal: the token's fields with relative times, then its grants as a
matrix of the 14 categories by the actions read, create, update, delete.
Piped: stable "key: value" lines (id, name, organizationId, createdAt,
updatedAt, expiresAt, lastUsedAt, permissions), times in RFC 3339 UTC or
"never", permissions as canonical grant specs ("cluster:read,update") separated
by spaces, or "none".

A token that 'tokens rotate --grace' retired, or the retired tokens of the
token shown that still work, are named in a note on stderr.`,
		Example: `  replex tokens get ci
  replex tokens get ak_0123456789abcdef -o json
  replex tokens get ci | grep '^permissions:'`,
		Args:              cmdutil.ExactArgs(1, "a token id or name"),
		ValidArgsFunction: shared.CompleteTokens(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutputFlag(&opts.Format, output.JSON, output.YAML); err != nil {
				return err
			}
			opts.Token = args[0]
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
	f := opts.F
	client, _, err := f.Client()
	if err != nil {
		return err
	}
	finder := &shared.Finder{Client: client}
	tok, err := finder.Find(ctx, opts.Token)
	if err != nil {
		return withTwinHint(ctx, finder, opts.Token, f.Now(), err)
	}
	ios := f.IOStreams
	if ok, err := output.WriteDoc(ios.Out, opts.Format, tok); ok {
		if err == nil {
			err = noteTwins(ctx, finder, tok, f.Now(), ios.ErrOut)
		}
		return err
	}
	if ios.IsStdoutTTY() {
		err = WriteStyled(ios.Out, tok, f.Now(), ios.ColorEnabled())
	} else {
		err = WritePlain(ios.Out, tok)
	}
	if err != nil {
		return err
	}
	return noteTwins(ctx, finder, tok, f.Now(), ios.ErrOut)
}

// noteTwins tells, on stderr, that tok is a retired token, or which retired
// tokens of it still work: a credential that works must not go unnoticed.
func noteTwins(ctx context.Context, finder *shared.Finder, tok api.Token, now time.Time, w io.Writer) error {
	if retired.Is(tok.Name) {
		fmt.Fprintln(w, shared.RetiredSelfNote(tok, now))
		return nil
	}
	all, err := finder.List(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		// The token was shown: not knowing its retired tokens is no failure.
		fmt.Fprintf(w, "warning: could not look for retired tokens of %q: %s\n", output.Sanitize(tok.Name), cmdutil.Message(err))
		return nil
	}
	for _, tw := range retired.Working(retired.Twins(all, tok.Name), now) {
		fmt.Fprintln(w, shared.TwinNote(tw, tok.Name, now))
	}
	return nil
}

// withTwinHint adds to "no such token" the retired tokens of that name that
// still work, which 'tokens get <id>' shows.
func withTwinHint(ctx context.Context, finder *shared.Finder, arg string, now time.Time, err error) error {
	var nf *cmdutil.NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	all, lerr := finder.List(ctx)
	if lerr != nil {
		return err
	}
	w := retired.Working(retired.Twins(all, arg), now)
	if len(w) == 0 {
		return err
	}
	return &cmdutil.NotFoundError{Msg: fmt.Sprintf("%s; but %s: 'replex tokens get <id>' shows it",
		nf.Msg, shared.RetiredStillWork(w))}
}

// WritePlain prints tok as stable "key: value" lines, keys as in the API.
func WritePlain(w io.Writer, tok api.Token) error {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%s: %s\n", k, output.Sanitize(v)) }
	line("id", tok.ID)
	line("name", tok.Name)
	line("organizationId", tok.OrganizationID)
	line("createdAt", shared.Timestamp(&tok.CreatedAt))
	line("updatedAt", shared.Timestamp(&tok.UpdatedAt))
	line("expiresAt", shared.Timestamp(tok.ExpiresAt))
	line("lastUsedAt", shared.Timestamp(tok.LastUsedAt))
	line("permissions", shared.GrantList(tok.Permissions))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteStyled prints tok for a terminal: its fields, then the grant matrix.
func WriteStyled(w io.Writer, tok api.Token, now time.Time, color bool) error {
	st := output.NewStyles(color)
	var b strings.Builder
	field := func(k, v string) { fmt.Fprintf(&b, "%s %s\n", st.Bold(fmt.Sprintf("%-13s", k+":")), v) }
	when := func(t time.Time) string {
		return shared.Timestamp(&t) + " " + st.Dim("("+expiry.Relative(t, now)+")")
	}

	field("ID", output.Sanitize(tok.ID))
	field("Name", output.Sanitize(tok.Name))
	field("Organization", output.Sanitize(tok.OrganizationID))
	field("Created", when(tok.CreatedAt))
	field("Updated", when(tok.UpdatedAt))
	expires := "never"
	if tok.ExpiresAt != nil {
		_, mark := shared.Expiry(tok, now)
		rel := expiry.Relative(*tok.ExpiresAt, now)
		switch mark {
		case output.MarkDanger:
			expires = st.Danger(shared.Timestamp(tok.ExpiresAt) + " (expired " + rel + ")")
		case output.MarkWarn:
			expires = st.Warn(shared.Timestamp(tok.ExpiresAt) + " (" + rel + ", soon)")
		default:
			expires = shared.Timestamp(tok.ExpiresAt) + " " + st.Dim("("+rel+")")
		}
	}
	field("Expires", expires)
	lastUsed := "never"
	if tok.LastUsedAt != nil {
		lastUsed = when(*tok.LastUsedAt)
	}
	field("Last used", lastUsed)
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}

	if err := GrantMatrix(tok.Permissions).WriteStyled(w, color); err != nil {
		return err
	}
	// A grant this client cannot place in the matrix (a newer server's
	// category or action) is still shown, never hidden.
	if other := unknownGrants(tok.Permissions); len(other) > 0 {
		fmt.Fprintf(w, "\n%s %s\n", st.Bold("Also granted (unknown to this replex):"), output.Sanitize(strings.Join(other, " ")))
	}
	return nil
}

// GrantMatrix lays out perms as the 14 categories, by display name in
// catalog order, against the four actions.
func GrantMatrix(perms grants.Set) output.Matrix {
	m := output.Matrix{Corner: "GRANTS", Columns: grants.Actions()}
	for _, c := range grants.Categories() {
		m.Rows = append(m.Rows, c.Display)
		row := make([]bool, len(m.Columns))
		for i, a := range m.Columns {
			row[i] = perms.Has(c.Key, a)
		}
		m.Cells = append(m.Cells, row)
	}
	return m
}

// unknownGrants returns the canonical specs of what perms grants beyond the
// known categories and actions.
func unknownGrants(perms grants.Set) []string {
	extra := grants.Set{}
	for k, acts := range perms {
		_, known := grants.ByKey(k)
		for _, a := range acts {
			if !known || !slices.Contains(grants.Actions(), a) {
				extra[k] = append(extra[k], a)
			}
		}
	}
	return grants.Format(extra)
}
