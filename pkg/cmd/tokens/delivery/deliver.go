// Package delivery is the one rule for every command that receives a new
// token's secret (tokens create, tokens rotate, bulk rotation, and the
// rotation of replex's own token): the secret reaches every destination the
// user asked for, each write confirmed (checked, stdout synced when it is a
// file, a secret file synced and closed), before replex reports success. If
// it cannot, the new token is revoked, so that no credential exists whose
// secret nobody holds, and the command fails with one line naming the token.
// docs/tokens.md lists each destination and what happens when it fails.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/clipboard"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
)

// Target is where one new secret goes. It is opened before the request that
// makes the secret, so that a destination that cannot take it fails before
// any token exists, and a secret file is held from the start.
type Target struct {
	f     *cmdutil.Factory
	flags *Flags
	file  *secret.File // --secret-file or --secret-dir; nil for stdout
	cmd   *command     // --secret-command; nil for the others
	bulk  bool         // the file or command is the only destination; the caller reports
}

// Open prepares the destination the flags ask for. With --secret-file it
// creates the file, empty and 0600; a file that cannot be created is a
// usage error, before anything is sent.
func Open(f *cmdutil.Factory, fl *Flags) (*Target, error) {
	t := &Target{f: f, flags: fl}
	if fl.SecretCommand != "" {
		ct, err := OpenCommand(f, fl.SecretCommand, fl.SecretCommandTimeout)
		if err != nil {
			return nil, err
		}
		t.cmd, t.bulk = ct.cmd, false
		return t, nil
	}
	if fl.SecretFile == "" {
		return t, nil
	}
	file, err := secret.CreateFile(fl.SecretFile)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, existsUsage(fl.SecretFile)
		}
		return nil, cmdutil.Usagef("--secret-file %s cannot be created (%s): choose a file in a directory you can write; nothing was sent", fl.SecretFile, oneLine(err))
	}
	t.file = file
	return t, nil
}

// OpenIn prepares DIR/<name>.token for one token of a bulk rotation; the
// secret goes there and nowhere else.
func OpenIn(f *cmdutil.Factory, dir, name string) (*Target, error) {
	file, err := secret.CreateFileIn(dir, name)
	if err != nil {
		return nil, err
	}
	return &Target{f: f, flags: &Flags{}, file: file, bulk: true}, nil
}

// Path is the secret file, or "" when the secret goes to stdout.
func (t *Target) Path() string {
	if t.file == nil {
		return ""
	}
	return t.file.Path()
}

// Abandon gives the destination up when no secret came: the request failed
// or never ran. A prepared secret file is removed.
func (t *Target) Abandon() {
	if t != nil {
		t.file.Remove()
	}
}

// Revoker deletes a token; *api.Client is one.
type Revoker interface {
	DeleteToken(ctx context.Context, id string) error
}

// Error says that a new token's secret could not be delivered, and whether
// the token was revoked.
type Error struct {
	Token     api.Token
	Err       error // what failed, phrased to follow "because"
	RevokeErr error // nil: the token was revoked
}

func (e *Error) Error() string {
	if e.RevokeErr == nil {
		return fmt.Sprintf("token %q (%s) was revoked because %s", e.Token.Name, e.Token.ID, oneLine(e.Err))
	}
	return fmt.Sprintf("token %q (%s) still exists but its secret was not delivered, because %s; revoking it failed too (%s): delete it by hand with 'replex tokens delete %s'",
		e.Token.Name, e.Token.ID, oneLine(e.Err), oneLine(e.RevokeErr), e.Token.ID)
}

// Revoked reports whether the token is gone.
func (e *Error) Revoked() bool { return e.RevokeErr == nil }

// Deliver hands created's secret to the user exactly once: to the secret
// file, to the standard input of the secret command (command.go), in JSON
// or YAML, in a panel with one clipboard write on a terminal,
// or alone on stdout when piped. then, if not nil, runs once the user holds
// the secret (rotate stores replex's own new credential there). If any write
// or then fails, the token is revoked, the secret file removed, and the
// error is an *Error. The clipboard is the one destination allowed to fail:
// on a terminal the secret is then shown instead, with a warning.
func (t *Target) Deliver(ctx context.Context, c Revoker, title string, created api.CreatedToken, then func() error) error {
	// Go lets SIGPIPE kill a program that writes to a closed pipe on stdout;
	// here the write must fail instead, so the token is revoked.
	signal.Ignore(syscall.SIGPIPE)
	err := errNoSecret
	if !created.Secret.IsZero() {
		err = t.write(ctx, title, created)
	}
	if err == nil && then != nil {
		err = then()
	}
	if err == nil {
		return nil
	}
	t.file.Remove()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	rerr := c.DeleteToken(rctx, created.ID)
	if api.StatusOf(rerr) == 404 {
		rerr = nil
	}
	return &Error{Token: created.Token, Err: err, RevokeErr: rerr}
}

