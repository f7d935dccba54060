package create

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/delivery"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
	"github.com/replexio/replex/pkg/secret"
)

// now is the fixed present of every test, on both sides of the wire.
var now = tokenstest.Now

// world is a sandbox served over HTTP. rewrite, when set, edits the data of
// a successful create answer before replex sees it: a server that records
// something else than asked.
type world struct {
	t        *testing.T
	srv      *sandbox.Server
	url      string
	requests atomic.Int64
	rewrite  func(data map[string]any)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t}
	srv, err := sandbox.New(sandbox.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.requests.Add(1)
		if w.rewrite == nil || r.Method != http.MethodPost {
			h.ServeHTTP(rw, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code/100 == 2 {
			var env struct {
				Status bool           `json:"status"`
				Data   map[string]any `json:"data"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Errorf("rewrite: %v", err)
			}
			w.rewrite(env.Data)
			body, _ = json.Marshal(env)
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(rec.Code)
		rw.Write(body)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	w.srv, w.url = srv, hs.URL
	return w
}

// token returns the sandbox's token named name.
func (w *world) token(name string) (api.Token, bool) {
	for _, t := range w.srv.Tokens() {
		if t.Name == name {
			return t, true
		}
	}
	return api.Token{}, false
}

// fakeClipboard records every write.
type fakeClipboard struct {
	mu      sync.Mutex
	writes  []string
	content string
	err     error
}

func (c *fakeClipboard) Write(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, text)
	if c.err != nil {
		return c.err
	}
	c.content = text
	return nil
}

func (c *fakeClipboard) Read() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.content, c.err
}

// helper is a stand-in for the replex binary as the clipboard clearer: it
// records its arguments and what it reads on stdin.
type helper struct {
	path, args, stdin string
}

func newHelper(t *testing.T) helper {
	t.Helper()
	dir := t.TempDir()
	h := helper{path: filepath.Join(dir, "replex"), args: filepath.Join(dir, "args"), stdin: filepath.Join(dir, "stdin")}
	script := fmt.Sprintf("#!/bin/sh\ncat > '%s.tmp'\nmv '%s.tmp' '%s'\necho \"$@\" > '%s.tmp'\nmv '%s.tmp' '%s'\n",
		h.stdin, h.stdin, h.stdin, h.args, h.args, h.args)
	if err := os.WriteFile(h.path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return h
}

// wait returns what the helper got once it has run.
func (h helper) wait(t *testing.T) (args, stdin string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		a, errA := os.ReadFile(h.args)
		s, errS := os.ReadFile(h.stdin)
		if errA == nil && errS == nil {
			return string(a), string(s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the clipboard clearer never ran")
	return "", ""
}

type env struct {
	f      *cmdutil.Factory
	out    *bytes.Buffer
	errOut *bytes.Buffer
	cb     *fakeClipboard
	helper helper
}

func (w *world) env(tty bool) *env {
	f, out, errOut := tokenstest.NewFactory(w.t, w.url, w.srv.OrgID(), w.srv.AdminSecret(), tty, false)
	cb := &fakeClipboard{}
	h := newHelper(w.t)
	f.Clipboard = func() secret.Clipboard { return cb }
	f.Executable = func() (string, error) { return h.path, nil }
	return &env{f: f, out: out, errOut: errOut, cb: cb, helper: h}
}

// execCreate runs `replex tokens create ARGS` as root would, with runF.
func execCreate(f *cmdutil.Factory, runF func(context.Context, *Options) error, args ...string) error {
	return tokenstest.Execute(f, NewCmdCreate(f, runF), args...)
}

func testFactory() *cmdutil.Factory {
	ios, _, _, _ := iostreams.Test()
	return &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(string) string { return "" },
		Flags:     &cmdutil.GlobalFlags{Timeout: time.Second},
		Now:       func() time.Time { return now },
	}
}

func TestFlagsToOptions(t *testing.T) {
	day := 24 * time.Hour
	at := func(t time.Time) *time.Time { return &t }
	tests := []struct {
		name    string
		args    []string
		grants  []string // --grant as given
		perms   []string // the permission set, formatted
		expires *time.Time
		secret  delivery.Flags
		dryRun  bool
	}{
		{
			name:   "a comma inside one grant is one grant",
			args:   []string{"ci", "--grant", "cluster:read,update"},
			grants: []string{"cluster:read,update"},
			perms:  []string{"cluster:read,update"},
			secret: delivery.Flags{ClearAfter: 45 * time.Second},
		},
		{
			name:    "several grants, names in any spelling, a duration",
			args:    []string{"ci", "--grant", "Cluster:Read", "--grant", "custom_pricing:write", "--grant", "budget:r", "--expires", "90d"},
			grants:  []string{"Cluster:Read", "custom_pricing:write", "budget:r"},
			perms:   []string{"budget:read", "cluster:read", "custom-pricing:create,update,delete"},
			expires: at(now.Add(90 * day)),
			secret:  delivery.Flags{ClearAfter: 45 * time.Second},
		},
		{
			name:    "a date is valid through that UTC day",
			args:    []string{"ci", "--grant", "cluster:*", "--expires", "2027-01-31"},
			grants:  []string{"cluster:*"},
			perms:   []string{"cluster:read,create,update,delete"},
			expires: at(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)),
			secret:  delivery.Flags{ClearAfter: 45 * time.Second},
		},
		{
			name:   "a preset combines with --grant",
			args:   []string{"ci", "--preset", "view", "--grant", "cluster:update"},
			grants: []string{"cluster:update"},
			perms: []string{"agent:read", "api-key:read", "billing:read", "budget:read", "cluster:read,update",
				"custom-pricing:read", "invitation:read", "organization:read", "recommendations:read", "role:read",
				"saml-integration:read", "scopes:read", "teams:read", "user:read"},
			secret: delivery.Flags{ClearAfter: 45 * time.Second},
		},
		{
			name:   "delivery flags",
			args:   []string{"ci", "--grant", "cluster:read", "--no-copy", "--show-secret", "--clear-after", "10s", "-o", "yaml", "--dry-run"},
			grants: []string{"cluster:read"},
			perms:  []string{"cluster:read"},
			secret: delivery.Flags{NoCopy: true, ShowSecret: true, ClearAfter: 10 * time.Second, Format: "yaml"},
			dryRun: true,
		},
		{
			name:   "-o table is the default layout, not a document",
			args:   []string{"ci", "--grant", "cluster:read", "-o", "table", "--copy"},
			grants: []string{"cluster:read"},
			perms:  []string{"cluster:read"},
			secret: delivery.Flags{Copy: true, ClearAfter: 45 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Options
			err := execCreate(testFactory(), func(_ context.Context, o *Options) error { got = o; return nil }, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF was not called")
			}
			if got.Name != "ci" {
				t.Errorf("Name = %q", got.Name)
			}
			if !reflect.DeepEqual(got.Grants, tt.grants) {
				t.Errorf("Grants = %q; want %q", got.Grants, tt.grants)
			}
			if p := grants.Format(got.input.Permissions); !reflect.DeepEqual(p, tt.perms) {
				t.Errorf("permissions = %q; want %q", p, tt.perms)
			}
			if got.input.Name != "ci" {
				t.Errorf("input name = %q", got.input.Name)
			}
			switch {
			case tt.expires == nil && got.input.ExpiresAt != nil:
				t.Errorf("ExpiresAt = %v; want never", got.input.ExpiresAt)
			case tt.expires != nil && (got.input.ExpiresAt == nil || !got.input.ExpiresAt.Equal(*tt.expires)):
				t.Errorf("ExpiresAt = %v; want %v", got.input.ExpiresAt, tt.expires)
			}
			sf := got.Secret
			if sf.Copy != tt.secret.Copy || sf.NoCopy != tt.secret.NoCopy || sf.ShowSecret != tt.secret.ShowSecret ||
				sf.SecretFile != tt.secret.SecretFile || sf.ClearAfter != tt.secret.ClearAfter || sf.Format != tt.secret.Format {
				t.Errorf("secret flags = %+v; want %+v", sf, tt.secret)
			}
			if got.DryRun != tt.dryRun {
				t.Errorf("DryRun = %v", got.DryRun)
			}
		})
	}
}

// Every mistake is a usage error (exit 2) found before runF, so before any
// request.
func TestValidationBeforeRun(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "taken.token")
	if err := os.WriteFile(existing, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"x", "--grant", "clustr:read"}, `invalid grant "clustr:read": unknown category "clustr"; did you mean "cluster"?`},
		{[]string{"x", "--grant", "cluster:read,updaet"}, `invalid grant "cluster:read,updaet": unknown action "updaet"; did you mean "update"? (actions: read, create, update, delete, write, *)`},
		{[]string{"x"}, `no permissions given: pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'`},
		{[]string{"x", "--preset", "admin"}, `unknown preset "admin"; presets: full, view`},
		{[]string{strings.Repeat("n", 101), "--grant", "cluster:read"}, `invalid token name: 101 characters, at most 100 are allowed`},
		{[]string{" ", "--grant", "cluster:read"}, `invalid token name: it is empty; give a name such as "ci-deploy"`},
		{[]string{"a\u200bb", "--grant", "cluster:read"}, "invalid token name: character 2 is U+200B, an invisible character; a name may hold no control, bidi or invisible character"},
		{[]string{"d1\u3164", "--grant", "cluster:read"}, "invalid token name: character 3 is U+3164, an invisible character; a name may hold no control, bidi or invisible character"},
		{[]string{"x", "--grant", "cluster:read", "--expires", "soon"}, `invalid expiry "soon": use a duration (30d, 12h, 1y), a date (2027-01-31), an RFC 3339 time, or "never"`},
		{[]string{"x", "--grant", "cluster:read", "--copy", "--no-copy"}, `--copy and --no-copy cannot be used together`},
		{[]string{"x", "--grant", "cluster:read", "--clear-after", "-5s"}, `--clear-after: invalid duration "-5s": must be positive; use a number and a unit (s, m, h, d, w, y), e.g. 30d, 12h, 1y or 1d12h`},
		{[]string{"x", "--grant", "cluster:read", "-o", "wide"}, `invalid output format "wide": use one of table, json, yaml`},
		{[]string{"x", "--grant", "cluster:read", "--secret-file", existing}, `--secret-file ` + existing + ` already exists: choose a new path (replex never overwrites a file)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			called := false
			err := execCreate(testFactory(), func(context.Context, *Options) error { called = true; return nil }, tt.args...)
			if called {
				t.Fatal("runF was called despite invalid input")
			}
			if err == nil {
				t.Fatal("no error")
			}
			if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
				t.Errorf("exit code %d; want %d", code, cmdutil.ExitUsage)
			}
			if got := cmdutil.Message(err); got != tt.msg {
				t.Errorf("message:\n got %s\nwant %s", got, tt.msg)
			}
		})
	}
}

func TestPipedPrintsSecretAloneAndNeverCopies(t *testing.T) {
	w := newWorld(t)
	e := w.env(false)
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read,update"); err != nil {
		t.Fatal(err)
	}
	tok, ok := w.token("ci")
	if !ok {
		t.Fatal("token not created")
	}
	raw := strings.TrimSuffix(e.out.String(), "\n")
	if !strings.HasPrefix(raw, "rpx_") || strings.ContainsAny(raw, "\n ") || e.out.String() != raw+"\n" {
		t.Fatalf("stdout = %q; want the secret and one newline", e.out.String())
	}
	wantErr := fmt.Sprintf("Token created: \"ci\" (%s) with cluster:read,update; never expires.\n", tok.ID)
	if e.errOut.String() != wantErr {
		t.Errorf("stderr = %q; want %q", e.errOut.String(), wantErr)
	}
	if len(e.cb.writes) != 0 {
		t.Errorf("piped without --copy wrote the clipboard %d times", len(e.cb.writes))
	}
	if got := grants.Format(tok.Permissions); !reflect.DeepEqual(got, []string{"cluster:read,update"}) {
		t.Errorf("server recorded %q", got)
	}
}

func TestPipedCopyWritesOnceWithoutClearing(t *testing.T) {
	w := newWorld(t)
	e := w.env(false)
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read", "--copy"); err != nil {
		t.Fatal(err)
	}
	raw := strings.TrimSuffix(e.out.String(), "\n")
	if !reflect.DeepEqual(e.cb.writes, []string{raw}) {
		t.Errorf("clipboard writes = %d, want exactly the secret once", len(e.cb.writes))
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := os.Stat(e.helper.args); err == nil {
		t.Error("a clearer was started though piped output clears only with --clear-after")
	}
}

func TestTerminalCopiesOnceMasksAndClears(t *testing.T) {
	w := newWorld(t)
	e := w.env(true)
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read", "--expires", "30d"); err != nil {
		t.Fatal(err)
	}
	if len(e.cb.writes) != 1 {
		t.Fatalf("clipboard writes = %d; want 1", len(e.cb.writes))
	}
	raw := e.cb.writes[0]
	if !strings.HasPrefix(raw, "rpx_") {
		t.Fatalf("the clipboard got something else than a secret")
	}
	out := e.out.String()
	if strings.Contains(out, raw) {
		t.Error("the panel shows the secret although it was copied")
	}
	fp := secret.New(raw).Fingerprint()
	for _, want := range []string{
		"Token created: ci",
		"Secret   ****** (" + fp + ")",
		"Expires  2026-03-31 12:00 UTC (in 1 month)",
		"Copied to the clipboard; cleared in 45s if still there.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("panel lacks %q:\n%s", want, out)
		}
	}
	if e.errOut.Len() != 0 {
		t.Errorf("stderr = %q; want nothing (copied, and it expires)", e.errOut.String())
	}
	// The clearer gets the secret on stdin, never in its arguments.
	args, stdin := e.helper.wait(t)
	if args != "__clear-clipboard 45s\n" {
		t.Errorf("clearer args = %q", args)
	}
	if stdin != raw {
		t.Errorf("clearer stdin is not exactly the secret (%d bytes)", len(stdin))
	}
}

func TestTerminalNeverExpiresWarns(t *testing.T) {
	w := newWorld(t)
	e := w.env(true)
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read", "--clear-after", "0"); err != nil {
		t.Fatal(err)
	}
	want := "warning: this token never expires; consider --expires 90d\n"
	if e.errOut.String() != want {
		t.Errorf("stderr = %q; want %q", e.errOut.String(), want)
	}
	if !strings.Contains(e.out.String(), "│ Copied to the clipboard.") {
		t.Errorf("panel:\n%s", e.out.String())
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := os.Stat(e.helper.args); err == nil {
		t.Error("--clear-after 0 still started a clearer")
	}
}

func TestTerminalClipboardFailureShowsSecret(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		warning  string
		wantOSC  bool
		noCopy   bool
		showFlag bool
	}{
		{
			name:    "the utility fails",
			err:     errors.New("clipboard write failed: exit status 1"),
			warning: "warning: could not copy the token to the clipboard: clipboard write failed: exit status 1; the secret is shown below instead\n",
		},
		{
			name:    "no utility: OSC 52 as well",
			err:     secret.ErrNoClipboardUtility,
			warning: "warning: could not copy the token to the clipboard: no clipboard utility found (install xclip, xsel or wl-clipboard); the secret is shown below instead (also sent to your terminal's clipboard by OSC 52, which it may ignore)\n",
			wantOSC: true,
		},
		{
			name:   "--no-copy: not touched, shown, no warning",
			noCopy: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			e := w.env(true)
			e.cb.err = tt.err
			args := []string{"ci", "--grant", "cluster:read", "--expires", "1d"}
			if tt.noCopy {
				args = append(args, "--no-copy")
			}
			if err := execCreate(e.f, nil, args...); err != nil {
				t.Fatal(err)
			}
			if e.errOut.String() != tt.warning {
				t.Errorf("stderr = %q; want %q", e.errOut.String(), tt.warning)
			}
			wantWrites := 1
			if tt.noCopy {
				wantWrites = 0
			}
			if len(e.cb.writes) != wantWrites {
				t.Fatalf("clipboard writes = %d; want %d", len(e.cb.writes), wantWrites)
			}
			out := e.out.String()
			raw := ""
			if i := strings.Index(out, "rpx_"); i >= 0 {
				raw = out[i : i+len("rpx_")+40]
			}
			if raw == "" || !strings.Contains(out, "│ Secret   "+raw+"  │") {
				t.Fatalf("the panel does not show the secret:\n%q", out)
			}
			osc := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(raw)) + "\a"
			if strings.Contains(out, osc) != tt.wantOSC {
				t.Errorf("OSC 52 sent = %v; want %v", !tt.wantOSC, tt.wantOSC)
			}
			if strings.Contains(out, "Copied") {
				t.Error("the panel claims a copy")
			}
		})
	}
}

func TestJSONCarriesTheSecret(t *testing.T) {
	w := newWorld(t)
	e := w.env(true) // even on a terminal: -o json is a document
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(e.out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, e.out.String())
	}
	tok, _ := w.token("ci")
	raw, _ := doc["token"].(string)
	if doc["id"] != tok.ID || doc["name"] != "ci" || !strings.HasPrefix(raw, "rpx_") || len(raw) != len("rpx_")+40 {
		t.Errorf("document = %v", doc)
	}
	if len(e.cb.writes) != 0 {
		t.Error("-o json copied without --copy")
	}
}

func TestSecretFile(t *testing.T) {
	w := newWorld(t)
	e := w.env(false)
	path := filepath.Join(t.TempDir(), "ci.token")
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read", "--secret-file", path); err != nil {
		t.Fatal(err)
	}
	if e.out.Len() != 0 {
		t.Errorf("stdout = %q; want nothing", e.out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "rpx_") || len(b) != len("rpx_")+40+1 || b[len(b)-1] != '\n' {
		t.Errorf("file holds %d bytes, not the secret and a newline", len(b))
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", st.Mode().Perm())
	}
	tok, _ := w.token("ci")
	want := fmt.Sprintf("Token created: \"ci\" (%s) with cluster:read; never expires. Secret written to %s.\n", tok.ID, path)
	if e.errOut.String() != want {
		t.Errorf("stderr = %q; want %q", e.errOut.String(), want)
	}
}

// A grant the server does not record as asked is an error (exit 1), after
// the secret is delivered.
func TestRecordedPermissionsDiffer(t *testing.T) {
	tests := []struct {
		name    string
		rewrite func(map[string]any)
		problem string
	}{
		{
			name: "a grant dropped",
			rewrite: func(d map[string]any) {
				d["permissions"] = map[string]any{"cluster": []any{"read"}}
			},
			problem: "missing cluster:update",
		},
		{
			name: "a grant added",
			rewrite: func(d map[string]any) {
				d["permissions"] = map[string]any{"cluster": []any{"read", "update"}, "billing": []any{"read"}}
			},
			problem: "not asked for billing:read",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.rewrite = tt.rewrite
			e := w.env(false)
			err := execCreate(e.f, nil, "ci", "--grant", "cluster:read,update")
			if err == nil {
				t.Fatal("no error")
			}
			tok, _ := w.token("ci")
			want := fmt.Sprintf("the server recorded other permissions than asked (%s); token %s was created: fix it with 'replex tokens edit %s --set-grants ...' or delete it", tt.problem, tok.ID, tok.ID)
			if err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
			if code := cmdutil.ExitCode(err); code != cmdutil.ExitFailure {
				t.Errorf("exit code %d; want 1", code)
			}
			if !strings.HasPrefix(e.out.String(), "rpx_") {
				t.Errorf("the secret was not delivered: stdout %q", e.out.String())
			}
		})
	}
}

func TestNoSecretInAnswer(t *testing.T) {
	w := newWorld(t)
	w.rewrite = func(d map[string]any) { delete(d, "token") }
	e := w.env(false)
	err := execCreate(e.f, nil, "ci", "--grant", "cluster:read")
	// Nobody holds the secret of such a token: it is revoked like any other
	// whose secret could not be delivered.
	re := regexp.MustCompile(`^token "ci" \(ak_[0-9a-f]+\) was revoked because the server sent no secret for it$`)
	if err == nil || !re.MatchString(err.Error()) {
		t.Errorf("error = %v; want %s", err, re)
	}
	if _, ok := w.token("ci"); ok {
		t.Error("the token without a secret still exists")
	}
	if e.out.Len() != 0 {
		t.Errorf("stdout = %q", e.out.String())
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	w := newWorld(t)
	e := w.env(true)
	if err := execCreate(e.f, nil, "ci", "--grant", "cluster:read,update", "--expires", "12h", "--dry-run"); err != nil {
		t.Fatal(err)
	}
	if n := w.requests.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	want := "Would create token \"ci\"\n  grants:  cluster:read,update\n  expires: 2026-03-02T00:00:00Z\n"
	if e.out.String() != want {
		t.Errorf("stdout = %q; want %q", e.out.String(), want)
	}
	if e.errOut.String() != "Dry run: nothing was sent.\n" {
		t.Errorf("stderr = %q", e.errOut.String())
	}
	if len(e.cb.writes) != 0 {
		t.Error("dry run touched the clipboard")
	}
}

func TestDuplicateName(t *testing.T) {
	w := newWorld(t)
	if _, _, err := w.srv.IssueToken("ci", grants.Set{"cluster": {"read"}}, nil); err != nil {
		t.Fatal(err)
	}
	e := w.env(false)
	err := execCreate(e.f, nil, "ci", "--grant", "cluster:read")
	want := `a token named "ci" exists already (HTTP 409): pick another name, or delete the existing one first ('replex tokens delete ci')`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v; want %s", err, want)
	}
	if code := cmdutil.ExitCode(err); code != cmdutil.ExitFailure {
		t.Errorf("exit code %d; want 1", code)
	}
	if e.out.Len() != 0 || len(e.cb.writes) != 0 {
		t.Error("something was delivered for a token that was not created")
	}
}

// A --secret-file planted between the flag check and the request must stop
// the command before anything is sent: the file is created, exclusively,
// before the request, and never overwritten.
func TestSecretFilePlantedAfterCheckSendsNothing(t *testing.T) {
	w := newWorld(t)
	e := w.env(false)
	path := filepath.Join(t.TempDir(), "ci.token")
	err := execCreate(e.f, func(ctx context.Context, o *Options) error {
		if err := os.WriteFile(path, []byte("someone else's\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return run(ctx, o)
	}, "ci", "--grant", "cluster:read", "--secret-file", path)
	want := "--secret-file " + path + " already exists: choose a new path (replex never overwrites a file)"
	if err == nil || cmdutil.Message(err) != want || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("err = %v (exit %d); want %q, exit 2", err, cmdutil.ExitCode(err), want)
	}
	if b, _ := os.ReadFile(path); string(b) != "someone else's\n" {
		t.Errorf("the existing file was overwritten")
	}
	if n := w.requests.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if _, ok := w.token("ci"); ok {
		t.Error("a token was created")
	}
	if e.out.Len() != 0 {
		t.Errorf("stdout = %q", e.out.String())
	}
}

// failingWriter is a stdout whose every write fails, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A secret that cannot be written to stdout takes its token with it: the
// token is revoked and the error names it, whatever the output mode.
func TestUndeliverableSecretRevokesTheToken(t *testing.T) {
	for _, args := range [][]string{nil, {"-o", "json"}, {"-o", "yaml"}} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			w := newWorld(t)
			e := w.env(false)
			e.f.IOStreams.Out = failingWriter{}
			err := execCreate(e.f, nil, append([]string{"ci", "--grant", "cluster:read"}, args...)...)
			if _, ok := w.token("ci"); ok {
				t.Error("the token whose secret was lost still exists")
			}
			re := regexp.MustCompile(`^token "ci" \(ak_[0-9a-f]+\) was revoked because writing to stdout failed \(no space left on device\)$`)
			if err == nil || !re.MatchString(err.Error()) {
				t.Fatalf("err = %v", err)
			}
			if code := cmdutil.ExitCode(err); code != cmdutil.ExitFailure {
				t.Errorf("exit %d, want 1", code)
			}
			if strings.Contains(e.errOut.String(), "rpx_") {
				t.Errorf("stderr holds a secret: %q", e.errOut.String())
			}
		})
	}
}
