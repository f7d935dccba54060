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
	"slices"
	"sort"
	"strings"
	"sync"

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
	BaseURL      string `yaml:"base_url,omitempty"`
	Org          string `yaml:"org,omitempty"`
	TokenStorage string `yaml:"token_storage,omitempty"`
	// Token is set only with --insecure-storage: the plaintext token in this 0600 file.
	Token string `yaml:"token,omitempty"`
	// TokenID and TokenExpires describe the stored token when replex could
	// tell which token it is (at login or rotation): they let replex warn
	// before its own token expires without asking the server.
	TokenID      string `yaml:"token_id,omitempty"`
	TokenExpires string `yaml:"token_expires,omitempty"`
}

// File is the whole config file.
type File struct {
	CurrentProfile string             `yaml:"current_profile,omitempty"`
	Profiles       map[string]Profile `yaml:"profiles,omitempty"`
}

// settings is the file as viper's config layer: the settings that flags
// and the environment override (the token stays out). A key that is empty
// in File is absent, as omitempty leaves it out of the file, so that
// precedence passes on to the default.
func (f File) settings() map[string]any {
	m := map[string]any{}
	put(m, "current_profile", f.CurrentProfile)
	profiles := map[string]any{}
	for name, p := range f.Profiles {
		pm := map[string]any{}
		put(pm, "base_url", p.BaseURL)
		put(pm, "org", p.Org)
		profiles[name] = pm
	}
	m["profiles"] = profiles
	return m
}

func put(m map[string]any, key, value string) {
	if value != "" {
		m[key] = value
	}
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
		return fmt.Errorf("invalid profile name %q: %s", name, profileNameRule)
	}
	return nil
}

const profileNameRule = "use lower-case letters, digits, '-' and '_' (at most 63)"

// profileKeyLine is "line N: " for the key name under profiles, or "".
func profileKeyLine(doc *yaml.Node, name string) string {
	if k, _ := entry(mappingValue(doc, "profiles"), name); k != nil {
		return fmt.Sprintf("line %d: ", k.Line)
	}
	return ""
}

// mappingValue is the value under key in the document's top mapping, or nil.
func mappingValue(doc *yaml.Node, key string) *yaml.Node {
	if len(doc.Content) == 0 {
		return nil
	}
	_, v := entry(doc.Content[0], key)
	return v
}

// entry is the key and value nodes of key in mapping m, or nils.
func entry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if c := m.Content[i]; c.Kind == yaml.ScalarNode && c.Value == key {
			return c, m.Content[i+1]
		}
	}
	return nil, nil
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
	raw, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config file: %w", err)
	}
	if err := c.decode(raw); err != nil {
		return nil, fmt.Errorf("config file %s: %s", c.Path, err)
	}
	return c, nil
}

// decode is the one parse of the file: its YAML tree gives the typed File,
// the lines that errors and warnings name, and so the keys it does not know.
// viper's own YAML reader is not used: its errors have no line for a value
// of the wrong kind, and the decoder behind it quotes values, which may be
// tokens; the decoded File becomes viper's config layer in Resolve.
func (c *Config) decode(raw []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return errors.New(yamlProblem(&doc, err))
	}
	// Keys are read case-insensitively, as viper reads them.
	lowerKeys(&doc)
	if err := doc.Decode(&c.File); err != nil {
		return errors.New(yamlProblem(&doc, err))
	}
	for name := range c.File.Profiles {
		if ValidateProfileName(name) != nil {
			// Named by its line, not repeated: a key may be a pasted token.
			return fmt.Errorf("%sinvalid profile name: %s", profileKeyLine(&doc, name), profileNameRule)
		}
	}
	c.warnUnknownKeys(&doc)
	return nil
}

// lowerKeys makes every mapping key lower case.
func lowerKeys(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode {
				k.Value = strings.ToLower(k.Value)
			}
		}
	}
	for _, child := range n.Content {
		lowerKeys(child)
	}
}

// warnUnknownKeys warns of each key the file has that replex does not read
// (a typo such as base-url is otherwise silently ignored). The key is named
// by its line only: it may be a token pasted in the wrong place.
func (c *Config) warnUnknownKeys(doc *yaml.Node) {
	if len(doc.Content) == 0 {
		return
	}
	unknown := func(m *yaml.Node, known []string, where string) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			// A merge key (<<: *base) brings known settings in.
			if k := m.Content[i]; k.ShortTag() != "!!merge" && !slices.Contains(known, k.Value) {
				c.Warnings = append(c.Warnings, fmt.Sprintf("config file %s: line %d: unknown setting%s, ignored; the settings are %s",
					c.Path, k.Line, where, strings.Join(known, ", ")))
			}
		}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return
	}
	// As the yaml tags of File and Profile name them.
	fileKeys := []string{"current_profile", "profiles"}
	profileKeys := []string{"base_url", "org", "token_storage", "token", "token_id", "token_expires"}
	unknown(top, fileKeys, "")
	if profiles := mappingValue(doc, "profiles"); profiles != nil && profiles.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(profiles.Content); i += 2 {
			if p := profiles.Content[i+1]; p.Kind == yaml.MappingNode {
				unknown(p, profileKeys, fmt.Sprintf(" in profile %q", profiles.Content[i].Value))
			}
		}
	}
}