// write puts the secret where the flags say and confirms every write.
func (t *Target) write(ctx context.Context, title string, created api.CreatedToken) error {
	ios := t.f.IOStreams
	sf := t.flags
	tok, sec := created.Token, created.Secret
	summary := fmt.Sprintf("%s: %q (%s) with %s; %s.", title, output.Sanitize(tok.Name), tok.ID, shared.GrantList(tok.Permissions), expiresPhrase(tok))

	if t.cmd != nil {
		if err := t.cmd.run(ctx, created, ios.ErrOut); err != nil {
			return err
		}
		switch {
		case t.bulk:
			return nil
		case sf.Format == output.JSON:
			return toStdout(ios.Out, output.WriteJSON(ios.Out, createdDoc{Token: tok}))
		case sf.Format == output.YAML:
			return toStdout(ios.Out, output.WriteYAML(ios.Out, createdDoc{Token: tok}))
		}
		fmt.Fprintf(ios.ErrOut, "%s Secret handed to --secret-command.\n", summary)
		return nil
	}

	if t.file != nil {
		if err := t.file.Write(sec); err != nil {
			return fmt.Errorf("writing its secret to %s failed (%v)", t.file.Path(), err)
		}
		if t.bulk {
			return nil
		}
		path := t.file.Path()
		switch {
		case sf.Format == output.JSON:
			return toStdout(ios.Out, output.WriteJSON(ios.Out, createdDoc{Token: tok, SecretFile: path}))
		case sf.Format == output.YAML:
			return toStdout(ios.Out, output.WriteYAML(ios.Out, createdDoc{Token: tok, SecretFile: path}))
		case ios.IsStdoutTTY():
			return toStdout(ios.Out, shared.Panel{Title: title, Token: tok, Secret: sec, SecretFile: path, Now: t.f.Now()}.Render(ios.Out, ios.ColorEnabled()))
		}
		fmt.Fprintf(ios.ErrOut, "%s Secret written to %s.\n", summary, output.Sanitize(path))
		return nil
	}

	if sf.Format != "" {
		copied := sf.Copy && t.copy(sec, false).Copied
		if ios.IsStdoutNull() && !copied {
			return errNowhere
		}
		raw := sec.Reveal()
		doc := createdDoc{Token: tok, Secret: &raw}
		if sf.Format == output.YAML {
			return toStdout(ios.Out, output.WriteYAML(ios.Out, doc))
		}
		return toStdout(ios.Out, output.WriteJSON(ios.Out, doc))
	}

	if ios.IsStdoutTTY() {
		res := t.copy(sec, true)
		if ios.IsStdoutNull() && !res.Copied { // REPLEX_FORCE_TTY >/dev/null
			return errNowhere
		}
		return toStdout(ios.Out, shared.Panel{
			Title: title, Token: tok, Secret: sec,
			Reveal: sf.ShowSecret || res.MustPrint,
			Copied: res.Copied, ClearAfter: res.ClearAfter, Now: t.f.Now(),
		}.Render(ios.Out, ios.ColorEnabled()))
	}

	if ios.IsStdoutNull() {
		if sf.Copy && t.copy(sec, false).Copied {
			fmt.Fprintln(ios.ErrOut, summary)
			return nil
		}
		return errNowhere
	}
	// Piped: the secret alone on stdout, so TOKEN=$(replex tokens create ...) works.
	_, err := fmt.Fprintln(ios.Out, sec.Reveal())
	if err := toStdout(ios.Out, err); err != nil {
		return err
	}
	if sf.Copy {
		t.copy(sec, false)
	}
	fmt.Fprintln(ios.ErrOut, summary)
	return nil
}

// errNoSecret: a token whose secret the server did not send is one whose
// secret nobody holds.
var errNoSecret = errors.New("the server sent no secret for it")

// errNowhere: a secret written to the null device would be lost, though the
// write succeeds. Go's runtime puts the null device in place of a stdout the
// process was started without, so `>&-` lands here too.
var errNowhere = errors.New("stdout goes nowhere (it is /dev/null, or was closed): give --secret-file PATH to keep the secret")

// createdDoc is the -o json/yaml document of a created token: the token and,
// unless it went to a file, its secret.
type createdDoc struct {
	api.Token
	Secret     *string `json:"token,omitempty"`
	SecretFile string  `json:"secretFile,omitempty"`
}

// toStdout confirms what was written to w: err is the write's own error;
// a buffered w is flushed, and a w that is a regular file is synced, since
// a full disk may only say so then.
func toStdout(w io.Writer, err error) error {
	if err == nil {
		if fl, ok := w.(interface{ Flush() error }); ok {
			err = fl.Flush()
		}
	}
	if f, ok := w.(*os.File); ok && err == nil {
		if info, serr := f.Stat(); serr == nil && info.Mode().IsRegular() {
			err = f.Sync()
		}
	}
	if err != nil {
		return fmt.Errorf("writing to stdout failed (%v)", err)
	}
	return nil
}

// copy runs the clipboard delivery and prints its warning. A failed copy is
// never an error: the caller shows the secret instead, or already did.
func (t *Target) copy(sec secret.Secret, tty bool) secret.Result {
	f, sf := t.f, t.flags
	ios := f.IOStreams
	d := secret.Delivery{
		Secret:    sec,
		Copy:      sf.Copy || (tty && !sf.NoCopy),
		TTY:       tty,
		Clipboard: f.Clipboard(),
		Tmux:      f.Getenv("TMUX") != "",
	}
	if tty {
		d.Terminal = ios.Out
	}
	// Clear by default on a terminal; when piped only if asked for.
	if tty || sf.clearSet {
		d.ClearAfter = sf.ClearAfter
		d.StartClearer = clipboard.Starter(f)
	}
	res := d.Run()
	if res.Warning != "" {
		msg := res.Warning
		if res.MustPrint && tty {
			msg += "; the secret is shown below instead"
		}
		if res.OSC52 {
			msg += " (also sent to your terminal's clipboard by OSC 52, which it may ignore)"
		}
		fmt.Fprintln(ios.ErrOut, "warning: "+msg)
	}
	return res
}

func expiresPhrase(t api.Token) string {
	if t.ExpiresAt == nil {
		return "never expires"
	}
	return "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// IsError reports whether err is a delivery failure, and returns it.
func IsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
