// Package apply is `replex tokens apply`.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/delivery"
	"github.com/replexio/replex/pkg/cmd/tokens/diff"
	"github.com/replexio/replex/pkg/cmd/tokens/rotation"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmd/tokens/specplan"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
	"github.com/replexio/replex/pkg/tokenspec"
)

// Options of `replex tokens apply`.
type Options struct {
	F         *cmdutil.Factory
	Spec      specplan.Flags
	Yes       bool
	DryRun    bool
	Grace     time.Duration
	SecretDir string
	// SecretCommand is the destination of entries without secret:, like
	// --secret-dir; Timeout bounds every secret command.
	SecretCommand string
	Timeout       time.Duration
	Parallel      int
	PrintSchema   bool

	spec *tokenspec.Spec
}

// NewCmdApply builds the command.
func NewCmdApply(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "apply -f <file> [--rotate] [--prune] [--secret-dir DIR]",
		Short: "Make the organization's tokens match a spec file",
		Long: `Converge the organization's tokens on a spec file (YAML; -f - reads stdin):

  tokens:
    - name: ci-deploy
      grants: [cluster:read,update, budget:read]   # the same syntax as --grant
      expires: 90d          # a lifetime, a date (2027-01-31), an RFC 3339 time, or never
      rotateBefore: 14d     # optional: --rotate replaces it when less is left
      secret:               # optional: where a new secret goes (else --secret-dir)
        command: gh secret set REPLEX_TOKEN --repo acme/deploy
    - name: reporting
      preset: view
      expires: never

The file is checked first: unknown keys, duplicate names, bad grants and bad
durations fail with FILE:LINE: problem (exit 2), with nothing sent. So does an
entry whose new secret would have nowhere to go: without secret: it needs
--secret-dir DIR, where its secret is written to DIR/<name>.token (0600,
never overwritten, created before the request), or --secret-command CMD.
A secret command (secret: command: or --secret-command) runs as for 'tokens
create --secret-command': through the shell, the secret alone on its standard
input, REPLEX_TOKEN_NAME, REPLEX_TOKEN_ID and REPLEX_TOKEN_EXPIRES_AT in its
environment, never replex's own credential; it must exit 0 within
--secret-command-timeout, or the new token is revoked (a rotation keeps the
old token under its name) and that change fails.

One listing gives the plan ('replex tokens diff' prints it): create what is
missing, change grants and expiry where they differ, with --rotate rotate what
is due (with --grace as in 'tokens rotate'), with --prune delete live tokens
the file does not name (never replex's own token, never retired twins).
A relative lifetime is in sync while the token's own lifetime (expiresAt -
createdAt) is within 1% (at least a minute) of it.

On a terminal apply shows the plan and asks; without one pass --yes. The
changes run --parallel at a time; one line per token goes to stderr, and
if any failed the exit status is 3. A second apply sends no write and says
"In sync". Every new secret follows the delivery rule: a secret that cannot
be delivered takes its new token with it, and a rotation then keeps the old
token. --print-schema writes the JSON Schema of the file, for editors.`,
		Example: `  replex tokens apply -f tokens.yaml --secret-dir ./secrets
  replex tokens apply -f tokens.yaml --rotate --grace 1h --yes
  replex tokens apply -f tokens.yaml --prune --dry-run
  replex tokens apply --print-schema > tokens.schema.json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.PrintSchema {
				_, err := f.IOStreams.Out.Write(tokenspec.Schema)
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	specplan.AddFlags(cmd, &opts.Spec)
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "apply without asking")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show the plan and change nothing (= 'tokens diff')")
	fl.Var(expiry.NewDurationFlag(&opts.Grace, 0, false), "grace", "with --rotate: keep each old token working this long (e.g. 1h)")
	fl.StringVar(&opts.SecretDir, "secret-dir", "", "directory for new secrets of entries without secret:, one DIR/<name>.token each")
	_ = cmd.MarkFlagDirname("secret-dir")
	fl.StringVar(&opts.SecretCommand, "secret-command", "", "run this shell command with each new secret on its standard input, for entries without secret:")
	fl.Var(expiry.NewDurationFlag(&opts.Timeout, delivery.DefaultCommandTimeout, false), "secret-command-timeout", "kill a secret command and revoke its token if it has not exited 0 within this long")
	fl.IntVar(&opts.Parallel, "parallel", shared.DefaultParallel, "changes at a time")
	fl.BoolVar(&opts.PrintSchema, "print-schema", false, "print the JSON Schema of the spec file and exit")
	return cmd
}

func (o *Options) validate() error {
	if err := o.Spec.Check(); err != nil {
		return err
	}
	if err := shared.CheckParallel(o.Parallel); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if o.Grace > 0 && !o.Spec.Rotate {
		return cmdutil.Usagef("--grace is for --rotate: it keeps each rotated token's predecessor working that long")
	}
	if o.SecretDir != "" && o.SecretCommand != "" {
		return cmdutil.Usagef("--secret-dir and --secret-command cannot be used together: choose one destination for entries without secret:")
	}
	if o.SecretCommand != "" && strings.TrimSpace(o.SecretCommand) == "" {
		return cmdutil.Usagef("--secret-command is empty: give the command that stores the secret")
	}
	if o.SecretDir != "" {
		if st, err := os.Stat(o.SecretDir); err != nil || !st.IsDir() {
			return cmdutil.Usagef("--secret-dir %s is not a directory: create it first (mkdir -m 700 %s)", o.SecretDir, o.SecretDir)
		}
	}
	spec, err := specplan.Load(o.F, &o.Spec)
	if err != nil {
		return err
	}
	if !o.DryRun {
		for _, e := range spec.Tokens {
			if e.Command == "" && o.SecretDir == "" && o.SecretCommand == "" {
				return &cmdutil.UsageError{Err: &tokenspec.Error{File: spec.File, Line: e.Line,
					Msg: fmt.Sprintf("token %q: a new secret would have nowhere to go: give it secret: {command: CMD}, or pass --secret-dir DIR or --secret-command CMD", e.Name)}}
			}
		}
	}
	o.spec = spec
	return nil
}

type result struct {
	Action     string `json:"action"`
	Name       string `json:"name"`
	ID         string `json:"id,omitempty"`
	NewID      string `json:"newId,omitempty"`
	SecretFile string `json:"secretFile,omitempty"`
	Status     string `json:"status"` // done, failed, not-started
	Error      string `json:"error,omitempty"`
}

func run(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	client, _, err := f.Client()
	if err != nil {
		return err
	}
	plan, err := specplan.Make(ctx, client, f, o.spec, &o.Spec)
	if err != nil {
		return err
	}
	if o.DryRun {
		return diff.Report(f, o.spec, plan, o.Spec.Format)
	}
	if plan.InSync() {
		if o.Spec.Format != "" {
			if err := specplan.Print(ios, plan, o.Spec.Format); err != nil {
				return err
			}
		} else {
			specplan.PrintHeld(ios, plan)
		}
		fmt.Fprintln(ios.ErrOut, specplan.InSyncLine(o.spec))
		return nil
	}
	changes := plan.Changes

	if o.SecretDir != "" {
		if open, _ := secret.DirTooOpen(o.SecretDir); open {
			fmt.Fprintf(ios.ErrOut, "warning: %s is readable by others; secrets belong in a 0700 directory\n", output.Sanitize(o.SecretDir))
		}
	}
	// Every secret file is created, empty and 0600, before the first change:
	// a directory that takes no file stops the run here, with nothing changed.
	targets := make([]*delivery.Target, len(changes))
	handedOver := make([]bool, len(changes))
	defer func() {
		for i, t := range targets {
			if !handedOver[i] {
				t.Abandon()
			}
		}
	}()
	for i, ch := range changes {
		if ch.Action != tokenspec.Create && ch.Action != tokenspec.Rotate {
			continue
		}
		t, err := o.open(ch)
		if err != nil {
			var usage *cmdutil.UsageError
			if errors.As(err, &usage) {
				return err
			}
			path := filepath.Join(o.SecretDir, secret.TokenFileName(ch.Name))
			if errors.Is(err, fs.ErrExist) {
				return cmdutil.Usagef("%s already exists: move it away or choose another --secret-dir (replex never overwrites a file); nothing was changed", path)
			}
			return cmdutil.Usagef("--secret-dir %s: cannot create %s (%s); nothing was changed", o.SecretDir, path, strings.Join(strings.Fields(err.Error()), " "))
		}
		targets[i] = t
	}

	if o.Spec.Format == "" {
		if err := specplan.Print(ios, plan, ""); err != nil {
			return err
		}
	} else if !o.Yes {
		// stdout is for the JSON results: the plan asked about goes to stderr.
		specplan.PrintHeld(ios, plan)
		if err := specplan.PrintTable(ios, ios.ErrOut, ios.IsStderrTTY(), plan); err != nil {
			return err
		}
	}
	if !o.Yes {
		if err := shared.Confirm(ios, fmt.Sprintf("Apply %s?", specplan.Summary(plan)), "apply "+specplan.Summary(plan), "pass --yes"); err != nil {
			return err
		}
	}

	notice := func(msg string) { fmt.Fprintln(ios.ErrOut, "note: "+output.Sanitize(msg)) }
	results := make([]result, len(changes))
	for i, ch := range changes {
		results[i] = result{Action: ch.Action, Name: ch.Name, ID: ch.ID, Status: "not-started"}
	}
	prog := &shared.Progress{W: ios.ErrOut, Enabled: ios.IsStderrTTY(), Total: len(changes), Label: "applying"}
	work := func(ctx context.Context, i int) error {
		ch := changes[i]
		r := &results[i]
		deliver := func(c api.CreatedToken) error {
			handedOver[i] = true
			err := targets[i].Deliver(ctx, client, "Token created", c, nil)
			if err == nil {
				r.NewID, r.SecretFile = c.ID, targets[i].Path()
			}
			return err
		}
		switch ch.Action {
		case tokenspec.Create:
			// The plan's listing found the name free: a listing per create
			// would cost n creates n listings of the whole organization.
			created, err := client.CreateTokenFreedName(ctx, ch.Input, notice)
			if err != nil {
				if api.StatusOf(err) == 409 {
					return fmt.Errorf("a token named %q appeared since the listing (HTTP 409): run apply again", ch.Name)
				}
				return err
			}
			if err := deliver(created); err != nil {
				return err
			}
			return shared.CheckPermissions(ch.Input.Permissions, created.Permissions)
		case tokenspec.Update:
			got, err := client.UpdateToken(ctx, ch.ID, ch.Input)
			if err != nil {
				return err
			}
			return shared.CheckPermissions(ch.Input.Permissions, got.Permissions)
		case tokenspec.Rotate:
			rot := rotation.Rotation{Grace: o.Grace, SetExpires: true, Expires: ch.Input.ExpiresAt,
				Perms: ch.Input.Permissions, Now: f.Now, Notice: notice}
			_, err := rot.Run(ctx, client, *ch.Token, deliver)
			return err
		case tokenspec.Delete:
			err := client.DeleteToken(ctx, ch.ID)
			if api.StatusOf(err) == 404 {
				err = nil // gone already: the plan's end state
			}
			return err
		}
		return fmt.Errorf("unknown action %q", ch.Action)
	}
	report := func(i int, err error) {
		r := &results[i]
		if err != nil {
			r.Status, r.Error = "failed", err.Error()
			prog.Line("failed   %s %q: %s", r.Action, output.Sanitize(r.Name), output.Sanitize(oneLine(r.Error)))
		} else {
			r.Status = "done"
			line := fmt.Sprintf("%-8s %q", pastTense(r.Action), output.Sanitize(r.Name))
			if r.NewID != "" {
				line += " -> " + r.NewID
			} else if r.ID != "" {
				line += " (" + r.ID + ")"
			}
			switch {
			case r.SecretFile != "":
				line += "  secret: " + output.Sanitize(r.SecretFile)
			case r.NewID != "":
				line += "  secret: delivered to its command"
			}
			prog.Line("%s", line)
		}
		prog.Step(err != nil)
	}
	started := shared.RunBulk(ctx, len(changes), o.Parallel, work, report)
	prog.Done()

	tally := shared.BulkTally{Verb: "applied", Noun: "changes", Started: started, Total: len(changes)}
	for _, r := range results {
		if r.Status == "failed" {
			tally.Failed++
		}
	}
	tally.Done = started - tally.Failed
	fmt.Fprintln(ios.ErrOut, tally.Summary())
	if o.Spec.Format != "" {
		if _, err := output.WriteDoc(ios.Out, o.Spec.Format, results); err != nil {
			return err
		}
	}
	return tally.Err(ctx)
}

// open prepares where a change's new secret goes: the entry's own
// secret.command, else --secret-command, else DIR/<name>.token.
func (o *Options) open(ch tokenspec.Change) (*delivery.Target, error) {
	switch {
	case ch.Entry.Command != "":
		t, err := delivery.OpenCommand(o.F, ch.Entry.Command, o.Timeout)
		if err == nil {
			// The failure line points at the entry whose command failed.
			t.SetCommandLabel(fmt.Sprintf("the secret command of %s:%d", o.spec.File, ch.Entry.Line))
		}
		return t, err
	case o.SecretCommand != "":
		return delivery.OpenCommand(o.F, o.SecretCommand, o.Timeout)
	}
	return delivery.OpenIn(o.F, o.SecretDir, ch.Name)
}

func pastTense(action string) string {
	switch action {
	case tokenspec.Create:
		return "created"
	case tokenspec.Update:
		return "updated"
	case tokenspec.Rotate:
		return "rotated"
	}
	return "deleted"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
