package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/secret"
)

// Names of the root's flags that override the config: the root defines
// them, Resolve binds them.
const (
	FlagProfile = "profile"
	FlagBaseURL = "base-url"
	FlagOrg     = "org"
)

// Sources are where settings come from besides the file.
type Sources struct {
	// Flags is the root's persistent flag set; nil when no command line was
	// parsed (a command built in a test).
	Flags  *pflag.FlagSet
	Getenv Env
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

// settings is viper over the file as it is now (a command may have edited
// it in this run), with the flags and the environment of src bound to the
// file's current_profile.
func (c *Config) settings(src Sources) (*viper.Viper, bound) {
	v := viper.New()
	_ = v.MergeConfigMap(c.File.settings()) // cannot fail: a map of maps
	profile := bind(v, "current_profile", src, FlagProfile, EnvProfile)
	v.SetDefault("current_profile", DefaultProfile)
	return v, profile
}

// ResolveProfile picks the profile name: flag > env > current_profile > default.
func ResolveProfile(c *Config, src Sources) (string, string, error) {
	return profileOf(c.settings(src))
}

func profileOf(v *viper.Viper, profile bound) (string, string, error) {
	name, from := v.GetString("current_profile"), profile.source(v)
	if err := ValidateProfileName(name); err != nil {
		return "", "", &ProfileNameError{Source: from, err: err}
	}
	return name, from, nil
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
func Resolve(c *Config, src Sources, kr Keyring) (Resolved, error) {
	var r Resolved
	var err error
	v, profile := c.settings(src)
	r.Profile, r.ProfileSource, err = profileOf(v, profile)
	if err != nil {
		return r, err
	}

	// The profile's settings under the same flags and environment. Its
	// keys are file keys: viper looks each one up flag first, then the
	// environment, then the profile, then the default.
	pv := v.Sub("profiles." + r.Profile)
	if pv == nil {
		pv = viper.New() // no such profile: flags, environment and defaults only
	}
	baseURL := bind(pv, "base_url", src, FlagBaseURL, EnvBaseURL)
	pv.SetDefault("base_url", api.DefaultBaseURL)
	org := bind(pv, "org", src, FlagOrg, EnvOrg)

	r.BaseURL, r.BaseURLSource = pv.GetString("base_url"), baseURL.source(pv)
	if HasUserinfo(r.BaseURL) {
		return r, &BaseURLError{Source: r.BaseURLSource, Profile: r.Profile, URL: RedactBaseURL(r.BaseURL)}
	}
	r.BaseURL = NormalizeBaseURL(r.BaseURL)
	r.Org, r.OrgSource = pv.GetString("org"), org.source(pv)

	// The token stays out of viper: it is never a flag, and which stored
	// copy counts (the file's or the keyring's) depends on token_storage.
	getenv := src.Getenv
	p, _ := c.Profile(r.Profile)
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

// bound is a flag and its environment variable as viper's flag layer sees
// them. viper reads the environment only through os.LookupEnv, and replex
// through an Env, so that tests run in parallel, each with its own
// environment: the variable is therefore offered to viper beside the flag,
// which wins when both are given.
type bound struct {
	flag   *pflag.Flag // nil without a command line
	env    string
	getenv Env
	key    string
}

// bind binds key of v to the flag named flagName of src and to env.
func bind(v *viper.Viper, key string, src Sources, flagName, env string) bound {
	b := bound{env: env, getenv: src.Getenv, key: key}
	if src.Flags != nil {
		b.flag = src.Flags.Lookup(flagName)
	}
	_ = v.BindFlagValue(key, b) // cannot fail: b is not nil
	return b
}

func (b bound) given() string {
	switch {
	case b.flag != nil && b.flag.Changed && b.flag.Value.String() != "":
		return SourceFlag
	case b.getenv(b.env) != "":
		return SourceEnv
	}
	return SourceNone
}

// viper.FlagValue: changed when the flag or the variable gives a value.
func (b bound) HasChanged() bool  { return b.given() != SourceNone }
func (b bound) Name() string      { return b.key }
func (b bound) ValueType() string { return "string" }
func (b bound) ValueString() string {
	switch b.given() {
	case SourceFlag:
		return b.flag.Value.String()
	case SourceEnv:
		return b.getenv(b.env)
	}
	return ""
}

// source is where v's value of the key came from, for `auth status`: viper
// gives the value, not its layer.
func (b bound) source(v *viper.Viper) string {
	switch from := b.given(); {
	case from != SourceNone:
		return from
	case v.InConfig(b.key):
		return SourceFile
	case v.GetString(b.key) != "":
		return SourceDefault
	}
	return SourceNone
}
