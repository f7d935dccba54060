package edit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
)

var now = tokenstest.Now

// world is a sandbox over HTTP that counts requests by method; rewrite, when
// set, edits the data of a successful PUT answer before replex sees it.
type world struct {
	t       *testing.T
	srv     *sandbox.Server
	url     string
	mu      sync.Mutex
	methods map[string]int
	rewrite func(map[string]any)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, methods: map[string]int{}}
	srv, err := sandbox.New(sandbox.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.methods[r.Method]++
		w.mu.Unlock()
		if w.rewrite == nil || r.Method != http.MethodPut {
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

func (w *world) count(method string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.methods[method]
}

func (w *world) issue(name string, specs ...string) api.Token {
	w.t.Helper()
	perms, err := grants.ParseAll(specs)
	if err != nil {
		w.t.Fatal(err)
	}
	tok, _, err := w.srv.IssueToken(name, perms, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

func (w *world) token(id string) api.Token {
	for _, t := range w.srv.Tokens() {
		if t.ID == id {
			return t
		}
	}
	w.t.Fatalf("no token %s", id)
	return api.Token{}
}

func (w *world) factory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return tokenstest.NewFactory(w.t, w.url, w.srv.OrgID(), w.srv.AdminSecret(), false, false)
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

func execEdit(f *cmdutil.Factory, runF func(context.Context, *Options) error, args ...string) error {
	return tokenstest.Execute(f, NewCmdEdit(f, runF), args...)
}

func TestFlagsToOptions(t *testing.T) {
	tests := []struct {
		name                  string
		args                  []string
		add, remove, set      []string // formatted sets
		setName, setExpires   bool
		newName, expires, fmt string
	}{
		{
			name: "a comma inside --set-grants is one grant",
			args: []string{"ci", "--set-grants", "cluster:read,update", "--set-grants", "budget:r"},
			set:  []string{"budget:read", "cluster:read,update"},
		},
		{
			name:   "add and remove together",
			args:   []string{"ci", "--add-grant", "billing:read,update", "--remove-grant", "cluster:write"},
			add:    []string{"billing:read,update"},
			remove: []string{"cluster:create,update,delete"},
		},
		{
			name:       "rename and expiry",
			args:       []string{"ci", "--name", "ci-2", "--expires", "never"},
			setName:    true,
			setExpires: true,
			newName:    "ci-2",
			expires:    "never",
		},
		{
			name:    "-o table is the default layout",
			args:    []string{"ci", "--name", "ci-2", "-o", "table"},
			setName: true,
			newName: "ci-2",
		},
		{
			name:    "-o yaml",
			args:    []string{"ci", "--name", "ci-2", "-o", "yaml"},
			setName: true,
			newName: "ci-2",
			fmt:     "yaml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o *Options
			if err := execEdit(testFactory(), func(_ context.Context, got *Options) error { o = got; return nil }, tt.args...); err != nil {
				t.Fatal(err)
			}
			if o == nil {
				t.Fatal("runF not called")
			}
			if o.Token != "ci" {
				t.Errorf("Token = %q", o.Token)
			}
			check := func(what string, got grants.Set, want []string) {
				if want == nil {
					want = []string{}
				}
				if f := grants.Format(got); !reflect.DeepEqual(f, want) {
					t.Errorf("%s = %q; want %q", what, f, want)
				}
			}
			check("add", o.add, tt.add)
			check("remove", o.remove, tt.remove)
			check("set", o.set, tt.set)
			if o.setGrants != (tt.set != nil) || o.setName != tt.setName || o.setExpires != tt.setExpires {
				t.Errorf("set flags: grants %v name %v expires %v", o.setGrants, o.setName, o.setExpires)
			}
			if o.NewName != tt.newName || o.Expires != tt.expires || o.Format != tt.fmt {
				t.Errorf("NewName %q Expires %q Format %q", o.NewName, o.Expires, o.Format)
			}
		})
	}
}

func TestValidationBeforeRun(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"ci"}, "nothing to change: pass --name, --add-grant, --remove-grant, --set-grants or --expires"},
		{[]string{"ci", "--set-grants", "cluster:read", "--add-grant", "billing:read"}, "--set-grants replaces all permissions: use it without --add-grant and --remove-grant"},
		{[]string{"ci", "--set-grants", "cluster:read", "--remove-grant", "billing:read"}, "--set-grants replaces all permissions: use it without --add-grant and --remove-grant"},
		{[]string{"ci", "--add-grant", "clustr:read"}, `invalid grant "clustr:read": unknown category "clustr"; did you mean "cluster"?`},
		{[]string{"ci", "--remove-grant", "cluster:raed"}, `invalid grant "cluster:raed": unknown action "raed"; did you mean "read"? (actions: read, create, update, delete, write, *)`},
		{[]string{"ci", "--name", ""}, `invalid token name: it is empty; give a name such as "ci-deploy"`},
		{[]string{"ci", "--name", strings.Repeat("n", 101)}, "invalid token name: 101 characters, at most 100 are allowed"},
		{[]string{"ci", "--expires", "yesterday"}, `invalid expiry "yesterday": use a duration (30d, 12h, 1y), a date (2027-01-31), an RFC 3339 time, or "never"`},
		{[]string{"ci", "--expires", "2020-01-01"}, `invalid expiry "2020-01-01": that is in the past`},
		{[]string{"ci", "--name", "x", "-o", "name"}, `invalid output format "name": use one of table, json, yaml`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			called := false
			err := execEdit(testFactory(), func(context.Context, *Options) error { called = true; return nil }, tt.args...)
			if called {
				t.Fatal("runF was called")
			}
			if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
				t.Errorf("exit code %d; want 2 (%v)", code, err)
			}
			if err != nil && cmdutil.Message(err) != tt.msg {
				t.Errorf("message:\n got %s\nwant %s", cmdutil.Message(err), tt.msg)
			}
		})
	}
}

