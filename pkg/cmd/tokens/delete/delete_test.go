package delete

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
)

// world is a sandbox over HTTP on the real clock: replex recognises its own
// token by its lastUsedAt moving, which a frozen clock would hide.
type world struct {
	t        *testing.T
	srv      *sandbox.Server
	url      string
	requests atomic.Int64
	deletes  atomic.Int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t}
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.requests.Add(1)
		if r.Method == http.MethodDelete {
			w.deletes.Add(1)
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	w.srv, w.url = srv, hs.URL
	return w
}

// issue creates a token and returns it with its secret.
func (w *world) issue(name string, specs ...string) (api.Token, string) {
	w.t.Helper()
	perms, err := grants.ParseAll(specs)
	if err != nil {
		w.t.Fatal(err)
	}
	tok, raw, err := w.srv.IssueToken(name, perms, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok, raw
}

func (w *world) names() []string {
	var out []string
	for _, t := range w.srv.Tokens() {
		out = append(out, t.Name)
	}
	return out
}

// factory authenticates with token (the admin's when empty); tty puts stdin
// and stdout on a terminal, so replex may ask, and stdin answers.
func (w *world) factory(token string, tty bool, stdin string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	ios.SetStderrTTY(tty)
	if token == "" {
		token = w.srv.AdminSecret()
	}
	vars := map[string]string{
		"REPLEX_BASE_URL":   w.url,
		"REPLEX_ORG":        w.srv.OrgID(),
		"REPLEX_API_TOKEN":  token,
		"REPLEX_CONFIG_DIR": w.t.TempDir(),
	}
	return &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(k string) string { return vars[k] },
		Flags:     &cmdutil.GlobalFlags{Timeout: 10 * time.Second},
		Now:       time.Now,
	}, out, errOut
}

func execDelete(f *cmdutil.Factory, runF func(context.Context, *Options) error, args ...string) error {
	return tokenstest.Execute(f, NewCmdDelete(f, runF), args...)
}

func TestFlagsToOptions(t *testing.T) {
	var o *Options
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	err := execDelete(f, func(_ context.Context, got *Options) error { o = got; return nil }, "a", "-y", "b", "--delete-own-token", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Args, []string{"a", "b", "-"}) || !o.Yes || !o.OwnToken {
		t.Errorf("options %+v", o)
	}
	called := false
	err = execDelete(f, func(context.Context, *Options) error { called = true; return nil })
	if called || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("no arguments: called %v, err %v", called, err)
	}
}

func TestAsksOnATerminal(t *testing.T) {
	tests := []struct {
		answer  string
		deleted bool
	}{
		{"y\n", true},
		{"YES\n", true},
		{"\n", false}, // the default is no
		{"n\n", false},
		{"yep\n", false},
		{"", false}, // end of input
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.answer), func(t *testing.T) {
			w := newWorld(t)
			tok, _ := w.issue("ci", "cluster:read")
			f, out, errOut := w.factory("", true, tt.answer)
			err := execDelete(f, nil, "ci")
			prompt := fmt.Sprintf("Delete \"ci\" (%s)? This cannot be undone. [y/N] ", tok.ID)
			if !strings.HasPrefix(errOut.String(), prompt) {
				t.Fatalf("stderr = %q; want the prompt %q", errOut, prompt)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q", out)
			}
			has := false
			for _, n := range w.names() {
				has = has || n == "ci"
			}
			if tt.deleted {
				if err != nil {
					t.Fatal(err)
				}
				if rest := strings.TrimPrefix(errOut.String(), prompt); rest != fmt.Sprintf("deleted  %s \"ci\"\n", tok.ID) {
					t.Errorf("after the prompt: %q", rest)
				}
				if has {
					t.Error("the token is still there")
				}
				return
			}
			if err == nil || err.Error() != "nothing deleted: not confirmed" || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Errorf("error %v (exit %d); want 'nothing deleted: not confirmed', exit 2", err, cmdutil.ExitCode(err))
			}
			if !has || w.deletes.Load() != 0 {
				t.Error("deleted without confirmation")
			}
		})
	}
}

