package tokenspec

import (
	"sort"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/retired"
)

// Actions of a plan.
const (
	Create = "create"
	Update = "update" // grants and/or expiry
	Rotate = "rotate"
	Delete = "delete"
)

// Change is one step of a plan, or (in Plan.Held) one that the flags hold back.
type Change struct {
	Action  string        `json:"action"`
	Name    string        `json:"name"`
	ID      string        `json:"id,omitempty"`
	Grants  *GrantsChange `json:"grants,omitempty"`
	Expires *ExpiryChange `json:"expires,omitempty"`
	Reason  string        `json:"reason,omitempty"`

	Entry *Entry         `json:"-"` // nil for a delete
	Token *api.Token     `json:"-"` // nil for a create
	Input api.TokenInput `json:"-"` // what a create or update sends
}

// GrantsChange is a change of grants, in --grant syntax.
type GrantsChange struct {
	From []string `json:"from"`
	To   []string `json:"to"`
}

// ExpiryChange is a change of expiry: RFC 3339 times or "never".
type ExpiryChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Plan is what it takes to converge the live tokens on a spec.
type Plan struct {
	Changes []Change `json:"changes"`
	// Held are rotations due without --rotate, and tokens the spec does not
	// name without --prune (or replex's own token): shown, never done.
	Held []Change `json:"held"`
}

// InSync reports whether applying the plan would send nothing.
func (p Plan) InSync() bool { return len(p.Changes) == 0 }

// Options of planning.
type Options struct {
	Now    time.Time
	Rotate bool // rotations due are changes, not held
	Prune  bool // unnamed tokens are deleted, not held
}

// LifetimeTolerance is how far a token's lifetime (expiresAt - createdAt)
// may be from the spec's relative lifetime and still be in sync: 1% of it,
// at least a minute, since the server stamps createdAt a moment after the
// client computed expiresAt, and a rotation counts from its own now.
func LifetimeTolerance(lifetime time.Duration) time.Duration {
	return max(lifetime/100, time.Minute)
}

// MakePlan compares spec with the organization's tokens (one listing).
// Retired grace twins (package retired) are never matched, changed or
// deleted. Names match exactly.
func MakePlan(spec *Spec, all []api.Token, o Options) Plan {
	live := make(map[string]*api.Token, len(all))
	var order []*api.Token
	for i := range all {
		t := &all[i]
		if retired.Is(t.Name) {
			continue
		}
		if _, dup := live[t.Name]; !dup {
			order = append(order, t)
		}
		live[t.Name] = t
	}
	plan := Plan{Changes: []Change{}, Held: []Change{}}
	named := make(map[string]bool, len(spec.Tokens))
	for i := range spec.Tokens {
		e := &spec.Tokens[i]
		named[e.Name] = true
		t, ok := live[e.Name]
		if !ok {
			exp := e.Expires.For(o.Now)
			plan.Changes = append(plan.Changes, Change{
				Action: Create, Name: e.Name, Entry: e,
				Grants:  &GrantsChange{From: []string{}, To: grants.Format(e.Permissions)},
				Expires: &ExpiryChange{From: "", To: stamp(exp)},
				Input:   api.TokenInput{Name: e.Name, Permissions: e.Permissions, ExpiresAt: exp},
			})
			continue
		}
		if c, due := rotationDue(e, t, o.Now); due {
			if o.Rotate {
				plan.Changes = append(plan.Changes, c)
			} else {
				c.Reason += "; pass --rotate"
				plan.Held = append(plan.Held, c)
			}
			continue
		}
		c := Change{Action: Update, Name: e.Name, ID: t.ID, Entry: e, Token: t,
			Input: api.TokenInput{Name: t.Name, Permissions: t.Permissions.Normalize(), ExpiresAt: t.ExpiresAt}}
		if !grants.Equal(e.Permissions, t.Permissions) {
			c.Grants = &GrantsChange{From: grants.Format(t.Permissions), To: grants.Format(e.Permissions)}
			c.Input.Permissions = e.Permissions
		}
		if to, change := expiryTarget(e.Expires, *t); change {
			c.Expires = &ExpiryChange{From: stamp(t.ExpiresAt), To: stamp(to)}
			c.Input.ExpiresAt = to
		}
		if c.Grants != nil || c.Expires != nil {
			plan.Changes = append(plan.Changes, c)
		}
	}
	var unnamed []Change
	for _, t := range order {
		if named[t.Name] {
			continue
		}
		c := Change{Action: Delete, Name: t.Name, ID: t.ID, Token: t, Reason: "not in the file"}
		unnamed = append(unnamed, c)
	}
	sort.Slice(unnamed, func(i, j int) bool { return unnamed[i].Name < unnamed[j].Name })
	for _, c := range unnamed {
		if o.Prune {
			plan.Changes = append(plan.Changes, c)
		} else {
			c.Reason = "pass --prune to delete it"
			plan.Held = append(plan.Held, c)
		}
	}
	return plan
}

// rotationDue: less than rotateBefore is left, or a relative lifetime that
// has already run out (its expiry cannot be set into the past).
func rotationDue(e *Entry, t *api.Token, now time.Time) (Change, bool) {
	c := Change{Action: Rotate, Name: e.Name, ID: t.ID, Entry: e, Token: t}
	newExp := e.Expires.For(now)
	c.Expires = &ExpiryChange{From: stamp(t.ExpiresAt), To: stamp(newExp)}
	if !grants.Equal(e.Permissions, t.Permissions) {
		c.Grants = &GrantsChange{From: grants.Format(t.Permissions), To: grants.Format(e.Permissions)}
	}
	c.Input = api.TokenInput{Name: e.Name, Permissions: e.Permissions, ExpiresAt: newExp}
	switch {
	case e.RotateBefore > 0 && t.ExpiresAt != nil && t.ExpiresAt.Sub(now) < e.RotateBefore:
		c.Reason = "less than rotateBefore " + expiry.Compact(e.RotateBefore) + " left"
		return c, true
	case e.Expires.Lifetime > 0 && !t.CreatedAt.Add(e.Expires.Lifetime).After(now):
		c.Reason = "its lifetime " + e.Expires.Text + " has run out"
		return c, true
	}
	return Change{}, false
}

// expiryTarget says whether t's expiry differs from e, and what it becomes.
// A relative lifetime L is in sync when the token expires and its own
// lifetime (expiresAt - createdAt) is within LifetimeTolerance of L; else it
// becomes createdAt+L. A fixed time is in sync within a second.
func expiryTarget(e Expires, t api.Token) (*time.Time, bool) {
	switch {
	case e.Never:
		return nil, t.ExpiresAt != nil
	case e.At != nil:
		if t.ExpiresAt != nil && absDur(t.ExpiresAt.Sub(*e.At)) <= time.Second {
			return nil, false
		}
		return e.At, true
	}
	if t.ExpiresAt != nil && absDur(t.ExpiresAt.Sub(t.CreatedAt)-e.Lifetime) <= LifetimeTolerance(e.Lifetime) {
		return nil, false
	}
	to := t.CreatedAt.Add(e.Lifetime).UTC().Truncate(time.Second)
	return &to, true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func stamp(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
