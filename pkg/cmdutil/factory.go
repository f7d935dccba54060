// Package cmdutil holds what every command shares: the Factory that hands
// out lazily built dependencies, error types and exit codes, flag helpers.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/build"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/secret"
)

// GlobalFlags are the root's persistent flags. They are filled by cobra
// before any RunE runs, and read lazily by the Factory.
type GlobalFlags struct {
	// Persistent is the root's flag set: config.Resolve binds --profile,
	// --base-url and --org from it into its precedence. nil when no root
	// was built (a command under test).
	Persistent        *pflag.FlagSet
	Debug             bool
	Timeout           time.Duration
	AllowInsecureHTTP bool
	NoInput           bool
}

// Factory hands out dependencies. Nothing is built until a command asks, so
// `--help`, `version` and `completion` never read config or touch the keyring.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Getenv    config.Env
	Build     build.Info
	Flags     *GlobalFlags
	Keyring   config.Keyring
	Now       func() time.Time
	// Executable is the path of the running binary (for detached helpers).
	Executable func() (string, error)
	// Clipboard is the system clipboard; built on first use.
	Clipboard func() secret.Clipboard
	// WatchSignals, when set, makes SIGINT and SIGTERM cancel the command's
	// context; the root calls it before any command runs.
	WatchSignals func()

	cfgOnce sync.Once
	cfg     *config.Config
	cfgErr  error
}

// Config loads the config file once, printing its warnings once.
func (f *Factory) Config() (*config.Config, error) {
	f.cfgOnce.Do(func() {
		f.cfg, f.cfgErr = config.Load(f.Getenv)
		if f.cfgErr == nil {
			for _, w := range f.cfg.Warnings {
				fmt.Fprintln(f.IOStreams.ErrOut, "warning: "+w)
			}
		}
	})
	return f.cfg, f.cfgErr
}

// Sources are the flags and environment that override the config file.
func (f *Factory) Sources() config.Sources {
	return config.Sources{Flags: f.Flags.Persistent, Getenv: f.Getenv}
}

// Resolve returns the effective connection settings.
func (f *Factory) Resolve() (config.Resolved, error) {
	cfg, err := f.Config()
	if err != nil {
		return config.Resolved{}, err
	}
	r, err := config.Resolve(cfg, f.Sources(), f.Keyring)
	if err != nil {
		return r, err
	}
	return r, checkProfileExists(cfg, r)
}

// checkProfileExists refuses a profile named by --profile or REPLEX_PROFILE
// that the config file does not have: a typo (--profile stagin) would
// otherwise run with the defaults and fail as "not logged in", or worse,
// succeed against another server. "default" needs no entry; 'auth login'
// creates profiles and does not come here.
func checkProfileExists(cfg *config.Config, r config.Resolved) error {
	if r.ProfileSource != config.SourceFlag && r.ProfileSource != config.SourceEnv {
		return nil
	}
	if _, ok := cfg.Profile(r.Profile); ok || r.Profile == config.DefaultProfile {
		return nil
	}
	from := "--profile"
	if r.ProfileSource == config.SourceEnv {
		from = config.EnvProfile
	}
	names := cfg.ProfileNames()
	if len(names) == 0 {
		return Usagef("no profile %q (%s): the config file has no profiles yet; create it with 'replex auth login --profile %s'", r.Profile, from, r.Profile)
	}
	return Usagef("no profile %q (%s): the profiles are %s; create it with 'replex auth login --profile %s'", r.Profile, from, strings.Join(names, ", "), r.Profile)
}

