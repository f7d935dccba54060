// Package rotate is `replex tokens rotate`.
package rotate

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
	"github.com/replexio/replex/pkg/cmd/tokens/rotation"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/retired"
	"github.com/replexio/replex/pkg/secret"
)

// Options of `replex tokens rotate`.
type Options struct {
	F       *cmdutil.Factory
	Token   string
	Grace   time.Duration
	Expires string
	DryRun  bool
	Yes     bool
	Secret  delivery.Flags

	// Bulk selection.
	ExpiringWithin time.Duration
	OlderThan      time.Duration
	Name           string
	SecretDir      string
	Parallel       int

	bulk     bool
	filter   shared.Filter
	rotation rotation.Rotation
}

// NewCmdRotate builds the command.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "rotate [<id|name>] [--grace D] [--expires D|never]",
		Short: "Replace tokens by new ones with the same name, grants and lifetime",
		Long: `Rotate a token: create its replacement (same name, same grants, same lifetime
unless --expires), deliver the new secret exactly as 'tokens create' does, and
only then retire the old token: at once, or with --grace D by letting it expire
D from now so both work during the overlap. If the new secret cannot be
delivered (a full disk, a closed stdout, a reader that went away), the new
token is deleted again and the old one keeps working under its own name
(exit 1). If retiring fails, the new secret is still delivered and the error
names the old token that is still alive (exit 1).
Rotating the token replex itself uses updates the stored credential (keyring or
config file) and says so.

The old token is first renamed "NAME (rotated <UTC date and time> <tag>)", a
retired token; with --grace it keeps that name until it expires. Retired
tokens are never rotated: bulk selections skip them (a note counts those that
matched), and naming one is refused. 'tokens delete NAME --with-retired'
removes them.

Bulk: select tokens with --expiring-within D, --older-than D and/or --name GLOB
(combined with AND) and give --secret-dir DIR (or --secret-command CMD, below): each new secret is written to
DIR/<name>.token (mode 0600, never overwritten, every file created before
the first rotation), never to stdout or the clipboard. One
result line per token and a summary go to stderr; the exit status is 3 if any
failed. Ctrl-C starts no new rotation, lets those under way finish, and exits 130.

--secret-command CMD hands each new secret to CMD's standard input instead
(one run per token, with its own REPLEX_TOKEN_NAME, REPLEX_TOKEN_ID and
REPLEX_TOKEN_EXPIRES_AT), as 'tokens create --help' describes; a run that
does not exit 0 within --secret-command-timeout fails that rotation: the new
token is deleted and the old one keeps working under its name.

On a terminal replex asks first; without one pass --yes.`,
		Example: `  replex tokens rotate ci --yes
  NEW=$(replex tokens rotate deploy --grace 1h --yes)
  replex tokens rotate ci --expires 90d --secret-file ./ci.token --yes
  replex tokens rotate --expiring-within 14d --secret-dir ./secrets --yes
  replex tokens rotate agent --grace 1h --yes --secret-command 'kubectl -n replex create secret generic replex-agent --from-file=token=/dev/stdin --dry-run=client -o yaml | kubectl apply -f -'
  replex tokens rotate --name 'ci-*' --secret-dir ./secrets --parallel 16 --dry-run`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cmdutil.Usagef("too many arguments: rotate one token by id or name, or select several with --name, --expiring-within or --older-than")
			}
			return nil
		},
		ValidArgsFunction: shared.CompleteTokens(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Token = args[0]
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if opts.bulk {
				return runBulk(cmd.Context(), opts)
			}
			return runOne(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Var(expiry.NewDurationFlag(&opts.Grace, 0, false), "grace", "keep the old token working this long (e.g. 1h, 7d); default: delete it at once")
	fl.StringVar(&opts.Expires, "expires", "", "lifetime of the new token: 90d, 2027-01-31, an RFC 3339 time, or never (default: the old token's lifetime)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what would be rotated, change nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "rotate without asking")
	fl.Var(expiry.NewDurationFlag(&opts.ExpiringWithin, 0, false), "expiring-within", "bulk: tokens expiring within this duration (not yet expired)")
	fl.Var(expiry.NewDurationFlag(&opts.OlderThan, 0, false), "older-than", "bulk: tokens created longer ago than this")
	fl.StringVar(&opts.Name, "name", "", "bulk: tokens whose name matches this glob")
	fl.StringVar(&opts.SecretDir, "secret-dir", "", "bulk: directory for the new secrets, one DIR/<name>.token each")
	_ = cmd.MarkFlagDirname("secret-dir") // completes directories
	fl.IntVar(&opts.Parallel, "parallel", shared.DefaultParallel, "bulk: rotations at a time")
	delivery.AddFlags(cmd, &opts.Secret)
	return cmd
}

func (o *Options) validate(cmd *cobra.Command) error {
	fl := cmd.Flags()
	o.bulk = o.ExpiringWithin > 0 || o.OlderThan > 0 || o.Name != ""
	switch {
	case o.Token != "" && o.bulk:
		return cmdutil.Usagef("give a token to rotate, or select tokens with --name, --expiring-within or --older-than, not both")
	case o.Token == "" && !o.bulk:
		return cmdutil.Usagef("name the token to rotate, or select tokens with --name, --expiring-within or --older-than (with --secret-dir)")
	}
	now := o.F.Now()
	o.rotation = rotation.Rotation{Now: o.F.Now, Notice: func(msg string) {
		fmt.Fprintln(o.F.IOStreams.ErrOut, "note: "+output.Sanitize(msg))
	}}
	o.rotation.Grace = o.Grace
	if fl.Changed("expires") {
		exp, err := shared.ParseExpires(o.Expires, now)
		if err != nil {
			return err
		}
		o.rotation.SetExpires, o.rotation.Expires = true, exp
	}
	if err := o.Secret.Check(cmd); err != nil {
		return err
	}
	if !o.bulk {
		if o.SecretDir != "" || fl.Changed("parallel") {
			return cmdutil.Usagef("--secret-dir and --parallel are for bulk rotation; for one token use --secret-file")
		}
		return nil
	}
	for _, name := range []string{"secret-file", "copy", "show-secret", "clear-after"} {
		if fl.Changed(name) {
			return cmdutil.Usagef("--%s is for rotating one token; bulk rotation writes every secret to --secret-dir", name)
		}
	}
	if err := shared.CheckParallel(o.Parallel); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	filter, err := shared.ParseFilter(o.Name, nil, o.ExpiringWithin, false, 0)
	if err != nil {
		return err
	}
	filter.OlderThan = o.OlderThan
	o.filter = filter
	if o.SecretDir == "" && o.Secret.SecretCommand == "" && !o.DryRun {
		return cmdutil.Usagef("bulk rotation needs --secret-dir DIR (each new secret is written to DIR/<name>.token) or --secret-command CMD (each new secret goes to CMD's standard input)")
	}
	if o.SecretDir != "" {
		st, err := os.Stat(o.SecretDir)
		if err != nil || !st.IsDir() {
			return cmdutil.Usagef("--secret-dir %s is not a directory: create it first (mkdir -m 700 %s)", o.SecretDir, o.SecretDir)
		}
	}
	return nil
}

// confirm asks on a terminal, or requires --yes.
func (o *Options) confirm(question string) error {
	if o.Yes || o.DryRun {
		return nil
	}
	return shared.Confirm(o.F.IOStreams, question, "rotate", "pass --yes")
}

func (o *Options) retirePhrase() string {
	if o.rotation.Grace == 0 {
		return "the old token stops working at once"
	}
	return "the old token keeps working for " + expiry.Humanize(o.rotation.Grace)
}

func runOne(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	if o.DryRun {
		return o.dryRunOne(ctx)
	}
	// The destination is ready before anything changes: a secret file that
	// cannot be created stops here, with nothing sent.
	target, err := delivery.Open(f, &o.Secret)
	if err != nil {
		return err
	}
	handedOver := false // to Deliver, which removes the file if it fails
	defer func() {
		if !handedOver {
			target.Abandon()
		}
	}()
	client, resolved, err := f.Client()
	if err != nil {
		return err
	}
	finder := &shared.Finder{Client: client}
	old, err := finder.Find(ctx, o.Token)
	if err != nil {
		return err
	}
	if err := refuseRetired(old, f.Now()); err != nil {
		return err
	}
	if err := o.confirm(fmt.Sprintf("Rotate token %q (%s)? %s.", output.Sanitize(old.Name), old.ID, capitalize(o.retirePhrase()))); err != nil {
		return err
	}
	self, err := shared.SelfIDs(ctx, client, []api.Token{old})
	if err != nil {
		return err
	}

	// From here on the work finishes even if Ctrl-C arrives: stopping between
	// the steps would leave two tokens and no clear owner of the secret.
	work := context.WithoutCancel(ctx)
	var stored string
	_, err = o.rotation.Run(work, client, old, func(c api.CreatedToken) error {
		handedOver = true
		return target.Deliver(work, client, "Token rotated", c, o.storeOwn(self[old.ID], resolved, c, &stored))
	})
	if stored != "" {
		fmt.Fprintln(ios.ErrOut, "This was replex's own token: "+stored+".")
	}
	if err != nil {
		return err
	}
	if o.rotation.Grace > 0 {
		fmt.Fprintf(ios.ErrOut, "The old token %s keeps working until %s.\n", old.ID, shared.Timestamp(o.rotation.RetireDeadline(old, f.Now())))
	}
	return ctx.Err()
}

// dryRunOne shows what rotating one token would do.
func (o *Options) dryRunOne(ctx context.Context) error {
	f := o.F
	ios := f.IOStreams
	client, _, err := f.Client()
	if err != nil {
		return err
	}
	old, err := (&shared.Finder{Client: client}).Find(ctx, o.Token)
	if err != nil {
		return err
	}
	if err := refuseRetired(old, f.Now()); err != nil {
		return err
	}
	fmt.Fprintf(ios.Out, "Would rotate token %q (%s): grants %s; new expiry %s; %s.\n",
		output.Sanitize(old.Name), old.ID, shared.GrantList(old.Permissions),
		shared.Timestamp(o.rotation.NewExpiry(old, f.Now())), o.retirePhrase())
	fmt.Fprintln(ios.ErrOut, "Dry run: nothing was changed.")
	return nil
}

// storeOwn is the last step of delivering the new secret of replex's own
// token: the stored credential (keyring or config file) must hold it before
// the old token is retired, or replex would lock itself out. If storing
// fails, delivery fails: the new token is revoked and the old one kept.
func (o *Options) storeOwn(own bool, resolved config.Resolved, c api.CreatedToken, msg *string) func() error {
	if !own {
		return nil
	}
	return func() error {
		m, err := shared.StoreOwnToken(o.F, resolved, c.Token, c.Secret)
		if err != nil {
			return fmt.Errorf("it is replex's own token and storing it as the new credential failed (%v)", err)
		}
		*msg = m
		return nil
	}
}

type result struct {
	Name       string `json:"name"`
	OldID      string `json:"oldId"`
	NewID      string `json:"newId,omitempty"`
	SecretFile string `json:"secretFile,omitempty"`
	Status     string `json:"status"` // rotated, failed, not-started, would-rotate
	Error      string `json:"error,omitempty"`
}

func runBulk(ctx context.Context, o *Options) error {
	f := o.F
	ios := f.IOStreams
	client, resolved, err := f.Client()
	if err != nil {
		return err
	}
	all, err := client.ListTokens(ctx)
	if err != nil {
		return err
	}
	targets := o.filter.Select(all, f.Now())
	if n := o.filter.RetiredLeftOut(all, f.Now()); n > 0 {
		fmt.Fprintln(ios.ErrOut, shared.RetiredNote(n, false))
	}
	if len(targets) == 0 {
		fmt.Fprintln(ios.ErrOut, "No tokens match: nothing to rotate.")
		return o.writeResults(nil)
	}

	// Every secret file must be free before anything changes.
	seen := map[string]string{}
	for _, t := range targets {
		if o.Secret.SecretCommand != "" {
			break // no files: each secret goes to its own run of the command
		}
		file := secret.TokenFileName(t.Name)
		if other, dup := seen[file]; dup {
			return cmdutil.Usagef("tokens %q and %q would both write %s: rotate one of them alone", other, t.Name, file)
		}
		seen[file] = t.Name
		if o.SecretDir != "" && o.Secret.SecretCommand == "" {
			if _, err := os.Lstat(filepath.Join(o.SecretDir, file)); err == nil {
				return existsInDir(filepath.Join(o.SecretDir, file))
			}
		}
	}
	if o.SecretDir != "" {
		if open, _ := secret.DirTooOpen(o.SecretDir); open {
			fmt.Fprintf(ios.ErrOut, "warning: %s is readable by others; secrets belong in a 0700 directory\n", o.SecretDir)
		}
	}

	if o.DryRun {
		results := make([]result, len(targets))
		for i, t := range targets {
			results[i] = result{Name: t.Name, OldID: t.ID, Status: "would-rotate"}
			dest := "--secret-command"
			if o.Secret.SecretCommand == "" {
				results[i].SecretFile = filepath.Join(o.SecretDir, secret.TokenFileName(t.Name))
				dest = results[i].SecretFile
			}
			if o.Secret.Format == "" {
				fmt.Fprintf(ios.Out, "would rotate  %s  %q  -> %s\n", t.ID, output.Sanitize(t.Name), dest)
			}
		}
		fmt.Fprintf(ios.ErrOut, "Dry run: %d tokens would be rotated; %s.\n", len(targets), o.retirePhrase())
		return o.writeResults(results)
	}
	if err := o.confirm(fmt.Sprintf("Rotate %d tokens? %s.", len(targets), capitalize(o.retirePhrase()))); err != nil {
		return err
	}

	// replex's own token goes last, alone: rotating it retires the credential
	// the other rotations use.
	self, err := shared.SelfIDs(ctx, client, targets)
	if err != nil {
		return err
	}
	var own []api.Token
	rest := targets[:0:0]
	for _, t := range targets {
		if self[t.ID] {
			own = append(own, t)
		} else {
			rest = append(rest, t)
		}
	}
	ordered := append(rest, own...)

	// Every secret file is created, empty and 0600, before the first
	// rotation: a directory that takes no files stops the run here, with
	// nothing changed, and nobody can plant a file in the meantime.
	files := make([]*delivery.Target, len(ordered))
	handedOver := make([]bool, len(ordered)) // to Deliver, which removes the file if it fails
	defer func() {
		for i, t := range files {
			if !handedOver[i] {
				t.Abandon()
			}
		}
	}()
	for i, t := range ordered {
		if o.Secret.SecretCommand != "" {
			// Each token's run of the command gets its own environment.
			if files[i], err = delivery.OpenCommand(f, o.Secret.SecretCommand, o.Secret.SecretCommandTimeout); err != nil {
				return err
			}
			continue
		}
		target, err := delivery.OpenIn(f, o.SecretDir, t.Name)
		if err != nil {
			path := filepath.Join(o.SecretDir, secret.TokenFileName(t.Name))
			if errors.Is(err, fs.ErrExist) {
				return existsInDir(path)
			}
			return cmdutil.Usagef("--secret-dir %s: cannot create %s (%s): choose a directory you can write; nothing was changed", o.SecretDir, path, oneLine(err))
		}
		files[i] = target
	}

	results := make([]result, len(ordered))
	for i, t := range ordered {
		results[i] = result{Name: t.Name, OldID: t.ID, Status: "not-started"}
	}
	prog := &shared.Progress{W: ios.ErrOut, Enabled: ios.IsStderrTTY(), Total: len(ordered), Label: "rotating"}
	work := func(ctx context.Context, i int) error {
		t := ordered[i]
		var stored string
		created, err := o.rotation.Run(ctx, client, t, func(c api.CreatedToken) error {
			handedOver[i] = true
			return files[i].Deliver(ctx, client, "Token rotated", c, o.storeOwn(self[t.ID], resolved, c, &stored))
		})
		results[i].NewID = created.ID
		switch de, failed := delivery.IsError(err); {
		case failed && de.Revoked():
			results[i].NewID = "" // it is gone
		case handedOver[i] && !failed:
			// Delivered, even if retiring the old token failed afterwards.
			results[i].SecretFile = files[i].Path()
		}
		if stored != "" {
			prog.Line("note: that was replex's own token: %s", stored)
		}
		return err
	}
	report := func(i int, err error) {
		r := &results[i]
		if err != nil {
			r.Status, r.Error = "failed", err.Error()
			prog.Line("failed   %s  %q: %s", r.OldID, output.Sanitize(r.Name), output.Sanitize(r.Error))
		} else {
			r.Status = "rotated"
			dest := r.SecretFile
			if o.Secret.SecretCommand != "" {
				dest = "handed to --secret-command"
			}
			prog.Line("rotated  %s  %q -> %s  secret: %s", r.OldID, output.Sanitize(r.Name), r.NewID, dest)
		}
		prog.Step(err != nil)
	}
	started := shared.RunBulk(ctx, len(rest), o.Parallel, work, report)
	if ctx.Err() == nil && started == len(rest) {
		started += shared.RunBulk(ctx, len(own), 1, func(c context.Context, i int) error { return work(c, len(rest)+i) },
			func(i int, err error) { report(len(rest)+i, err) })
	}
	prog.Done()

	tally := shared.BulkTally{Verb: "rotated", Noun: "rotations", Started: started, Total: len(ordered)}
	for _, r := range results {
		switch r.Status {
		case "rotated":
			tally.Done++
		case "failed":
			tally.Failed++
		}
	}
	fmt.Fprintln(ios.ErrOut, tally.Summary())
	if err := o.writeResults(results); err != nil {
		return err
	}
	return tally.Err(ctx)
}

// refuseRetired stops the rotation of a retired twin: its replacement would
// be a new live token under a retired name, which every bulk selection skips.
func refuseRetired(t api.Token, now time.Time) error {
	tw, ok := retired.Parse(t.Name)
	if !ok {
		return nil
	}
	live := "the token it was retired from"
	if !tw.Cut {
		live = fmt.Sprintf("%q", output.Sanitize(tw.Of))
	}
	return cmdutil.Usagef("token %q (%s) is a retired token left by a graceful rotation and %s: rotate %s instead, or delete this one with 'replex tokens delete %s'",
		output.Sanitize(t.Name), t.ID, shared.RetiredState(t, now), live, t.ID)
}

func existsInDir(path string) error {
	return cmdutil.Usagef("%s already exists: move it away or choose another --secret-dir (replex never overwrites a file)", path)
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

func (o *Options) writeResults(results []result) error {
	if results == nil {
		results = []result{}
	}
	_, err := output.WriteDoc(o.F.IOStreams.Out, o.Secret.Format, results)
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
