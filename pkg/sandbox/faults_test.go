package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
)

// try sends one request on a fresh connection and returns a transport error
// instead of failing the test: faults make those expected.
func (f *fixture) try(method, path, body string) (reply, error) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Api-Key "+f.admin)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}, err
}

func (f *fixture) names() []string {
	var out []string
	for _, t := range f.s.Tokens() {
		if t.Name != adminName {
			out = append(out, t.Name)
		}
	}
	return out
}

func TestFaultFailRate(t *testing.T) {
	f := newFixtureWith(t, Options{Faults: Faults{FailRate: 1}})
	r, err := f.try("POST", api.TokensPath(f.org), `{"name":"x","permissions":{}}`)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, r, 503, "unavailable", "the sandbox failed this request on purpose (fault injection); nothing was done")
	if got := f.names(); len(got) != 0 {
		t.Fatalf("a failed create made %v", got)
	}
	if st := f.s.FaultStats(); st != (FaultStats{Requests: 1, Failed: 1}) {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultRateLimit(t *testing.T) {
	f := newFixtureWith(t, Options{Faults: Faults{RateLimit: 2}})
	var statuses []int
	for range 5 {
		r, err := f.try("GET", api.OrganizationPath(f.org), "")
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, r.status)
		if r.status == 429 {
			if ra := r.header.Get("Retry-After"); ra != "1" {
				t.Fatalf("Retry-After %q, want 1", ra)
			}
			wantError(t, r, 429, "rate_limited", "more than 2 requests per second; retry after 1 s")
		}
	}
	// A burst of one second's worth passes; the rest wait.
	if fmt.Sprint(statuses) != "[200 200 429 429 429]" {
		t.Fatalf("statuses %v", statuses)
	}
	time.Sleep(600 * time.Millisecond) // refills one token at 2/s
	if r, _ := f.try("GET", api.OrganizationPath(f.org), ""); r.status != 200 {
		t.Fatalf("after a pause: %d", r.status)
	}
	if st := f.s.FaultStats(); st.RateLimited != 3 || st.Requests != 6 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultDropAfterCommit(t *testing.T) {
	var log strings.Builder
	var mu sync.Mutex
	f := newFixtureWith(t, Options{Faults: Faults{DropAfterCommitRate: 1}, Log: lockedWriter{&mu, &log}})
	_, err := f.try("POST", api.TokensPath(f.org), `{"name":"dropped","permissions":{"cluster":["read"]}}`)
	if err == nil {
		t.Fatal("the create was answered; want the connection cut")
	}
	if got := f.names(); fmt.Sprint(got) != "[dropped]" {
		t.Fatalf("tokens %v: the write must be committed before the cut", got)
	}
	// Reads are never dropped.
	if r, err := f.try("GET", api.TokensPath(f.org), ""); err != nil || r.status != 200 {
		t.Fatalf("list: %v %d", err, r.status)
	}
	var id string
	for _, tok := range f.s.Tokens() {
		if tok.Name == "dropped" {
			id = tok.ID
		}
	}
	if _, err := f.try("DELETE", api.TokenPath(f.org, id), ""); err == nil {
		t.Fatal("the delete was answered")
	}
	if got := f.names(); len(got) != 0 {
		t.Fatalf("tokens %v after a dropped delete", got)
	}
	// A write that commits nothing is answered: there is nothing to drop after.
	if r, err := f.try("DELETE", api.TokenPath(f.org, id), ""); err != nil || r.status != 404 {
		t.Fatalf("deleting again: %v %d, want the 404", err, r.status)
	}
	if st := f.s.FaultStats(); st != (FaultStats{Requests: 4, Dropped: 2}) {
		t.Fatalf("stats %+v", st)
	}
	// The handler writes its log line after it cut the connection, so the
	// client can see the cut first: wait for the line.
	showsCut := func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		l := log.String()
		return strings.Contains(l, "POST "+api.TokensPath(f.org)+" --- ") && strings.Contains(l, "[fault: done (201), connection cut]"), l
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ok, l := showsCut()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log does not show the cut:\n%s", l)
		}
	}
}

