package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
	"github.com/replexio/replex/pkg/secret"
)

// lossy is a sandbox whose creates go wrong as scripted: each POST takes
// the next action ("ok" when they run out).
type lossy struct {
	t        *testing.T
	srv      *sandbox.Server
	url      string
	mu       sync.Mutex
	actions  []string
	posts    int
	hide     bool          // the next list leaves out tokens named "ci"
	posted   chan struct{} // "hold": told when the create is done
	getFails int           // how many GETs to come answer 503
	// foreignExpiry is the expiry of the token "foreign-expiry" plants.
	foreignExpiry *time.Time
}

func newLossy(t *testing.T, actions ...string) *lossy {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := &lossy{t: t, srv: srv, actions: actions, posted: make(chan struct{}, 1)}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		action := "ok"
		if r.Method == http.MethodPost {
			if l.posts < len(l.actions) {
				action = l.actions[l.posts]
			}
			l.posts++
		}
		hide := r.Method == http.MethodGet && l.hide
		if hide {
			l.hide = false
		}
		getFail := r.Method == http.MethodGet && l.getFails > 0
		if getFail {
			l.getFails--
		}
		l.mu.Unlock()
		switch {
		case getFail:
			w.WriteHeader(503)
			return
		case hide:
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var env api.Envelope[[]api.Token]
			json.Unmarshal(rec.Body.Bytes(), &env)
			var kept []api.Token
			for _, tok := range env.Data {
				if tok.Name != "ci" {
					kept = append(kept, tok)
				}
			}
			env.Data, env.Meta.Total = kept, len(kept)
			json.NewEncoder(w).Encode(env)
			return
		}
		switch action {
		case "ok":
			h.ServeHTTP(w, r)
		case "cut", "cut-hide", "cut-getfail", "cut-getflaky": // done, then no answer
			h.ServeHTTP(httptest.NewRecorder(), r)
			l.mu.Lock()
			l.hide = action == "cut-hide"
			switch action {
			case "cut-getfail":
				l.getFails = 1 << 20
			case "cut-getflaky": // more failures than one list's own retries
				l.getFails = 6
			}
			l.mu.Unlock()
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		case "500": // done, then a failure answer
			h.ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(500)
		case "garbage": // done, the answer cut short
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			w.WriteHeader(201)
			w.Write(rec.Body.Bytes()[:40])
		case "503": // not done
			w.WriteHeader(503)
		case "foreign": // someone else's token appears; ours is not done
			if _, _, err := srv.IssueToken("ci", grants.Set{"billing": {"read"}}, nil); err != nil {
				t.Error(err)
			}
			w.WriteHeader(500)
		case "foreign-expiry": // someone else's token, same grants, another expiry
			l.mu.Lock()
			exp := l.foreignExpiry
			l.mu.Unlock()
			if _, _, err := srv.IssueToken("ci", input.Permissions, exp); err != nil {
				t.Error(err)
			}
			w.WriteHeader(500)
		case "hold": // done, then no answer until the client gives up
			h.ServeHTTP(httptest.NewRecorder(), r)
			l.posted <- struct{}{}
			<-r.Context().Done()
		default:
			t.Errorf("unknown action %q", action)
		}
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	l.url = hs.URL
	return l
}

func (l *lossy) client() *api.Client {
	return api.New(api.Options{
		BaseURL: l.url, Org: l.srv.OrgID(), Token: secret.New(l.srv.AdminSecret()), UserAgent: "replex/test",
		Retry: &api.RetryPolicy{Attempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
			MaxRetryAfter: time.Second, Budget: time.Minute, CreateRounds: 5},
	})
}

// named returns the sandbox's tokens called name.
func (l *lossy) named(name string) []api.Token {
	var out []api.Token
	for _, t := range l.srv.Tokens() {
		if t.Name == name {
			out = append(out, t)
		}
	}
	return out
}

// authenticates reports whether sec is accepted by the sandbox.
func (l *lossy) authenticates(sec secret.Secret) bool {
	c := api.New(api.Options{BaseURL: l.url, Org: l.srv.OrgID(), Token: sec, UserAgent: "replex/test"})
	_, err := c.Organization(context.Background())
	return api.StatusOf(err) != 401 && err == nil
}

