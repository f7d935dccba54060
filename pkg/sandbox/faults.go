package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults makes the sandbox misbehave the ways networks, proxies and servers
// do, so that tests can show replex copes: it loses nothing, leaks nothing
// and leaves no orphan token behind. The zero value injects nothing.
//
// The choices come from a generator seeded with Seed: the same seed and the
// same sequence of requests give the same faults. Concurrent requests arrive
// in an order the sandbox does not control, and the rate limit depends on
// the clock, so only sequential runs repeat exactly.
type Faults struct {
	// Latency is added before each request is handled. A client that hangs
	// up meanwhile gets nothing done.
	Latency time.Duration
	// FailRate is the fraction of requests answered 503 before anything is
	// done.
	FailRate float64
	// RateLimit is how many requests per second are accepted (a token
	// bucket holding one second's worth); the rest are answered 429 with
	// Retry-After, before anything is done. 0 means no limit.
	RateLimit int
	// DropAfterCommitRate is the fraction of writes (POST, PUT, DELETE) that
	// are performed and saved, after which the connection is cut without an
	// answer: the client cannot know the outcome. A write that fails (say a
	// 404 or a 409) commits nothing and is answered normally.
	DropAfterCommitRate float64
	// GarbageRate is the fraction of requests answered with a body that is
	// not the JSON envelope: half of them a proxy's HTML page with 502 and
	// nothing done, half of them the real answer, done, but truncated and
	// sent with 200.
	GarbageRate float64
	// Seed seeds the choices.
	Seed uint64
}

// Validate reports the first setting out of range.
func (f Faults) Validate() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"fail rate", f.FailRate}, {"drop-after-commit rate", f.DropAfterCommitRate}, {"garbage rate", f.GarbageRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return fmt.Errorf("sandbox: the %s must be between 0 and 1, got %v", r.name, r.v)
		}
	}
	if f.Latency < 0 {
		return fmt.Errorf("sandbox: latency must not be negative, got %s", f.Latency)
	}
	if f.RateLimit < 0 {
		return fmt.Errorf("sandbox: the rate limit must not be negative, got %d", f.RateLimit)
	}
	return nil
}

// Enabled reports whether f injects anything.
func (f Faults) Enabled() bool {
	f.Seed = 0
	return f != Faults{}
}

// FaultStats counts requests and the faults injected into them.
type FaultStats struct {
	Requests    int64 // every request seen
	Delayed     int64 // latency added
	RateLimited int64 // answered 429
	Failed      int64 // answered 503
	Dropped     int64 // performed, then the connection cut
	Garbage     int64 // answered with a body that is not the envelope
}

// Injected is the number of requests that got a fault other than latency.
func (s FaultStats) Injected() int64 {
	return s.RateLimited + s.Failed + s.Dropped + s.Garbage
}

func (s FaultStats) String() string {
	return fmt.Sprintf("%d requests: %d delayed, %d rate limited, %d failed (503), %d dropped after commit, %d garbage",
		s.Requests, s.Delayed, s.RateLimited, s.Failed, s.Dropped, s.Garbage)
}

// faultState is the injector's state, behind its own lock so that faults
// never wait for the state lock.
type faultState struct {
	mu     sync.Mutex
	cfg    Faults
	rng    *rand.Rand
	stats  FaultStats
	bucket float64   // rate limit tokens left
	filled time.Time // when bucket was last topped up
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.cfg = f
	fs.rng = rand.New(rand.NewPCG(f.Seed, 0x0fa17))
	fs.bucket = float64(f.RateLimit)
	fs.filled = time.Now()
}

// SetFaults replaces the faults injected from the next request on; the
// counters keep counting.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.set(f)
	return nil
}

// FaultStats returns the counters of requests and injected faults.
func (s *Server) FaultStats() FaultStats {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.stats
}

// faultPlan is what happens to one request.
type faultPlan struct {
	latency    time.Duration
	retryAfter int // > 0: answer 429
	fail       bool
	drop       bool
	html       bool    // garbage: an HTML 502, nothing done
	truncate   bool    // garbage: the real answer, cut
	cut        float64 // where to cut, as a fraction of the body
}

