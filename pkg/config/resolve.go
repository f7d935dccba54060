package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/secret"
)

// Overrides are the values given as flags, the highest precedence.
type Overrides struct {
	Profile string
	BaseURL string
	Org     string
}

// Where a setting came from, for `auth status`.
const (
	SourceFlag    = "flag"
	SourceEnv     = "env"
	SourceFile    = "config file"
	SourceKeyring = "keyring"
	SourceDefault = "default"
	SourceNone    = ""
)

// Resolved is the effective connection: flag > env > file > default.
type Resolved struct {
	Profile       string
	ProfileSource string
	BaseURL       string
	BaseURLSource string
	Org           string
	OrgSource     string
	Token         secret.Secret
	TokenSource   string // SourceEnv (REPLEX_API_TOKEN), SourceKeyring, SourceFile, or none
	// KeyringErr is why the keyring could not be read, when it mattered.
	KeyringErr error
	// TokenID and TokenExpires are known for a stored token that replex
	// identified (never for REPLEX_API_TOKEN). TokenExpires nil: never, or unknown.
	TokenID      string
	TokenExpires *time.Time
}

// ResolveProfile picks the profile name: flag > env > current_profile > default.
func ResolveProfile(c *Config, o Overrides, getenv Env) (string, string, error) {
	name, src := DefaultProfile, SourceDefault
	switch {
	case o.Profile != "":
		name, src = o.Profile, SourceFlag
	case getenv(EnvProfile) != "":
		name, src = getenv(EnvProfile), SourceEnv
	case c.File.CurrentProfile != "":
		name, src = c.File.CurrentProfile, SourceFile
	}
	if err := ValidateProfileName(name); err != nil {
		return "", "", &ProfileNameError{Source: src, err: err}
	}
	return name, src, nil
}

// ProfileNameError is an invalid profile name from Source (SourceFlag,
// SourceEnv or SourceFile).
type ProfileNameError struct {
	Source string
	err    error
}

func (e *ProfileNameError) Error() string {
	switch e.Source {
	case SourceFlag:
		return "--profile: " + e.err.Error()
	case SourceEnv:
		return EnvProfile + ": " + e.err.Error()
	}
	return "current_profile in the config file: " + e.err.Error()
}

func (e *ProfileNameError) Unwrap() error { return e.err }

// Resolve computes the effective settings. The keyring is only asked when no
// token comes from the environment, and only when the profile says it holds one.
func Resolve(c *Config, o Overrides, getenv Env, kr Keyring) (Resolved, error) {
	var r Resolved
	var err error
	r.Profile, r.ProfileSource, err = ResolveProfile(c, o, getenv)
	if err != nil {
		return r, err
	}
	p, _ := c.Profile(r.Profile)

	r.BaseURL, r.BaseURLSource = pick(o.BaseURL, getenv(EnvBaseURL), p.BaseURL, api.DefaultBaseURL)
	if HasUserinfo(r.BaseURL) {
		return r, &BaseURLError{Source: r.BaseURLSource, Profile: r.Profile, URL: RedactBaseURL(r.BaseURL)}
	}
	r.BaseURL = NormalizeBaseURL(r.BaseURL)
	r.Org, r.OrgSource = pick(o.Org, getenv(EnvOrg), p.Org, "")

	if getenv(EnvToken) == "" && p.TokenID != "" {
		r.TokenID = p.TokenID
		if t, err := time.Parse(time.RFC3339, p.TokenExpires); err == nil {
			r.TokenExpires = &t
		}
	}
	switch {
	case getenv(EnvToken) != "":
		r.Token, r.TokenSource = secret.New(getenv(EnvToken)), SourceEnv
	case p.TokenStorage == StorageFile && p.Token != "":
		r.Token, r.TokenSource = secret.New(p.Token), SourceFile
	case p.TokenStorage == StorageKeyring && kr != nil:
		tok, kerr := kr.Get(r.Profile)
		switch {
		case kerr == nil && tok != "":
			r.Token, r.TokenSource = secret.New(tok), SourceKeyring
		case errors.Is(kerr, ErrNoKeyringEntry):
			r.KeyringErr = fmt.Errorf("the keyring has no token for profile %q", r.Profile)
		case kerr != nil:
			r.KeyringErr = kerr
		}
	}
	return r, nil
}

// NormalizeBaseURL drops trailing slashes and a trailing /api/v1: the public
// docs show the API at https://host/api/v1, and replex adds /api/v1 itself,
// so either form of the URL reaches the same server.
func NormalizeBaseURL(raw string) string {
	s := strings.TrimRight(raw, "/")
	if trimmed, ok := strings.CutSuffix(s, "/api/v1"); ok {
		s = strings.TrimRight(trimmed, "/")
	}
	return s
}

// HasUserinfo reports whether a base URL carries a user name or password
// (https://user:pass@host). replex refuses it: it authenticates with the
// API token alone, and a password in a URL ends up printed and logged.
// It is read from the text, not url.Parse, so that "user:pass@host" with
// no scheme, or a URL that does not parse, counts too.
func HasUserinfo(raw string) bool {
	_, authority, _ := splitAuthority(raw)
	return strings.Contains(authority, "@")
}

// RedactBaseURL is raw fit to print: a user name and password, whatever
// is before the authority's last '@', become "***".
func RedactBaseURL(raw string) string {
	prefix, authority, rest := splitAuthority(raw)
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = "***" + authority[i:]
	}
	return prefix + authority + rest
}

// splitAuthority cuts raw into "scheme://", the authority (up to the first
// '/', '?' or '#', as url.Parse reads it) and the rest.
func splitAuthority(raw string) (prefix, authority, rest string) {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, s = s[:i+3], s[i+3:]
	}
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		end = len(s)
	}
	return prefix, s[:end], s[end:]
}

// BaseURLError is a base URL with a user name or password, from Source.
// URL is already redacted.
type BaseURLError struct {
	Source  string
	Profile string
	URL     string
}

func (e *BaseURLError) Error() string {
	const why = "carries a user name or password; remove it: replex authenticates with the API token alone"
	switch e.Source {
	case SourceFlag:
		return fmt.Sprintf("--base-url %s %s", e.URL, why)
	case SourceEnv:
		return fmt.Sprintf("%s %s %s", EnvBaseURL, e.URL, why)
	}
	return fmt.Sprintf("base_url of profile %q in the config file (%s) %s (replex config set base_url URL)", e.Profile, e.URL, why)
}

func pick(flag, env, file, def string) (string, string) {
	switch {
	case flag != "":
		return flag, SourceFlag
	case env != "":
		return env, SourceEnv
	case file != "":
		return file, SourceFile
	case def != "":
		return def, SourceDefault
	}
	return "", SourceNone
}
