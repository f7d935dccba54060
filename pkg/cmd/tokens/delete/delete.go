// Package delete is `replex tokens delete`.
package delete

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/retired"
)

// Options of `replex tokens delete`.
type Options struct {
	F        *cmdutil.Factory
	Args     []string
	Yes      bool
	OwnToken bool
	Retired  bool // --with-retired
}

// NewCmdDelete builds the command.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "delete <id|name>... [--yes]",
		Aliases: []string{"rm", "revoke"},
		Short:   "Delete (revoke) tokens",
		Long: `Delete tokens by id or name. A deleted token stops working at once.

On a terminal replex asks first (default no); without one it refuses unless
--yes is given. "-" reads ids or names from standard input, one a line, so
'replex tokens list -o name | replex tokens delete --yes -' works; when
standard input is empty there is nothing to delete and the exit status is 0.

With several tokens each result is reported and the exit status is 3 if some
failed. Deleting the token replex itself is using needs a second, explicit
confirmation: typing its name on a terminal, or --delete-own-token.

After 'tokens rotate --grace' the old token lives on under a retired name,
"NAME (rotated <time> <tag>)", until its grace period ends. Deleting NAME
names every retired token of it that still works; --with-retired deletes
them too (and, when NAME itself is gone, its retired tokens alone).`,
		Example: `  replex tokens delete ci
  replex tokens delete ak_0123456789abcdef --yes
  replex tokens delete ci --with-retired --yes
  replex tokens list --expired -o name | replex tokens delete --yes -`,
		Args:              cmdutil.MinArgs(1, "the token ids or names (or - to read them from stdin)"),
		ValidArgsFunction: shared.CompleteTokens(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	cmd.Flags().BoolVar(&opts.OwnToken, "delete-own-token", false, "also delete the token replex is authenticated with")
	cmd.Flags().BoolVar(&opts.Retired, "with-retired", false, "also delete the old tokens that 'tokens rotate --grace' left of each named token")
	return cmd
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	targets, fromStdin, err := expandArgs(o.Args, ios.In)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		// Only "-" can yield nothing: an empty list from a filter is nothing
		// to do, not a mistake, so 'list ... | delete --yes -' passes set -e.
		fmt.Fprintln(ios.ErrOut, "No token ids or names on standard input: nothing to delete.")
		return nil
	}
	canAsk := ios.CanPrompt() && !fromStdin
	if !o.Yes && !canAsk {
		reason := "no terminal to ask on"
		if fromStdin {
			reason = "standard input carries the ids"
		} else if ios.NoInput() {
			reason = "prompting is off"
		}
		return cmdutil.Usagef("refusing to delete without confirmation (%s): pass --yes", reason)
	}

	client, _, err := f.Client()
	if err != nil {
		return err
	}
	finder := &shared.Finder{Client: client}
	items := make([]item, 0, len(targets))
	var found []api.Token
	for _, a := range targets {
		t, err := finder.Find(ctx, a)
		if err != nil && errors.Is(err, context.Canceled) {
			return err
		}
		items = append(items, item{arg: a, tok: t, err: err})
		if err == nil {
			found = append(found, t)
		}
	}

	// The retired twins of the tokens named keep working after them: with
	// --with-retired they are deleted too, otherwise named afterwards.
	all, err := finder.List(ctx)
	if err != nil {
		return err
	}
	index := retired.NewIndex(all)
	twins := make([][]api.Token, len(items))
	for i, it := range items {
		name := it.arg
		if it.err == nil {
			name = it.tok.Name
		}
		twins[i] = index.Twins(name)
	}
	if o.Retired {
		items, found = withTwins(items, found, twins)
	} else {
		for i := range items {
			var nf *cmdutil.NotFoundError
			if w := retired.Working(twins[i], f.Now()); len(w) > 0 && errors.As(items[i].err, &nf) {
				items[i].err = &cmdutil.NotFoundError{Msg: fmt.Sprintf("%s; but %s: pass --with-retired to delete retired tokens",
					nf.Msg, shared.RetiredStillWork(w))}
			}
		}
	}

	if !o.Yes && len(found) > 0 {
		names := make([]string, len(found))
		for i, t := range found {
			names[i] = fmt.Sprintf("%q (%s)", output.Sanitize(t.Name), t.ID)
		}
		ok, err := confirm(ios.In, ios.ErrOut, fmt.Sprintf("Delete %s? This cannot be undone. [y/N] ", strings.Join(names, ", ")))
		if err != nil {
			return err
		}
		if !ok {
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: errors.New("nothing deleted: not confirmed")}
		}
	}

	self, err := shared.SelfIDs(ctx, client, found)
	if err != nil {
		return err
	}

	deleted, failed := 0, 0
	var lastErr error
	for i, it := range items {
		if it.err == nil && self[it.tok.ID] && !o.OwnToken {
			it.err = confirmOwn(o, it.tok, canAsk)
		}
		if it.err == nil {
			it.err = client.DeleteToken(ctx, it.tok.ID)
			if errors.Is(it.err, context.Canceled) {
				return it.err
			}
		}
		if it.err != nil {
			failed++
			lastErr = it.err
			if len(items) > 1 {
				fmt.Fprintf(ios.ErrOut, "failed   %s: %s\n", output.Sanitize(it.arg), cmdutil.Message(it.err))
			}
			continue
		}
		deleted++
		fmt.Fprintf(ios.ErrOut, "deleted  %s %q\n", it.tok.ID, output.Sanitize(it.tok.Name))
		if !o.Retired && i < len(twins) {
			for _, tw := range retired.Working(twins[i], f.Now()) {
				fmt.Fprintln(ios.ErrOut, shared.TwinNote(tw, it.tok.Name, f.Now())+" (or use --with-retired)")
			}
		}
		if self[it.tok.ID] {
			fmt.Fprintln(ios.ErrOut, "note: that was the token replex was using; log in with another one ('replex auth login')")
		}
	}
	if len(items) == 1 {
		return lastErr
	}
	fmt.Fprintf(ios.ErrOut, "%d deleted, %d failed\n", deleted, failed)
	if failed > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: fmt.Errorf("%d of %d deletions failed", failed, len(items)), Silent: true}
	}
	return nil
}

