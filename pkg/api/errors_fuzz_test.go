package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/replexio/replex/pkg/secret"
)

// fuzzSecret stands for a secret a hostile or broken server puts in a body.
const fuzzSecret = "rpx_FUZZfuzzFUZZfuzzFUZZfuzzFUZZfuzzFUZZfuzz"

// oneSafeLine fails unless s is one line of printable characters: what the
// user sees of an error must not be able to move the cursor, recolour the
// terminal or hide text.
func oneSafeLine(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("%s holds %U: %q", what, r, s)
		}
	}
}

// FuzzDecodeError: whatever a server answers outside 2xx, the error is one
// printable line of bounded length that keeps the status, and it repeats
// nothing of the body but the envelope's message and code.
func FuzzDecodeError(f *testing.F) {
	f.Add(403, "application/json", []byte(`{"status":false,"message":"this token lacks apiKey:create","code":"forbidden"}`), "req-1", "")
	f.Add(502, "text/html", []byte(`<html><body>Bad Gateway</body></html>`), "", "")
	f.Add(500, "application/json", []byte(`{"status":false,"mess`), "", "")
	f.Add(429, "", []byte(``), "", "5")
	f.Add(400, "application/json", []byte("{\"message\":\"line1\\nline2\\u001b[31m\\u202e\",\"code\":\"\\u0007\"}"), "a\x1bb", "")
	f.Add(401, "application/json; charset=utf-8", []byte(`{"message":"","code":"","token":"`+fuzzSecret+`"}`), "", "")
	f.Add(422, "application/json", []byte(`{"status":false,"message":`+strings.Repeat(`"x`, 1)+strings.Repeat("y", 2000)+`"}`), "", "")
	f.Add(599, "text/plain\x00", []byte("\xff\xfe"), "\xff", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte, requestID, retryAfter string) {
		h := http.Header{}
		h.Set("Content-Type", ctype)
		h.Set("X-Request-Id", requestID)
		h.Set("Retry-After", retryAfter)
		e := DecodeError(status, h, body)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		msg := e.Error()
		oneSafeLine(t, "the error", msg)
		oneSafeLine(t, "the code", e.Code)
		if n := utf8.RuneCountInString(msg); n > 1200 {
			t.Fatalf("the error is %d characters long", n)
		}
		if strings.Contains(msg, fuzzSecret) {
			var eb ErrorBody
			if jsonErr := json.Unmarshal(body, &eb); jsonErr != nil || !strings.Contains(eb.Message+eb.Code, fuzzSecret) {
				t.Fatalf("the error repeats a secret from outside the message: %q", msg)
			}
		}
		if again := DecodeError(status, h, body).Error(); again != msg {
			t.Fatalf("not deterministic: %q then %q", msg, again)
		}
	})
}

// FuzzClientAnswer: the client turns any answer, success or not, into data
// or into an error that is one printable line and never holds the secret of
// a create's answer, and it never panics.
func FuzzClientAnswer(f *testing.F) {
	f.Add(201, "application/json", []byte(`{"status":true,"data":{"id":"ak_1","name":"ci","permissions":{},"token":"`+fuzzSecret+`"}}`))
	f.Add(201, "application/json", []byte(`{"status":true,"data":{"id":"ak_1","name":"ci","permissions":{},"token":"`+fuzzSecret[:20]))
	f.Add(200, "application/json", []byte(`{"status":true,"data":null}`))
	f.Add(200, "text/html", []byte(`<html>`+fuzzSecret+`</html>`))
	f.Add(201, "application/json", []byte(`{"status":true,"data":{"id":5,"token":"`+fuzzSecret+`"}}`))
	f.Add(502, "application/json", []byte(`{"status":false,"message":"\u001b]0;owned\u0007"}`))
	f.Add(204, "", []byte(nil))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 100 || status > 999 {
			return // not an HTTP status: net/http refuses it before replex sees it
		}
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			h := http.Header{}
			h.Set("Content-Type", ctype)
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})
		var log bytes.Buffer
		c := New(Options{BaseURL: "https://replex.example", Org: "o", Token: secret.New("rpx_client0client0client0client0client0clie"), UserAgent: "replex/test",
			Transport: rt, Debug: &log, Timeout: time.Second, Retry: &RetryPolicy{Attempts: 1}})
		created, err := c.CreateToken(context.Background(), TokenInput{Name: "ci"})
		// A secret the server sends where the contract puts one, in
		// "token", is masked in the log even when the body is cut short.
		// (A server that echoes a secret anywhere else, say in an HTML
		// page, is outside what the log can know to mask.)
		b := string(body)
		core := fuzzSecret[4:] // a secret need not carry the prefix
		inTokenField := strings.Count(b, core) == strings.Count(b, `"token":"rpx_`+core)
		if inTokenField && strings.Contains(log.String(), core) {
			t.Fatalf("the debug log holds the secret:\n%s", log.String())
		}
		if strings.Contains(log.String(), "client0client0") {
			t.Fatalf("the debug log holds the client's own secret:\n%s", log.String())
		}
		if err == nil {
			if s := created.Secret.String(); strings.Contains(s, fuzzSecret) {
				t.Fatalf("a secret prints as itself: %q", s)
			}
			return
		}
		oneSafeLine(t, "the error", err.Error())
		if strings.Contains(err.Error(), fuzzSecret[4:14]) {
			t.Fatalf("the error holds part of a secret: %q", err.Error())
		}
	})
}

// FuzzParseRetryAfter: any header value gives a wait in [0, 24h], and none
// when it cannot be read.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "7", "-1", "1.5", "Sun, 01 Mar 2026 12:00:30 GMT", "99999999999999999999", "9223372036854775807", " 3 "} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > 24*time.Hour || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %s, %v", v, d, ok)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