var input = api.TokenInput{Name: "ci", Permissions: grants.Set{"organization": {"read"}, "cluster": {"read"}}}

func TestCreateReconciledCleansUpLostCreates(t *testing.T) {
	deleted := regexp.MustCompile(`^a token named "ci" was created but its secret was lost in transit; deleted it \(ak_[0-9a-f]+\)$`)
	for _, tc := range []struct {
		actions []string
		deleted int // notices of a deleted orphan
		retried int // notices of another try
	}{
		{[]string{"cut"}, 1, 1},
		{[]string{"500"}, 1, 1},
		{[]string{"garbage"}, 1, 1},
		{[]string{"503"}, 0, 1},
		{[]string{"cut", "500", "503", "garbage"}, 3, 4},
		{[]string{"cut-hide"}, 1, 2},     // the list lagged: the retry's 409 is the lost create
		{[]string{"cut-getflaky"}, 1, 1}, // the check persists past one list's retries
	} {
		t.Run(strings.Join(tc.actions, ","), func(t *testing.T) {
			l := newLossy(t, tc.actions...)
			var notices []string
			created, err := l.client().CreateTokenReconciled(context.Background(), input, func(s string) { notices = append(notices, s) })
			if err != nil {
				t.Fatalf("err = %v; notices %q", err, notices)
			}
			got := l.named("ci")
			if len(got) != 1 || got[0].ID != created.ID {
				t.Fatalf("%d tokens named ci, want exactly the one returned", len(got))
			}
			if !l.authenticates(created.Secret) {
				t.Fatal("the secret returned does not authenticate")
			}
			d, r := 0, 0
			for _, n := range notices {
				switch {
				case deleted.MatchString(n):
					d++
				case strings.Contains(n, "trying again"):
					r++
				default:
					t.Errorf("unexpected notice %q", n)
				}
			}
			if d != tc.deleted || r != tc.retried {
				t.Fatalf("%d deletions and %d retries reported, want %d and %d: %q", d, r, tc.deleted, tc.retried, notices)
			}
		})
	}
}

func TestCreateReconciledGivesUpCleanly(t *testing.T) {
	l := newLossy(t, "cut", "cut", "cut", "cut", "cut", "ok")
	var notices []string
	_, err := l.client().CreateTokenReconciled(context.Background(), input, func(s string) { notices = append(notices, s) })
	if err == nil || !strings.HasPrefix(err.Error(), `creating token "ci" failed 5 times without a usable answer (last: no answer from `) ||
		!strings.HasSuffix(err.Error(), "); no token was left behind") {
		t.Fatalf("err = %v", err)
	}
	if got := l.named("ci"); len(got) != 0 {
		t.Fatalf("%d tokens named ci left behind", len(got))
	}
	if n := strings.Count(strings.Join(notices, "\n"), "deleted it"); n != 5 {
		t.Fatalf("%d deletions reported, want 5", n)
	}
}