func TestEditUpdatesAndShowsDiff(t *testing.T) {
	w := newWorld(t)
	tok := w.issue("ci", "cluster:read,update", "budget:read")
	f, out, errOut := w.factory()
	err := execEdit(f, nil, "ci", "--add-grant", "billing:read", "--remove-grant", "cluster:update", "--name", "ci-2", "--expires", "7d")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Token \"ci\" (%s):\n  name:    ci -> ci-2\n  + billing:read\n  - cluster:update\n  expires: never -> 2026-03-08T12:00:00Z\n", tok.ID)
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if errOut.String() != fmt.Sprintf("Updated token \"ci-2\" (%s).\n", tok.ID) {
		t.Errorf("stderr = %q", errOut)
	}
	got := w.token(tok.ID)
	if f := grants.Format(got.Permissions); !reflect.DeepEqual(f, []string{"billing:read", "budget:read", "cluster:read"}) {
		t.Errorf("recorded %q", f)
	}
	if got.Name != "ci-2" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(now.Add(7*24*time.Hour)) {
		t.Errorf("recorded name %q expires %v", got.Name, got.ExpiresAt)
	}
	if n := w.count(http.MethodPut); n != 1 {
		t.Errorf("%d PUTs", n)
	}
}

func TestDryRunAndNoChangeSendNoUpdate(t *testing.T) {
	w := newWorld(t)
	tok := w.issue("ci", "cluster:read")
	f, out, errOut := w.factory()
	if err := execEdit(f, nil, "ci", "--set-grants", "billing:read", "--dry-run"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Token \"ci\" (%s):\n  + billing:read\n  - cluster:read\n", tok.ID)
	if out.String() != want || errOut.String() != "Dry run: nothing was sent.\n" {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}

	f, out, errOut = w.factory()
	if err := execEdit(f, nil, tok.ID, "--add-grant", "cluster:read", "--name", "ci"); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("Token \"ci\" (%s):\n  no change\n", tok.ID)
	if out.String() != want || errOut.String() != "Token \"ci\" already is as asked; nothing was sent.\n" {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}
	if n := w.count(http.MethodPut); n != 0 {
		t.Errorf("%d PUTs sent", n)
	}
	if f := grants.Format(w.token(tok.ID).Permissions); !reflect.DeepEqual(f, []string{"cluster:read"}) {
		t.Errorf("token changed: %q", f)
	}
}

func TestJSONMovesDiffToStderr(t *testing.T) {
	w := newWorld(t)
	tok := w.issue("ci", "cluster:read")
	f, out, errOut := w.factory()
	if err := execEdit(f, nil, "ci", "--add-grant", "budget:read", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var doc api.Token
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if doc.ID != tok.ID || !reflect.DeepEqual(grants.Format(doc.Permissions), []string{"budget:read", "cluster:read"}) {
		t.Errorf("document %+v", doc)
	}
	want := fmt.Sprintf("Token \"ci\" (%s):\n  + budget:read\nUpdated token \"ci\" (%s).\n", tok.ID, tok.ID)
	if errOut.String() != want {
		t.Errorf("stderr = %q; want %q", errOut, want)
	}
}

func TestRecordedPermissionsDiffer(t *testing.T) {
	w := newWorld(t)
	tok := w.issue("ci", "cluster:read")
	w.rewrite = func(d map[string]any) { d["permissions"] = map[string]any{"cluster": []any{"read"}} }
	f, _, errOut := w.factory()
	err := execEdit(f, nil, "ci", "--add-grant", "budget:read")
	want := fmt.Sprintf("the server recorded other permissions than asked (missing budget:read); token %s was updated", tok.ID)
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v; want %s", err, want)
	}
	if code := cmdutil.ExitCode(err); code != cmdutil.ExitFailure {
		t.Errorf("exit code %d; want 1", code)
	}
	if strings.Contains(errOut.String(), "Updated token") {
		t.Errorf("claims success: %q", errOut)
	}
}

func TestLookupErrors(t *testing.T) {
	w := newWorld(t)
	w.issue("ci", "cluster:read")
	w.issue("other", "cluster:read")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"nope", "--name", "x"}, cmdutil.ExitNotFound, `no token with id or name "nope"; run 'replex tokens list' to see them`},
		{[]string{"ci", "--name", "other"}, cmdutil.ExitFailure, `another token is named "other" already (HTTP 409): pick another name`},
		{[]string{"ci", "--remove-grant", "cluster:read"}, cmdutil.ExitUsage, `the edit would leave token "ci" with no permissions; to revoke all access delete it`},
	}
	for _, tt := range tests {
		f, _, _ := w.factory()
		err := execEdit(f, nil, tt.args...)
		if code := cmdutil.ExitCode(err); code != tt.code {
			t.Errorf("%v: exit code %d; want %d", tt.args, code, tt.code)
		}
		if err == nil || cmdutil.Message(err) != tt.msg {
			t.Errorf("%v: error %v; want %s", tt.args, err, tt.msg)
		}
	}
	if n := w.count(http.MethodPut); n != 1 { // only the rename reached the server
		t.Errorf("%d PUTs; want 1", n)
	}
}
