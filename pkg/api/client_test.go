package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/replexio/replex/pkg/secret"
)

// pagedServer serves n tokens in pages, optionally without meta, counting requests.
func pagedServer(t *testing.T, n int, withMeta bool, maxLimit int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if got := r.Header.Get("Authorization"); got != "Api-Key s3cret" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"status":false,"message":"bad token","code":"unauthorized"}`)
			return
		}
		if got := r.Header.Get("User-Agent"); got != "replex/test" {
			t.Errorf("User-Agent %q", got)
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit > maxLimit {
			limit = maxLimit
		}
		var data []Token
		for i := (page - 1) * limit; i < page*limit && i < n; i++ {
			data = append(data, Token{ID: fmt.Sprintf("ak_%04d", i), Name: fmt.Sprintf("t%d", i)})
		}
		if data == nil {
			data = []Token{}
		}
		env := map[string]any{"status": true, "data": data}
		if withMeta {
			env["meta"] = Meta{Page: page, Limit: limit, Total: n}
		}
		json.NewEncoder(w).Encode(env)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestListTokensFollowsEveryPage(t *testing.T) {
	for _, tc := range []struct {
		n, maxLimit int
		wantCalls   int32
	}{
		{0, 100, 1},
		{100, 100, 1},
		{101, 100, 2},
		{1234, 100, 13},
		{250, 30, 9}, // the server caps limit below what was asked
		{2500, 1000, 3},
		{10000, 1000, 10},
	} {
		srv, calls := pagedServer(t, tc.n, true, tc.maxLimit)
		c := New(Options{BaseURL: srv.URL, Org: "org_1", Token: secret.New("s3cret"), UserAgent: "replex/test"})
		got, err := c.ListTokens(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.n || calls.Load() != tc.wantCalls {
			t.Fatalf("n=%d: got %d tokens in %d requests, want %d in %d", tc.n, len(got), calls.Load(), tc.n, tc.wantCalls)
		}
		for i, tok := range got {
			if tok.ID != fmt.Sprintf("ak_%04d", i) {
				t.Fatalf("n=%d: token %d is %s: order lost", tc.n, i, tok.ID)
			}
		}
	}
}

func TestListTokensWithoutMetaIsOnePage(t *testing.T) {
	srv, calls := pagedServer(t, 1500, false, 1000)
	c := New(Options{BaseURL: srv.URL, Org: "org_1", Token: secret.New("s3cret"), UserAgent: "replex/test"})
	got, err := c.ListTokens(context.Background())
	if err != nil || len(got) != 1000 || calls.Load() != 1 {
		t.Fatalf("got %d tokens, %d calls, %v; want the first answer only", len(got), calls.Load(), err)
	}
}

func TestErrorDecoding(t *testing.T) {
	cases := []struct {
		status int
		ctype  string
		body   string
		want   string
		code   string
	}{
		{403, "application/json", `{"status":false,"message":"this token lacks apiKey:create","code":"forbidden"}`, "HTTP 403: this token lacks apiKey:create", "forbidden"},
		{502, "text/html", `<html><body>Bad Gateway</body></html>`, "HTTP 502: Bad Gateway (the server answered with text/html, not the Replex JSON envelope; check the base URL or a proxy in between)", ""},
		{500, "application/json", `{"status":false,"mess`, "HTTP 500: Internal Server Error (the body is not the Replex error envelope)", ""},
		{503, "", ``, "HTTP 503: Service Unavailable (empty body)", ""},
		{400, "application/json", `{"status":false,"message":"line1\nline2\u001b[31m","code":"bad_request"}`, "HTTP 400: line1 line2 [31m", "bad_request"},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.ctype != "" {
			h.Set("Content-Type", tc.ctype)
		}
		h.Set("X-Request-Id", "")
		e := DecodeError(tc.status, h, []byte(tc.body))
		if e.Error() != tc.want || e.Code != tc.code {
			t.Errorf("DecodeError(%d, %q) = %q (code %q), want %q (code %q)", tc.status, tc.body, e.Error(), e.Code, tc.want, tc.code)
		}
	}
	h := http.Header{"X-Request-Id": {"req-42"}}
	if got := DecodeError(404, h, []byte(`{"status":false,"message":"no such token"}`)).Error(); got != "HTTP 404: no such token (request id req-42)" {
		t.Errorf("request id: %q", got)
	}
}

func TestClientErrorsCarryNoSecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		// A hostile server echoing the credential back must not get it into errors verbatim through us.
		fmt.Fprint(w, `{"status":false,"message":"invalid API token","code":"unauthorized"}`)
	}))
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL, Org: "o", Token: secret.New("rpx_supersecretvalue0000000000000000000000"), UserAgent: "replex/test"})
	_, err := c.Organization(context.Background())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, apiErr), "supersecret") {
		t.Fatal("error mentions the secret")
	}
}

func TestNetworkErrorIsShort(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := New(Options{BaseURL: url, Org: "o", Token: secret.New("x"), UserAgent: "replex/test"})
	_, err := c.Organization(context.Background())
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %T %v", err, err)
	}
	if want := "cannot reach " + url + ": connection refused"; err.Error() != want {
		t.Fatalf("err = %q, want %q", err.Error(), want)
	}
}

// TestDebugLogMasksSecrets: --debug prints requests and responses with the
// Authorization header and every "token" field masked.
func TestDebugLogMasksSecrets(t *testing.T) {
	const sec = "rpx_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjj"
	const newSec = "rpx_ZZZZyyyyXXXXwwwwVVVVuuuuTTTTssssRRRRqqqq"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"status":true,"data":{"id":"ak_1","name":"ci","permissions":{},"token":%q}}`, newSec)
	}))
	defer srv.Close()
	var log bytes.Buffer
	c := New(Options{BaseURL: srv.URL, Org: "o", Token: secret.New(sec), UserAgent: "replex/test", Debug: &log})
	created, err := c.CreateToken(context.Background(), TokenInput{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if created.Secret.Reveal() != newSec {
		t.Fatal("the client lost the secret it was given")
	}
	out := log.String()
	if strings.Contains(out, sec) || strings.Contains(out, newSec) || strings.Contains(out, "rpx_") {
		t.Fatalf("debug log leaks a secret:\n%s", out)
	}
	for _, want := range []string{
		"> POST " + srv.URL + "/api/v1/organizations/o/api-keys",
		"> Authorization: Api-Key [masked " + secret.New(sec).Fingerprint() + "]",
		`"token":"[masked ` + secret.New(newSec).Fingerprint() + `]"`,
		"< 201 Created",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
}

func TestMaskLocation(t *testing.T) {
	req, _ := url.Parse("https://api.example.com/api/v1/organizations/o")
	for loc, want := range map[string]string{
		"http://u:p@evil.example:8080/x?token=rpx_1#f": "http://[masked]@evil.example:8080/x?[masked]",
		"/elsewhere":                 "https://api.example.com/elsewhere",
		"other?sig=abc":              "https://api.example.com/api/v1/organizations/other?[masked]",
		"https://ok.example/\u202ex": "https://ok.example/%E2%80%AEx",
		"https://ok.example/\x1b[2J": "a Location that is not a URL",
		"http://[::1":                "a Location that is not a URL",
	} {
		if got := maskLocation(loc, req); got != want {
			t.Errorf("maskLocation(%q) = %q, want %q", loc, got, want)
		}
	}
}

// TestAnswerCap: an answer over MaxAnswerBytes, announced or streamed, is
// refused with BodyTooLargeError, not read whole; one at the cap is read.
func TestAnswerCap(t *testing.T) {
	over := bytes.Repeat([]byte("x"), MaxAnswerBytes+1)
	if _, err := readAnswer(bytes.NewReader(over), -1); !errors.As(err, new(*BodyTooLargeError)) {
		t.Errorf("streamed over the cap: %v", err)
	}
	if _, err := readAnswer(bytes.NewReader(nil), MaxAnswerBytes+1); !errors.As(err, new(*BodyTooLargeError)) {
		t.Errorf("announced over the cap: %v", err)
	}
	if b, err := readAnswer(bytes.NewReader(over[:MaxAnswerBytes]), -1); err != nil || len(b) != MaxAnswerBytes {
		t.Errorf("at the cap: %d bytes, %v", len(b), err)
	}
	// A size is the server's word, not a promise: the body is read to its end.
	for _, size := range []int64{-1, 0, 3, 6, 100} {
		if b, err := readAnswer(strings.NewReader("abcdef"), size); err != nil || string(b) != "abcdef" {
			t.Errorf("size %d: %q, %v", size, b, err)
		}
	}
	if b, err := readAnswer(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(io.ErrUnexpectedEOF)), -1); err != io.ErrUnexpectedEOF || string(b) != "abc" {
		t.Errorf("cut short: %q, %v", b, err)
	}
}
