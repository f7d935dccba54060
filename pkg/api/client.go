package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/replexio/replex/pkg/secret"
)

// Options configure a Client.
type Options struct {
	BaseURL   string        // scheme://host[:port][/prefix], without /api/v1
	Org       string        // organization id
	Token     secret.Secret // API token; zero for unauthenticated calls
	UserAgent string        // "replex/<version>"
	Timeout   time.Duration // per request; 0 = 30s
	Debug     io.Writer     // request/response log with secrets masked; nil = off
	Transport http.RoundTripper
	// PageParallelism bounds concurrent page fetches of a list (default 4).
	PageParallelism int
	// Retry is the retry policy (retry.go); nil means DefaultRetryPolicy.
	Retry *RetryPolicy
}

// Client speaks the Replex API. It is safe for concurrent use.
type Client struct {
	rest    *resty.Client
	org     string
	host    string
	par     int
	retrier retrier
	retries atomic.Int64
	// pageSize is the limit lists ask for: ListPageSize until the server
	// refuses it.
	pageSize atomic.Int64
	debug    *debugTransport // nil without --debug
}

// New builds a Client. It does no I/O.
func New(opts Options) *Client {
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	transport := opts.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Pages and bulk operations run side by side: keep a connection
		// for each instead of Go's default of two per host, so none is
		// closed and dialled again between requests.
		t.MaxIdleConnsPerHost = 64
		transport = t
	}
	var debug *debugTransport
	if opts.Debug != nil {
		debug = &debugTransport{next: transport, w: opts.Debug, secret: opts.Token}
		transport = debug
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	rc := resty.New().
		SetTransport(transport).
		SetBaseURL(base).
		SetTimeout(opts.Timeout).
		SetHeader("User-Agent", opts.UserAgent).
		SetHeader("Accept", "application/json").
		// One retry layer: doWithRetry (retry.go says why not resty's).
		SetRetryCount(0).
		// Every request carries the token, and Go's default would resend it
		// to wherever a 3xx points on the same host name, whatever the
		// scheme or port. The 3xx comes back as the answer instead, and
		// send turns it into an error.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}))
	if !opts.Token.IsZero() {
		rc.SetHeader("Authorization", AuthScheme+" "+opts.Token.Reveal())
	}
	host := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Scheme + "://" + u.Host
	}
	par := opts.PageParallelism
	if par <= 0 {
		par = 4
	}
	policy := DefaultRetryPolicy()
	if opts.Retry != nil {
		policy = *opts.Retry
	}
	policy.Attempts = max(1, policy.Attempts)
	policy.CreateRounds = max(1, policy.CreateRounds)
	c := &Client{rest: rc, org: opts.Org, host: host, par: par, retrier: defaultRetrier(policy), debug: debug}
	c.pageSize.Store(ListPageSize)
	return c
}

// Org returns the organization id the client works on.
func (c *Client) Org() string { return c.org }

// do sends a request, retried as the policy allows (retry.go), and decodes
// the envelope's data into out (may be nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) (*Meta, error) {
	return c.doWithRetry(ctx, method, path, func() (*Meta, error) {
		return c.attempt(ctx, method, path, body, out)
	})
}

// attempt sends one request and decodes the envelope's data into out.
func (c *Client) attempt(ctx context.Context, method, path string, body, out any) (*Meta, error) {
	status, header, raw, err := c.send(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, DecodeError(status, header, raw)
	}
	if out == nil || status == http.StatusNoContent {
		return nil, nil
	}
	meta, err := decodeEnvelope(raw, out)
	if derr, ok := err.(*Error); ok {
		derr.StatusCode, derr.RequestID = status, requestID(header)
		return nil, derr
	}
	if err != nil {
		return nil, err
	}
	return meta, nil
}

// send sends one request and reads its answer: at most MaxAnswerBytes of
// it, and a 3xx as a RedirectError without following it.
func (c *Client) send(ctx context.Context, method, path string, body any) (int, http.Header, []byte, error) {
	ans, err := c.exchange(ctx, method, path, nil, body)
	return ans.StatusCode, ans.Header, ans.Body, err
}

// exchange is send with extra headers, returning the whole answer: the one
// path every request takes, so none escapes the cap or follows a redirect.
func (c *Client) exchange(ctx context.Context, method, path string, header http.Header, body any) (RawResponse, error) {
	req := c.rest.R().SetContext(ctx).SetDoNotParseResponse(true)
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	for name, values := range header {
		req.Header.Del(name)
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return RawResponse{}, c.transportError(ctx, err)
	}
	rawResp := resp.RawResponse
	defer rawResp.Body.Close()
	if rawResp.StatusCode >= 300 && rawResp.StatusCode <= 399 {
		return RawResponse{}, redirectError(rawResp.StatusCode, rawResp.Header, rawResp.Request.URL)
	}
	raw, err := readAnswer(rawResp.Body, rawResp.ContentLength)
	var tooLarge *BodyTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		tooLarge.Host = c.host
		return RawResponse{}, tooLarge
	case err != nil:
		return RawResponse{}, c.transportError(ctx, err)
	}
	return RawResponse{
		StatusCode: rawResp.StatusCode,
		Status:     rawResp.Status,
		Proto:      rawResp.Proto,
		Header:     rawResp.Header,
		Body:       raw,
	}, nil
}