func TestRefusesWithoutConfirmation(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool
		noInput bool
		args    []string
		stdin   string
		reason  string
	}{
		{"no terminal", false, false, []string{"ci"}, "", "no terminal to ask on"},
		{"prompting off", true, true, []string{"ci"}, "y\n", "prompting is off"},
		{"ids on stdin", true, false, []string{"-"}, "ci\n", "standard input carries the ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.issue("ci", "cluster:read")
			f, _, errOut := w.factory("", tt.tty, tt.stdin)
			f.IOStreams.SetNoInput(tt.noInput)
			err := execDelete(f, nil, tt.args...)
			want := "refusing to delete without confirmation (" + tt.reason + "): pass --yes"
			if err == nil || err.Error() != want || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Errorf("error %v; want %s (exit 2)", err, want)
			}
			if n := w.requests.Load(); n != 0 {
				t.Errorf("%d requests sent before refusing", n)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

func TestOwnTokenNeedsItsNameTyped(t *testing.T) {
	tests := []struct {
		typed   string
		deleted bool
	}{
		{"self\n", true},
		{"Self\n", false},
		{"y\n", false},
		{"\n", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.typed), func(t *testing.T) {
			w := newWorld(t)
			tok, raw := w.issue("self", "apiKey:read,delete")
			f, _, errOut := w.factory(raw, true, "y\n"+tt.typed)
			err := execDelete(f, nil, "self")
			want := fmt.Sprintf("Delete \"self\" (%s)? This cannot be undone. [y/N] "+
				"Token \"self\" is the one replex is using now: after deleting it replex cannot authenticate.\n"+
				"Type its name to delete it anyway: ", tok.ID)
			if tt.deleted {
				want += fmt.Sprintf("deleted  %s \"self\"\nnote: that was the token replex was using; log in with another one ('replex auth login')\n", tok.ID)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantErr := fmt.Sprintf("token %s not deleted: the name was not typed", tok.ID)
				if err == nil || err.Error() != wantErr || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
					t.Errorf("error %v; want %s (exit 2)", err, wantErr)
				}
			}
			if errOut.String() != want {
				t.Errorf("stderr:\n%q\nwant:\n%q", errOut, want)
			}
			if got := len(w.names()) == 1; got != tt.deleted { // the admin remains
				t.Errorf("deleted = %v; want %v", got, tt.deleted)
			}
		})
	}
}

func TestOwnTokenAmongOthers(t *testing.T) {
	w := newWorld(t)
	// self holds all of other's permissions: a token may delete only those.
	self, raw := w.issue("self", "apiKey:read,delete", "cluster:read")
	other, _ := w.issue("other", "cluster:read")
	f, _, errOut := w.factory(raw, false, "")
	err := execDelete(f, nil, "--yes", "self", "other")
	want := fmt.Sprintf("failed   self: token \"self\" (%s) is the one replex is authenticated with: pass --delete-own-token to delete it too\n"+
		"deleted  %s \"other\"\n1 deleted, 1 failed\n", self.ID, other.ID)
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	if cmdutil.ExitCode(err) != cmdutil.ExitPartial {
		t.Errorf("exit %d; want 3", cmdutil.ExitCode(err))
	}
	if !reflect.DeepEqual(w.names(), []string{"sandbox-admin", "self"}) && !reflect.DeepEqual(w.names(), []string{"self", "sandbox-admin"}) {
		t.Errorf("left %q", w.names())
	}
}

func TestStdinIDs(t *testing.T) {
	w := newWorld(t)
	a, _ := w.issue("a", "cluster:read")
	b, _ := w.issue("b", "cluster:read")
	f, _, errOut := w.factory("", false, "# from a file\n"+a.ID+"\n\n  b  \n")
	if err := execDelete(f, nil, "--yes", "-"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("deleted  %s \"a\"\ndeleted  %s \"b\"\n2 deleted, 0 failed\n", a.ID, b.ID)
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	if !reflect.DeepEqual(w.names(), []string{"sandbox-admin"}) {
		t.Errorf("left %q", w.names())
	}
}
