package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

// start is the fixed time test servers begin at.
func start() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a sandbox behind a real HTTP server on a fixed clock.
type fixture struct {
	t     *testing.T
	s     *Server
	url   string
	clock *testClock
	org   string
	admin string
}

func newFixture(t *testing.T, file string) *fixture {
	t.Helper()
	return newFixtureWith(t, Options{DataFile: file})
}

// newFixtureWith starts a sandbox with opts on the test clock.
func newFixtureWith(t *testing.T, opts Options) *fixture {
	t.Helper()
	clk := &testClock{t: start()}
	opts.Now = clk.Now
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &fixture{t: t, s: s, url: ts.URL, clock: clk, org: s.OrgID(), admin: s.AdminSecret()}
}

type reply struct {
	status int
	header http.Header
	body   string
}

// do sends one request; an empty secret sends no Authorization header.
func (f *fixture) do(method, path, secret, body string) reply {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Api-Key "+secret)
	}
	return send(f.t, req)
}

func send(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

// issue creates a token through the test helper.
func (f *fixture) issue(name string, perms grants.Set, expiresAt *time.Time) (api.Token, string) {
	f.t.Helper()
	tok, raw, err := f.s.IssueToken(name, perms, expiresAt)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok, raw
}

// wantError checks an error answer exactly.
func wantError(t *testing.T, r reply, status int, code, message string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, r.body)
	}
	want := map[string]any{"status": false, "code": code, "message": message}
	if !equalJSON(got, want) {
		t.Errorf("body = %s\nwant   %v", r.body, want)
	}
}

func equalJSON(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// decodeData decodes a success envelope, checking status is true.
func decodeData[T any](t *testing.T, r reply, status int) (T, *api.Meta) {
	t.Helper()
	var env api.Envelope[T]
	if r.status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), &env); err != nil {
		t.Fatalf("body is not an envelope: %v: %s", err, r.body)
	}
	if !env.Status {
		t.Fatalf("envelope status false: %s", r.body)
	}
	return env.Data, env.Meta
}

func ptr[T any](v T) *T { return &v }
