package get

import (
	"bytes"
	"context"
	"flag"
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

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// now is the fixed present of every test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// clock is the sandbox's time; tests move it to create tokens in the past.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// world is a sandbox served over HTTP, with a request counter.
type world struct {
	t        *testing.T
	srv      *sandbox.Server
	url      string
	clock    *clock
	requests atomic.Int64
}

func newWorld(t *testing.T, seed int) *world {
	t.Helper()
	w := &world{t: t, clock: &clock{t: now.Add(-400 * day)}}
	srv, err := sandbox.New(sandbox.Options{Now: w.clock.Now, SeedTokens: seed})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.requests.Add(1)
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	w.srv, w.url = srv, hs.URL
	return w
}

// issue creates a token at the time created, optionally expiring, and uses
// it at lastUsed when that is not zero.
func (w *world) issue(name, spec string, created time.Time, expires *time.Time, lastUsed time.Time) api.Token {
	w.t.Helper()
	perms, err := grants.ParseAll(strings.Fields(spec))
	if err != nil {
		w.t.Fatal(err)
	}
	w.clock.Set(created)
	tok, raw, err := w.srv.IssueToken(name, perms, expires)
	if err != nil {
		w.t.Fatal(err)
	}
	if !lastUsed.IsZero() {
		// Any authenticated request records the use, allowed or not.
		w.clock.Set(lastUsed)
		req, _ := http.NewRequest(http.MethodGet, w.url+api.OrganizationPath(w.srv.OrgID()), nil)
		req.Header.Set("Authorization", api.AuthScheme+" "+raw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.t.Fatal(err)
		}
		resp.Body.Close()
	}
	w.clock.Set(now)
	return tok
}

// factory builds a Factory for the sandbox's admin at the fixed now.
func (w *world) factory(tty, color bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return newFactory(w.t, w.url, w.srv.OrgID(), w.srv.AdminSecret(), tty, color)
}

// newFactory builds a Factory for the server at url at the fixed now.
func newFactory(t *testing.T, url, org, token string, tty, color bool) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
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
		Now:       func() time.Time { return now },
	}
	return f, out, errOut
}

// exec runs `replex tokens get ARGS` and returns its error.
func execGet(f *cmdutil.Factory, args ...string) error {
	cmd := NewCmdGet(f, nil)
	cmd.SetArgs(append([]string{}, args...)) // nil would make cobra read os.Args
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	return cmd.ExecuteContext(context.Background())
}

// anonymize replaces the sandbox's random ids with fixed ones of the same
// length (so columns stay aligned), numbered in name order.
func (w *world) anonymize(s string) string {
	toks := w.srv.Tokens()
	sort.Slice(toks, func(i, j int) bool { return toks[i].Name < toks[j].Name })
	for i, t := range toks {
		fake := fmt.Sprintf("ak_%0*d", len(t.ID)-len("ak_"), i+1)
		s = strings.ReplaceAll(s, t.ID, fake)
	}
	org := w.srv.OrgID()
	return strings.ReplaceAll(s, org, "org_"+strings.Repeat("0", len(org)-len("org_")))
}

// golden compares got with testdata/NAME.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	if strings.Contains(got, "rpx_") {
		t.Fatalf("%s: output holds something with the secret prefix rpx_", name)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
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
