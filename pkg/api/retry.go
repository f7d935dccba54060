package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/replexio/replex/pkg/output"
)

// RetryPolicy bounds how a request that failed in a way that may pass is
// tried again. Which failures qualify depends on the method (retryDecision).
type RetryPolicy struct {
	// Attempts is how often one request is tried, the first included.
	// 1 never retries.
	Attempts int
	// BaseDelay is the ceiling of the first backoff; it doubles with each
	// retry up to MaxDelay. The wait is drawn uniformly below the ceiling
	// ("full jitter"), so that many clients failing together do not retry
	// together.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a server asking
	// for a longer wait gets the error reported instead.
	MaxRetryAfter time.Duration
	// Budget is how long after the first attempt a retry may still start.
	Budget time.Duration
	// CreateRounds is how many creates CreateTokenReconciled tries when
	// each one's outcome is unknown.
	CreateRounds int
}

// DefaultRetryPolicy is the policy of a Client built without one.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		Attempts:      4,
		BaseDelay:     150 * time.Millisecond,
		MaxDelay:      5 * time.Second,
		MaxRetryAfter: 20 * time.Second,
		Budget:        60 * time.Second,
		CreateRounds:  5,
	}
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

// shouldRetry says whether to retry after err, and the least wait the
// server asked for. GET, PUT and DELETE are idempotent: repeating one that
// may have been done does no harm, so they are retried on connection
// errors, timeouts, 5xx and garbled answers. A POST is retried only when it
// certainly was not done: it never left (connection refused), or it was
// rate limited (429 means not processed). A 503, though often "not
// processed", cannot be told from a failure after the write, so a POST is
// not retried on it; CreateTokenReconciled finds out instead.
func (p RetryPolicy) shouldRetry(method string, err error) (bool, time.Duration) {
	var ae *Error
	isAPI := errors.As(err, &ae)
	if isAPI && ae.StatusCode == http.StatusTooManyRequests {
		wait, ok := parseRetryAfter(ae.RetryAfter, time.Now())
		if ok && wait > p.MaxRetryAfter {
			return false, 0
		}
		return true, wait
	}
	f := fateOf(err)
	if f == fateNotSent {
		var dns *net.DNSError
		return !errors.As(err, &dns) || !dns.IsNotFound, 0 // no such host stays so
	}
	if method == http.MethodPost {
		return false, 0
	}
	switch {
	case f == fateUnknown && !isAPI:
		var ne *NetworkError
		return errors.As(err, &ne), 0 // not a cancelled context
	case isAPI && ae.garbled():
		return true, 0
	case isAPI && ae.StatusCode == http.StatusRequestTimeout:
		return true, 0
	case isAPI && ae.StatusCode >= 500 && ae.StatusCode != http.StatusNotImplemented && ae.StatusCode != http.StatusHTTPVersionNotSupported:
		wait, ok := parseRetryAfter(ae.RetryAfter, time.Now())
		if ok && wait > p.MaxRetryAfter {
			return false, 0
		}
		return true, wait
	}
	return false, 0
}

// backoff is the wait before retry number n (1 for the first retry): a
// uniform draw below min(MaxDelay, BaseDelay·2^(n-1)), and at least what
// the server asked for, plus a little jitter so that clients told the same
// Retry-After do not return at the same instant.
func (p RetryPolicy) backoff(n int, serverWait time.Duration, draw func(int64) int64) time.Duration {
	ceiling := p.BaseDelay
	for i := 1; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxDelay)
	if ceiling <= 0 {
		return serverWait
	}
	if serverWait > 0 {
		return serverWait + time.Duration(draw(int64(p.BaseDelay)+1))
	}
	return time.Duration(draw(int64(ceiling) + 1))
}

// parseRetryAfter reads a Retry-After value: whole seconds or an HTTP date.
// ok is false when there is none or it cannot be read.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	// Waits beyond a day are cut to one: far beyond any cap, and no overflow.
	const longest = 24 * time.Hour
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, int64(longest/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(longest, max(0, t.Sub(now))), true
	}
	return 0, false
}

// retrier runs the attempts of one request.
type retrier struct {
	policy RetryPolicy
	sleep  func(context.Context, time.Duration) error
	draw   func(int64) int64
	now    func() time.Time
}

func defaultRetrier(p RetryPolicy) retrier {
	return retrier{policy: p, sleep: sleepCtx, draw: rand.Int64N, now: time.Now}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// doWithRetry runs attempt until it succeeds or the policy says stop. A
// DELETE answered 404 after an attempt whose outcome was unknown succeeded:
// that attempt did it.
//
// A 429 does not count against Attempts: the server did nothing and said
// when to come back, so under a rate limit shared by many requests (a bulk
// rotation) a request waits its turn for as long as the Budget allows
// instead of failing after a few unlucky tries.
func (c *Client) doWithRetry(ctx context.Context, method, path string, attempt func() (*Meta, error)) (*Meta, error) {
	r := c.retrier
	start := r.now()
	mayHaveActed := false
	n := 0 // failed attempts that count against Attempts
	for tries := 1; ; tries++ {
		meta, err := attempt()
		if err == nil {
			return meta, nil
		}
		if method == http.MethodDelete && mayHaveActed && StatusOf(err) == http.StatusNotFound {
			c.debugf("* %s %s: 404 after an attempt with unknown outcome: that attempt deleted it\n", method, path)
			return nil, nil
		}
		if fateOf(err) == fateUnknown {
			mayHaveActed = true
		}
		if StatusOf(err) != http.StatusTooManyRequests {
			n++
		}
		if ctx.Err() != nil || n >= r.policy.Attempts {
			return nil, err
		}
		retry, serverWait := r.policy.shouldRetry(method, err)
		if !retry {
			return nil, err
		}
		wait := r.policy.backoff(tries, serverWait, r.draw)
		if r.now().Sub(start)+wait > r.policy.Budget {
			return nil, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, err // waiting would only end in the deadline
		}
		c.retries.Add(1)
		if StatusOf(err) == http.StatusTooManyRequests {
			c.debugf("* retry for %s %s in %s after: %s (a 429 does not count against the %d retries)\n", method, path, wait.Round(time.Millisecond), err, r.policy.Attempts-1)
		} else {
			c.debugf("* retry %d of %d for %s %s in %s after: %s\n", n, r.policy.Attempts-1, method, path, wait.Round(time.Millisecond), err)
		}
		if serr := r.sleep(ctx, wait); serr != nil {
			if errors.Is(serr, context.Canceled) {
				return nil, serr // interrupted: exit 130, not the last failure
			}
			return nil, err
		}
	}
}

// Retries is how many times this client has retried a request.
func (c *Client) Retries() int64 { return c.retries.Load() }

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
