// Package api is the only code that speaks HTTP to a Replex server. This file
// encodes the contract (docs/api.md): paths, the envelope and the objects.
// A server that differs from it is adapted here and nowhere else.
package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
)

// APIPrefix is the path under the base URL where the v1 API lives. [known]
const APIPrefix = "/api/v1"

// AuthScheme is the Authorization scheme of API tokens. [known]
const AuthScheme = "Api-Key"

// DefaultBaseURL is the hosted service. [known]
const DefaultBaseURL = "https://replex.replex.io"

// ListPageSize is how many tokens one list request asks for: the largest
// page the contract allows. A server may answer fewer (meta.limit says so)
// or refuse it with 400 or 422; replex then asks for DefaultPageSize.
// [assumed]
const ListPageSize = 1000

// DefaultPageSize is the page a server answers when no limit is given, and
// what replex falls back to when a server refuses ListPageSize. [assumed]
const DefaultPageSize = 100

// MaxListTokens and MaxListPages bound one list, far above any real
// organization: a meta claiming more is taken for a broken server, not
// followed into millions of requests or allocations. [assumed]
const (
	MaxListTokens = 1_000_000
	MaxListPages  = 10_000
)

// MaxNameLength bounds a token name. [contract]
const MaxNameLength = 100

// NameCharProblem describes the first character a token name may not hold,
// "" if there is none. [assumed] A name is shown on terminals, so it holds
// no character that output.SafeRune refuses: controls, bidi controls,
// invisible characters, which would let "d1" + U+3164 pass for "d1". The
// character is named by code point, never printed.
func NameCharProblem(name string) string {
	i := 0
	for _, r := range name {
		i++
		if !output.SafeRune(r) {
			return fmt.Sprintf("character %d is %s, %s", i, output.CodePoint(r), output.DescribeUnsafe(r))
		}
	}
	return ""
}

// OrganizationPath is GET /organizations/{orgID}. [known]
func OrganizationPath(org string) string {
	return APIPrefix + "/organizations/" + url.PathEscape(org)
}

// TokensPath is the token collection of an organization. [contract]
func TokensPath(org string) string { return OrganizationPath(org) + "/api-keys" }

// TokensPagePath is one page of the token list. [contract]
func TokensPagePath(org string, page, limit int) string {
	return TokensPath(org) + "?page=" + strconv.Itoa(page) + "&limit=" + strconv.Itoa(limit)
}

// TokenPath is one token. [contract]
func TokenPath(org, id string) string { return TokensPath(org) + "/" + url.PathEscape(id) }

// Envelope wraps every response body. [known]
type Envelope[T any] struct {
	Status bool  `json:"status"`
	Data   T     `json:"data"`
	Meta   *Meta `json:"meta,omitempty"`
}

// Meta accompanies a list when the server pages it. [contract]
type Meta struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"`
}

// UnmarshalJSON reads meta as counts: whole numbers from 0, in any JSON
// spelling (1000, 1e3, 1000.0). Anything else (a fraction, a negative
// number, one beyond int64, a string) is a PagingError, never a wrapped-around int.
func (m *Meta) UnmarshalJSON(b []byte) error {
	var raw struct {
		Page, Limit, Total json.Number
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		// Not the cause: it may quote the value.
		return pagingErrorf("meta is not an object of numbers (page, limit, total)")
	}
	for _, f := range []struct {
		name string
		in   json.Number
		out  *int
	}{{"page", raw.Page, &m.Page}, {"limit", raw.Limit, &m.Limit}, {"total", raw.Total, &m.Total}} {
		n, ok := count(f.in)
		if !ok {
			return pagingErrorf("meta.%s is %s, not a count", f.name, sanitize(string(f.in), 40))
		}
		*f.out = n
	}
	return nil
}

// count reads a JSON number that must be a whole number from 0 that fits
// an int64. "" (absent) is 0.
func count(n json.Number) (int, bool) {
	if n == "" {
		return 0, true
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return int(i), i >= 0
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f >= math.MaxInt64 || f != math.Trunc(f) {
		return 0, false
	}
	return int(f), true
}

// ErrorBody is the body of a non-2xx answer. [contract]
type ErrorBody struct {
	Status  bool   `json:"status"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// Organization is what GET /organizations/{id} returns. Only id and name are
// relied on; the rest is kept for raw output.
type Organization struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
}

// Token is an API token as listed: never its secret. [contract]
type Token struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	OrganizationID string     `json:"organizationId"`
	Permissions    grants.Set `json:"permissions"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	ExpiresAt      *time.Time `json:"expiresAt"`  // nil: never expires
	LastUsedAt     *time.Time `json:"lastUsedAt"` // nil: never used
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !t.ExpiresAt.After(now)
}

// CreatedToken is the answer to a create: the token and, this once, its secret.
type CreatedToken struct {
	Token
	Secret secret.Secret `json:"token"`
}

// TokenInput is the body of a create or a replace. [contract]
type TokenInput struct {
	Name        string     `json:"name"`
	Permissions grants.Set `json:"permissions"`
	ExpiresAt   *time.Time `json:"expiresAt"`
}
