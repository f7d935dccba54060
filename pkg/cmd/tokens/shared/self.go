package shared

import (
	"context"
	"time"

	"github.com/replexio/replex/pkg/api"
)

// SelfIDs reports which of candidates is the token the client itself
// authenticates with. The contract has no "who am I" call, so it watches
// lastUsedAt: every request replex makes moves its own token's lastUsedAt,
// so a candidate whose lastUsedAt moves between two of replex's reads is
// replex's own token. A token used by someone else at that very moment looks
// the same, which costs only an extra confirmation; a server that does not
// record lastUsedAt on reads defeats the check (docs/tokens.md).
func SelfIDs(ctx context.Context, c *api.Client, candidates []api.Token) (map[string]bool, error) {
	self := map[string]bool{}
	if len(candidates) == 0 {
		return self, nil
	}
	read := func() (map[string]*time.Time, error) {
		seen := map[string]*time.Time{}
		if len(candidates) <= 3 {
			for _, t := range candidates {
				got, err := c.GetToken(ctx, t.ID)
				if err != nil {
					if api.StatusOf(err) == 404 {
						continue
					}
					return nil, err
				}
				seen[t.ID] = got.LastUsedAt
			}
			return seen, nil
		}
		all, err := c.ListTokens(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			seen[t.ID] = t.LastUsedAt
		}
		return seen, nil
	}
	before, err := read()
	if err != nil {
		return nil, err
	}
	// Servers record times at millisecond precision or coarser.
	time.Sleep(5 * time.Millisecond)
	after, err := read()
	if err != nil {
		return nil, err
	}
	for _, t := range candidates {
		b, a := before[t.ID], after[t.ID]
		if a != nil && (b == nil || a.After(*b)) {
			self[t.ID] = true
		}
	}
	return self, nil
}
