package sandbox

import (
	"testing"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

// A token named before the name rule (here: by writing the name directly)
// can still be replaced keeping its name, and renamed to a valid one; a
// new invalid name is refused.
func TestReplaceKeepsAGrandfatheredName(t *testing.T) {
	f := newFixture(t, "")
	tok, _, err := f.s.IssueToken("legacy", grants.Set{"cluster": {"read"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.s.mu.Lock()
	f.s.byID[tok.ID].token.Name = "legacy\u3164"
	f.s.mu.Unlock()
	path := api.TokenPath(f.org, tok.ID)

	r := f.do("PUT", path, f.admin, `{"name":"legacy\u3164","permissions":{"cluster":["read","update"]}}`)
	if r.status != 200 {
		t.Fatalf("keeping the name: %d %s", r.status, r.body)
	}
	r = f.do("PUT", path, f.admin, `{"name":"legacy\u200b"}`)
	wantError(t, r, 422, "validation_failed", "name must not contain control, bidi or invisible characters: character 7 is U+200B, an invisible character")
	r = f.do("PUT", path, f.admin, `{"name":"legacy"}`)
	if r.status != 200 {
		t.Fatalf("renaming to a valid name: %d %s", r.status, r.body)
	}
}
