package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
)

// debugTransport logs each exchange for --debug. Redaction happens here, by
// construction: headers are printed from an allow-list, Authorization only as
// a fingerprint, a JSON body is decoded and every secret-named field masked
// (secretKey), and a body that cannot be decoded is held back when it may
// hold a secret. Every line is terminal-safe (output.Sanitize).
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
	fmt.Fprintf(&b, "> %s %s\n", req.Method, output.Sanitize(req.URL.Redacted()))
	for _, h := range []string{"User-Agent", "Content-Type"} {
		if v := req.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "> %s: %s\n", h, output.Sanitize(v))
		}
	}
	if auth := req.Header.Get("Authorization"); auth != "" {
		scheme, _, _ := strings.Cut(auth, " ")
		fmt.Fprintf(&b, "> Authorization: %s [masked %s]\n", output.Sanitize(scheme), d.secret.Fingerprint())
	}
	if len(reqBody) > 0 {
		fmt.Fprintf(&b, "> %s\n", d.mask(reqBody, req.Header.Get("Content-Type")))
	}
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %s\n", elapsed, output.Sanitize(shortCause(err)))
	} else {
		fmt.Fprintf(&b, "< %s (%s)\n", output.Sanitize(resp.Status), elapsed)
		for _, h := range []string{"Content-Type", "X-Request-Id", "Retry-After"} {
			if v := resp.Header.Get(h); v != "" {
				fmt.Fprintf(&b, "< %s: %s\n", h, output.Sanitize(v))
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
			fmt.Fprintf(&b, "< %s\n", d.mask(body, resp.Header.Get("Content-Type")))
		}
	}
	d.mu.Lock()
	io.WriteString(d.w, b.String())
	d.mu.Unlock()
	return resp, err
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// mask returns body for the log, terminal-safe, with secrets masked.
func (d *debugTransport) mask(body []byte, contentType string) string {
	out := redactBody(body, contentType)
	if !d.secret.IsZero() {
		out = strings.ReplaceAll(out, d.secret.Reveal(), "[masked "+d.secret.Fingerprint()+"]")
	}
	if len(out) > debugBodyLimit {
		cut := debugBodyLimit
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut-- // never half a character
		}
		out = out[:cut] + " …(truncated)"
	} else if len(body) > debugBodyLimit {
		out += " …(truncated)"
	}
	return out
}

// redactBody is body as the log shows it. JSON is decoded (a byte-order
// mark and escapes in keys change nothing), secret fields are masked at any
// depth, and it is encoded again with unsafe characters escaped. A body
// that starts like JSON but does not decode (cut short, perhaps mid-secret)
// keeps its keys and loses every string value. Any other body (a proxy's
// page) is shown only if no word in it suggests a secret.
func redactBody(body []byte, contentType string) string {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if v, ok := decodeJSON(trimmed); ok {
		v = redactValue(v)
		enc, err := json.Marshal(v)
		if err == nil {
			return string(output.EscapeJSON(enc))
		}
	}
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		flat := bytes.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' {
				return ' ' // one log line: a body cannot forge "< " lines
			}
			return r
		}, maskJSONStrings(trimmed))
		return output.Sanitize(string(flat))
	}
	if mentionsSecret(body) {
		kind := contentType
		if kind == "" {
			kind = "no Content-Type"
		}
		return fmt.Sprintf("[%d bytes (%s) not shown: not JSON, and it may hold a secret]", len(body), output.Sanitize(kind))
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		lines = append(lines, output.Sanitize(strings.TrimSuffix(l, "\r")))
	}
	return strings.Join(lines, "\n  ")
}

// decodeJSON decodes one whole JSON document, numbers kept exact.
func decodeJSON(b []byte) (any, bool) {
	if len(b) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.InputOffset() != int64(len(b)) {
		return nil, false
	}
	return v, true
}

