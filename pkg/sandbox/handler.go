package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

const maxBodyBytes = 1 << 20 // larger bodies are answered 413

// Handler serves the API under api.APIPrefix and logs one line per request.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		fault := s.serveWithFaults(sw, r)
		if s.log == io.Discard {
			return
		}
		// The escaped path keeps the line on one line; headers are never
		// logged, so neither is the Authorization secret.
		status := "---" // no answer was sent
		if sw.status != 0 {
			status = strconv.Itoa(sw.status)
		}
		if fault != "" {
			fault = " [" + fault + "]"
		}
		s.logMu.Lock()
		defer s.logMu.Unlock()
		fmt.Fprintf(s.log, "%s %s %s %s%s\n", r.Method, r.URL.EscapedPath(), status, time.Since(start).Round(time.Microsecond), fault)
	})
}

// statusWriter records the status for the log; 0 means nothing was sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection (faults.go).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// endpoint is one method on one path: the permission it needs and the
// function answering it, which runs with s.mu held.
type endpoint struct {
	method   string
	category string
	action   string
	serve    func(c *call) (int, any, *apiError)
}

// call is one authenticated request as an endpoint sees it.
type call struct {
	r       *http.Request
	caller  api.Token
	tokenID string
	body    []byte
	bodyErr error
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	org, tokenID, endpoints := s.route(r.URL.EscapedPath())
	if endpoints == nil {
		writeError(w, errorf(http.StatusNotFound, "not_found", "no such endpoint: %s", r.URL.EscapedPath()))
		return
	}
	var ep *endpoint
	var allow []string
	for i := range endpoints {
		allow = append(allow, endpoints[i].method)
		if endpoints[i].method == r.Method {
			ep = &endpoints[i]
		}
	}
	if ep == nil {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, errorf(http.StatusMethodNotAllowed, "method_not_allowed",
			"%s is not allowed here; allowed: %s", r.Method, strings.Join(allow, ", ")))
		return
	}
	c := &call{r: r, tokenID: tokenID}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		// Read before taking the lock so a slow client cannot stall others;
		// the error is reported only after authentication.
		c.body, c.bodyErr = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	}
	status, body, apiErr := s.handle(org, ep, c)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, status, body)
}

// route matches an escaped path and returns the organization and token ids
// in it and the endpoints living there, or nil endpoints for an unknown path.
// Segments are unescaped one by one so that an id holding "%2F" stays one
// segment.
func (s *Server) route(path string) (org, tokenID string, endpoints []endpoint) {
	rest, ok := strings.CutPrefix(path, api.APIPrefix+"/organizations/")
	if !ok {
		return "", "", nil
	}
	segs := strings.Split(rest, "/")
	for i, seg := range segs {
		v, err := url.PathUnescape(seg)
		if err != nil || v == "" {
			return "", "", nil
		}
		segs[i] = v
	}
	switch {
	case len(segs) == 1:
		return segs[0], "", []endpoint{
			{http.MethodGet, "organization", grants.Read, s.getOrganization},
		}
	case len(segs) == 2 && segs[1] == "api-keys":
		return segs[0], "", []endpoint{
			{http.MethodGet, "apiKey", grants.Read, s.listTokens},
			{http.MethodPost, "apiKey", grants.Create, s.createToken},
		}
	case len(segs) == 3 && segs[1] == "api-keys":
		return segs[0], segs[2], []endpoint{
			{http.MethodGet, "apiKey", grants.Read, s.getToken},
			{http.MethodPut, "apiKey", grants.Update, s.updateToken},
			{http.MethodDelete, "apiKey", grants.Delete, s.deleteToken},
		}
	}
	return "", "", nil
}

// handle authenticates the caller, checks the organization and the
// permission, then runs the endpoint, all under the lock.
func (s *Server) handle(org string, ep *endpoint, c *call) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	caller, err := s.authenticate(c.r.Header.Get("Authorization"))
	if err != nil {
		return 0, nil, err
	}
	// The sandbox has one organization, so a token can only ever name
	// another one it does not belong to: 404, as for one that does not
	// exist, so that ids of other organizations are not disclosed.
	if org != s.org.ID {
		return 0, nil, errorf(http.StatusNotFound, "not_found", "organization %q not found", org)
	}
	if !caller.Permissions.Has(ep.category, ep.action) {
		return 0, nil, errorf(http.StatusForbidden, "forbidden", "this token lacks %s:%s", ep.category, ep.action)
	}
	c.caller = caller
	return ep.serve(c)
}

// authenticate finds the live token of an "Api-Key <secret>" header and
// records its use.
func (s *Server) authenticate(header string) (api.Token, *apiError) {
	unauthorized := func(format string, args ...any) (api.Token, *apiError) {
		return api.Token{}, errorf(http.StatusUnauthorized, "unauthorized", format, args...)
	}
	if header == "" {
		return unauthorized("missing Authorization header; send \"Authorization: %s <token>\"", api.AuthScheme)
	}
	scheme, credential, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, api.AuthScheme) {
		// Only a well-known scheme is echoed: anything else may be a secret.
		if strings.EqualFold(scheme, "Bearer") {
			return unauthorized("the Authorization scheme must be %s, not Bearer", api.AuthScheme)
		}
		return unauthorized("the Authorization scheme must be %s; send \"Authorization: %s <token>\"", api.AuthScheme, api.AuthScheme)
	}
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return unauthorized("the Authorization header carries no token after %s", api.AuthScheme)
	}
	rec := s.byHash[hashSecret(credential)]
	if rec == nil {
		return unauthorized("invalid API token")
	}
	now := s.clock()
	if rec.token.Expired(now) {
		return unauthorized("API token expired at %s", rec.token.ExpiresAt.Format(time.RFC3339))
	}
	// Kept in memory: a GET should not cost a disk write. The next save or
	// Close persists it.
	rec.token.LastUsedAt = &now
	s.usageDirty = true
	return rec.token, nil
}

