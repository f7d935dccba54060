// Package grants is the access-control catalog of the Replex API: the 14
// permission categories, their actions, and the Set type that maps category
// keys (as the API spells them) to the actions granted in each.
package grants

import (
	"fmt"
	"slices"
	"sort"
)

// The four actions the API knows, in their canonical order.
const (
	Read   = "read"
	Create = "create"
	Update = "update"
	Delete = "delete"
)

// Actions returns the actions in canonical order.
func Actions() []string { return []string{Read, Create, Update, Delete} }

// Category is one access-control category.
type Category struct {
	Key         string `json:"key"`         // as the API spells it: "customPricing"
	Name        string `json:"name"`        // as the CLI spells it: "custom-pricing"
	Display     string `json:"display"`     // as the web UI spells it: "Custom Pricing"
	Description string `json:"description"` // one line
}

// Categories returns the catalog in the order the web UI shows it.
func Categories() []Category { return slices.Clone(catalog) }

// catalog is the category list, read in place by this package.
var catalog = []Category{
	{"agent", "agent", "Agent", "cluster agents that report usage to Replex"},
	{"apiKey", "api-key", "Api Key", "API tokens like this one"},
	{"billing", "billing", "Billing", "invoices, payment details and billing data"},
	{"budget", "budget", "Budget", "cost budgets and their alerts"},
	{"cluster", "cluster", "Cluster", "connected Kubernetes clusters and their cost data"},
	{"customPricing", "custom-pricing", "Custom Pricing", "custom price sheets for nodes and resources"},
	{"invitation", "invitation", "Invitation", "invitations of new users to the organization"},
	{"organization", "organization", "Organization", "the organization's profile and settings"},
	{"recommendations", "recommendations", "Recommendations", "rightsizing and savings recommendations"},
	{"role", "role", "Role", "user roles (Admin, User)"},
	{"samlIntegration", "saml-integration", "Saml Integration", "SAML single sign-on configuration"},
	{"scopes", "scopes", "Scopes", "cost-allocation scopes"},
	{"teams", "teams", "Teams", "teams and their membership"},
	{"user", "user", "User", "user accounts of the organization"},
}

// Set maps API category keys to granted actions. A missing key or an empty
// list means no access. The zero value is an empty set.
type Set map[string][]string

// Has reports whether the set grants action in category (an API key).
func (s Set) Has(category, action string) bool {
	return slices.Contains(s[category], action)
}

// Normalize returns a copy with actions deduplicated and in canonical order
// and empty categories dropped. Unknown actions are kept, sorted after the
// known ones, so that Validate can still name them.
func (s Set) Normalize() Set {
	out := Set{}
	for cat, acts := range s {
		var norm []string
		for _, a := range Actions() {
			if slices.Contains(acts, a) {
				norm = append(norm, a)
			}
		}
		var unknown []string
		for _, a := range acts {
			if !slices.Contains(Actions(), a) && !slices.Contains(unknown, a) {
				unknown = append(unknown, a)
			}
		}
		sort.Strings(unknown)
		norm = append(norm, unknown...)
		if len(norm) > 0 {
			out[cat] = norm
		}
	}
	return out
}

// normalized is Normalize for readers that do not modify the result: a set
// that is already normal (the usual answer of the server) is returned as
// it is, not copied.
func (s Set) normalized() Set {
	for _, acts := range s {
		if !isNormal(acts) {
			return s.Normalize()
		}
	}
	return s
}

// isNormal reports whether acts is non-empty, known actions only, in
// catalog order without repeats: what Normalize would leave unchanged.
func isNormal(acts []string) bool {
	if len(acts) == 0 {
		return false
	}
	last := -1
	for _, a := range acts {
		i := slices.Index(Actions(), a)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

// Equal reports whether a and b grant exactly the same actions.
func Equal(a, b Set) bool {
	na, nb := a.Normalize(), b.Normalize()
	if len(na) != len(nb) {
		return false
	}
	for k, v := range na {
		if !slices.Equal(v, nb[k]) {
			return false
		}
	}
	return true
}

// Covers reports whether holder grants every action that requested grants.
// The server uses it to refuse privilege escalation.
func Covers(holder, requested Set) bool {
	for cat, acts := range requested {
		for _, a := range acts {
			if !holder.Has(cat, a) {
				return false
			}
		}
	}
	return true
}

// Union returns every action granted by a or b.
func Union(a, b Set) Set {
	out := Set{}
	for _, s := range []Set{a, b} {
		for k, v := range s {
			out[k] = append(out[k], v...)
		}
	}
	return out.Normalize()
}

// Subtract returns the actions of a that b does not grant.
func Subtract(a, b Set) Set {
	out := Set{}
	for k, v := range a {
		for _, act := range v {
			if !b.Has(k, act) {
				out[k] = append(out[k], act)
			}
		}
	}
	return out.Normalize()
}

// ValidationError names the first unknown category or action in a Set.
type ValidationError struct {
	Category string
	Action   string // empty when the category itself is unknown
}

func (e *ValidationError) Error() string {
	if e.Action == "" {
		return fmt.Sprintf("unknown permission category %q", e.Category)
	}
	return fmt.Sprintf("unknown action %q in permission category %q", e.Action, e.Category)
}

// Validate checks that every key is an API category key and every action is
// one of Actions(). Keys are checked in sorted order so the error is stable.
func Validate(s Set) error {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := ByKey(k); !ok {
			return &ValidationError{Category: k}
		}
		for _, a := range s[k] {
			if !slices.Contains(Actions(), a) {
				return &ValidationError{Category: k, Action: a}
			}
		}
	}
	return nil
}

// ByKey finds a category by its API key.
func ByKey(key string) (Category, bool) {
	for _, c := range catalog {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

// All returns the set granting every action in every category (the Admin role).
func All() Set {
	out := Set{}
	for _, c := range catalog {
		out[c.Key] = Actions()
	}
	return out
}

// ReadAll returns the set granting read in every category (the User role).
func ReadAll() Set {
	out := Set{}
	for _, c := range catalog {
		out[c.Key] = []string{Read}
	}
	return out
}
