package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func envMap(m map[string]string) Env { return func(k string) string { return m[k] } }

type fakeKeyring map[string]string

func (f fakeKeyring) Get(p string) (string, error) {
	if v, ok := f[p]; ok {
		return v, nil
	}
	return "", ErrNoKeyringEntry
}
func (f fakeKeyring) Set(p, t string) error { f[p] = t; return nil }
func (f fakeKeyring) Delete(p string) error { delete(f, p); return nil }

func TestDir(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvConfigDir: "/x/cfg", "XDG_CONFIG_HOME": "/y", "HOME": "/h"}, "/x/cfg"},
		{map[string]string{"XDG_CONFIG_HOME": "/y", "HOME": "/h"}, "/y/replex"},
		{map[string]string{"HOME": "/h"}, "/h/.config/replex"},
	}
	for _, c := range cases {
		got, err := Dir(envMap(c.env))
		if err != nil || got != c.want {
			t.Errorf("Dir(%v) = %q, %v; want %q", c.env, got, err, c.want)
		}
	}
}

// rootFlags is the root's connection flags, parsed from args.
func rootFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("replex", pflag.ContinueOnError)
	for _, name := range []string{FlagProfile, FlagBaseURL, FlagOrg} {
		fs.String(name, "", "")
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestPrecedence(t *testing.T) {
	c := &Config{File: File{CurrentProfile: "work", Profiles: map[string]Profile{
		"work":    {BaseURL: "https://file.example", Org: "org_file", TokenStorage: StorageKeyring},
		"staging": {BaseURL: "https://staging.example", Org: "org_staging", TokenStorage: StorageFile, Token: "tok-file"},
	}}}
	kr := fakeKeyring{"work": "tok-keyring"}

	r, err := Resolve(c, Sources{Getenv: envMap(nil)}, kr)
	if err != nil {
		t.Fatal(err)
	}
	if r.Profile != "work" || r.ProfileSource != SourceFile || r.BaseURL != "https://file.example" || r.BaseURLSource != SourceFile ||
		r.Org != "org_file" || r.Token.Reveal() != "tok-keyring" || r.TokenSource != SourceKeyring {
		t.Errorf("file level: %+v", r)
	}

	env := envMap(map[string]string{EnvBaseURL: "https://env.example", EnvOrg: "org_env", EnvToken: "tok-env", EnvProfile: "staging"})
	r, _ = Resolve(c, Sources{Getenv: env}, kr)
	if r.Profile != "staging" || r.ProfileSource != SourceEnv || r.BaseURL != "https://env.example" || r.BaseURLSource != SourceEnv ||
		r.Org != "org_env" || r.Token.Reveal() != "tok-env" || r.TokenSource != SourceEnv {
		t.Errorf("env level: %+v", r)
	}

	r, _ = Resolve(c, Sources{Flags: rootFlags(t, "--profile", "staging", "--base-url", "https://flag.example", "--org", "org_flag"), Getenv: envMap(nil)}, kr)
	if r.ProfileSource != SourceFlag || r.BaseURL != "https://flag.example" || r.BaseURLSource != SourceFlag ||
		r.Org != "org_flag" || r.Token.Reveal() != "tok-file" || r.TokenSource != SourceFile {
		t.Errorf("flag level: %+v", r)
	}

	r, _ = Resolve(&Config{}, Sources{Getenv: envMap(nil)}, kr)
	if r.Profile != DefaultProfile || r.BaseURL != "https://replex.replex.io" || r.BaseURLSource != SourceDefault || r.Org != "" || !r.Token.IsZero() {
		t.Errorf("defaults: %+v", r)
	}

	// A keyring profile whose entry is gone says so.
	r, _ = Resolve(c, Sources{Getenv: envMap(nil)}, fakeKeyring{})
	if r.KeyringErr == nil || !strings.Contains(r.KeyringErr.Error(), `no token for profile "work"`) {
		t.Errorf("missing keyring entry: %v", r.KeyringErr)
	}

	if _, err := Resolve(c, Sources{Flags: rootFlags(t, "--profile", "Bad Name"), Getenv: envMap(nil)}, kr); err == nil {
		t.Error("bad profile name accepted")
	}
}

func TestSaveLoadPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "replex")
	env := envMap(map[string]string{EnvConfigDir: dir})
	c, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	c.SetProfile("default", Profile{BaseURL: "https://a.example", Org: "org_1", TokenStorage: StorageKeyring})
	c.File.CurrentProfile = "default"
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, c.Path: 0o600} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != want {
			t.Fatalf("%s: mode %v, want %v (%v)", path, st.Mode().Perm(), want, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
	c2, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c2.Profile("default"); p.Org != "org_1" || len(c2.Warnings) != 0 {
		t.Fatalf("reloaded %+v warnings %v", p, c2.Warnings)
	}

	os.Chmod(c.Path, 0o644)
	os.Chmod(dir, 0o755)
	c3, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"config file " + c.Path + " is accessible by others (mode 0644); run: chmod 600 " + c.Path,
		"config directory " + dir + " is accessible by others (mode 0755); run: chmod 700 " + dir,
	}
	if strings.Join(c3.Warnings, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings %q, want %q", c3.Warnings, want)
	}
}

func TestMalformedConfigNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("current_profile: default\nprofiles:\n  default:\n    org: [unclosed\n"), 0o600)
	_, err := Load(envMap(map[string]string{EnvConfigDir: dir}))
	if err == nil {
		t.Fatal("malformed config accepted")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "config file "+path+": ") || !strings.Contains(msg, "line ") || strings.Contains(msg, "\n") {
		t.Fatalf("error %q does not name the file and line on one line", msg)
	}
}

func TestBadProfileNameInFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("profiles:\n  \"a/b\":\n    org: x\n"), 0o600)
	_, err := Load(envMap(map[string]string{EnvConfigDir: dir}))
	if err == nil || !strings.HasSuffix(err.Error(), `config.yaml: line 2: invalid profile name: use lower-case letters, digits, '-' and '_' (at most 63)`) {
		t.Fatalf("got %v", err)
	}
}

// A config file error names the line and the problem, never a value: the
// value may be a token, and the YAML decoder quotes values in several of
// its messages, not only "cannot unmarshal".
func TestConfigErrorsNeverQuoteValues(t *testing.T) {
	const sec = "rpx_SECRETsecretSECRET0123456789"
	for file, want := range map[string]string{
		"profiles:\n  default:\n    token: !!int " + sec + "\n":               "line 3: the value is not a number as its tag !!int says; remove the tag or fix the value",
		"profiles:\n  default:\n    org: o\n    token: !!bool " + sec + "\n":  "line 4: the value is not true or false as its tag !!bool says; remove the tag or fix the value",
		"profiles:\n  default:\n    token: !!float " + sec + "\n":             "line 3: the value is not a number as its tag !!float says; remove the tag or fix the value",
		"profiles:\n  default:\n    token: !!timestamp " + sec + "\n":         "line 3: the value is not a time as its tag !!timestamp says; remove the tag or fix the value",
		"profiles:\n  default:\n    token: !!binary " + sec + "!\n":           "line 3: a !!binary value is not base64",
		"profiles:\n  default:\n    token: *" + sec + "\n":                    "an alias (*name) refers to no anchor (&name)",
		"profiles:\n  default: " + sec + "\n":                                 "line 2: found text where a profile's settings (key: value) belongs",
		"profiles:\n  default:\n    token: [" + sec + "]\n":                   "line 3: found a list where text belongs",
		"profiles:\n  default:\n    ? [" + sec + "]\n    : x\n":               "line 3: found a list where text belongs",
		"profiles:\n  " + sec + ":\n    org: x\n  " + sec + ":\n    org: y\n": "line 4: a key repeats the one at line 2; keep one of them",
		"profiles:\n  " + strings.ToUpper(sec) + " x:\n    org: x\n":          "line 2: invalid profile name: use lower-case letters, digits, '-' and '_' (at most 63)",
		"profiles:\n  default:\n    token: \"" + sec + "\n":                   "line 3: found unexpected end of stream",
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(file), 0o600)
		_, err := Load(envMap(map[string]string{EnvConfigDir: dir}))
		if err == nil {
			t.Errorf("accepted:\n%s", file)
			continue
		}
		msg := err.Error()
		if strings.Contains(strings.ToLower(msg), "secret") || strings.Contains(msg, "rpx_") {
			t.Errorf("error quotes the value: %s", msg)
		}
		if !strings.HasSuffix(msg, "config.yaml: "+want) {
			t.Errorf("file:\n%s\nerror %q\nwant  %q", file, msg, want)
		}
	}
}