// NewClient builds an API client for r without checking that a token exists.
func (f *Factory) NewClient(r config.Resolved) (*api.Client, error) {
	if err := CheckBaseURL(r.BaseURL, f.Flags.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	var debug io.Writer
	if f.Flags.Debug || truthy(f.Getenv("REPLEX_DEBUG")) {
		debug = f.IOStreams.ErrOut
	}
	return api.New(api.Options{
		BaseURL:   r.BaseURL,
		Org:       r.Org,
		Token:     r.Token,
		UserAgent: "replex/" + f.Build.Version,
		Timeout:   f.Flags.Timeout,
		Debug:     debug,
	}), nil
}

// Client returns an API client for the effective profile, or an error that
// says exactly what is missing.
func (f *Factory) Client() (*api.Client, config.Resolved, error) {
	r, err := f.Resolve()
	if err != nil {
		return nil, r, err
	}
	if r.Token.IsZero() {
		return nil, r, &AuthError{Msg: NotLoggedIn(r.KeyringErr)}
	}
	if r.Org == "" {
		return nil, r, Usagef("no organization set: pass --org, set REPLEX_ORG, or run 'replex auth login --org ID'")
	}
	c, err := f.NewClient(r)
	if err == nil {
		f.warnOwnExpiry(r)
	}
	return c, r, err
}

// NotLoggedIn says why there is no token and what to do, given why the
// keyring could not be read (nil when it was not asked).
func NotLoggedIn(keyringErr error) string {
	var ku *config.KeyringUnavailableError
	switch {
	case errors.As(keyringErr, &ku):
		return "not logged in: " + keyringErr.Error() + "; " + config.KeyringHint
	case keyringErr != nil:
		return "not logged in: " + keyringErr.Error() + "; run 'replex auth login' or set REPLEX_API_TOKEN"
	}
	return "not logged in: run 'replex auth login' or set REPLEX_API_TOKEN"
}

// OwnExpiryWarning is how close to its expiry replex's own token must be for
// a warning.
const OwnExpiryWarning = 7 * 24 * time.Hour

// warnOwnExpiry warns when the stored token replex uses expires soon. It
// knows the expiry only of tokens it identified at login or rotation.
func (f *Factory) warnOwnExpiry(r config.Resolved) {
	if r.TokenExpires == nil || truthy(f.Getenv("REPLEX_NO_EXPIRY_WARNING")) {
		return
	}
	left := r.TokenExpires.Sub(f.Now())
	switch {
	case left <= 0:
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: the token of profile %q expired at %s; rotate it or log in again\n", r.Profile, r.TokenExpires.UTC().Format(time.RFC3339))
	case left <= OwnExpiryWarning:
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: the token of profile %q expires at %s (in %s); rotate it: replex tokens rotate %s\n",
			r.Profile, r.TokenExpires.UTC().Format(time.RFC3339), expiry.Humanize(left), r.TokenID)
	}
}

// CheckBaseURL refuses URLs that would leak the token: plain http is only
// allowed to loopback unless the user opts in; a user name or password in
// it is refused, and never repeated in the message.
func CheckBaseURL(raw string, allowInsecure bool) error {
	if config.HasUserinfo(raw) {
		return Usagef("the base URL %s carries a user name or password; remove it: replex authenticates with the API token alone", config.RedactBaseURL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Usagef("invalid base URL %q: use https://host[:port] (or http:// for a loopback sandbox)", config.RedactBaseURL(raw))
	}
	if u.Scheme == "http" && !allowInsecure && !IsLoopbackHost(u.Hostname()) {
		return Usagef("refusing to send the API token over plain http to %s: use https, or pass --allow-insecure-http", u.Host)
	}
	return nil
}

// IsLoopbackHost reports whether host names this machine's loopback.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Context is the command's context (cancelled by Ctrl-C in Main).
func Context(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// NewFactory builds the Factory of a real process.
func NewFactory(getenv config.Env) *Factory {
	return &Factory{
		IOStreams:  iostreams.System(iostreams.Env(getenv)),
		Getenv:     getenv,
		Build:      build.Get(),
		Flags:      &GlobalFlags{},
		Keyring:    &config.SystemKeyring{},
		Now:        time.Now,
		Executable: os.Executable,
		Clipboard:  secret.System,
	}
}
