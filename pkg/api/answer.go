package api

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxAnswerBytes bounds the body of one answer. The largest answer the
// contract has, a page of 1,000 tokens, is under 1 MiB; a server sending
// more than this is broken or hostile, and reading on would only exhaust
// memory. docs/api.md states it.
const MaxAnswerBytes = 32 << 20

// BodyTooLargeError means an answer's body went past MaxAnswerBytes;
// replex stopped reading it and closed the connection.
type BodyTooLargeError struct {
	Host string
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("the answer from %s is larger than %d MiB, far more than any Replex answer: replex stopped reading it; check the base URL", e.Host, MaxAnswerBytes>>20)
}

// RedirectError is a 3xx answer. replex follows no redirect: every request
// carries the token, and a redirect can point it at another scheme, port
// or host. Nothing is sent to the Location.
type RedirectError struct {
	StatusCode int
	Location   string // resolved and masked (maskLocation); "" when absent
	RequestID  string
}

func (e *RedirectError) Error() string {
	to := "without a Location"
	if e.Location != "" {
		to = "to " + e.Location
	}
	msg := fmt.Sprintf("HTTP %d: the server redirects %s; replex follows no redirect and sent nothing there: set the base URL to where the API answers", e.StatusCode, to)
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// redirectError describes the 3xx answer to req.
func redirectError(status int, header http.Header, req *url.URL) *RedirectError {
	e := &RedirectError{StatusCode: status, RequestID: requestID(header)}
	if loc := header.Get("Location"); loc != "" {
		e.Location = maskLocation(loc, req)
	}
	return e
}

// maskLocation renders a redirect target for an error message: resolved
// against the request, with userinfo and query masked (either may hold a
// credential), the fragment dropped, and made safe to print.
func maskLocation(loc string, req *url.URL) string {
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		return "a Location that is not a URL"
	}
	if req != nil {
		u = req.ResolveReference(u)
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Host != "" || u.User != nil {
		b.WriteString("//")
		if u.User != nil {
			b.WriteString("[masked]@")
		}
		b.WriteString(u.Host)
	}
	b.WriteString(u.EscapedPath())
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?[masked]")
	}
	return sanitize(b.String(), 200)
}

// readAnswer reads a body of at most MaxAnswerBytes. size is the
// Content-Length, or -1 when unknown. A body is read in chunks growing to
// 1 MiB and joined once, so that one cut off at the cap has cost no more
// memory than the cap; an announced size is read in one chunk of that size
// (and a byte more, to see the end: a size is a hint from the server, not
// a promise). A body that fails to read otherwise (the connection was
// lost) is returned as far as it came, with the error, for the --debug log.
func readAnswer(r io.Reader, size int64) ([]byte, error) {
	if size > MaxAnswerBytes {
		return nil, &BodyTooLargeError{}
	}
	r = io.LimitReader(r, MaxAnswerBytes+1)
	var chunks [][]byte
	total, chunk := 0, 4<<10
	if size > 0 {
		chunk = int(size) + 1
	}
	for {
		buf := make([]byte, chunk)
		n, err := fill(r, buf)
		total += n
		if total > MaxAnswerBytes {
			return nil, &BodyTooLargeError{}
		}
		chunks = append(chunks, buf[:n])
		if err == io.EOF {
			return join(chunks, total), nil
		}
		if err != nil {
			return join(chunks, total), err
		}
		chunk = min(2*chunk, 1<<20)
	}
}

// fill reads until buf is full or r fails; unlike io.ReadFull it returns
// r's own error, so that a body cut short (io.ErrUnexpectedEOF from the
// transport) is not taken for a body that ended.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// join concatenates chunks holding total bytes.
func join(chunks [][]byte, total int) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// PagingError means a list's pages do not add up: the server's meta is
// absurd, or its pages make no progress. Reading on could loop for ever or
// exhaust memory, so the list stops there.
type PagingError struct {
	Problem string
}

func (e *PagingError) Error() string {
	return "the server's token list does not add up: " + e.Problem + "; check the base URL, or report it to the server's operator"
}

func pagingErrorf(format string, args ...any) *PagingError {
	return &PagingError{Problem: fmt.Sprintf(format, args...)}
}