// TestSystemKeyring stores, reads and deletes a token in the real OS keyring
// (in CI: gnome-keyring's Secret Service under dbus-run-session).
func TestSystemKeyring(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no D-Bus session: CI must run the tests under dbus-run-session with gnome-keyring (see .ci/run)")
		}
		t.Skip("no D-Bus session bus; run under dbus-run-session with gnome-keyring-daemon to test the keyring")
	}
	kr := SystemKeyring{}
	profile := "test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + filepath.Base(t.TempDir())
	profile = strings.ToLower(profile)
	t.Cleanup(func() { kr.Delete(profile) })
	if _, err := kr.Get(profile); !errors.Is(err, ErrNoKeyringEntry) {
		t.Fatalf("Get before Set: %v, want ErrNoKeyringEntry", err)
	}
	if err := kr.Set(profile, "s3cret-value"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := kr.Get(profile)
	if err != nil || got != "s3cret-value" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := kr.Delete(profile); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := kr.Get(profile); !errors.Is(err, ErrNoKeyringEntry) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

func TestValidateProfileName(t *testing.T) {
	long := strings.Repeat("a", 63)
	for name, ok := range map[string]bool{
		"default": true, "prod-eu_1": true, "0": true, long: true,
		"": false, long + "a": false, "-x": false, "_x": false, "Prod": false,
		"a b": false, "a/b": false, "é": false, "a\n": false, "a.b": false,
	} {
		if err := ValidateProfileName(name); (err == nil) != ok {
			t.Errorf("ValidateProfileName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

// A key replex does not read is a warning naming the file and its line,
// never the key (it may be a token pasted in the wrong place); the rest of
// the file is read as usual.
func TestUnknownKeysWarn(t *testing.T) {
	const sec = "rpx_SECRETsecretSECRET0123456789"
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("current_profile: work\ncolour: blue\nprofiles:\n  work:\n    base-url: https://typo.example\n    org: org_1\n    "+sec+": x\n"), 0o600)
	c, err := Load(envMap(map[string]string{EnvConfigDir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"config file " + path + ": line 2: unknown setting, ignored; the settings are current_profile, profiles",
		"config file " + path + `: line 5: unknown setting in profile "work", ignored; the settings are base_url, org, token_storage, token, token_id, token_expires`,
		"config file " + path + `: line 7: unknown setting in profile "work", ignored; the settings are base_url, org, token_storage, token, token_id, token_expires`,
	}
	if got := strings.Join(c.Warnings, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("warnings\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if p, _ := c.Profile("work"); p.Org != "org_1" || p.BaseURL != "" {
		t.Fatalf("profile read as %+v", p)
	}
}

// Keys are read case-insensitively (as viper reads them), so a key that
// repeats another in another case is the same key twice.
func TestKeysIgnoreCase(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	env := envMap(map[string]string{EnvConfigDir: dir})
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("Current_Profile: work\nPROFILES:\n  Work:\n    Base_URL: https://case.example\n    ORG: org_case\n"), 0o600)
	c, err := Load(env)
	if err != nil || len(c.Warnings) != 0 {
		t.Fatalf("Load: %v, warnings %q", err, c.Warnings)
	}
	r, err := Resolve(c, Sources{Getenv: envMap(nil)}, nil)
	if err != nil || r.Profile != "work" || r.BaseURL != "https://case.example" || r.Org != "org_case" {
		t.Fatalf("resolved %+v, %v", r, err)
	}

	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("profiles:\n  default:\n    org: org_a\n    ORG: org_b\n"), 0o600)
	if _, err := Load(env); err == nil || !strings.HasSuffix(err.Error(), "config.yaml: line 4: a key repeats the one at line 3; keep one of them") {
		t.Fatalf("repeated key in another case: %v", err)
	}
}

// An empty flag, variable or file value counts as not given: precedence
// passes on to the next source, as it always has.
func TestEmptyValuesPassOn(t *testing.T) {
	c := &Config{File: File{CurrentProfile: "", Profiles: map[string]Profile{
		"default": {Org: "org_file"},
	}}}
	env := envMap(map[string]string{EnvOrg: "", EnvBaseURL: "https://env.example"})
	r, err := Resolve(c, Sources{Flags: rootFlags(t, "--profile=", "--org=", "--base-url="), Getenv: env}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Profile != DefaultProfile || r.ProfileSource != SourceDefault || r.Org != "org_file" || r.OrgSource != SourceFile ||
		r.BaseURL != "https://env.example" || r.BaseURLSource != SourceEnv {
		t.Fatalf("resolved %+v", r)
	}
	r, _ = Resolve(&Config{}, Sources{Getenv: envMap(nil)}, nil)
	if r.Org != "" || r.OrgSource != SourceNone {
		t.Fatalf("no org anywhere: %q from %q", r.Org, r.OrgSource)
	}
}

// A YAML merge key is not an unknown setting: it brings settings in.
func TestMergeKeyIsNotUnknown(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("profiles:\n  work: &work\n    org: org_1\n  ci:\n    <<: *work\n    base_url: https://ci.example\n"), 0o600)
	c, err := Load(envMap(map[string]string{EnvConfigDir: dir}))
	if err != nil || len(c.Warnings) != 0 {
		t.Fatalf("Load: %v, warnings %q", err, c.Warnings)
	}
	if p, _ := c.Profile("ci"); p.Org != "org_1" || p.BaseURL != "https://ci.example" {
		t.Fatalf("ci read as %+v", p)
	}
}

// The file is parsed in one place, Config.decode, and by one decoder: a
// second parse (viper's reader beside the YAML decoder, as before) reads
// it twice and its errors quote values. The source is the evidence.
func TestFileIsParsedOnce(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	parses := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		parses += strings.Count(s, "yaml.Unmarshal(")
		for _, second := range []string{"ReadInConfig(", "ReadConfig(", "MergeInConfig(", "v.Unmarshal(", "UnmarshalKey("} {
			if strings.Contains(s, second) {
				t.Errorf("%s calls viper's %s: the file is decoded only in Config.decode", name, second)
			}
		}
	}
	if parses != 1 {
		t.Errorf("%d calls of yaml.Unmarshal in pkg/config; want 1 (Config.decode)", parses)
	}
}
