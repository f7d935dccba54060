// Package edit is `replex tokens edit`.
package edit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex tokens edit`.
type Options struct {
	F           *cmdutil.Factory
	Token       string
	NewName     string
	AddGrants   []string
	RemoveGrant []string
	SetGrants   []string
	Expires     string
	DryRun      bool
	Format      string

	setName, setGrants, setExpires bool
	add, remove, set               grants.Set
}

// NewCmdEdit builds the command.
func NewCmdEdit(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "edit <id|name>",
		Short: "Rename a token, change its grants or its expiry",
		Long: `Change a token's name, permissions or expiry. The secret stays the same.

--add-grant and --remove-grant change the current permissions; --set-grants
replaces them all. The grant diff is shown, and the result the server records is
checked against what was asked (exit 1 if it differs).`,
		Example: `  replex tokens edit ci --add-grant budget:read
  replex tokens edit ci --remove-grant 'cluster:delete'
  replex tokens edit ci --set-grants cluster:read --set-grants billing:read
  replex tokens edit ci --name ci-readonly --expires 30d
  replex tokens edit ci --add-grant '*:read' --dry-run`,
		Args:              cmdutil.ExactArgs(1, "the token id or name"),
		ValidArgsFunction: shared.CompleteTokens(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Token = args[0]
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.NewName, "name", "", "new name")
	shared.AddGrantFlag(cmd, &opts.AddGrants, "add-grant", "permission to add (repeatable)")
	shared.AddGrantFlag(cmd, &opts.RemoveGrant, "remove-grant", "permission to remove (repeatable)")
	shared.AddGrantFlag(cmd, &opts.SetGrants, "set-grants", "replace all permissions (repeatable)")
	cmd.Flags().StringVar(&opts.Expires, "expires", "", "new lifetime: 90d, 12h, 1y, 2027-01-31, an RFC 3339 time, or never")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the change, send nothing")
	cmdutil.AddOutputFlag(cmd, &opts.Format, output.JSON, output.YAML)
	return cmd
}

func (o *Options) validate(cmd *cobra.Command) error {
	fl := cmd.Flags()
	o.setName, o.setGrants, o.setExpires = fl.Changed("name"), fl.Changed("set-grants"), fl.Changed("expires")
	if !o.setName && !o.setGrants && !o.setExpires && len(o.AddGrants) == 0 && len(o.RemoveGrant) == 0 {
		return cmdutil.Usagef("nothing to change: pass --name, --add-grant, --remove-grant, --set-grants or --expires")
	}
	if o.setGrants && (len(o.AddGrants) > 0 || len(o.RemoveGrant) > 0) {
		return cmdutil.Usagef("--set-grants replaces all permissions: use it without --add-grant and --remove-grant")
	}
	if o.setName {
		if err := shared.ValidateName(o.NewName); err != nil {
			return err
		}
	}
	var err error
	if o.add, err = grants.ParseAll(o.AddGrants); err != nil {
		return err
	}
	if o.remove, err = grants.ParseAll(o.RemoveGrant); err != nil {
		return err
	}
	if o.set, err = grants.ParseAll(o.SetGrants); err != nil {
		return err
	}
	if o.setGrants && len(o.set) == 0 {
		return cmdutil.Usagef("--set-grants needs at least one grant; to revoke all access delete the token")
	}
	if o.setExpires {
		if _, err := shared.ParseExpires(o.Expires, o.F.Now()); err != nil {
			return err
		}
	}
	return cmdutil.CheckOutputFlag(&o.Format, output.JSON, output.YAML)
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	client, _, err := f.Client()
	if err != nil {
		return err
	}
	finder := &shared.Finder{Client: client}
	tok, err := finder.Find(ctx, o.Token)
	if err != nil {
		return err
	}

	in := api.TokenInput{Name: tok.Name, Permissions: tok.Permissions.Normalize(), ExpiresAt: tok.ExpiresAt}
	if o.setName {
		in.Name = o.NewName
	}
	switch {
	case o.setGrants:
		in.Permissions = o.set
	default:
		in.Permissions = grants.Subtract(grants.Union(in.Permissions, o.add), o.remove)
	}
	if len(in.Permissions) == 0 {
		return cmdutil.Usagef("the edit would leave token %q with no permissions; to revoke all access delete it", output.Sanitize(tok.Name))
	}
	if o.setExpires {
		// Parsed again against the current time: validation ran before the lookups.
		if in.ExpiresAt, err = shared.ParseExpires(o.Expires, f.Now()); err != nil {
			return err
		}
	}

	added, removed := grants.Diff(tok.Permissions, in.Permissions)
	printDiff(o, tok, in, added, removed)
	if o.DryRun {
		fmt.Fprintln(ios.ErrOut, "Dry run: nothing was sent.")
		return nil
	}
	if in.Name == tok.Name && grants.Equal(in.Permissions, tok.Permissions) && sameTime(in.ExpiresAt, tok.ExpiresAt) {
		fmt.Fprintf(ios.ErrOut, "Token %q already is as asked; nothing was sent.\n", output.Sanitize(tok.Name))
		return writeDoc(o, tok)
	}
	updated, err := client.UpdateToken(ctx, tok.ID, in)
	if err != nil {
		if api.StatusOf(err) == 409 {
			return fmt.Errorf("another token is named %q already (HTTP 409): pick another name", in.Name)
		}
		return err
	}
	if err := writeDoc(o, updated); err != nil {
		return err
	}
	if err := shared.CheckPermissions(in.Permissions, updated.Permissions); err != nil {
		return fmt.Errorf("%w; token %s was updated", err, updated.ID)
	}
	fmt.Fprintf(ios.ErrOut, "Updated token %q (%s).\n", output.Sanitize(updated.Name), updated.ID)
	return nil
}

func writeDoc(o *Options, t api.Token) error {
	_, err := output.WriteDoc(o.F.IOStreams.Out, o.Format, t)
	return err
}

// printDiff shows the change: on stdout as the command's result, or on
// stderr when stdout carries JSON or YAML.
func printDiff(o *Options, before api.Token, after api.TokenInput, added, removed grants.Set) {
	ios := o.F.IOStreams
	w := ios.Out
	if o.Format != "" {
		w = ios.ErrOut
	}
	st := output.NewStyles(ios.ColorEnabled())
	var b strings.Builder
	fmt.Fprintf(&b, "Token %q (%s):\n", output.Sanitize(before.Name), before.ID)
	if after.Name != before.Name {
		fmt.Fprintf(&b, "  name:    %s -> %s\n", output.Sanitize(before.Name), output.Sanitize(after.Name))
	}
	for _, g := range grants.Format(added) {
		b.WriteString(st.Good("  + "+g) + "\n")
	}
	for _, g := range grants.Format(removed) {
		b.WriteString(st.Danger("  - "+g) + "\n")
	}
	if !sameTime(after.ExpiresAt, before.ExpiresAt) {
		fmt.Fprintf(&b, "  expires: %s -> %s\n", shared.Timestamp(before.ExpiresAt), shared.Timestamp(after.ExpiresAt))
	}
	if len(added) == 0 && len(removed) == 0 && after.Name == before.Name && sameTime(after.ExpiresAt, before.ExpiresAt) {
		b.WriteString("  no change\n")
	}
	fmt.Fprint(w, b.String())
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
