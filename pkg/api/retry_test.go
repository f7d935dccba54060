package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/secret"
)

// step is one scripted answer: a status and body, or a cut connection.
type step struct {
	status     int
	body       string
	ctype      string
	retryAfter string
	cut        bool // close the connection without answering
}

// scripted answers requests with steps in order (the last one repeats) and
// records the methods it saw.
type scripted struct {
	mu    sync.Mutex
	steps []step
	seen  []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := s.steps[min(len(s.seen), len(s.steps)-1)]
	s.seen = append(s.seen, r.Method)
	s.mu.Unlock()
	if st.cut {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
		return
	}
	if st.retryAfter != "" {
		w.Header().Set("Retry-After", st.retryAfter)
	}
	ct := st.ctype
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(st.status)
	fmt.Fprint(w, st.body)
}

func (s *scripted) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

const (
	okOrg     = `{"status":true,"data":{"id":"o","name":"Org"}}`
	okToken   = `{"status":true,"data":{"id":"ak_1","name":"ci","permissions":{}}}`
	unavail   = `{"status":false,"message":"down","code":"unavailable"}`
	limited   = `{"status":false,"message":"slow down","code":"rate_limited"}`
	notFound  = `{"status":false,"message":"no such token","code":"not_found"}`
	truncated = `{"status":true,"da`
)

// retryClient is a client of srv whose waits are recorded, not slept; draw
// returns the largest value so waits are the ceilings.
func retryClient(t *testing.T, h http.Handler, debug *bytes.Buffer) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := Options{BaseURL: srv.URL, Org: "o", Token: secret.New("rpx_s3cretS3cretS3cretS3cretS3cretS3cretS3"), UserAgent: "replex/test"}
	if debug != nil {
		opts.Debug = debug
	}
	c := New(opts)
	var waits []time.Duration
	c.retrier.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	c.retrier.draw = func(n int64) int64 { return n - 1 }
	return c, &waits
}

func TestRetryIdempotentMethods(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
		call  func(*Client) error
		want  int // requests
	}{
		{"GET after 503, 502 HTML", []step{{status: 503, body: unavail}, {status: 502, body: "<html>bad</html>", ctype: "text/html"}, {status: 200, body: okOrg}},
			func(c *Client) error { _, err := c.Organization(context.Background()); return err }, 3},
		{"GET after a cut connection", []step{{cut: true}, {status: 200, body: okOrg}},
			func(c *Client) error { _, err := c.Organization(context.Background()); return err }, 2},
		{"GET after a truncated 200", []step{{status: 200, body: truncated}, {status: 200, body: okOrg}},
			func(c *Client) error { _, err := c.Organization(context.Background()); return err }, 2},
		{"PUT after a cut connection", []step{{cut: true}, {status: 200, body: okToken}},
			func(c *Client) error {
				_, err := c.UpdateToken(context.Background(), "ak_1", TokenInput{Name: "ci"})
				return err
			}, 2},
		{"PUT after 500", []step{{status: 500, body: unavail}, {status: 200, body: okToken}},
			func(c *Client) error {
				_, err := c.UpdateToken(context.Background(), "ak_1", TokenInput{Name: "ci"})
				return err
			}, 2},
		{"DELETE after 504", []step{{status: 504, body: ""}, {status: 204}},
			func(c *Client) error { return c.DeleteToken(context.Background(), "ak_1") }, 2},
		{"DELETE 404 after a cut connection is done", []step{{cut: true}, {status: 404, body: notFound}},
			func(c *Client) error { return c.DeleteToken(context.Background(), "ak_1") }, 2},
		{"DELETE 404 after a 502 is done", []step{{status: 502, body: "<html>", ctype: "text/html"}, {status: 404, body: notFound}},
			func(c *Client) error { return c.DeleteToken(context.Background(), "ak_1") }, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &scripted{steps: tc.steps}
			c, waits := retryClient(t, h, nil)
			if err := tc.call(c); err != nil {
				t.Fatalf("err = %v", err)
			}
			if h.requests() != tc.want || int(c.Retries()) != tc.want-1 || len(*waits) != tc.want-1 {
				t.Fatalf("%d requests, %d retries, %d waits; want %d requests", h.requests(), c.Retries(), len(*waits), tc.want)
			}
		})
	}
}