// decodeEnvelope reads {"status":…, "data":…, "meta":…} into out and the
// meta, in one pass over the body: a page of tokens is neither checked,
// copied nor scanned twice.
func decodeEnvelope(raw []byte, out any) (*Meta, error) {
	notEnvelope := func(err error) *Error {
		return &Error{Message: "the answer is not the Replex JSON envelope (" + shortCause(err) + "); check the base URL"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		if err == nil {
			// The kind of value, never the value: it may be a secret.
			err = fmt.Errorf("it is %s, not an object", jsonKind(t))
		}
		return nil, notEnvelope(err)
	}
	var meta *Meta
	hasData := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, notEnvelope(err)
		}
		key, _ := t.(string)
		switch key {
		case "data":
			// null leaves out alone: told apart below, as no data.
			var probe json.RawMessage
			if peekNull(raw, dec.InputOffset()) {
				err = dec.Decode(&probe)
			} else {
				hasData = true
				err = dec.Decode(out)
			}
		case "meta":
			err = dec.Decode(&meta)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		var pagingErr *PagingError
		if errors.As(err, &pagingErr) {
			return nil, pagingErr
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if key == "data" {
				return nil, &Error{Message: "the answer's data does not match the contract (" + shortCause(err) + ")"}
			}
			return nil, notEnvelope(err)
		}
		if err != nil {
			return nil, notEnvelope(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, notEnvelope(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("invalid character after top-level value")
		}
		return nil, notEnvelope(err)
	}
	if !hasData {
		return nil, &Error{Message: "the answer's envelope has no data"}
	}
	return meta, nil
}

// jsonKind names the kind of a JSON token.
func jsonKind(t json.Token) string {
	switch t.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	}
	return "null"
}

// peekNull reports whether the next value in raw after offset is null.
func peekNull(raw []byte, offset int64) bool {
	rest := bytes.TrimLeft(raw[offset:], " \t\r\n:")
	return bytes.HasPrefix(rest, []byte("null"))
}

func (c *Client) transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	sent := wasSent(err)
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return &NetworkError{Host: c.host, Err: errors.New("timed out"), Sent: sent}
	}
	return &NetworkError{Host: c.host, Err: err, Sent: sent}
}

// Organization fetches the organization: the cheapest authenticated call.
func (c *Client) Organization(ctx context.Context) (Organization, error) {
	var o Organization
	_, err := c.do(ctx, http.MethodGet, OrganizationPath(c.org), nil, &o)
	return o, err
}

// GetToken fetches one token by id.
func (c *Client) GetToken(ctx context.Context, id string) (Token, error) {
	var t Token
	_, err := c.do(ctx, http.MethodGet, TokenPath(c.org, id), nil, &t)
	return t, err
}

// CreateToken creates a token; the answer carries its secret, this once.
func (c *Client) CreateToken(ctx context.Context, in TokenInput) (CreatedToken, error) {
	var t CreatedToken
	_, err := c.do(ctx, http.MethodPost, TokensPath(c.org), in, &t)
	return t, err
}

// UpdateToken replaces a token's name, permissions and expiry.
func (c *Client) UpdateToken(ctx context.Context, id string, in TokenInput) (Token, error) {
	var t Token
	_, err := c.do(ctx, http.MethodPut, TokenPath(c.org, id), in, &t)
	return t, err
}

// DeleteToken revokes a token.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodDelete, TokenPath(c.org, id), nil, nil)
	return err
}

// ListTokens returns every token of the organization, following every page.
// The first page tells the total; the rest are fetched concurrently.
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	// Pages are offsets: a token deleted while paging shifts the rest one
	// place, and one can slip past between two pages. A total that changes
	// between pages says the list moved: it is read again, a few times.
	for try := 1; ; try++ {
		all, moved, err := c.listOnce(ctx)
		if err != nil || !moved || try == 3 {
			return all, err
		}
		c.debugf("* the token list changed while paging; reading it again\n")
	}
}

// firstPage fetches page 1 with the largest limit this server takes: a
// server refusing ListPageSize (400 or 422) is asked again for pages of
// DefaultPageSize, and so is every later list of this client.
func (c *Client) firstPage(ctx context.Context) ([]Token, *Meta, int, error) {
	asked := int(c.pageSize.Load())
	first := make([]Token, 0, min(asked, DefaultPageSize))
	meta, err := c.do(ctx, http.MethodGet, TokensPagePath(c.org, 1, asked), nil, &first)
	if status := StatusOf(err); (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) && asked > DefaultPageSize {
		c.debugf("* the server refused pages of %d (%s); asking for pages of %d\n", asked, err, DefaultPageSize)
		c.pageSize.Store(DefaultPageSize)
		asked, first = DefaultPageSize, first[:0]
		meta, err = c.do(ctx, http.MethodGet, TokensPagePath(c.org, 1, asked), nil, &first)
	}
	return first, meta, asked, err
}