func (s *Server) getOrganization(*call) (int, any, *apiError) {
	return http.StatusOK, api.Envelope[api.Organization]{Status: true, Data: s.org}, nil
}

func (s *Server) listTokens(c *call) (int, any, *apiError) {
	q := c.r.URL.Query()
	page, err := intParam(q, "page", 1, math.MaxInt)
	if err != nil {
		return 0, nil, err
	}
	limit, err := intParam(q, "limit", api.DefaultPageSize, math.MaxInt)
	if err != nil {
		return 0, nil, err
	}
	// The contract (docs/api.md): a larger page than the server serves is
	// answered with its largest, and meta.limit says so. Some servers
	// refuse it instead; RefuseLargePages plays one.
	if limit > s.maxPage {
		if s.refuseLargePages {
			return 0, nil, errorf(http.StatusBadRequest, "bad_request", "limit must be a whole number from 1 to %d, got %q", s.maxPage, q.Get("limit"))
		}
		limit = s.maxPage
	}
	all := s.sorted()
	data := []api.Token{} // an empty page is [], not null
	if page-1 < (len(all)+limit-1)/limit {
		start := (page - 1) * limit
		for _, rec := range all[start:min(start+limit, len(all))] {
			data = append(data, rec.token)
		}
	}
	meta := &api.Meta{Page: page, Limit: limit, Total: len(all)}
	return http.StatusOK, api.Envelope[[]api.Token]{Status: true, Data: data, Meta: meta}, nil
}

// intParam reads an optional query parameter in 1..max.
func intParam(q url.Values, name string, def, max int) (int, *apiError) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 1 || n > max {
		if max == math.MaxInt {
			return 0, errorf(http.StatusBadRequest, "bad_request", "%s must be a whole number from 1, got %q", name, q.Get(name))
		}
		return 0, errorf(http.StatusBadRequest, "bad_request", "%s must be a whole number from 1 to %d, got %q", name, max, q.Get(name))
	}
	return n, nil
}

// createdToken is the create answer. api.CreatedToken cannot serve: its
// secret.Secret deliberately marshals as a fingerprint.
type createdToken struct {
	api.Token
	Secret string `json:"token"`
}

func (s *Server) createToken(c *call) (int, any, *apiError) {
	in, err := decodeInput(c.body, c.bodyErr)
	if err != nil {
		return 0, nil, err
	}
	rec, raw, err := s.create(in, &c.caller)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, api.Envelope[createdToken]{Status: true, Data: createdToken{rec.token, raw}}, nil
}

func (s *Server) getToken(c *call) (int, any, *apiError) {
	rec := s.byID[c.tokenID]
	if rec == nil {
		return 0, nil, tokenNotFound(c.tokenID)
	}
	return http.StatusOK, api.Envelope[api.Token]{Status: true, Data: rec.token}, nil
}

func (s *Server) updateToken(c *call) (int, any, *apiError) {
	// An unknown token is 404 even when the body is bad: the path is wrong.
	if s.byID[c.tokenID] == nil {
		return 0, nil, tokenNotFound(c.tokenID)
	}
	in, err := decodeInput(c.body, c.bodyErr)
	if err != nil {
		return 0, nil, err
	}
	t, err := s.update(c.tokenID, in, c.caller)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.Envelope[api.Token]{Status: true, Data: t}, nil
}

func (s *Server) deleteToken(c *call) (int, any, *apiError) {
	if err := s.delete(c.tokenID, c.caller); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// decodeInput parses a create or replace body strictly: one JSON object,
// known fields only (a misspelt "expires_at" would otherwise silently mean
// "never expires").
func decodeInput(body []byte, readErr error) (api.TokenInput, *apiError) {
	bad := func(format string, args ...any) (api.TokenInput, *apiError) {
		return api.TokenInput{}, errorf(http.StatusBadRequest, "bad_request", format, args...)
	}
	if _, ok := errors.AsType[*http.MaxBytesError](readErr); ok {
		return api.TokenInput{}, errorf(http.StatusRequestEntityTooLarge, "payload_too_large",
			"request body exceeds %d bytes", maxBodyBytes)
	}
	if readErr != nil {
		return bad("reading the request body: %v", readErr)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return bad("request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in *api.TokenInput
	if err := dec.Decode(&in); err != nil {
		return bad("malformed JSON body: %s", describeJSONError(err))
	}
	if in == nil {
		return bad("request body must be a JSON object, not null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("malformed JSON body: unexpected data after the object")
	}
	return *in, nil
}

func describeJSONError(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return fmt.Sprintf("%s must be %s, not %s", te.Field, jsonKind(te.Type), te.Value)
	}
	// expiresAt is the only time in a body.
	if pe, ok := errors.AsType[*time.ParseError](err); ok {
		return fmt.Sprintf("expiresAt must be an RFC 3339 time such as 2030-01-31T00:00:00Z, not %q", pe.Value)
	}
	if strings.HasPrefix(err.Error(), "Time.UnmarshalJSON") {
		return "expiresAt must be an RFC 3339 time string or null"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names what JSON value decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a number"
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", api.AuthScheme+` realm="replex"`)
	}
	writeJSON(w, e.status, api.ErrorBody{Status: false, Message: e.message, Code: e.code})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	data, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(api.ErrorBody{Message: "encoding the answer: " + err.Error(), Code: "internal"})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}