// item is one token to delete: the argument that named it, and the token
// or why it could not be found.
type item struct {
	arg string
	tok api.Token
	err error
}

// withTwins adds the twins of each item after the items, each token once.
// An item whose name is gone but whose twins live is replaced by them: that
// is what 'delete NAME --with-retired' asks for after 'delete NAME'.
func withTwins(items []item, found []api.Token, twins [][]api.Token) ([]item, []api.Token) {
	var nf *cmdutil.NotFoundError
	out := make([]item, 0, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		if errors.As(it.err, &nf) && len(twins[i]) > 0 {
			continue
		}
		out = append(out, it)
		if it.err == nil {
			seen[it.tok.ID] = true
		}
	}
	for i := range items {
		for _, tw := range twins[i] {
			if !seen[tw.ID] {
				seen[tw.ID] = true
				out = append(out, item{arg: tw.ID, tok: tw})
				found = append(found, tw)
			}
		}
	}
	return out, found
}

// confirmOwn asks for the extra confirmation deleting replex's own token needs.
func confirmOwn(o *Options, t api.Token, canAsk bool) error {
	ios := o.F.IOStreams
	if !canAsk {
		return cmdutil.Usagef("token %q (%s) is the one replex is authenticated with: pass --delete-own-token to delete it too", output.Sanitize(t.Name), t.ID)
	}
	fmt.Fprintf(ios.ErrOut, "Token %q is the one replex is using now: after deleting it replex cannot authenticate.\nType its name to delete it anyway: ", output.Sanitize(t.Name))
	line, err := shared.ReadLine(ios.In)
	if err != nil {
		return err
	}
	if line != t.Name {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("token %s not deleted: the name was not typed", t.ID)}
	}
	return nil
}

func confirm(in io.Reader, out io.Writer, prompt string) (bool, error) {
	fmt.Fprint(out, prompt)
	line, err := shared.ReadLine(in)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(line) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// expandArgs replaces "-" with the ids or names read from stdin.
func expandArgs(args []string, in io.Reader) ([]string, bool, error) {
	var out []string
	fromStdin := false
	for _, a := range args {
		if a != "-" {
			out = append(out, a)
			continue
		}
		if fromStdin {
			return nil, false, cmdutil.Usagef("\"-\" given twice: standard input can be read once")
		}
		fromStdin = true
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			out = append(out, line)
		}
		if err := sc.Err(); err != nil {
			return nil, false, fmt.Errorf("reading ids from standard input: %w", err)
		}
	}
	return out, fromStdin, nil
}
