package shared

import (
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
)

func TestFilterLeavesRetiredTokensOut(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	soon := now.Add(time.Hour)
	all := []api.Token{
		{ID: "1", Name: "ci-a"},
		{ID: "2", Name: "ci-a (rotated 2026-12-01 20:59:59 abcdef)", ExpiresAt: &soon},
		{ID: "3", Name: "ci-a (rotated 2026-12-01 20:59:59)", ExpiresAt: &soon},
		{ID: "4", Name: "ci-b (rotated weekly)"},
	}
	flt := Filter{NameGlob: "ci-*"}
	got := flt.Select(all, now)
	if len(got) != 2 || got[0].ID != "1" || got[1].ID != "4" {
		t.Fatalf("Select = %+v, want ci-a and the ordinary 'ci-b (rotated weekly)'", got)
	}
	if n := flt.RetiredLeftOut(all, now); n != 2 {
		t.Errorf("RetiredLeftOut = %d, want 2", n)
	}
	flt.IncludeRetired = true
	if got := flt.Select(all, now); len(got) != 4 {
		t.Errorf("with IncludeRetired: %d tokens, want 4", len(got))
	}
	if n := flt.RetiredLeftOut(all, now); n != 0 {
		t.Errorf("with IncludeRetired: RetiredLeftOut = %d, want 0", n)
	}
	if n := (Filter{ExpiringWithin: 14 * 24 * time.Hour}).RetiredLeftOut(all, now); n != 2 {
		t.Errorf("--expiring-within: RetiredLeftOut = %d, want 2", n)
	}
}

func TestRetiredNote(t *testing.T) {
	for _, c := range []struct {
		n          int
		canInclude bool
		want       string
	}{
		{1, true, "note: 1 retired token (kept working by an earlier 'tokens rotate --grace') matched and was left out; --include-retired includes it"},
		{3, false, "note: 3 retired tokens (kept working by an earlier 'tokens rotate --grace') matched and were left out: a retired token is never rotated again"},
	} {
		if got := RetiredNote(c.n, c.canInclude); got != c.want {
			t.Errorf("RetiredNote(%d, %v) =\n%q, want\n%q", c.n, c.canInclude, got, c.want)
		}
	}
}
