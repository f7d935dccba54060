package sandbox

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

func seeded(t *testing.T, n int, file string) []api.Token {
	t.Helper()
	s, err := New(Options{SeedTokens: n, DataFile: file, Now: start})
	if err != nil {
		t.Fatal(err)
	}
	return s.Tokens()
}

func TestSeedVariety(t *testing.T) {
	now := start()
	tokens := seeded(t, 200, "")
	if len(tokens) != 201 {
		t.Fatalf("%d tokens, want 201", len(tokens))
	}
	names := map[string]bool{}
	counts := map[string]int{}
	nameRE := regexp.MustCompile(`^[a-z0-9-]+$`)
	for _, tok := range tokens {
		if names[tok.Name] {
			t.Errorf("duplicate name %q", tok.Name)
		}
		names[tok.Name] = true
		if !nameRE.MatchString(tok.Name) {
			t.Errorf("odd name %q", tok.Name)
		}
		if err := grants.Validate(tok.Permissions); err != nil {
			t.Error(err)
		}
		if tok.CreatedAt.After(now) || tok.UpdatedAt.Before(tok.CreatedAt) {
			t.Errorf("%s: created %v updated %v", tok.Name, tok.CreatedAt, tok.UpdatedAt)
		}
		switch {
		case tok.ExpiresAt == nil:
			counts["never expires"]++
		case tok.Expired(now):
			counts["expired"]++
		case tok.ExpiresAt.Before(now.Add(15 * 24 * time.Hour)):
			counts["expires within days"]++
		default:
			counts["expires in months"]++
		}
		switch {
		case tok.LastUsedAt == nil:
			counts["never used"]++
		case tok.LastUsedAt.Before(tok.CreatedAt) || tok.LastUsedAt.After(now) || (tok.ExpiresAt != nil && tok.LastUsedAt.After(*tok.ExpiresAt)):
			t.Errorf("%s: used %v outside its life", tok.Name, tok.LastUsedAt)
		case tok.LastUsedAt.Before(now.Add(-7 * 24 * time.Hour)):
			counts["used long ago"]++
		default:
			counts["used recently"]++
		}
		switch {
		case grants.Equal(tok.Permissions, grants.All()):
			counts["full"]++
		case grants.Covers(grants.ReadAll(), tok.Permissions):
			counts["read-only"]++
		default:
			counts["broad"]++
		}
	}
	for _, kind := range []string{"never expires", "expired", "expires within days", "expires in months",
		"never used", "used long ago", "used recently", "full", "read-only", "broad"} {
		if counts[kind] < 5 {
			t.Errorf("only %d tokens %s: %v", counts[kind], kind, counts)
		}
	}
}

func TestSeedDeterministic(t *testing.T) {
	a, b := seeded(t, 100, ""), seeded(t, 100, "")
	for i := range a {
		a[i].ID, b[i].ID = "", ""
		a[i].OrganizationID, b[i].OrganizationID = "", ""
		if !sameToken(a[i], b[i]) {
			t.Fatalf("token %d differs: %+v\n%+v", i, a[i], b[i])
		}
	}
}

func TestSeedLarge(t *testing.T) {
	begin := time.Now()
	tokens := seeded(t, 10000, filepath.Join(t.TempDir(), "state.json"))
	if len(tokens) != 10001 {
		t.Fatalf("%d tokens", len(tokens))
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("seeding 10000 tokens took %v", d)
	}
	t.Logf("seeded 10000 tokens in %v", time.Since(begin))
}

func TestSeedNegative(t *testing.T) {
	if _, err := New(Options{SeedTokens: -1}); err == nil || err.Error() != "sandbox: SeedTokens must not be negative (got -1)" {
		t.Errorf("err = %v", err)
	}
}
