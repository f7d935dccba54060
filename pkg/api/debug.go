package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/replexio/replex/pkg/secret"
)

// debugTransport logs each exchange for --debug. Redaction happens here, by
// construction: headers are printed from an allow-list, Authorization only as
// a fingerprint, and every "token" field of a JSON body is masked.
type debugTransport struct {
	next   http.RoundTripper
	w      io.Writer
	secret secret.Secret
	mu     sync.Mutex
}

const debugBodyLimit = 4096

func (d *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(io.LimitReader(rc, debugBodyLimit+1))
			rc.Close()
		}
	}
	start := time.Now()
	resp, err := d.next.RoundTrip(req)
	elapsed := time.Since(start).Round(time.Millisecond)

	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.String())
	for _, h := range []string{"User-Agent", "Content-Type"} {
		if v := req.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "> %s: %s\n", h, v)
		}
	}
	if auth := req.Header.Get("Authorization"); auth != "" {
		scheme, _, _ := strings.Cut(auth, " ")
		fmt.Fprintf(&b, "> Authorization: %s [masked %s]\n", scheme, d.secret.Fingerprint())
	}
	if len(reqBody) > 0 {
		fmt.Fprintf(&b, "> %s\n", d.mask(reqBody))
	}
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %s\n", elapsed, shortCause(err))
	} else {
		fmt.Fprintf(&b, "< %s (%s)\n", resp.Status, elapsed)
		for _, h := range []string{"Content-Type", "X-Request-Id", "Retry-After"} {
			if v := resp.Header.Get(h); v != "" {
				fmt.Fprintf(&b, "< %s: %s\n", h, v)
			}
		}
		// Read as the client reads it, capped (answer.go): the log must
		// not be the way around the cap.
		body, rerr := readAnswer(resp.Body, resp.ContentLength)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		if rerr != nil {
			resp.Body = io.NopCloser(errReader{rerr})
			resp.ContentLength = -1
			if _, ok := rerr.(*BodyTooLargeError); ok {
				fmt.Fprintf(&b, "< body larger than %d MiB: not read further\n", MaxAnswerBytes>>20)
			} else {
				fmt.Fprintf(&b, "< body unreadable: %s\n", shortCause(rerr))
			}
		}
		if len(body) > 0 {
			fmt.Fprintf(&b, "< %s\n", d.mask(body))
		}
	}
	d.mu.Lock()
	io.WriteString(d.w, b.String())
	d.mu.Unlock()
	return resp, err
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// tokenField catches "token": "..." in bodies that are not JSON.
// Both are compiled on first use, by --debug alone.
var tokenField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)("token"\s*:\s*)"(?:[^"\\]|\\.)*"?`)
})

// jsonValue catches every string value in a body that starts like JSON but
// does not parse (truncated): its keys may be escaped or cut, so no key can
// be trusted to say where a secret is, and every value is masked.
var jsonValue = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(:\s*)"(?:[^"\\]|\\.)*"?`)
})

// mask returns body for the log with secrets replaced by fingerprints.
func (d *debugTransport) mask(body []byte) string {
	truncated := len(body) > debugBodyLimit
	var v any
	var out string
	if json.Unmarshal(body, &v) == nil {
		maskTokens(v)
		enc, _ := json.Marshal(v)
		out = string(enc)
	} else if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		out = jsonValue().ReplaceAllString(string(body), `$1"[masked]"`)
	} else {
		out = tokenField().ReplaceAllString(string(body), `$1"[masked]"`)
	}
	if !d.secret.IsZero() {
		out = strings.ReplaceAll(out, d.secret.Reveal(), "[masked "+d.secret.Fingerprint()+"]")
	}
	if len(out) > debugBodyLimit {
		out, truncated = out[:debugBodyLimit], true
	}
	if truncated {
		out += " …(truncated)"
	}
	return out
}

// maskTokens replaces the value of every "token" key, at any depth.
func maskTokens(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && strings.EqualFold(k, "token") {
				x[k] = "[masked " + secret.New(s).Fingerprint() + "]"
				continue
			}
			maskTokens(val)
		}
	case []any:
		for _, e := range x {
			maskTokens(e)
		}
	}
}
