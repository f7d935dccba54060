// Package create is `replex tokens create`.
package create

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/delivery"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex tokens create`.
type Options struct {
	F       *cmdutil.Factory
	Name    string
	Grants  []string
	Preset  string
	Expires string
	DryRun  bool
	Secret  delivery.Flags

	// Set by validation.
	input     api.TokenInput
	nameGiven bool // the name was an argument (maybe an empty one)
}

// NewCmdCreate builds the command.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "create <name> (--grant CAT:ACTIONS... | --preset full|view)",
		Short: "Create an API token with granular permissions",
		Long: `Create an API token and hand over its secret, which the API shows only once.

Permissions: --grant CAT:ACTIONS, repeatable, e.g. cluster:read,
cluster:read,update, cluster:* , '*:read', cluster:write (= create,update,delete);
and/or --preset full (everything, like the Admin role) or view (read on all, like
the User role). See 'replex grants' for the categories. A grant the server does
not record exactly as asked is an error (exit 1), never silently dropped.

Expiry: --expires 90d, 12h, 1y, 2027-01-31 (valid through that UTC day), an RFC
3339 time, or never (the default). 3m is three minutes, not months.

The secret:
  - on a terminal: a panel with the secret masked, and the secret copied to the
    clipboard once (cleared after --clear-after if still there); --no-copy skips
    the copy and shows it, --show-secret shows it too;
  - piped: the secret alone on stdout, the rest on stderr, no clipboard unless
    --copy: TOKEN=$(replex tokens create ci --grant cluster:read);
  - -o json|yaml: the token object with its "token";
  - --secret-file PATH: a new 0600 file (never overwritten, created before the
    token), nothing secret on stdout.
  - --secret-command CMD: CMD runs through sh -c (cmd /C on Windows) with the
    secret alone on its standard input (no newline) and REPLEX_TOKEN_NAME,
    REPLEX_TOKEN_ID, REPLEX_TOKEN_EXPIRES_AT in its environment, without
    REPLEX_API_TOKEN; its output goes to stderr. It must exit 0 within
    --secret-command-timeout (default 60s) or the token is deleted again
    (exit 1). Not with --secret-file, --copy, --show-secret or --clear-after;
    with -o json|yaml the token is printed without its secret. E.g.
    --secret-command 'vault kv put secret/replex token=-'.
If the clipboard fails, the secret is printed with a warning. If the secret
cannot be written where it was asked for (a full disk, a closed stdout, a
reader that went away), the new token is deleted again and the command fails
(exit 1) naming it: no token is left whose secret nobody holds.

Interactive: on a terminal (stdin, stdout and stderr), without --grant and
--preset, a form asks for the name (when not given), the actions of each of
the 14 categories as toggles (ctrl+e skips the rest once one is toggled),
the expiry (unless --expires is given) and a confirmation showing what will
be created. Without a terminal, or with --no-input or REPLEX_NO_INPUT=1,
the name and --grant or --preset are required and their absence is an error
naming them. TERM=dumb asks line by line instead of drawing the form: the
name, the grants as for --grant (or a preset), the expiry, then the summary
and "Create it? [y/N]". Ctrl-C or the end of input (Ctrl-D) at any question
creates nothing and exits 130.`,
		Example: `  replex tokens create ci --grant cluster:read
  replex tokens create deploy --grant cluster:read,update --grant budget:read --expires 90d
  TOKEN=$(replex tokens create reporter --preset view --expires 30d)
  replex tokens create backup --grant '*:read' --secret-file ./backup.token
  replex tokens create ci --grant cluster:read -o json | jq -r .token
  replex tokens create ci --grant '*:read' --secret-command 'gh secret set REPLEX_TOKEN --repo acme/deploy'
  replex tokens create ci --grant cluster:read --dry-run
  replex tokens create            # on a terminal: a form asks for everything`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cmdutil.ExactArgs(1, "the token name")(cmd, args)
			}
			return nil // no name: the form asks for it, or validate says it is missing
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name, opts.nameGiven = args[0], true
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	shared.AddGrantFlag(cmd, &opts.Grants, "grant", "permission CAT:ACTIONS to grant (repeatable), e.g. cluster:read")
	cmd.Flags().StringVar(&opts.Preset, "preset", "", "start from a preset: full or view")
	_ = cmd.RegisterFlagCompletionFunc("preset", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return grants.PresetNames(), cobra.ShellCompDirectiveNoFileComp
	})
	cmd.Flags().StringVar(&opts.Expires, "expires", "never", "lifetime: 90d, 12h, 1y, 2027-01-31, an RFC 3339 time, or never")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show what would be created, send nothing")
	delivery.AddFlags(cmd, &opts.Secret)
	return cmd
}