// plan decides the faults of one request. It draws the same numbers for
// every request, so the choices for a request depend only on the seed and
// its position in the sequence.
func (fs *faultState) plan(r *http.Request) faultPlan {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.stats.Requests++
	cfg := fs.cfg
	if !cfg.Enabled() {
		return faultPlan{}
	}
	uFail, uDrop, uGarbage, uKind := fs.rng.Float64(), fs.rng.Float64(), fs.rng.Float64(), fs.rng.Float64()
	p := faultPlan{latency: cfg.Latency}
	if p.latency > 0 {
		fs.stats.Delayed++
	}
	if cfg.RateLimit > 0 {
		now := time.Now()
		rate := float64(cfg.RateLimit)
		fs.bucket = min(rate, fs.bucket+now.Sub(fs.filled).Seconds()*rate)
		fs.filled = now
		if fs.bucket < 1 {
			fs.stats.RateLimited++
			p.retryAfter = max(1, int(math.Ceil((1-fs.bucket)/rate)))
			return p
		}
		fs.bucket--
	}
	write := r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodDelete
	switch {
	case uFail < cfg.FailRate:
		fs.stats.Failed++
		p.fail = true
	case write && uDrop < cfg.DropAfterCommitRate:
		p.drop = true // counted once the write is known to be done
	case uGarbage < cfg.GarbageRate:
		fs.stats.Garbage++
		// uKind is uniform in [0,1): its halves pick the kind, and within
		// the second half it says where to cut.
		if uKind < 0.5 {
			p.html = true
		} else {
			p.truncate, p.cut = true, (uKind-0.5)*2
		}
	}
	return p
}

// serveWithFaults serves r through the fault injector and returns a label
// for the request log ("" when nothing was injected).
func (s *Server) serveWithFaults(w *statusWriter, r *http.Request) string {
	p := s.faults.plan(r)
	if p.latency > 0 {
		// The body is read first: only then does net/http watch the
		// connection and cancel the context when the client hangs up.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(p.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			w.status = 0
			return "client gone during latency, nothing done"
		}
	}
	switch {
	case p.retryAfter > 0:
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
		writeError(w, errorf(http.StatusTooManyRequests, "rate_limited",
			"more than %d requests per second; retry after %d s", s.faults.rateLimit(), p.retryAfter))
		return "fault: rate limited"
	case p.fail:
		writeError(w, errorf(http.StatusServiceUnavailable, "unavailable", "the sandbox failed this request on purpose (fault injection); nothing was done"))
		return "fault: 503"
	case p.html:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(badGatewayPage))
		return "fault: HTML 502, nothing done"
	case p.drop:
		buf := newBufferedResponse()
		s.serve(buf, r)
		if buf.status < 200 || buf.status > 299 {
			// Nothing was committed, so there is nothing to drop after.
			buf.sendTo(w)
			return ""
		}
		s.faults.count(func(st *FaultStats) { st.Dropped++ })
		w.status = 0
		cutConnection(w)
		return fmt.Sprintf("fault: done (%d), connection cut", buf.status)
	case p.truncate:
		buf := newBufferedResponse()
		s.serve(buf, r)
		body := buf.body.Bytes()
		if len(body) == 0 {
			body = []byte(`{"status":true,"data":`)
		}
		cut := min(len(body)-1, int(p.cut*float64(len(body))))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(body[:cut])
		return fmt.Sprintf("fault: done (%d), answer truncated to %d of %d bytes", buf.status, cut, len(body))
	}
	s.serve(w, r)
	return ""
}

func (fs *faultState) count(f func(*FaultStats)) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f(&fs.stats)
}

func (fs *faultState) rateLimit() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.cfg.RateLimit
}

// cutConnection closes the client's connection without an answer. HTTP/1
// connections are hijacked and closed; where that is impossible (HTTP/2)
// aborting the handler resets the stream, which the client sees the same way.
func cutConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			panic(http.ErrAbortHandler)
		}
		return
	}
	conn.Close()
}

const badGatewayPage = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p><hr><address>sandbox-proxy</address></body></html>
`

// bufferedResponse holds an answer that is then withheld or mangled.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: http.Header{}, status: http.StatusOK}
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }

// sendTo sends the held answer as it is.
func (b *bufferedResponse) sendTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}