// yamlProblem turns a decoding error into "line N: problem", naming keys,
// lines and kinds of value but never a value, which may be a token: the
// YAML decoder quotes values in several of its messages ("cannot
// unmarshal", "cannot decode", anchors, map keys). A message this does not
// know is replaced, not repeated, unless it is one of the parser's fixed
// syntax messages.
func yamlProblem(doc *yaml.Node, err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "yaml: "); i >= 0 {
		msg = msg[i+len("yaml: "):]
	} else {
		return "a setting does not have the expected kind of value; see docs/config.md"
	}
	if rest, ok := strings.CutPrefix(msg, "unmarshal errors:\n"); ok {
		var parts []string
		for _, e := range strings.Split(rest, "\n") {
			if e = strings.TrimSpace(e); e != "" {
				parts = append(parts, yamlEntry(e, doc))
			}
		}
		return strings.Join(parts, "; ")
	}
	return yamlEntry(oneLine(msg), doc)
}

// yamlEntry rewrites one of the decoder's messages; doc is searched for
// the line of a message that has none.
func yamlEntry(e string, doc *yaml.Node) string {
	line, rest := "", e
	if m := yamlLine().FindStringSubmatch(e); m != nil {
		line, rest = "line "+m[1]+": ", m[2]
	}
	switch {
	case strings.HasPrefix(rest, "cannot unmarshal !!"):
		found, into := strings.TrimPrefix(rest, "cannot unmarshal !!"), ""
		found, _, _ = strings.Cut(found, " ")
		if i := strings.LastIndex(rest, " into "); i >= 0 {
			into = rest[i+len(" into "):]
		}
		return line + "found " + kindOfTag(found) + " where " + wantedType(into) + " belongs"
	case strings.HasPrefix(rest, "mapping key ") && yamlAgain().MatchString(rest):
		return line + "a key repeats the one at line " + yamlAgain().FindStringSubmatch(rest)[1] + "; keep one of them"
	case strings.HasPrefix(rest, "field ") && strings.Contains(rest, " already set in type "):
		return line + "a setting is given twice; keep one of them"
	case strings.HasPrefix(rest, "field ") && strings.Contains(rest, " not found in type "):
		return line + "unknown setting"
	case strings.HasPrefix(rest, "cannot decode !!"):
		tag := rest[strings.LastIndex(rest, " as a ")+len(" as a "):]
		if line == "" {
			line = badTaggedScalarLine(doc)
		}
		return line + "the value is not " + kindOfTag(strings.TrimPrefix(tag, "!!")) + " as its tag " + tag + " says; remove the tag or fix the value"
	case strings.HasPrefix(rest, "!!binary value contains invalid base64 data"):
		if line == "" {
			line = badTaggedScalarLine(doc)
		}
		return line + "a !!binary value is not base64"
	case strings.HasPrefix(rest, "unknown anchor "):
		return line + "an alias (*name) refers to no anchor (&name)"
	case strings.HasPrefix(rest, "anchor ") && strings.HasSuffix(rest, " value contains itself"):
		return line + "an anchor (&name) refers to itself"
	case strings.HasPrefix(rest, "invalid map key"):
		return line + "a key is a list or a mapping; keys are names"
	case strings.ContainsAny(rest, "`%") || strings.Contains(rest, "{"):
		return line + "not valid YAML"
	}
	return line + rest // the parser's fixed syntax messages
}

// badTaggedScalarLine finds the line of the first value with an explicit
// tag (!!int) that does not decode as one: the decoder's message for it
// has no line.
func badTaggedScalarLine(doc *yaml.Node) string {
	var find func(n *yaml.Node) int
	find = func(n *yaml.Node) int {
		if n.Kind == yaml.ScalarNode && n.Style&yaml.TaggedStyle != 0 {
			var v any
			if n.Decode(&v) != nil {
				return n.Line
			}
		}
		for _, c := range n.Content {
			if l := find(c); l != 0 {
				return l
			}
		}
		return 0
	}
	if l := find(doc); l != 0 {
		return fmt.Sprintf("line %d: ", l)
	}
	return ""
}

func kindOfTag(tag string) string {
	if k := map[string]string{"int": "a number", "float": "a number", "bool": "true or false", "str": "text",
		"map": "a mapping", "seq": "a list", "null": "nothing", "timestamp": "a time", "binary": "binary data"}[tag]; k != "" {
		return k
	}
	return "a value"
}

func wantedType(goType string) string {
	if w := map[string]string{"map[string]config.Profile": "the profiles (name: settings)", "config.Profile": "a profile's settings (key: value)",
		"config.File": "the settings (key: value)", "string": "text"}[goType]; w != "" {
		return w
	}
	return "another kind of value"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// yamlLine and yamlAgain read the line numbers in the decoder's messages.
// They are compiled on first use: compiling at start-up costs every command.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })
var yamlAgain = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`already defined at line (\d+)$`) })

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
// viper's WriteConfig is not used: it truncates the file in place (a crash
// leaves half of it), its mode applies only to a new file, and it writes
// every setting in effect, so a --base-url or REPLEX_ORG of this run would
// land in the file.
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
