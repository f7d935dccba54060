package root

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/build"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
)

// trapKeyring fails the test if anything asks the keyring.
type trapKeyring struct{ t *testing.T }

func (k trapKeyring) Get(string) (string, error) { k.t.Error("the keyring was read"); return "", nil }
func (k trapKeyring) Set(string, string) error   { k.t.Error("the keyring was written"); return nil }
func (k trapKeyring) Delete(string) error        { k.t.Error("the keyring was asked to delete"); return nil }

// TestHelpVersionCompletionDoNoWork: help, version and completion scripts
// read no config (here a broken file that would fail any command reading
// it), ask no keyring and open no connection (the base URL is a listener
// that counts them).
func TestHelpVersionCompletionDoNoWork(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("profiles: [broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var dials atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			dials.Add(1)
			c.Close()
		}
	}()
	env := map[string]string{
		"REPLEX_CONFIG_DIR": dir, "REPLEX_BASE_URL": "http://" + ln.Addr().String(),
		"REPLEX_ORG": "org_1", "REPLEX_PROFILE": "default",
	}
	for _, args := range [][]string{
		{"--version"}, {"version"}, {"version", "-o", "json"}, {"--help"}, {}, {"help"},
		{"tokens", "--help"}, {"tokens", "create", "--help"}, {"help", "tokens", "rotate"},
		{"help", "environment"}, {"completion", "bash"}, {"completion", "zsh"},
		{"completion", "fish"}, {"completion", "powershell"},
	} {
		ios, _, _, errOut := iostreams.Test()
		f := &cmdutil.Factory{
			IOStreams: ios,
			Getenv:    func(k string) string { return env[k] },
			Flags:     &cmdutil.GlobalFlags{},
			Keyring:   trapKeyring{t},
			Build:     build.Get(),
			Now:       time.Now,
		}
		if code := Run(context.Background(), f, args); code != 0 {
			t.Errorf("replex %q exited %d: %s", args, code, errOut)
		}
	}
	time.Sleep(50 * time.Millisecond) // let a stray dial be counted
	if n := dials.Load(); n != 0 {
		t.Errorf("%d connections were opened", n)
	}
}