// redactValue masks, at any depth, the value of every key that secretKey
// names (a string as its fingerprint, anything else as "[masked]"), and a
// string holding JSON that has such a key. The keys of a "permissions"
// object are the contract's categories, not secrets: "apiKey" there maps to
// a list of actions.
func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch {
			case strings.EqualFold(k, "permissions"):
				if perms, ok := val.(map[string]any); ok {
					for cat, acts := range perms {
						perms[cat] = redactValue(acts)
					}
					continue
				}
				x[k] = redactValue(val)
			case secretKey(k):
				if s, ok := val.(string); ok {
					x[k] = "[masked " + secret.New(s).Fingerprint() + "]"
				} else if val != nil {
					x[k] = "[masked]"
				}
			default:
				x[k] = redactValue(val)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = redactValue(e)
		}
	case string:
		// JSON inside a string (an error quoting a request): redacted
		// like the rest, or masked whole if it does not decode.
		if t := strings.TrimSpace(x); len(t) > 1 && (t[0] == '{' || t[0] == '[') {
			if inner, ok := decodeJSON([]byte(t)); ok {
				enc, _ := json.Marshal(redactValue(inner))
				return string(enc)
			}
			if mentionsSecret([]byte(t)) {
				return "[masked]"
			}
		}
	}
	return v
}

// secretKey reports whether a JSON key names a secret: compared without
// case, '_', '-' or '.', it is one of the names below or ends in token,
// secret, password, passphrase, apikey or credentials. "tokenId" is not.
func secretKey(k string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "", " ", "").Replace(k))
	switch n {
	case "authorization", "auth", "bearer", "credential", "privatekey", "passwd", "pwd", "pin", "otp", "signature", "cookie", "setcookie":
		return true
	}
	for _, suffix := range []string{"token", "secret", "password", "passphrase", "apikey", "credentials", "privatekey"} {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

// secretWords are what, in a body that is not JSON, suggest a secret.
var secretWords = []string{"token", "secret", "passw", "apikey", "api_key", "api-key", "authoriz", "credential", "private", "rpx_", `\u`, `\x`, "&#"}

func mentionsSecret(b []byte) bool {
	low := bytes.ToLower(b)
	for _, w := range secretWords {
		if bytes.Contains(low, []byte(w)) {
			return true
		}
	}
	return false
}

// maskJSONStrings replaces every string value of JSON that does not parse
// with "[masked]": a cut or escaped key cannot be trusted to say where a
// secret is. A string followed by ':' is a key and stays (made safe).
// Outside strings only JSON's punctuation and blanks stay: in a body whose
// quotes are out of step, a secret can stand bare between two strings.
func maskJSONStrings(b []byte) []byte {
	var out bytes.Buffer
	for i := 0; i < len(b); {
		if b[i] != '"' {
			if jsonPunct(b[i]) {
				out.WriteByte(b[i])
				i++
				continue
			}
			for i < len(b) && b[i] != '"' && !jsonPunct(b[i]) {
				i++
			}
			out.WriteString("[masked]")
			continue
		}
		end := i + 1
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end+1, len(b)) // past the closing quote, if any
		next := end
		for next < len(b) && (b[next] == ' ' || b[next] == '\t' || b[next] == '\n' || b[next] == '\r') {
			next++
		}
		if next < len(b) && b[next] == ':' {
			out.Write(b[i:end])
		} else {
			out.WriteString(`"[masked]"`)
		}
		i = end
	}
	return out.Bytes()
}

// jsonPunct reports whether c is JSON punctuation or a blank.
func jsonPunct(c byte) bool { return strings.IndexByte("{}[],: \t\n\r", c) >= 0 }

// debugf writes a line to the --debug log, if there is one.
func (c *Client) debugf(format string, args ...any) {
	if c.debug == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	line = output.Sanitize(strings.TrimSuffix(line, "\n")) + "\n"
	c.debug.mu.Lock()
	defer c.debug.mu.Unlock()
	io.WriteString(c.debug.w, line)
}
