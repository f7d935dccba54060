package api

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// RawRequest is one request of `replex api`: any method and path under the
// API prefix, extra headers, and an optional body sent as given.
type RawRequest struct {
	Method string
	Path   string      // relative to /api/v1 unless it already starts with it
	Header http.Header // set over the client's defaults; Content-Type defaults to JSON with a body
	Body   io.Reader
}

// Do sends req once, with the client's auth, and returns the answer
// whatever its status. It never retries: `replex api` sends what it is told.
func (c *Client) Do(ctx context.Context, req RawRequest) (RawResponse, error) {
	path := req.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if !strings.HasPrefix(path, APIPrefix+"/") && path != APIPrefix && !strings.HasPrefix(path, APIPrefix+"?") {
		path = APIPrefix + path
	}
	var body any
	if req.Body != nil {
		body = req.Body
	}
	return c.exchange(ctx, req.Method, path, req.Header, body)
}
