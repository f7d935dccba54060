package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
	"unicode"

	"github.com/replexio/replex/pkg/output"
)

// Error is a non-2xx answer from the server. It never carries request
// headers or secrets, only what the server said.
type Error struct {
	StatusCode int
	Code       string // machine-readable code from the error envelope, if any
	Message    string // human message from the envelope, or a description of the body
	RequestID  string // X-Request-Id of the answer, if any
	RetryAfter string // Retry-After header of a 429 or 503, if any
}

// garbled reports an answer with a success status whose body is not the
// contract's envelope: the request was probably done, the answer is lost.
func (e *Error) garbled() bool { return e.StatusCode >= 200 && e.StatusCode <= 299 }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// NetworkError means no HTTP answer was had: refused, reset, timed out, DNS.
type NetworkError struct {
	Host string
	Err  error
	// Sent means the request may have reached the server (the connection
	// was lost or timed out after connecting), so it may have been done.
	Sent bool
}

func (e *NetworkError) Error() string {
	if e.Sent {
		return fmt.Sprintf("no answer from %s: %s", e.Host, shortCause(e.Err))
	}
	return fmt.Sprintf("cannot reach %s: %s", e.Host, shortCause(e.Err))
}

func (e *NetworkError) Unwrap() error { return e.Err }

// shortCause drops the Go-internal layers ("Get \"http://...\": dial tcp ...:")
// and keeps the cause a person can act on.
func shortCause(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// DecodeError builds an Error from a non-2xx answer. It copes with bodies that
// are not the JSON envelope (a proxy's HTML page, a truncated body).
func DecodeError(status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, RequestID: requestID(header), RetryAfter: header.Get("Retry-After")}
	var eb ErrorBody
	if err := json.Unmarshal(body, &eb); err == nil && (eb.Message != "" || eb.Code != "") {
		e.Code = sanitize(eb.Code, 100)
		e.Message = sanitize(eb.Message, 300)
		if e.Message == "" {
			e.Message = e.Code
		}
		return e
	}
	text := http.StatusText(status)
	if text == "" {
		text = "unexpected status"
	}
	// The media type is the server's too: any length, so it is bounded.
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	ct = sanitize(ct, 100)
	switch {
	case len(body) == 0:
		e.Message = text + " (empty body)"
	case ct != "" && ct != "application/json":
		e.Message = fmt.Sprintf("%s (the server answered with %s, not the Replex JSON envelope; check the base URL or a proxy in between)", text, ct)
	default:
		e.Message = text + " (the body is not the Replex error envelope)"
	}
	return e
}

// requestID is the answer's X-Request-Id, made safe to print.
func requestID(h http.Header) string { return sanitize(h.Get("X-Request-Id"), 100) }

// sanitize keeps a server-provided string to one printable line of at most n runes.
func sanitize(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if count >= n {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) || !output.SafeRune(r) {
			r = ' '
		}
		b.WriteRune(r)
		count++
	}
	return strings.TrimSpace(b.String())
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// fate is what a failed attempt says about whether the server acted on it.
type fate int

const (
	fateAnswered fate = iota // a well-formed refusal: nothing was done
	fateNotSent              // the request never left: nothing was done
	fateUnknown              // sent, with no usable answer: it may have been done
)

// fateOf classifies the error of one attempt.
func fateOf(err error) fate {
	var ne *NetworkError
	if errors.As(err, &ne) {
		if ne.Sent {
			return fateUnknown
		}
		return fateNotSent
	}
	var ae *Error
	if errors.As(err, &ae) {
		if ae.garbled() || ae.StatusCode >= 500 {
			return fateUnknown
		}
		return fateAnswered
	}
	// Cancelled or past the caller's deadline mid-request.
	return fateUnknown
}

// OutcomeUnknown reports whether err leaves open whether the server acted on
// the request: the connection was lost after sending, the answer timed out
// or was garbled, the server failed (5xx), or the caller gave up waiting.
func OutcomeUnknown(err error) bool {
	return err != nil && fateOf(err) == fateUnknown
}

// wasSent reports whether a transport error happened after the request may
// have reached the server. Only a failure to connect proves it did not.
func wasSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}
