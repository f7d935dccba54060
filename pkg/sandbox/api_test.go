package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

// The docs' curl example: GET the organization with an Api-Key header.
func TestDocsCurlExample(t *testing.T) {
	f := newFixture(t, "")
	r := f.do("GET", api.OrganizationPath(f.org), f.admin, "")
	want := `{"status":true,"data":{"id":"` + f.org + `","name":"Sandbox Organization","createdAt":"2025-06-01T12:00:00Z"}}` + "\n"
	if r.status != 200 || r.body != want {
		t.Errorf("got %d %s\nwant 200 %s", r.status, r.body, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}

	r = f.do("GET", api.OrganizationPath(f.org), "rpx_wrong", "")
	wantError(t, r, 401, "unauthorized", "invalid API token")
	if got := r.header.Get("WWW-Authenticate"); got != `Api-Key realm="replex"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, "")
	_, expired := f.issue("old", grants.All(), ptr(start().Add(-time.Hour)))
	path := api.OrganizationPath(f.org)
	tests := []struct {
		name, header string
		status       int
		message      string
	}{
		{"missing", "", 401, `missing Authorization header; send "Authorization: Api-Key <token>"`},
		{"bearer", "Bearer " + f.admin, 401, "the Authorization scheme must be Api-Key, not Bearer"},
		{"other scheme", "Token " + f.admin, 401, `the Authorization scheme must be Api-Key; send "Authorization: Api-Key <token>"`},
		{"bare secret", f.admin, 401, `the Authorization scheme must be Api-Key; send "Authorization: Api-Key <token>"`},
		{"no credential", "Api-Key ", 401, "the Authorization header carries no token after Api-Key"},
		{"unknown", "Api-Key rpx_0000000000000000000000000000000000000000", 401, "invalid API token"},
		{"expired", "Api-Key " + expired, 401, "API token expired at 2025-06-01T11:00:00Z"},
		{"ok", "Api-Key " + f.admin, 200, ""},
		{"scheme case", "api-key " + f.admin, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.url+path, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			r := send(t, req)
			if tt.status == 200 {
				if r.status != 200 {
					t.Errorf("status = %d: %s", r.status, r.body)
				}
				return
			}
			wantError(t, r, tt.status, "unauthorized", tt.message)
			if strings.Contains(r.body, f.admin) {
				t.Errorf("error echoes the secret: %s", r.body)
			}
		})
	}
}

func TestMissingPermission(t *testing.T) {
	f := newFixture(t, "")
	_, none := f.issue("nothing", nil, nil)
	_, reader := f.issue("reader", grants.Set{"apiKey": {"read"}}, nil)
	adminID := f.s.Tokens()[0].ID
	tests := []struct {
		method, path, secret, body, lacks string
	}{
		{"GET", api.OrganizationPath(f.org), reader, "", "organization:read"},
		{"GET", api.TokensPath(f.org), none, "", "apiKey:read"},
		{"GET", api.TokenPath(f.org, adminID), none, "", "apiKey:read"},
		{"POST", api.TokensPath(f.org), reader, `{"name":"x","permissions":{}}`, "apiKey:create"},
		{"PUT", api.TokenPath(f.org, adminID), reader, `{"name":"x","permissions":{}}`, "apiKey:update"},
		{"DELETE", api.TokenPath(f.org, adminID), reader, "", "apiKey:delete"},
		// Authorization comes before the token lookup: no probing of ids.
		{"GET", api.TokenPath(f.org, "ak_nope"), none, "", "apiKey:read"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.lacks, func(t *testing.T) {
			r := f.do(tt.method, tt.path, tt.secret, tt.body)
			wantError(t, r, 403, "forbidden", "this token lacks "+tt.lacks)
		})
	}
	if n := len(f.s.Tokens()); n != 3 {
		t.Errorf("%d tokens after refused requests, want 3", n)
	}
}

func TestCreate(t *testing.T) {
	f := newFixture(t, "")
	body := `{"name":"ci-deploy","permissions":{"cluster":["update","read","read"],"agent":[]},"expiresAt":"2025-07-01T00:00:00.1234Z"}`
	r := f.do("POST", api.TokensPath(f.org), f.admin, body)
	got, _ := decodeData[createdToken](t, r, 201)

	if !regexp.MustCompile(`^ak_[0-9a-f]{16}$`).MatchString(got.ID) {
		t.Errorf("id = %q", got.ID)
	}
	if !regexp.MustCompile(`^rpx_[0-9A-Za-z]{40}$`).MatchString(got.Secret) {
		t.Errorf("secret = %q", got.Secret)
	}
	want := api.Token{
		ID:             got.ID,
		Name:           "ci-deploy",
		OrganizationID: f.org,
		Permissions:    grants.Set{"cluster": {"read", "update"}},
		CreatedAt:      start(),
		UpdatedAt:      start(),
		ExpiresAt:      ptr(time.Date(2025, 7, 1, 0, 0, 0, 123e6, time.UTC)),
	}
	if !sameToken(got.Token, want) {
		t.Errorf("token = %+v\nwant    %+v", got.Token, want)
	}
	wantFields := `"createdAt":"2025-06-01T12:00:00Z","updatedAt":"2025-06-01T12:00:00Z","expiresAt":"2025-07-01T00:00:00.123Z","lastUsedAt":null,"token":"` + got.Secret + `"`
	if !strings.Contains(r.body, wantFields) {
		t.Errorf("body %s\nlacks %s", r.body, wantFields)
	}

	// The secret works, and is never shown again.
	f.clock.Advance(time.Minute)
	r = f.do("GET", api.TokenPath(f.org, got.ID), f.admin, "")
	if strings.Contains(r.body, got.Secret) || strings.Contains(r.body, `"token"`) {
		t.Errorf("GET shows the secret: %s", r.body)
	}
	r = f.do("GET", api.TokensPath(f.org), f.admin, "")
	if strings.Contains(r.body, got.Secret) || strings.Contains(r.body, `"token"`) || strings.Contains(r.body, "secretHash") {
		t.Errorf("list shows the secret: %s", r.body)
	}
	_, _ = f.issue("reader", nil, nil)
	r = f.do("GET", api.TokenPath(f.org, got.ID), got.Secret, "")
	wantError(t, r, 403, "forbidden", "this token lacks apiKey:read") // authenticated, not 401
}

func TestCreateValidation(t *testing.T) {
	f := newFixture(t, "")
	f.issue("taken", nil, nil)
	tests := []struct {
		name, body    string
		status        int
		code, message string
	}{
		{"empty name", `{"name":"","permissions":{}}`, 422, "validation_failed", "name is required"},
		{"no name", `{"permissions":{}}`, 422, "validation_failed", "name is required"},
		{"blank name", `{"name":" \u00a0 ","permissions":{}}`, 422, "validation_failed", "name must not be only whitespace"},
		{"long name", `{"name":"` + strings.Repeat("é", 101) + `"}`, 422, "validation_failed", "name is 101 characters long; the limit is 100"},
		{"control", `{"name":"a\tb"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 2 is U+0009, a control character"},
		{"newline", `{"name":"a\nb"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 2 is U+000A, a control character"},
		{"escape", `{"name":"a\u001b[2J"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 2 is U+001B, a control character"},
		{"bidi", `{"name":"gnp\u202e.exe"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 4 is U+202E, a bidi control"},
		{"hangul filler", `{"name":"d1\u3164"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 3 is U+3164, an invisible character"},
		{"zero width", `{"name":"d\u200b1"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 2 is U+200B, an invisible character"},
		{"braille blank", `{"name":"d1\u2800"}`, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 3 is U+2800, an invisible character"},
		{"category", `{"name":"x","permissions":{"cluster":["read"],"bogus":["read"]}}`, 422, "validation_failed", `unknown permission category "bogus"`},
		{"action", `{"name":"x","permissions":{"cluster":["read","admin"]}}`, 422, "validation_failed", `unknown action "admin" in permission category "cluster"`},
		{"past", `{"name":"x","expiresAt":"2025-06-01T11:59:59Z"}`, 422, "validation_failed", "expiresAt 2025-06-01T11:59:59Z is not in the future"},
		{"now", `{"name":"x","expiresAt":"2025-06-01T12:00:00Z"}`, 422, "validation_failed", "expiresAt 2025-06-01T12:00:00Z is not in the future"},
		{"duplicate", `{"name":"taken"}`, 409, "conflict", `a token named "taken" already exists`},
		{"malformed", `{"name":`, 400, "bad_request", "malformed JSON body: unexpected EOF"},
		{"wrong type", `{"name":5}`, 400, "bad_request", "malformed JSON body: name must be a string, not number"},
		{"wrong perms", `{"name":"x","permissions":["read"]}`, 400, "bad_request", "malformed JSON body: permissions must be an object, not array"},
		{"wrong actions", `{"name":"x","permissions":{"cluster":"read"}}`, 400, "bad_request", "malformed JSON body: permissions must be an array, not string"},
		{"bad time", `{"name":"x","expiresAt":"tomorrow"}`, 400, "bad_request", `malformed JSON body: expiresAt must be an RFC 3339 time such as 2030-01-31T00:00:00Z, not "tomorrow"`},
		{"number time", `{"name":"x","expiresAt":5}`, 400, "bad_request", "malformed JSON body: expiresAt must be an RFC 3339 time string or null"},
		{"unknown field", `{"name":"x","expires_at":"2030-01-01T00:00:00Z"}`, 400, "bad_request", `malformed JSON body: unknown field "expires_at"`},
		{"null", `null`, 400, "bad_request", "request body must be a JSON object, not null"},
		{"empty", ``, 400, "bad_request", "request body is empty; send a JSON object"},
		{"trailing", `{"name":"x"} {}`, 400, "bad_request", "malformed JSON body: unexpected data after the object"},
		{"too large", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "payload_too_large", "request body exceeds 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do("POST", api.TokensPath(f.org), f.admin, tt.body)
			wantError(t, r, tt.status, tt.code, tt.message)
		})
	}
	if n := len(f.s.Tokens()); n != 2 {
		t.Errorf("%d tokens after refused creates, want 2", n)
	}

	// Boundaries that pass: 100 runes, names differing only in case.
	for _, name := range []string{strings.Repeat("é", 100), "Taken", " padded "} {
		r := f.do("POST", api.TokensPath(f.org), f.admin, `{"name":"`+name+`"}`)
		tok, _ := decodeData[createdToken](t, r, 201)
		if tok.Name != name {
			t.Errorf("name stored as %q, want %q", tok.Name, name)
		}
	}
}

func TestEscalation(t *testing.T) {
	f := newFixture(t, "")
	limited := grants.Set{"apiKey": grants.Actions(), "cluster": {"read"}}
	_, secret := f.issue("limited", limited, nil)

	r := f.do("POST", api.TokensPath(f.org), secret, `{"name":"ok","permissions":{"cluster":["read"],"apiKey":["read"]}}`)
	okTok, _ := decodeData[createdToken](t, r, 201)

	r = f.do("POST", api.TokensPath(f.org), secret, `{"name":"up","permissions":{"cluster":["read","delete"],"user":["create"]}}`)
	wantError(t, r, 403, "forbidden", "this token cannot grant permissions it lacks: cluster:delete, user:create")

	// Raising a token it may edit.
	r = f.do("PUT", api.TokenPath(f.org, okTok.ID), secret, `{"name":"ok","permissions":{"billing":["read"]}}`)
	wantError(t, r, 403, "forbidden", "this token cannot grant permissions it lacks: billing:read")

	// Stripping a stronger token is refused too.
	strong, _ := f.issue("strong", grants.Set{"cluster": {"read"}, "budget": {"read", "update"}}, nil)
	r = f.do("PUT", api.TokenPath(f.org, strong.ID), secret, `{"name":"strong","permissions":{}}`)
	wantError(t, r, 403, "forbidden", "this token cannot edit a token holding permissions it lacks: budget:read, budget:update")

	// Within its own permissions it may edit.
	r = f.do("PUT", api.TokenPath(f.org, okTok.ID), secret, `{"name":"ok2","permissions":{"apiKey":["delete"]}}`)
	got, _ := decodeData[api.Token](t, r, 200)
	if got.Name != "ok2" || !grants.Equal(got.Permissions, grants.Set{"apiKey": {"delete"}}) {
		t.Errorf("updated = %+v", got)
	}
	// A 422 is reported before an escalation: the request is wrong either way.
	r = f.do("POST", api.TokensPath(f.org), secret, `{"name":"x","permissions":{"nope":["read"]}}`)
	wantError(t, r, 422, "validation_failed", `unknown permission category "nope"`)
}

func TestGetToken(t *testing.T) {
	f := newFixture(t, "")
	tok, _ := f.issue("grafana", grants.Set{"cluster": {"read"}}, ptr(start().Add(48*time.Hour)))
	r := f.do("GET", api.TokenPath(f.org, tok.ID), f.admin, "")
	want := `{"status":true,"data":{"id":"` + tok.ID + `","name":"grafana","organizationId":"` + f.org +
		`","permissions":{"cluster":["read"]},"createdAt":"2025-06-01T12:00:00Z","updatedAt":"2025-06-01T12:00:00Z",` +
		`"expiresAt":"2025-06-03T12:00:00Z","lastUsedAt":null}}` + "\n"
	if r.status != 200 || r.body != want {
		t.Errorf("got %d %s\nwant 200 %s", r.status, r.body, want)
	}
	r = f.do("GET", api.TokenPath(f.org, "ak_0000000000000000"), f.admin, "")
	wantError(t, r, 404, "not_found", `API token "ak_0000000000000000" not found`)
}

func TestUpdate(t *testing.T) {
	f := newFixture(t, "")
	tok, _ := f.issue("deploy", grants.Set{"cluster": {"read"}}, ptr(start().Add(time.Hour)))
	f.issue("other", nil, nil)
	f.clock.Advance(time.Minute)
	path := api.TokenPath(f.org, tok.ID)

	r := f.do("PUT", path, f.admin, `{"name":"deploy-prod","permissions":{"cluster":["update","read"]},"expiresAt":"2026-01-01T00:00:00+01:00"}`)
	got, _ := decodeData[api.Token](t, r, 200)
	want := tok
	want.Name = "deploy-prod"
	want.Permissions = grants.Set{"cluster": {"read", "update"}}
	want.ExpiresAt = ptr(time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC))
	want.UpdatedAt = start().Add(time.Minute)
	if !sameToken(got, want) {
		t.Errorf("updated = %+v\nwant      %+v", got, want)
	}
	if stored := f.s.Tokens(); !slices.ContainsFunc(stored, func(x api.Token) bool { return sameToken(x, want) }) {
		t.Errorf("stored tokens %+v lack %+v", stored, want)
	}

	// Replace means replace: an absent expiresAt or permissions clears them.
	r = f.do("PUT", path, f.admin, `{"name":"deploy-prod"}`)
	got, _ = decodeData[api.Token](t, r, 200)
	if got.ExpiresAt != nil || len(got.Permissions) != 0 || !strings.Contains(r.body, `"permissions":{},`) {
		t.Errorf("after bare PUT: %s", r.body)
	}

	r = f.do("PUT", path, f.admin, `{"name":"other"}`)
	wantError(t, r, 409, "conflict", `a token named "other" already exists`)
	r = f.do("PUT", path, f.admin, `{"name":"x","expiresAt":"2025-06-01T12:00:00Z"}`)
	wantError(t, r, 422, "validation_failed", "expiresAt 2025-06-01T12:00:00Z is not in the future")
	r = f.do("PUT", path, f.admin, `{"name":"\u0000"}`)
	wantError(t, r, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 1 is U+0000, a control character")
	r = f.do("PUT", path, f.admin, `{"name":"x\u115f"}`)
	wantError(t, r, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 2 is U+115F, an invisible character")
	r = f.do("PUT", path, f.admin, `{"name":"x","permissions":{"cluster":["fly"]}}`)
	wantError(t, r, 422, "validation_failed", `unknown action "fly" in permission category "cluster"`)
	r = f.do("PUT", path, f.admin, `{"name":`)
	wantError(t, r, 400, "bad_request", "malformed JSON body: unexpected EOF")
	r = f.do("PUT", api.TokenPath(f.org, "ak_nope"), f.admin, `{"name":`)
	wantError(t, r, 404, "not_found", `API token "ak_nope" not found`)

	// An expired token can be renamed with its old expiry sent back.
	old, _ := f.issue("expired", nil, ptr(start().Add(-time.Hour)))
	r = f.do("PUT", api.TokenPath(f.org, old.ID), f.admin, `{"name":"expired-renamed","expiresAt":"2025-06-01T11:00:00Z"}`)
	got, _ = decodeData[api.Token](t, r, 200)
	if got.Name != "expired-renamed" || !got.ExpiresAt.Equal(start().Add(-time.Hour)) {
		t.Errorf("renamed expired token = %+v", got)
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t, "")
	tok, secret := f.issue("doomed", grants.All(), nil)
	path := api.TokenPath(f.org, tok.ID)
	r := f.do("DELETE", path, f.admin, "")
	if r.status != 204 || r.body != "" {
		t.Errorf("DELETE = %d %q, want 204 and no body", r.status, r.body)
	}
	wantError(t, f.do("GET", path, f.admin, ""), 404, "not_found", `API token "`+tok.ID+`" not found`)
	wantError(t, f.do("DELETE", path, f.admin, ""), 404, "not_found", `API token "`+tok.ID+`" not found`)
	wantError(t, f.do("GET", api.OrganizationPath(f.org), secret, ""), 401, "unauthorized", "invalid API token")
	// The name is free again.
	f.issue("doomed", nil, nil)
}

func TestListPagination(t *testing.T) {
	f := newFixture(t, "")
	ids := []string{f.s.Tokens()[0].ID}
	for i := range 5 {
		f.clock.Advance(time.Second)
		tok, _ := f.issue(fmt.Sprintf("t%d", i), grants.Set{"cluster": {"read"}}, nil)
		ids = append(ids, tok.ID)
	}
	tests := []struct {
		query string
		want  []string
		meta  api.Meta
	}{
		{"", ids, api.Meta{Page: 1, Limit: 100, Total: 6}},
		{"?page=1&limit=2", ids[0:2], api.Meta{Page: 1, Limit: 2, Total: 6}},
		{"?page=3&limit=2", ids[4:6], api.Meta{Page: 3, Limit: 2, Total: 6}},
		{"?page=2&limit=4", ids[4:6], api.Meta{Page: 2, Limit: 4, Total: 6}},
		{"?page=4&limit=2", nil, api.Meta{Page: 4, Limit: 2, Total: 6}},
		{"?limit=1000", ids, api.Meta{Page: 1, Limit: 1000, Total: 6}},
		{"?limit=1001", ids, api.Meta{Page: 1, Limit: 1000, Total: 6}}, // the largest page, said in meta
		{"?page=2&limit=5000000000", nil, api.Meta{Page: 2, Limit: 1000, Total: 6}},
		{"?page=9223372036854775807&limit=1000", nil, api.Meta{Page: 9223372036854775807, Limit: 1000, Total: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := f.do("GET", api.TokensPath(f.org)+tt.query, f.admin, "")
			data, meta := decodeData[[]api.Token](t, r, 200)
			var got []string
			for _, tok := range data {
				got = append(got, tok.ID)
			}
			if !slices.Equal(got, tt.want) || meta == nil || *meta != tt.meta {
				t.Errorf("got %v %+v, want %v %+v", got, meta, tt.want, tt.meta)
			}
			if len(tt.want) == 0 && !strings.Contains(r.body, `"data":[]`) {
				t.Errorf("empty page is not []: %s", r.body)
			}
		})
	}
	bad := map[string]string{
		"?page=0":    `page must be a whole number from 1, got "0"`,
		"?page=-1":   `page must be a whole number from 1, got "-1"`,
		"?page=x":    `page must be a whole number from 1, got "x"`,
		"?page=":     `page must be a whole number from 1, got ""`,
		"?limit=0":   `limit must be a whole number from 1, got "0"`,
		"?limit=1.5": `limit must be a whole number from 1, got "1.5"`,
		"?limit=1e3": `limit must be a whole number from 1, got "1e3"`,
	}
	for query, message := range bad {
		r := f.do("GET", api.TokensPath(f.org)+query, f.admin, "")
		wantError(t, r, 400, "bad_request", message)
	}
}

// Tokens created in the same millisecond are ordered by id.
func TestListOrderTiesByID(t *testing.T) {
	f := newFixture(t, "")
	for i := range 20 {
		f.issue(fmt.Sprintf("same-%d", i), nil, nil)
	}
	r := f.do("GET", api.TokensPath(f.org), f.admin, "")
	data, _ := decodeData[[]api.Token](t, r, 200)
	ids := make([]string, len(data))
	for i, tok := range data {
		ids[i] = tok.ID
	}
	if !slices.IsSorted(ids) || len(ids) != 21 {
		t.Errorf("ids not sorted: %v", ids)
	}
	snapshot := f.s.Tokens()
	for i := range snapshot {
		if snapshot[i].ID != ids[i] {
			t.Fatalf("Tokens() order differs from the list at %d", i)
		}
	}
}

func TestRouting(t *testing.T) {
	f := newFixture(t, "")
	id := f.s.Tokens()[0].ID
	tests := []struct {
		method, path  string
		status        int
		code, message string
		allow         string
	}{
		{"GET", "/api/v1/nope", 404, "not_found", "no such endpoint: /api/v1/nope", ""},
		{"GET", "/", 404, "not_found", "no such endpoint: /", ""},
		{"GET", api.TokensPath(f.org) + "/", 404, "not_found", "no such endpoint: " + api.TokensPath(f.org) + "/", ""},
		{"GET", api.TokenPath(f.org, id) + "/x", 404, "not_found", "no such endpoint: " + api.TokenPath(f.org, id) + "/x", ""},
		{"GET", api.OrganizationPath("org_other"), 404, "not_found", `organization "org_other" not found`, ""},
		{"GET", api.TokensPath("org_other"), 404, "not_found", `organization "org_other" not found`, ""},
		{"DELETE", api.TokenPath("org_other", id), 404, "not_found", `organization "org_other" not found`, ""},
		{"POST", api.OrganizationPath(f.org), 405, "method_not_allowed", "POST is not allowed here; allowed: GET", "GET"},
		{"DELETE", api.TokensPath(f.org), 405, "method_not_allowed", "DELETE is not allowed here; allowed: GET, POST", "GET, POST"},
		{"PATCH", api.TokenPath(f.org, id), 405, "method_not_allowed", "PATCH is not allowed here; allowed: GET, PUT, DELETE", "GET, PUT, DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := f.do(tt.method, tt.path, f.admin, "")
			wantError(t, r, tt.status, tt.code, tt.message)
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestLastUsedAt(t *testing.T) {
	f := newFixture(t, "")
	tok, secret := f.issue("reader", grants.Set{"organization": {"read"}}, nil)
	f.clock.Advance(90 * time.Second)
	f.do("GET", api.OrganizationPath(f.org), secret, "")
	for _, got := range f.s.Tokens() {
		if got.ID == tok.ID && (got.LastUsedAt == nil || !got.LastUsedAt.Equal(start().Add(90*time.Second))) {
			t.Errorf("lastUsedAt = %v", got.LastUsedAt)
		}
	}
	// A refused request is still a use of the token.
	f.clock.Advance(time.Second)
	f.do("GET", api.TokensPath(f.org), secret, "")
	for _, got := range f.s.Tokens() {
		if got.ID == tok.ID && !got.LastUsedAt.Equal(start().Add(91*time.Second)) {
			t.Errorf("lastUsedAt after 403 = %v", got.LastUsedAt)
		}
	}
}

func TestRequestLog(t *testing.T) {
	var log strings.Builder
	var mu sync.Mutex
	f := newFixtureWith(t, Options{Log: lockedWriter{&mu, &log}})
	r := f.do("POST", api.TokensPath(f.org), f.admin, `{"name":"x"}`)
	created, _ := decodeData[createdToken](t, r, 201)
	f.do("GET", api.TokensPath(f.org)+"?page=1", created.Secret, "")
	f.do("GET", "/api/v1/organizations/a%0Ab", "", "")

	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	want := []string{
		"POST " + api.TokensPath(f.org) + " 201 ",
		"GET " + api.TokensPath(f.org) + " 403 ",
		"GET /api/v1/organizations/a%0Ab 401 ",
	}
	if len(lines) != len(want) {
		t.Fatalf("log = %q", log.String())
	}
	for i, line := range lines {
		if !strings.HasPrefix(line, want[i]) || !regexp.MustCompile(`\d(ns|µs|ms|s)$`).MatchString(line) {
			t.Errorf("line %d = %q, want %q + duration", i, line, want[i])
		}
	}
	for _, leak := range []string{f.admin, created.Secret, "Api-Key", "rpx_"} {
		if strings.Contains(log.String(), leak) {
			t.Errorf("log contains %q", leak)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Concurrent writers and readers keep the state consistent (run with -race).
func TestConcurrentRequests(t *testing.T) {
	f := newFixture(t, t.TempDir()+"/state.json")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				r := f.do("POST", api.TokensPath(f.org), f.admin, fmt.Sprintf(`{"name":"w%d-%d"}`, w, i))
				tok, _ := decodeData[createdToken](t, r, 201)
				f.do("GET", api.TokensPath(f.org)+"?limit=5", f.admin, "")
				if i%2 == 0 {
					r = f.do("DELETE", api.TokenPath(f.org, tok.ID), f.admin, "")
					if r.status != 204 {
						t.Errorf("DELETE = %d", r.status)
					}
				}
			}
		})
	}
	wg.Wait()
	r := f.do("GET", api.TokensPath(f.org), f.admin, "")
	_, meta := decodeData[[]api.Token](t, r, 200)
	if meta.Total != 41 {
		t.Errorf("total = %d, want 41", meta.Total)
	}
}

// sameToken compares tokens field by field (times by instant).
func sameToken(a, b api.Token) bool {
	return a.ID == b.ID && a.Name == b.Name && a.OrganizationID == b.OrganizationID &&
		grants.Equal(a.Permissions, b.Permissions) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		sameTime(a.ExpiresAt, b.ExpiresAt) && sameTime(a.LastUsedAt, b.LastUsedAt)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// TestPageSizeLimits: a limit above MaxPageSize is answered with the
// largest page, said in meta.limit; with RefuseLargePages it is refused
// with 400, as some servers do, while a limit within it still works.
func TestPageSizeLimits(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		f := newFixtureWith(t, Options{MaxPageSize: 3, RefuseLargePages: refuse})
		for i := range 4 {
			f.issue(fmt.Sprintf("t%d", i), grants.Set{"cluster": {"read"}}, nil)
		}
		r := f.do("GET", api.TokensPath(f.org)+"?limit=1000", f.admin, "")
		if refuse {
			wantError(t, r, 400, "bad_request", `limit must be a whole number from 1 to 3, got "1000"`)
		} else if data, meta := decodeData[[]api.Token](t, r, 200); len(data) != 3 || *meta != (api.Meta{Page: 1, Limit: 3, Total: 5}) {
			t.Errorf("limit=1000 over a page size of 3: %d tokens, %+v", len(data), meta)
		}
		data, meta := decodeData[[]api.Token](t, f.do("GET", api.TokensPath(f.org)+"?page=2&limit=3", f.admin, ""), 200)
		if len(data) != 2 || *meta != (api.Meta{Page: 2, Limit: 3, Total: 5}) {
			t.Errorf("refuse=%v: limit=3: %d tokens, %+v", refuse, len(data), meta)
		}
	}
	if _, err := New(Options{MaxPageSize: -1}); err == nil {
		t.Error("a negative MaxPageSize was accepted")
	}
}