func TestFaultGarbage(t *testing.T) {
	f := newFixtureWith(t, Options{Faults: Faults{GarbageRate: 1, Seed: 7}})
	html, truncated := 0, 0
	for i := range 40 {
		before := len(f.names())
		r, err := f.try("POST", api.TokensPath(f.org), fmt.Sprintf(`{"name":"g%d","permissions":{}}`, i))
		if err != nil {
			t.Fatal(err)
		}
		after := len(f.names())
		switch {
		case r.status == 502:
			html++
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, "Bad Gateway") {
				t.Fatalf("502: %s %q", r.header.Get("Content-Type"), r.body)
			}
			if after != before {
				t.Fatal("an HTML 502 did the request")
			}
		case r.status == 200:
			truncated++
			const start = `{"status":true,"data":{"id":"ak_`
			if json.Valid([]byte(r.body)) || !(strings.HasPrefix(start, r.body) || strings.HasPrefix(r.body, start)) {
				t.Fatalf("truncated answer %q", r.body)
			}
			if after != before+1 {
				t.Fatal("a truncated answer did not do the request")
			}
		default:
			t.Fatalf("status %d", r.status)
		}
	}
	if html == 0 || truncated == 0 {
		t.Fatalf("%d HTML, %d truncated: want both kinds", html, truncated)
	}
	if st := f.s.FaultStats(); st.Garbage != 40 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultLatency(t *testing.T) {
	f := newFixtureWith(t, Options{Faults: Faults{Latency: 150 * time.Millisecond}})
	start := time.Now()
	if r, err := f.try("GET", api.OrganizationPath(f.org), ""); err != nil || r.status != 200 {
		t.Fatalf("%v %d", err, r.status)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered in %s", d)
	}
	// A client that gives up during the latency gets nothing done.
	req, _ := http.NewRequest("POST", f.url+api.TokensPath(f.org), strings.NewReader(`{"name":"late","permissions":{}}`))
	req.Header.Set("Authorization", "Api-Key "+f.admin)
	if _, err := (&http.Client{Timeout: 50 * time.Millisecond}).Do(req); err == nil {
		t.Fatal("no timeout")
	}
	time.Sleep(250 * time.Millisecond)
	if got := f.names(); len(got) != 0 {
		t.Fatalf("a create abandoned during latency was done: %v", got)
	}
}

// The same seed and the same requests give the same faults.
func TestFaultsDeterministic(t *testing.T) {
	run := func(seed uint64) string {
		f := newFixtureWith(t, Options{Faults: Faults{FailRate: 0.3, GarbageRate: 0.3, DropAfterCommitRate: 0.3, Seed: seed}})
		var out []string
		for i := range 30 {
			r, err := f.try("POST", api.TokensPath(f.org), fmt.Sprintf(`{"name":"d%d","permissions":{}}`, i))
			if err != nil {
				out = append(out, "cut")
				continue
			}
			out = append(out, fmt.Sprint(r.status))
		}
		return strings.Join(out, " ")
	}
	a, b, c := run(1), run(1), run(2)
	if a != b {
		t.Fatalf("seed 1 gave\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatalf("seeds 1 and 2 gave the same faults: %s", a)
	}
	for _, want := range []string{"201", "503", "cut"} {
		if !strings.Contains(a, want) {
			t.Errorf("30 requests at 30%% each never gave %s: %s", want, a)
		}
	}
	if !strings.Contains(a, "502") && !strings.Contains(a, "200") {
		t.Errorf("30 requests at 30%% each never gave garbage: %s", a)
	}
}

func TestFaultsValidated(t *testing.T) {
	for _, f := range []Faults{{FailRate: -0.1}, {FailRate: 1.5}, {GarbageRate: 2}, {DropAfterCommitRate: -1}, {Latency: -time.Second}, {RateLimit: -1}} {
		if _, err := New(Options{Faults: f}); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetFaults(Faults{FailRate: 1.01}); err == nil {
		t.Error("SetFaults accepted a rate above 1")
	}
}

// OnSecret sees every secret issued, the admin's first.
func TestOnSecret(t *testing.T) {
	var got []string
	s, err := New(Options{OnSecret: func(sec string) { got = append(got, sec) }})
	if err != nil {
		t.Fatal(err)
	}
	_, raw, err := s.IssueToken("x", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != s.AdminSecret() || got[1] != raw {
		t.Fatalf("OnSecret saw %d secrets", len(got))
	}
}
