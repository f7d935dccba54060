package shared

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/retired"
)

// Filter selects tokens; every set criterion must hold. Retired twins (the
// old tokens a graceful rotation leaves, see package retired) are never
// selected unless IncludeRetired is set: a bulk operation acts on live tokens.
type Filter struct {
	IncludeRetired bool
	NameGlob       string        // path.Match pattern, "/" an ordinary character; "" = any
	Grants         []GrantFilter // each must hold
	ExpiringWithin time.Duration // > 0: not expired and expiring within it
	Expired        bool
	UnusedSince    time.Duration // > 0: created and not used within it
	OlderThan      time.Duration // > 0: created before now minus it
}

// GrantFilter is one --grant: a category key and the actions a token must
// all hold there; no actions means any access to the category.
type GrantFilter struct {
	Category string
	Actions  []string
}

// ParseFilter reads the filter flags; errors are usage errors naming the flag.
// The durations were read by their flags (expiry.DurationFlag); 0 is unset.
func ParseFilter(name string, grantSpecs []string, expiringWithin time.Duration, expired bool, unusedSince time.Duration) (Filter, error) {
	flt := Filter{NameGlob: name, Expired: expired, ExpiringWithin: expiringWithin, UnusedSince: unusedSince}
	if name != "" {
		if _, err := path.Match(globSafe(name), ""); err != nil {
			return Filter{}, cmdutil.Usagef("--name: invalid glob %q (%v): use *, ?, [a-z], and \\ to match one of those literally", name, err)
		}
	}
	for _, spec := range grantSpecs {
		cat, acts, err := grants.ParseFilter(spec)
		if err != nil {
			return Filter{}, &cmdutil.UsageError{Err: fmt.Errorf("--grant: %w", err)}
		}
		flt.Grants = append(flt.Grants, GrantFilter{Category: cat, Actions: acts})
	}
	if expired && flt.ExpiringWithin > 0 {
		return Filter{}, cmdutil.Usagef("--expired and --expiring-within exclude each other: --expiring-within lists tokens not yet expired")
	}
	return flt, nil
}

// globSafe makes "/" an ordinary character for path.Match, whose "*" would
// not cross it: a token name is not a path. NUL cannot be in a name.
func globSafe(s string) string { return strings.ReplaceAll(s, "/", "\x00") }

// Match reports whether t passes every criterion at now.
func (flt Filter) Match(t api.Token, now time.Time) bool {
	if !flt.IncludeRetired && retired.Is(t.Name) {
		return false
	}
	if flt.NameGlob != "" {
		if ok, _ := path.Match(globSafe(flt.NameGlob), globSafe(t.Name)); !ok {
			return false
		}
	}
	for _, g := range flt.Grants {
		if len(g.Actions) == 0 && len(t.Permissions[g.Category]) == 0 {
			return false
		}
		for _, a := range g.Actions {
			if !t.Permissions.Has(g.Category, a) {
				return false
			}
		}
	}
	if flt.Expired && !t.Expired(now) {
		return false
	}
	if flt.ExpiringWithin > 0 && (t.ExpiresAt == nil || t.Expired(now) || t.ExpiresAt.After(now.Add(flt.ExpiringWithin))) {
		return false
	}
	if flt.OlderThan > 0 && t.CreatedAt.After(now.Add(-flt.OlderThan)) {
		return false
	}
	if flt.UnusedSince > 0 {
		cutoff := now.Add(-flt.UnusedSince)
		if t.CreatedAt.After(cutoff) || (t.LastUsedAt != nil && t.LastUsedAt.After(cutoff)) {
			return false
		}
	}
	return true
}

// Select returns the tokens that match, sorted by name and then id.
func (flt Filter) Select(all []api.Token, now time.Time) []api.Token {
	n := 0
	for _, t := range all {
		if flt.Match(t, now) {
			n++
		}
	}
	// Counted first: a list of 10,000 tokens is copied once, not regrown.
	out := make([]api.Token, 0, n) // [] in JSON, never null
	for _, t := range all {
		if flt.Match(t, now) {
			out = append(out, t)
		}
	}
	// Names are unique and ids break any tie: no need for a stable sort,
	// which moves every token many times over.
	slices.SortFunc(out, func(a, b api.Token) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// RetiredLeftOut counts the retired twins that flt would have selected with
// IncludeRetired: what a bulk command tells the user it left alone.
func (flt Filter) RetiredLeftOut(all []api.Token, now time.Time) int {
	if flt.IncludeRetired {
		return 0
	}
	with := flt
	with.IncludeRetired = true
	n := 0
	for _, t := range all {
		if retired.Is(t.Name) && with.Match(t, now) {
			n++
		}
	}
	return n
}

// RetiredNote is the stderr line saying that n retired twins matched a
// selection and were left out; canInclude says --include-retired exists.
func RetiredNote(n int, canInclude bool) string {
	what, verb, them := fmt.Sprintf("%d retired tokens", n), "were", "them"
	if n == 1 {
		what, verb, them = "1 retired token", "was", "it"
	}
	line := fmt.Sprintf("note: %s (kept working by an earlier 'tokens rotate --grace') matched and %s left out", what, verb)
	if canInclude {
		return line + "; --include-retired includes " + them
	}
	return line + ": a retired token is never rotated again"
}