// validate checks every input before anything is sent. On a terminal
// without --grant or --preset it first asks for them in a form (form.go).
func (o *Options) validate(cmd *cobra.Command) error {
	var perms grants.Set
	if o.nameGiven {
		if err := shared.ValidateName(o.Name); err != nil {
			return err
		}
	}
	if canUseForm(o) {
		// A flag mistake is reported before the user fills in a form.
		if err := o.Secret.Check(cmd); err != nil {
			return err
		}
		if _, err := shared.ParseExpires(o.Expires, o.F.Now()); err != nil {
			return err
		}
		var err error
		if perms, err = o.runForm(cmd.Context(), !cmd.Flags().Changed("expires")); err != nil {
			return err
		}
	}
	if o.Name == "" && !o.nameGiven {
		return cmdutil.Usagef("missing the token name: see '%s --help'", cmd.CommandPath())
	}
	if err := shared.ValidateName(o.Name); err != nil {
		return err
	}
	if perms == nil {
		var err error
		if perms, err = shared.Permissions(o.Grants, o.Preset); err != nil {
			return err
		}
	}
	if len(perms) == 0 {
		if o.F.IOStreams.NoInput() {
			return cmdutil.Usagef("no permissions given and prompting is off (--no-input or REPLEX_NO_INPUT): pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'")
		}
		return cmdutil.Usagef("no permissions given: pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'")
	}
	exp, err := shared.ParseExpires(o.Expires, o.F.Now())
	if err != nil {
		return err
	}
	if err := o.Secret.Check(cmd); err != nil {
		return err
	}
	o.input = api.TokenInput{Name: o.Name, Permissions: perms, ExpiresAt: exp}
	return nil
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	if o.DryRun {
		return dryRun(o)
	}
	// The destination is ready before the token exists: a secret file that
	// cannot be created stops here, with nothing sent.
	target, err := delivery.Open(f, &o.Secret)
	if err != nil {
		return err
	}
	client, _, err := f.Client()
	if err != nil {
		target.Abandon()
		return err
	}
	// A create whose answer is lost is cleaned up and tried again, so that
	// no token whose secret nobody holds is left behind (pkg/api/reconcile.go).
	created, err := client.CreateTokenReconciled(ctx, o.input, func(msg string) {
		fmt.Fprintln(ios.ErrOut, "note: "+output.Sanitize(msg))
	})
	if err != nil {
		target.Abandon()
		if api.StatusOf(err) == 409 {
			// The server's own words would say "already exists" a second time.
			return fmt.Errorf("a token named %q exists already (HTTP 409): pick another name, or delete the existing one first ('replex tokens delete %s')", o.Name, o.Name)
		}
		return err
	}
	// Deliver first: whatever else is wrong, the secret must not be lost;
	// a secret that cannot be delivered takes its token with it.
	if err := target.Deliver(ctx, client, "Token created", created, nil); err != nil {
		if ctx.Err() != nil {
			// Ctrl-C stopped a --secret-command: the line says the token
			// was revoked, the status says interrupted.
			return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: err}
		}
		return err
	}
	if o.input.ExpiresAt == nil && ios.IsStderrTTY() {
		fmt.Fprintln(ios.ErrOut, "warning: this token never expires; consider --expires 90d")
	}
	if err := shared.CheckPermissions(o.input.Permissions, created.Permissions); err != nil {
		return fmt.Errorf("%w; token %s was created: fix it with 'replex tokens edit %s --set-grants ...' or delete it", err, created.ID, created.ID)
	}
	return nil
}

func dryRun(o *Options) error {
	ios := o.F.IOStreams
	switch o.Secret.Format {
	case output.JSON:
		return output.WriteJSON(ios.Out, o.input)
	case output.YAML:
		return output.WriteYAML(ios.Out, o.input)
	}
	exp := "never"
	if o.input.ExpiresAt != nil {
		exp = shared.Timestamp(o.input.ExpiresAt)
	}
	fmt.Fprintf(ios.Out, "Would create token %q\n  grants:  %s\n  expires: %s\n", o.Name,
		strings.Join(grants.Format(o.input.Permissions), " "), exp)
	fmt.Fprintln(ios.ErrOut, "Dry run: nothing was sent.")
	return nil
}
