// Package tokenstest sets up a sandbox, a fixed clock and a Factory for the tokens commands' tests.
package tokenstest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
)

// Now is the fixed present of every test.
var Now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Day is 24 hours.
const Day = 24 * time.Hour

// Clock is the sandbox's time; tests move it to create tokens in the past.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// World is a sandbox served over HTTP, with a request counter.
type World struct {
	T        *testing.T
	Srv      *sandbox.Server
	URL      string
	Clock    *Clock
	Requests atomic.Int64
}

// NewWorld starts a sandbox seeded with seed tokens, its clock 400 days
// before Now; it is stopped when the test ends.
func NewWorld(t *testing.T, seed int) *World {
	t.Helper()
	w := &World{T: t, Clock: &Clock{t: Now.Add(-400 * Day)}}
	srv, err := sandbox.New(sandbox.Options{Now: w.Clock.Now, SeedTokens: seed})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.Requests.Add(1)
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	w.Srv, w.URL = srv, hs.URL
	return w
}

// Issue creates a token at the time created, optionally expiring, and uses
// it at lastUsed when that is not zero.
func (w *World) Issue(name, spec string, created time.Time, expires *time.Time, lastUsed time.Time) api.Token {
	w.T.Helper()
	perms, err := grants.ParseAll(strings.Fields(spec))
	if err != nil {
		w.T.Fatal(err)
	}
	w.Clock.Set(created)
	tok, raw, err := w.Srv.IssueToken(name, perms, expires)
	if err != nil {
		w.T.Fatal(err)
	}
	if !lastUsed.IsZero() {
		// Any authenticated request records the use, allowed or not.
		w.Clock.Set(lastUsed)
		req, _ := http.NewRequest(http.MethodGet, w.URL+api.OrganizationPath(w.Srv.OrgID()), nil)
		req.Header.Set("Authorization", api.AuthScheme+" "+raw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.T.Fatal(err)
		}
		resp.Body.Close()
	}
	w.Clock.Set(Now)
	return tok
}

// Factory builds a Factory for the sandbox's admin at the fixed Now.
func (w *World) Factory(tty, color bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return NewFactory(w.T, w.URL, w.Srv.OrgID(), w.Srv.AdminSecret(), tty, color)
}

// NewFactory builds a Factory for the server at url at the fixed Now.
func NewFactory(t *testing.T, url, org, token string, tty, color bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdoutTTY(tty)
	ios.SetStderrTTY(tty)
	ios.SetColorEnabled(color)
	env := map[string]string{
		"REPLEX_BASE_URL":   url,
		"REPLEX_ORG":        org,
		"REPLEX_API_TOKEN":  token,
		"REPLEX_CONFIG_DIR": t.TempDir(),
	}
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(k string) string { return env[k] },
		Flags:     &cmdutil.GlobalFlags{Timeout: 10 * time.Second},
		Now:       func() time.Time { return Now },
	}
	return f, out, errOut
}

// Anonymize replaces the sandbox's random ids with fixed ones of the same
// length (so columns stay aligned), numbered in name order.
func (w *World) Anonymize(s string) string {
	toks := w.Srv.Tokens()
	sort.Slice(toks, func(i, j int) bool { return toks[i].Name < toks[j].Name })
	for i, t := range toks {
		fake := fmt.Sprintf("ak_%0*d", len(t.ID)-len("ak_"), i+1)
		s = strings.ReplaceAll(s, t.ID, fake)
	}
	org := w.Srv.OrgID()
	return strings.ReplaceAll(s, org, "org_"+strings.Repeat("0", len(org)-len("org_")))
}

// Execute runs cmd with args as the root would: output to f's streams,
// errors returned rather than printed, flag errors as usage errors.
func Execute(f *cmdutil.Factory, cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(append([]string{}, args...)) // nil would make cobra read os.Args
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	return cmd.ExecuteContext(context.Background())
}

// GetStatus is the HTTP status of a GET of url with sec as the API token,
// sent straight over HTTP: whether sec authenticates, and with what access.
func GetStatus(t *testing.T, url, sec string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", api.AuthScheme+" "+sec)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Golden compares got with testdata/NAME.golden, or rewrites it when update
// is set (each test package passes its own -update flag). got must hold
// nothing with the secret prefix rpx_.
func Golden(t *testing.T, name, got string, update bool) {
	t.Helper()
	if strings.Contains(got, "rpx_") {
		t.Fatalf("%s: output holds something with the secret prefix rpx_", name)
	}
	path := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}