// pagesOf checks the meta of page 1 (holding n tokens, asked for pages of
// asked) and returns the page size and how many pages the list has. A
// server that claims absurd counts, or pages larger than asked, is an
// error: following it could send millions of requests or make allocations
// that exhaust memory.
func pagesOf(meta Meta, asked, n int) (limit, pages int, err error) {
	switch {
	case meta.Page != 0 && meta.Page != 1:
		return 0, 0, pagingErrorf("asked for page 1, it answered page %d", meta.Page)
	case meta.Limit > asked:
		return 0, 0, pagingErrorf("asked for pages of %d tokens, it answered pages of %d", asked, meta.Limit)
	case meta.Total > MaxListTokens:
		return 0, 0, pagingErrorf("it counts %d tokens, more than the %d replex lists", meta.Total, MaxListTokens)
	}
	limit = meta.Limit
	if limit == 0 {
		limit = max(n, 1) // a full first page tells the page size
	}
	switch {
	case n > limit:
		return 0, 0, pagingErrorf("page 1 holds %d tokens, more than its limit of %d", n, limit)
	case meta.Total <= n:
		return limit, 1, nil
	case n == 0:
		return 0, 0, pagingErrorf("page 1 is empty, yet it counts %d tokens", meta.Total)
	}
	pages = (meta.Total + limit - 1) / limit
	if pages > MaxListPages {
		return 0, 0, pagingErrorf("%d tokens in pages of %d would take %d requests, more than the %d replex sends for one list", meta.Total, limit, pages, MaxListPages)
	}
	return limit, pages, nil
}

// listOnce reads every page once and reports whether the total changed.
func (c *Client) listOnce(ctx context.Context) ([]Token, bool, error) {
	first, meta, asked, err := c.firstPage(ctx)
	if err != nil {
		return nil, false, err
	}
	if meta == nil {
		return first, false, nil // one page, bounded by MaxAnswerBytes
	}
	limit, pages, err := pagesOf(*meta, asked, len(first))
	if err != nil || pages == 1 {
		return first, false, err
	}
	results := make([][]Token, pages)
	results[0] = first
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		moved    bool
	)
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	next := make(chan int)
	for range min(c.par, pages-1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				// Sized for a full page: decoding appends without growing.
				page := make([]Token, 0, limit)
				m, err := c.do(ctx, http.MethodGet, TokensPagePath(c.org, p, limit), nil, &page)
				mu.Lock()
				switch {
				case err != nil:
					fail(fmt.Errorf("listing page %d of %d: %w", p, pages, err))
				case m == nil:
				case m.Page != 0 && m.Page != p:
					fail(pagingErrorf("asked for page %d, it answered page %d", p, m.Page))
				case m.Limit != 0 && m.Limit != limit:
					fail(pagingErrorf("page 1 came in pages of %d tokens, page %d in pages of %d", limit, p, m.Limit))
				case m.Total != meta.Total:
					moved = true
				}
				switch {
				case len(page) > limit:
					fail(pagingErrorf("page %d holds %d tokens, more than its limit of %d", p, len(page), limit))
				case len(page) == 0 && m != nil && m.Total == meta.Total:
					fail(pagingErrorf("page %d of %d is empty, yet it counts %d tokens", p, pages, meta.Total))
				}
				results[p-1] = page
				mu.Unlock()
			}
		}()
	}
send:
	for p := 2; p <= pages; p++ {
		select {
		case next <- p:
		case <-ctx.Done():
			break send
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, false, firstErr
	}
	if err := ctx.Err(); err != nil && ctx.Err() != context.Canceled {
		return nil, false, err
	}
	n := 0
	for _, page := range results {
		n += len(page)
	}
	out := make([]Token, 0, n)
	seen := make(map[string]bool, n)
	for i, page := range results {
		fresh := 0
		for _, t := range page {
			// A token created or deleted while paging shifts the pages; keep each once.
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t)
				fresh++
			}
		}
		if fresh == 0 && len(page) > 0 && !moved {
			return nil, false, pagingErrorf("page %d repeats tokens of earlier pages: the server may ignore the page asked for", i+1)
		}
	}
	return out, moved, nil
}

// RawResponse is the answer to Raw and Do.
type RawResponse struct {
	StatusCode int
	Status     string // "200 OK"
	Proto      string // "HTTP/1.1"
	Header     http.Header
	Body       []byte
}

// Raw sends any request under the API prefix with the client's auth; used by
// `replex api`. path is relative to /api/v1 unless it already starts with it.
func (c *Client) Raw(ctx context.Context, method, path string, body io.Reader) (RawResponse, error) {
	return c.Do(ctx, RawRequest{Method: method, Path: path, Body: body})
}
