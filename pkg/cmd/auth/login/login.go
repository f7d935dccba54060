// Package login is `replex auth login`.
package login

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
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
)

// Options of `replex auth login`.
type Options struct {
	F               *cmdutil.Factory
	WithToken       bool
	InsecureStorage bool
}

// NewCmdLogin builds the command; runF replaces the run function in tests.
func NewCmdLogin(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store an API token for a profile, after checking it works",
		Long: `Store an API token for the current profile.

The token is read from a hidden prompt on a terminal, or from standard input
with --with-token; never from a flag, so it stays out of shell history and the
process list. It is checked against the organization before it is saved.

The token goes to the OS keyring, or with --insecure-storage to the config
file (mode 0600). A login that switches between the two removes the copy in
the other one. Every keyring call gives up after 3 seconds; on Linux without
DBUS_SESSION_BUS_ADDRESS there is no keyring, and replex never starts a bus.`,
		Example: `  replex auth login --org org_123
  replex auth login --org org_123 --with-token < token.txt
  replex auth login --profile staging --base-url https://replex.example.com --org org_9 --with-token < t`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the token from standard input")
	cmd.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "keep the token in the 0600 config file instead of the OS keyring")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	f := opts.F
	ios := f.IOStreams
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	src := f.Sources()
	src.Getenv = func(k string) string {
		if k == config.EnvToken {
			return "" // login checks the token it is given, not the environment's
		}
		return f.Getenv(k)
	}
	r, err := config.Resolve(cfg, src, nil)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if r.Org == "" {
		return cmdutil.Usagef("no organization given: pass --org ID (or set REPLEX_ORG)")
	}
	if err := cmdutil.CheckBaseURL(r.BaseURL, f.Flags.AllowInsecureHTTP); err != nil {
		return err
	}

	tok, err := readToken(opts)
	if err != nil {
		return err
	}
	r.Token = tok
	client, err := f.NewClient(r)
	if err != nil {
		return err
	}
	org, err := client.Organization(ctx)
	var orgUnreadable error
	if api.StatusOf(err) == 403 {
		// Accepted (a rejected token is 401) but without organization:read:
		// a least-privilege token is a valid login.
		orgUnreadable, err = err, nil
	}
	if err != nil {
		if api.StatusOf(err) == 401 {
			return &cmdutil.AuthError{Msg: "login failed: the server rejected the token (" + err.Error() + "); nothing was saved"}
		}
		if api.StatusOf(err) == 404 {
			return &cmdutil.NotFoundError{Msg: fmt.Sprintf("login failed: organization %q not found (%s); check --org", r.Org, err)}
		}
		return fmt.Errorf("login failed, nothing was saved: %w", err)
	}

	p, _ := cfg.Profile(r.Profile)
	p.BaseURL, p.Org = r.BaseURL, r.Org
	p.TokenID, p.TokenExpires = "", ""
	// Knowing which token this is lets replex warn before it expires.
	if self, ok := shared.IdentifySelf(ctx, client); ok {
		shared.RecordOwnToken(&p, self)
	}
	// A login that switches store removes the copy in the other store, so
	// that exactly one copy of the profile's token exists.
	previous := p.TokenStorage
	var where, cleaned string
	var keyringLeft error
	if opts.InsecureStorage {
		p.TokenStorage, p.Token = config.StorageFile, tok.Reveal()
		where = "the config file " + cfg.Path + " (plaintext, mode 0600)"
	} else {
		if p.Token != "" {
			cleaned = "the config file"
		}
		if err := f.Keyring.Set(r.Profile, tok.Reveal()); err != nil {
			var ku *config.KeyringUnavailableError
			if errors.As(err, &ku) {
				return fmt.Errorf("cannot store the token: %s; rerun with --insecure-storage to keep it in %s (mode 0600), or set REPLEX_API_TOKEN instead of logging in", ku.Error(), cfg.Path)
			}
			return fmt.Errorf("cannot store the token in the keyring: %w", err)
		}
		p.TokenStorage, p.Token = config.StorageKeyring, ""
		where = "the OS keyring"
	}
	cfg.SetProfile(r.Profile, p)
	if cfg.File.CurrentProfile == "" {
		cfg.File.CurrentProfile = r.Profile
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	// Only once the file holds the new token: a failed save keeps the old login.
	if opts.InsecureStorage && previous == config.StorageKeyring {
		switch err := f.Keyring.Delete(r.Profile); {
		case err == nil:
			cleaned = "the OS keyring"
		case errors.Is(err, config.ErrNoKeyringEntry):
		default:
			keyringLeft = err
		}
	}
	fmt.Fprintf(ios.ErrOut, "Logged in to %s (%s) as profile %q; token %s stored in %s.\n",
		output.Sanitize(orgLabel(org, r.Org)), r.BaseURL, r.Profile, tok.Fingerprint(), where)
	if orgUnreadable != nil {
		fmt.Fprintf(ios.ErrOut, "note: the token is valid but cannot read the organization (%s); commands that need organization:read will be refused\n", orgUnreadable)
	}
	if cleaned != "" {
		fmt.Fprintf(ios.ErrOut, "Removed the profile's previous token from %s.\n", cleaned)
	}
	if keyringLeft != nil {
		fmt.Fprintf(ios.ErrOut, "warning: the profile's previous token may still be in the OS keyring (%s); run 'replex auth logout' where the keyring is reachable, then log in again\n", keyringLeft)
	}
	if f.Getenv(config.EnvToken) != "" {
		fmt.Fprintln(ios.ErrOut, "warning: REPLEX_API_TOKEN is set and takes precedence over the stored token; unset it to use the login")
	}
	return nil
}

func orgLabel(o api.Organization, id string) string {
	if o.Name != "" {
		return o.Name + " [" + id + "]"
	}
	return id
}

func readToken(opts *Options) (secret.Secret, error) {
	ios := opts.F.IOStreams
	var raw string
	switch {
	case opts.WithToken:
		line, err := readLine(ios.In)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("reading the token from standard input: %w", err)
		}
		raw = line
	case ios.CanPrompt():
		fmt.Fprint(ios.ErrOut, "Paste your API token (input is hidden): ")
		line, err := ios.ReadPassword()
		fmt.Fprintln(ios.ErrOut)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("reading the token: %w", err)
		}
		raw = line
	case ios.NoInput():
		return secret.Secret{}, cmdutil.Usagef("prompting is off (--no-input): pass --with-token and pipe the token on standard input")
	default:
		return secret.Secret{}, cmdutil.Usagef("no terminal to prompt on: pass --with-token and pipe the token on standard input")
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return secret.Secret{}, cmdutil.Usagef("empty token: pass the token on standard input with --with-token")
	}
	if strings.ContainsAny(raw, " \t\r\n") || strings.HasPrefix(strings.ToLower(raw), "api-key") {
		return secret.Secret{}, cmdutil.Usagef("the token contains white space: pass the bare token, without \"Api-Key\" or quotes")
	}
	return secret.New(raw), nil
}

func readLine(r io.Reader) (string, error) {
	br := bufio.NewReader(io.LimitReader(r, 64*1024))
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return line, nil
}
