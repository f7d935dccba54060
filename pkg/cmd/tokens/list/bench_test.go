package list

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
)

// benchTokens is n tokens shaped like the sandbox's seeded ones: a few
// grants, some expiring, some used.
func benchTokens(n int) []api.Token {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]api.Token, n)
	for i := range out {
		created := base.Add(time.Duration(i) * time.Minute)
		t := api.Token{
			ID:             fmt.Sprintf("key_%012x", i),
			Name:           fmt.Sprintf("service-%05d", i),
			OrganizationID: "org_bench",
			Permissions:    grants.Set{"cluster": {"read"}, "report": {"read", "create"}},
			CreatedAt:      created,
			UpdatedAt:      created,
		}
		if i%3 == 0 {
			exp := created.Add(90 * 24 * time.Hour)
			t.ExpiresAt = &exp
		}
		if i%2 == 0 {
			used := created.Add(time.Hour)
			t.LastUsedAt = &used
		}
		out[i] = t
	}
	return out
}

// BenchmarkJSON10k is `tokens list -o json` after the tokens arrived.
func BenchmarkJSON10k(b *testing.B) {
	tokens := benchTokens(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := output.WriteJSONList(io.Discard, tokens); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTablePlain10k is `tokens list` into a pipe: tab-separated.
func BenchmarkTablePlain10k(b *testing.B) {
	tokens := benchTokens(10000)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if err := BuildTable(tokens, now, false, false).WritePlain(io.Discard, false, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTableStyled10k is `tokens list` on a terminal, in colour, 120
// columns wide as the load test measures it.
func BenchmarkTableStyled10k(b *testing.B) {
	tokens := benchTokens(10000)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		tb := BuildTable(tokens, now, false, true)
		tb.Width, tb.Flex = 120, []int{1, 2}
		if err := tb.WriteStyled(io.Discard, true, false); err != nil {
			b.Fatal(err)
		}
	}
}