// A name taken before the create is a plain conflict; the token that has it
// is never touched.
func TestCreateReconciledLeavesExistingTokens(t *testing.T) {
	l := newLossy(t, "cut")
	old, _, err := l.srv.IssueToken("ci", input.Permissions, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.client().CreateTokenReconciled(context.Background(), input, nil)
	if api.StatusOf(err) != 409 {
		t.Fatalf("err = %v, want the 409 of the retry", err)
	}
	if got := l.named("ci"); len(got) != 1 || got[0].ID != old.ID {
		t.Fatal("the existing token was touched")
	}
}

// A token of that name that is not what was asked for is not deleted.
func TestCreateReconciledSparesForeignTokens(t *testing.T) {
	l := newLossy(t, "foreign")
	_, err := l.client().CreateTokenReconciled(context.Background(), input, nil)
	if err == nil || !strings.Contains(err.Error(), "does not hold the permissions and expiry asked for: it may be someone else's, so replex left it alone") {
		t.Fatalf("err = %v", err)
	}
	if got := l.named("ci"); len(got) != 1 || !grants.Equal(got[0].Permissions, grants.Set{"billing": {"read"}}) {
		t.Fatal("the foreign token was deleted")
	}
}

// A token of that name with the permissions asked for but another expiry
// is someone else's too: deleting it after a lost answer would destroy a
// credential in use.
func TestCreateReconciledSparesTokensWithAnotherExpiry(t *testing.T) {
	soon := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	later := soon.Add(time.Hour)
	for _, tc := range []struct {
		name           string
		asked, planted *time.Time
	}{
		{"asked none, planted one", nil, &soon},
		{"asked one, planted none", &soon, nil},
		{"asked one, planted another", &soon, &later},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLossy(t, "foreign-expiry")
			l.foreignExpiry = tc.planted
			in := input
			in.ExpiresAt = tc.asked
			_, err := l.client().CreateTokenReconciled(context.Background(), in, nil)
			if err == nil || !strings.Contains(err.Error(), "does not hold the permissions and expiry asked for") {
				t.Fatalf("err = %v", err)
			}
			got := l.named("ci")
			if len(got) != 1 {
				t.Fatalf("%d tokens named ci, want the foreign one only", len(got))
			}
			if (got[0].ExpiresAt == nil) != (tc.planted == nil) {
				t.Fatal("the foreign token was deleted")
			}
		})
	}
}

// Interrupted while the create is in flight: the token it made is deleted
// before giving up, and the error is the interruption.
func TestCreateReconciledInterrupted(t *testing.T) {
	l := newLossy(t, "hold")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-l.posted; cancel() }()
	var notices []string
	_, err := l.client().CreateTokenReconciled(ctx, input, func(s string) { notices = append(notices, s) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := l.named("ci"); len(got) != 0 {
		t.Fatal("an interrupted create left its token behind")
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "deleted it") {
		t.Fatalf("notices %q", notices)
	}
}

// When the check itself fails, the error says what to look for by hand.
func TestCreateReconciledCheckFails(t *testing.T) {
	l := newLossy(t, "cut-getfail")
	_, err := l.client().CreateTokenReconciled(context.Background(), input, nil)
	var oe *api.OrphanError
	if !errors.As(err, &oe) || !regexp.MustCompile(`^creating token "ci" got no usable answer \(EOF\), and checking whether it was created anyway failed \(HTTP 503: Service Unavailable \(empty body\)\): run 'replex tokens list --name "ci"' and delete any such token you did not receive a secret for$`).MatchString(err.Error()) {
		t.Fatalf("err = %v", err)
	}
}

func TestCreateReconciledNeedsTheList(t *testing.T) {
	l := newLossy(t)
	l.getFails = 1 << 20
	_, err := l.client().CreateTokenReconciled(context.Background(), input, nil)
	if api.StatusOf(err) != 503 {
		t.Fatalf("err = %v", err)
	}
	if l.posts != 0 {
		t.Fatal("created without knowing which tokens existed")
	}
	var oe *api.OrphanError
	if errors.As(err, &oe) {
		t.Fatal("nothing was sent: no orphan is possible")
	}
}

// A token that may create tokens but not read them still creates; after a
// lost answer it cannot clean up, and says what to check.
func TestCreateReconciledWithoutListPermission(t *testing.T) {
	l := newLossy(t, "ok", "cut")
	_, raw, err := l.srv.IssueToken("creator", grants.Set{"apiKey": {"create"}, "organization": {"read"}, "cluster": {"read"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := api.New(api.Options{BaseURL: l.url, Org: l.srv.OrgID(), Token: secret.New(raw), UserAgent: "replex/test"})
	created, err := c.CreateTokenReconciled(context.Background(), input, nil)
	if err != nil || !l.authenticates(created.Secret) {
		t.Fatalf("err = %v", err)
	}
	other := input
	other.Name = "ci-2"
	_, err = c.CreateTokenReconciled(context.Background(), other, nil)
	var oe *api.OrphanError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), `creating token "ci-2" got no usable answer (EOF), and checking whether it was created anyway failed (HTTP 403: this token lacks apiKey:read)`) {
		t.Fatalf("err = %v", err)
	}
}
