package sandbox

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/replexio/replex/pkg/grants"
)

// seedProfile is a kind of token a real organization accumulates: what it is
// called and what it may do.
type seedProfile struct {
	base  string
	perms grants.Set
}

func seedProfiles() []seedProfile {
	rw := []string{grants.Read, grants.Create, grants.Update}
	ro := []string{grants.Read}
	all := grants.Actions()
	return []seedProfile{
		{"ci-deploy", grants.Set{"cluster": rw, "agent": rw}},
		{"grafana-reader", grants.Set{"cluster": ro, "budget": ro, "recommendations": ro}},
		{"billing-export", grants.Set{"billing": ro}},
		{"terraform", grants.Set{"cluster": all, "agent": all, "budget": all, "scopes": all, "teams": all}},
		{"cost-report", grants.Set{"cluster": ro, "budget": ro, "scopes": ro, "recommendations": ro, "billing": ro}},
		{"k8s-agent", grants.Set{"agent": rw, "cluster": ro}},
		{"budget-sync", grants.Set{"budget": all}},
		{"scim-sync", grants.Set{"user": all, "teams": all, "invitation": all, "role": ro}},
		{"sso-config", grants.Set{"samlIntegration": all, "organization": ro}},
		{"admin-automation", grants.All()},
		{"audit-readonly", grants.ReadAll()},
		{"token-rotator", grants.Set{"apiKey": all}},
		{"pricing-import", grants.Set{"customPricing": all, "cluster": ro}},
		{"slack-alerts", grants.Set{"budget": ro, "recommendations": ro}},
		{"datadog", grants.Set{"cluster": ro, "agent": ro}},
		{"rightsizing-bot", grants.Set{"recommendations": all, "cluster": ro}},
		{"onboarding-bot", grants.Set{"invitation": {grants.Read, grants.Create}, "teams": ro, "user": ro}},
		{"github-actions", grants.Set{"cluster": {grants.Read, grants.Update}, "scopes": ro}},
		{"argo-cd", grants.Set{"cluster": ro, "agent": {grants.Read, grants.Update}}},
		{"backup", grants.ReadAll()},
		{"finops-dashboard", grants.Set{"cluster": ro, "budget": ro, "billing": ro, "scopes": ro, "teams": ro}},
		{"legacy-admin", grants.All()},
	}
}

// seed invents n tokens with realistic names, grants, expiries and usage.
// The same n gives the same tokens (ids and secrets aside) relative to the
// current time; the caller saves once.
func (s *Server) seed(n int) {
	rng := rand.New(rand.NewPCG(0x5eed, uint64(n)))
	profiles := seedProfiles()
	envs := []string{"prod", "staging", "dev", "qa", "eu-west-1", "us-east-1"}
	now := s.clock()
	day := 24 * time.Hour
	between := func(from, to time.Time) time.Time {
		if !to.After(from) {
			return from
		}
		return from.Add(time.Duration(rng.Int64N(int64(to.Sub(from))))).Truncate(time.Millisecond)
	}
	for i := range n {
		p := profiles[rng.IntN(len(profiles))]
		var name string
		switch rng.IntN(4) {
		case 0:
			name = fmt.Sprintf("%s-%03d", p.base, rng.IntN(999)+1)
		case 1:
			name = fmt.Sprintf("%s-%s", p.base, envs[rng.IntN(len(envs))])
		case 2:
			name = fmt.Sprintf("%s-%s-%d", p.base, envs[rng.IntN(len(envs))], rng.IntN(99)+1)
		default:
			name = fmt.Sprintf("%s-%d", p.base, rng.IntN(99)+1)
		}
		// The suffix space is finite: fall back to the index, unique by itself.
		if s.byName[name] != nil {
			name = fmt.Sprintf("%s-%d", p.base, 1000+i)
			for s.byName[name] != nil {
				name += "x"
			}
		}

		perms := grants.Union(p.perms, nil)
		if rng.IntN(5) == 0 { // some tokens were widened by hand
			extra := grants.Categories()[rng.IntN(len(grants.Categories()))].Key
			perms = grants.Union(perms, grants.Set{extra: {grants.Read}})
		}

		created := between(now.Add(-730*day), now.Add(-time.Hour))
		var expiresAt *time.Time
		switch x := rng.Float64(); {
		case x < 0.35: // never expires
		case x < 0.50: // expired
			t := between(created.Add(time.Hour), now.Add(-time.Minute))
			expiresAt = &t
		case x < 0.65: // expires within days
			t := between(now.Add(time.Hour), now.Add(14*day))
			expiresAt = &t
		default: // expires in months
			t := between(now.Add(30*day), now.Add(365*day))
			expiresAt = &t
		}

		usableUntil := now
		if expiresAt != nil && expiresAt.Before(now) {
			usableUntil = *expiresAt
		}
		var lastUsed *time.Time
		switch x := rng.Float64(); {
		case x < 0.25: // never used
		case x < 0.60: // used long ago
			t := between(created, usableUntil.Add(-30*day))
			lastUsed = &t
		default: // used recently
			t := between(usableUntil.Add(-72*time.Hour), usableUntil)
			if t.Before(created) {
				t = created
			}
			lastUsed = &t
		}

		rec, _ := s.newRecord(name, perms, expiresAt, created)
		rec.token.LastUsedAt = lastUsed
		if rng.IntN(10) < 3 {
			rec.token.UpdatedAt = between(created, now)
		}
		s.insert(rec)
	}
}
