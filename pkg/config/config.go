// Package config is replex's typed configuration: the YAML file with its
// profiles, the environment, and the OS keyring where tokens are kept.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Env reads an environment variable; tests pass their own.
type Env func(string) string

// Environment variables replex reads.
const (
	EnvConfigDir = "REPLEX_CONFIG_DIR"
	EnvProfile   = "REPLEX_PROFILE"
	EnvBaseURL   = "REPLEX_BASE_URL"
	EnvOrg       = "REPLEX_ORG"
	EnvToken     = "REPLEX_API_TOKEN"
)

// DefaultProfile is used when no profile is named anywhere.
const DefaultProfile = "default"

// Token storage recorded in a profile.
const (
	StorageKeyring = "keyring"
	StorageFile    = "file"
)

// Profile is one named set of connection settings.
type Profile struct {
	BaseURL      string `yaml:"base_url,omitempty" mapstructure:"base_url"`
	Org          string `yaml:"org,omitempty" mapstructure:"org"`
	TokenStorage string `yaml:"token_storage,omitempty" mapstructure:"token_storage"`
	// Token is set only with --insecure-storage: the plaintext token in this 0600 file.
	Token string `yaml:"token,omitempty" mapstructure:"token"`
	// TokenID and TokenExpires describe the stored token when replex could
	// tell which token it is (at login or rotation): they let replex warn
	// before its own token expires without asking the server.
	TokenID      string `yaml:"token_id,omitempty" mapstructure:"token_id"`
	TokenExpires string `yaml:"token_expires,omitempty" mapstructure:"token_expires"`
}

// File is the whole config file.
type File struct {
	CurrentProfile string             `yaml:"current_profile,omitempty" mapstructure:"current_profile"`
	Profiles       map[string]Profile `yaml:"profiles,omitempty" mapstructure:"profiles"`
}

// Config is the loaded file and where it lives.
type Config struct {
	Dir      string
	Path     string
	File     File
	Warnings []string // e.g. permissions looser than 0600/0700
}

// ValidateProfileName keeps names safe as YAML keys and keyring entries:
// 1 to 63 of a-z, 0-9, '-' and '_', starting with a letter or digit. Names
// are lower case because the file is read case-insensitively.
func ValidateProfileName(name string) error {
	ok := name != "" && len(name) <= 63 && name[0] != '-' && name[0] != '_'
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	if !ok {
		return fmt.Errorf("invalid profile name %q: use lower-case letters, digits, '-' and '_' (at most 63)", name)
	}
	return nil
}

// Dir returns the config directory: $REPLEX_CONFIG_DIR, else
// $XDG_CONFIG_HOME/replex, else ~/.config/replex.
func Dir(getenv Env) (string, error) {
	if d := getenv(EnvConfigDir); d != "" {
		return d, nil
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "replex"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the config directory: set %s or HOME", EnvConfigDir)
		}
		home = h
	}
	return filepath.Join(home, ".config", "replex"), nil
}

// Load reads the config file if it exists. A missing file is an empty config.
func Load(getenv Env) (*Config, error) {
	dir, err := Dir(getenv)
	if err != nil {
		return nil, err
	}
	c := &Config{Dir: dir, Path: filepath.Join(dir, "config.yaml")}
	info, err := os.Stat(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read config file: %w", err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("config file %s is a directory; remove it or set %s", c.Path, EnvConfigDir)
	}
	c.checkPermissions(info)

	// The YAML decoder checks types and duplicate keys first: unlike
	// viper's, its errors name the line.
	raw, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config file: %w", err)
	}
	var probe File
	if err := yaml.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("config file %s: %s", c.Path, yamlProblem(err))
	}

	v := viper.New()
	v.SetConfigFile(c.Path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("config file %s: %s", c.Path, yamlProblem(err))
	}
	if err := v.Unmarshal(&c.File); err != nil {
		return nil, fmt.Errorf("config file %s: %s", c.Path, yamlProblem(err))
	}
	for name := range c.File.Profiles {
		if err := ValidateProfileName(name); err != nil {
			return nil, fmt.Errorf("config file %s: %w", c.Path, err)
		}
	}
	return c, nil
}

// yamlProblem turns a parser error into "line N: problem".
func yamlProblem(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "yaml: "); i >= 0 {
		msg = msg[i+len("yaml: "):]
	}
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", "; ")), " ")
	re := yamlType()
	return re.ReplaceAllStringFunc(msg, func(m string) string {
		sub := re.FindStringSubmatch(m)
		found := map[string]string{"int": "a number", "float": "a number", "bool": "true or false", "str": "text",
			"map": "a mapping", "seq": "a list", "null": "nothing", "timestamp": "a time"}[sub[1]]
		if found == "" {
			found = "a value"
		}
		// The value itself (sub[2]) is not repeated: it may be a token.
		want := map[string]string{"map[string]config.Profile": "the profiles (name: settings)", "config.Profile": "a profile's settings (key: value)",
			"config.File": "the settings (key: value)", "string": "text"}[sub[3]]
		if want == "" {
			want = "another kind of value"
		}
		return "found " + found + " where " + want + " belongs"
	})
}

// yamlType matches the YAML decoder's type errors, which name Go types.
// It is compiled on first use: compiling at start-up costs every command.
var yamlType = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")
})

func (c *Config) checkPermissions(info fs.FileInfo) {
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("config file %s is accessible by others (mode %04o); run: chmod 600 %s", c.Path, perm, c.Path))
	}
	if di, err := os.Stat(c.Dir); err == nil {
		if perm := di.Mode().Perm(); perm&0o077 != 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("config directory %s is accessible by others (mode %04o); run: chmod 700 %s", c.Dir, perm, c.Dir))
		}
	}
}

// Profile returns a profile (zero if absent).
func (c *Config) Profile(name string) (Profile, bool) {
	p, ok := c.File.Profiles[name]
	return p, ok
}

// SetProfile stores a profile in memory; Save writes it.
func (c *Config) SetProfile(name string, p Profile) {
	if c.File.Profiles == nil {
		c.File.Profiles = map[string]Profile{}
	}
	c.File.Profiles[name] = p
}

// ProfileNames lists the profiles in the file, sorted.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.File.Profiles))
	for n := range c.File.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Save writes the file atomically (temp file, fsync, rename) with mode 0600
// in a 0700 directory, so a crash or Ctrl-C never leaves half a config.
func (c *Config) Save() error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("cannot create config directory: %w", err)
	}
	data, err := yaml.Marshal(c.File)
	if err != nil {
		return err
	}
	return WriteFileAtomic(c.Path, data, 0o600)
}

// WriteFileAtomic replaces path with data: a crash leaves the old or the new
// file, never a mix.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if err := tmp.Chmod(perm); err != nil {
		cleanup()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		cleanup()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		cleanup()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
