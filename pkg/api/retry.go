package api

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retries are this file's loop, not resty's: resty's retry (SetRetryCount
// and the rest) stays off, so a request has one retry layer. Each rule
// below says, after "resty:", what resty v2.17.2's Backoff does instead
// and why it cannot carry the rule. One reason holds for all of them: its
// wait is time.After with jitter from a package-level source, so no test
// could observe or fake a wait; the retrier's sleep, draw and now are how
// TestRetry* and the budget test run without waiting.

// RetryPolicy bounds how a request that failed in a way that may pass is
// tried again. Which failures qualify depends on the method (shouldRetry).
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

// shouldRetry says whether to retry after err, and the least wait the
// server asked for. GET, PUT and DELETE are idempotent: repeating one that
// may have been done does no harm, so they are retried on connection
// errors, timeouts, 5xx and garbled answers. A POST is retried only when it
// certainly was not done: it never left (connection refused), or it was
// rate limited (429 means not processed). A 503, though often "not
// processed", cannot be told from a failure after the write, so a POST is
// not retried on it; CreateTokenReconciled finds out instead.
//
// resty: a retry condition gets the *resty.Response with its body unread
// (SetDoNotParseResponse, for the body cap in answer.go). These rules need
// the decoded answer, so the condition would read and decode it a second
// time, on a path beside exchange.
func (p RetryPolicy) shouldRetry(method string, err error) (bool, time.Duration) {
	var ae *Error
	isAPI := errors.As(err, &ae)
	if isAPI && ae.StatusCode == http.StatusTooManyRequests {
		return p.serverWait(ae)
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
		return p.serverWait(ae)
	}
	return false, 0
}

// serverWait reads the Retry-After of a 429 or 5xx: retry after it, or not
// at all when it asks for longer than MaxRetryAfter.
//
// resty: it reads no Retry-After; SetRetryAfter is a callback whose wait
// it cuts to RetryMaxWaitTime (the backoff's 5 s cap), so it would retry
// before a server asking for 5 to 20 s is ready.
func (p RetryPolicy) serverWait(ae *Error) (bool, time.Duration) {
	wait, ok := parseRetryAfter(ae.RetryAfter, time.Now())
	if ok && wait > p.MaxRetryAfter {
		return false, 0
	}
	return true, wait
}

// backoff is the wait before retry number n (1 for the first retry): a
// uniform draw below min(MaxDelay, BaseDelay·2^(n-1)), and at least what
// the server asked for, plus a little jitter so that clients told the same
// Retry-After do not return at the same instant.
//
// resty: its "equal jitter" draws between half the ceiling and the
// ceiling, then raises the draw to RetryWaitTime, so every first retry
// waits exactly RetryWaitTime: clients that failed together retry
// together.
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

// retrier runs the attempts of one request. Its clock, sleep and draw are
// fields so that tests replace them (see the note at the top).
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
//
// resty: RetryCount counts every attempt, a 429 too, and nothing bounds
// the time all attempts take. It starts a wait the caller's deadline will
// cut and then reports the deadline, not the server's answer. And it
// leaves the unread body of each answer it retries open, so every retry
// dials a new connection.
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
		limited := StatusOf(err) == http.StatusTooManyRequests
		if !limited {
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
		if limited {
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