// Backoff ceilings double from BaseDelay; attempts stop at the policy's bound
// and the last error is returned.
func TestRetryBoundedWithBackoff(t *testing.T) {
	h := &scripted{steps: []step{{status: 503, body: unavail}}}
	c, waits := retryClient(t, h, nil)
	_, err := c.Organization(context.Background())
	if StatusOf(err) != 503 || err.Error() != "HTTP 503: down" {
		t.Fatalf("err = %v", err)
	}
	if h.requests() != 4 {
		t.Fatalf("%d requests, want 4", h.requests())
	}
	want := []time.Duration{150 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond}
	if fmt.Sprint(*waits) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v", *waits, want)
	}
}

// Full jitter: waits are drawn below the ceiling, not fixed.
func TestBackoffJitter(t *testing.T) {
	p := DefaultRetryPolicy()
	seen := map[time.Duration]bool{}
	for range 50 {
		d := p.backoff(3, 0, defaultRetrier(p).draw)
		if d < 0 || d > 600*time.Millisecond {
			t.Fatalf("wait %s outside [0, 600ms]", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatalf("50 waits took only %d values", len(seen))
	}
	if d := p.backoff(10, 0, func(n int64) int64 { return n - 1 }); d != p.MaxDelay {
		t.Fatalf("ceiling after many retries %s, want %s", d, p.MaxDelay)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h := &scripted{steps: []step{{status: 429, body: limited, retryAfter: "2"}, {status: 200, body: okOrg}}}
	c, waits := retryClient(t, h, nil)
	if _, err := c.Organization(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The server's wait plus at most BaseDelay of jitter.
	if len(*waits) != 1 || (*waits)[0] != 2*time.Second+150*time.Millisecond {
		t.Fatalf("waits %v", *waits)
	}

	// A wait beyond MaxRetryAfter is not waited for: the error says it.
	h = &scripted{steps: []step{{status: 429, body: limited, retryAfter: "3600"}}}
	c, waits = retryClient(t, h, nil)
	_, err := c.Organization(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.RetryAfter != "3600" || len(*waits) != 0 || h.requests() != 1 {
		t.Fatalf("err %v, waits %v, %d requests", err, *waits, h.requests())
	}
}

// A 503 on a GET is retried after the server's Retry-After, and a wait
// beyond MaxRetryAfter is not waited out: the 503 is the answer.
func TestRetryAfterHonouredOn503Get(t *testing.T) {
	h := &scripted{steps: []step{{status: 503, body: unavail, retryAfter: "2"}, {status: 200, body: okOrg}}}
	c, waits := retryClient(t, h, nil)
	if _, err := c.Organization(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The server's wait plus at most BaseDelay of jitter.
	if len(*waits) != 1 || (*waits)[0] != 2*time.Second+150*time.Millisecond || h.requests() != 2 {
		t.Fatalf("waits %v, %d requests", *waits, h.requests())
	}

	// 30 s is beyond MaxRetryAfter (20 s) but within the Budget (60 s), so
	// only MaxRetryAfter refuses it; 3600 s is beyond both.
	for _, huge := range []string{"30", "3600"} {
		h = &scripted{steps: []step{{status: 503, body: unavail, retryAfter: huge}, {status: 200, body: okOrg}}}
		c, waits = retryClient(t, h, nil)
		_, err := c.Organization(context.Background())
		var ae *Error
		if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.RetryAfter != huge || len(*waits) != 0 || h.requests() != 1 {
			t.Fatalf("Retry-After %s: err %v, waits %v, %d requests", huge, err, *waits, h.requests())
		}
	}
}

// A POST is retried only when it certainly was not done.
func TestRetryPost(t *testing.T) {
	create := func(c *Client) error {
		_, err := c.CreateToken(context.Background(), TokenInput{Name: "ci"})
		return err
	}
	cases := []struct {
		name  string
		steps []step
		want  int
		ok    bool
	}{
		{"429 is not processed: retried", []step{{status: 429, body: limited, retryAfter: "1"}, {status: 201, body: `{"status":true,"data":{"id":"ak_1","name":"ci","permissions":{},"token":"x"}}`}}, 2, true},
		{"503 may follow the write: not retried", []step{{status: 503, body: unavail}}, 1, false},
		{"500 not retried", []step{{status: 500, body: unavail}}, 1, false},
		{"a cut connection not retried", []step{{cut: true}}, 1, false},
		{"a truncated 201 not retried", []step{{status: 201, body: truncated}}, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &scripted{steps: tc.steps}
			c, _ := retryClient(t, h, nil)
			err := create(c)
			if (err == nil) != tc.ok || h.requests() != tc.want {
				t.Fatalf("err %v after %d requests; want ok=%v after %d", err, h.requests(), tc.ok, tc.want)
			}
			if err != nil && !OutcomeUnknown(err) {
				t.Fatalf("%v: the outcome is unknown, but OutcomeUnknown says not", err)
			}
		})
	}
}

// Connection refused: nothing was sent, so even a POST is retried.
func TestRetryConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := New(Options{BaseURL: url, Org: "o", Token: secret.New("x"), UserAgent: "replex/test"})
	var waits int
	c.retrier.sleep = func(context.Context, time.Duration) error { waits++; return nil }
	_, err := c.CreateToken(context.Background(), TokenInput{Name: "ci"})
	if want := "cannot reach " + url + ": connection refused"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if waits != 3 || OutcomeUnknown(err) {
		t.Fatalf("%d retries, unknown=%v; want 3 and a known outcome", waits, OutcomeUnknown(err))
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 422, 501} {
		h := &scripted{steps: []step{{status: status, body: `{"status":false,"message":"no","code":"x"}`}}}
		c, _ := retryClient(t, h, nil)
		if _, err := c.GetToken(context.Background(), "ak_1"); StatusOf(err) != status || h.requests() != 1 {
			t.Errorf("%d: err %v after %d requests", status, err, h.requests())
		}
	}
	// A 404 on the first DELETE is not success: nothing was deleted by us.
	h := &scripted{steps: []step{{status: 404, body: notFound}}}
	c, _ := retryClient(t, h, nil)
	if err := c.DeleteToken(context.Background(), "ak_1"); StatusOf(err) != 404 {
		t.Fatalf("err = %v", err)
	}
}

// The budget stops retries that would start too late; so does the
// caller's deadline.
func TestRetryBudgetAndDeadline(t *testing.T) {
	h := &scripted{steps: []step{{status: 503, body: unavail}}}
	c, _ := retryClient(t, h, nil)
	clock := time.Unix(0, 0)
	// Each attempt takes 25s: a retry after the third would start 75s in,
	// past the 60s budget.
	c.retrier.now = func() time.Time { clock = clock.Add(25 * time.Second); return clock }
	if _, err := c.Organization(context.Background()); StatusOf(err) != 503 || h.requests() != 3 {
		t.Fatalf("err %v after %d requests; want the budget to stop at 3", err, h.requests())
	}

	h = &scripted{steps: []step{{status: 503, body: unavail}}}
	c, waits := retryClient(t, h, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Organization(ctx); StatusOf(err) != 503 || len(*waits) != 0 {
		t.Fatalf("err %v, waits %v: a wait past the deadline must not start", err, *waits)
	}
}

// Ctrl-C during a backoff ends with context.Canceled (exit 130).
func TestRetryInterrupted(t *testing.T) {
	h := &scripted{steps: []step{{status: 503, body: unavail}}}
	c, _ := retryClient(t, h, nil)
	ctx, cancel := context.WithCancel(context.Background())
	c.retrier.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return sleepCtx(ctx, d) }
	if _, err := c.Organization(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// --debug logs every attempt and every retry, secrets masked.
func TestRetryDebugLog(t *testing.T) {
	var log bytes.Buffer
	// The cut comes first: on a reused connection Go's transport would
	// repeat a GET by itself, below the log.
	h := &scripted{steps: []step{{cut: true}, {status: 503, body: unavail}, {status: 200, body: okOrg}}}
	c, _ := retryClient(t, h, &log)
	if _, err := c.Organization(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := log.String()
	if n := strings.Count(out, "> GET "); n != 3 {
		t.Errorf("%d attempts logged, want 3:\n%s", n, out)
	}
	for _, want := range []string{
		"* retry 1 of 3 for GET /api/v1/organizations/o in 150ms after: no answer from http://127.0.0.1:",
		"* retry 2 of 3 for GET /api/v1/organizations/o in 300ms after: HTTP 503: down\n",
		"< error after ",
		"< 200 OK",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rpx_") {
		t.Errorf("log leaks the secret:\n%s", out)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 3 ", 3 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", 0, false},
		{"9223372036854775807", 24 * time.Hour, true},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// A create's answer cut short mid-secret, whatever its key looks like, is
// logged with every value masked.
func TestDebugMasksTruncatedBodies(t *testing.T) {
	const secretPart = "rpx_PARTIALpartialPARTIALpartial"
	for _, body := range []string{
		`{"status":true,"data":{"id":"ak_1","token":"` + secretPart,
		`{"status":true,"data":{"id":"ak_1","tok\u0065n":"` + secretPart + `","name":"x`,
		`  {"data":{"Token" : "` + secretPart,
	} {
		var log bytes.Buffer
		h := &scripted{steps: []step{{status: 201, body: body}}}
		c, _ := retryClient(t, h, &log)
		_, err := c.CreateToken(context.Background(), TokenInput{Name: "ci"})
		if err == nil || strings.Contains(err.Error(), "PARTIAL") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(log.String(), "PARTIAL") || !strings.Contains(log.String(), `"[masked]"`) {
			t.Fatalf("log of %q:\n%s", body, log.String())
		}
	}
}

// TestRateLimitDoesNotUseUpAttempts: a request answered 429 more often
// than Attempts allows still gets through, each time after the server's
// wait; other failures still count, and the Budget still ends the waiting.
func TestRateLimitDoesNotUseUpAttempts(t *testing.T) {
	var steps []step
	for range 6 {
		steps = append(steps, step{status: 429, body: limited, retryAfter: "1"})
	}
	h := &scripted{steps: append(steps, step{status: 503, body: unavail}, step{status: 200, body: okOrg})}
	c, waits := retryClient(t, h, nil)
	if _, err := c.Organization(context.Background()); err != nil {
		t.Fatalf("after six 429s and a 503: %v", err)
	}
	if h.requests() != 8 || len(*waits) != 7 || (*waits)[0] != time.Second+150*time.Millisecond {
		t.Fatalf("%d requests, waits %v", h.requests(), *waits)
	}

	// A POST too: a 429 means nothing was created.
	h = &scripted{steps: append(append([]step{}, steps...), step{status: 201, body: `{"status":true,"data":{"id":"ak_1","name":"ci","permissions":{},"token":"x"}}`})}
	c, _ = retryClient(t, h, nil)
	if _, err := c.CreateToken(context.Background(), TokenInput{Name: "ci"}); err != nil || h.requests() != 7 {
		t.Fatalf("create after six 429s: %v, %d requests", err, h.requests())
	}

	// The Budget bounds the waiting: a server that is always busy is
	// reported once the next wait would start past it.
	var busy []step
	for range 200 {
		busy = append(busy, step{status: 429, body: limited, retryAfter: "1"})
	}
	h = &scripted{steps: busy}
	c, _ = retryClient(t, h, nil)
	clock := time.Now()
	c.retrier.now = func() time.Time { return clock }
	c.retrier.sleep = func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
	_, err := c.Organization(context.Background())
	if StatusOf(err) != 429 {
		t.Fatalf("an always-busy server: %v", err)
	}
	// 60 s of budget, 1.15 s a wait: 53 waits, 53 retries after the first.
	if n := h.requests(); n < 50 || n > 60 {
		t.Fatalf("%d requests before the budget ran out", n)
	}
}
