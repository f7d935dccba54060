package grants

import (
	"fmt"
	"slices"
	"strings"
)

// actionsHint lists what may follow the colon; the letters r, c, u, d are
// accepted too but left out to keep the hint short.
const actionsHint = "actions: read, create, update, delete, write, *"

// GrantError explains why a grant spec was refused, in one line.
type GrantError struct {
	Spec       string // as the user typed it
	Problem    string // what is wrong: `unknown category "clustr"`
	Suggestion string // how to fix it; may be empty
}

func (e *GrantError) Error() string {
	msg := fmt.Sprintf("invalid grant %q: %s", e.Spec, e.Problem)
	if e.Suggestion != "" {
		msg += "; " + e.Suggestion
	}
	return msg
}

// Lookup finds a category by any of its spellings, ignoring ASCII case: the
// CLI name ("custom-pricing"), the API key ("customPricing"), the display
// name ("Custom Pricing") or a variant with "_" or spaces ("custom_pricing").
func Lookup(name string) (Category, bool) {
	folded := fold(name)
	for _, c := range catalog {
		if folded == c.Name || folded == lowerASCII(c.Key) {
			return c, true
		}
	}
	return Category{}, false
}

// Parse reads one grant spec, CATEGORY:ACTIONS, where CATEGORY is a category
// name (see Lookup) or "*" for every category and ACTIONS is a comma-separated
// list of read, create, update, delete, write (create, update and delete),
// all or * (every action), or letters such as "rcud" or "ru" (the Compact
// form). Names are case-insensitive and whitespace around parts is ignored.
// Errors are *GrantError.
func Parse(spec string) (Set, error) {
	g, err := parse(spec, false)
	if err != nil {
		return nil, err
	}
	out := Set{}
	for _, c := range g.cats {
		out[c.Key] = append([]string(nil), g.actions...)
	}
	return out, nil
}

// ParseAll parses every spec and returns the union; the first bad spec stops it.
func ParseAll(specs []string) (Set, error) {
	out := Set{}
	for _, spec := range specs {
		s, err := Parse(spec)
		if err != nil {
			return nil, err
		}
		out = Union(out, s)
	}
	return out, nil
}

// ParseFilter reads a list filter, CATEGORY[:ACTIONS], in the syntax of Parse
// but naming exactly one category, which may stand alone. It returns the
// category's API key and the actions in canonical order, nil when none were
// given. Errors are *GrantError.
func ParseFilter(spec string) (category string, actions []string, err error) {
	g, err := parse(spec, true)
	if err != nil {
		return "", nil, err
	}
	if len(g.cats) != 1 {
		return "", nil, &GrantError{Spec: spec, Problem: "a filter names one category", Suggestion: `e.g. "cluster" or "cluster:read"`}
	}
	return g.cats[0].Key, g.actions, nil
}

// grant is one parsed spec before it becomes a Set.
type grant struct {
	cats    []Category
	actions []string // canonical order; nil when a filter names only a category
}

// parse does the work of Parse and, with bare set, of ParseFilter.
func parse(spec string, bare bool) (grant, error) {
	fail := func(problem, suggestion string) (grant, error) {
		return grant{}, &GrantError{Spec: spec, Problem: problem, Suggestion: suggestion}
	}
	s := strings.TrimSpace(spec)
	if s == "" {
		return fail("empty grant", `use CATEGORY:ACTIONS, e.g. "cluster:read"`)
	}
	catPart, actPart, hasColon := strings.Cut(s, ":")
	if strings.Contains(actPart, ":") {
		return fail(`too many ":"`, `use one ":" between category and actions, e.g. "cluster:read,update"`)
	}
	catPart, actPart = strings.TrimSpace(catPart), strings.TrimSpace(actPart)

	example := "read" // the actions to show in suggestions
	if _, ok := expandActions(actPart); ok {
		example = actPart
	}
	if catPart == "" {
		if bare {
			return fail("missing category", fmt.Sprintf("use e.g. %q", "cluster:"+example))
		}
		return fail("missing category", fmt.Sprintf("use %q for every category", "*:"+example))
	}

	var cats []Category
	name := "*"
	if catPart == "*" {
		cats = Categories()
	} else if c, ok := Lookup(catPart); ok {
		cats, name = []Category{c}, c.Name
	} else {
		// Common slips: "all" for "*", the actions alone ("read") or the
		// parts swapped ("read:cluster"); say what was probably meant.
		if lowerASCII(catPart) == "all" && !bare {
			return fail(fmt.Sprintf("unknown category %q", catPart), fmt.Sprintf("did you mean %q?", "*:"+example))
		}
		if _, isAction := expandActions(catPart); isAction {
			if !hasColon {
				return fail("missing category", fmt.Sprintf("use %q for every category", "*:"+lowerASCII(catPart)))
			}
			if c, ok := Lookup(actPart); ok {
				return fail(fmt.Sprintf("unknown category %q", catPart),
					fmt.Sprintf("did you mean %q?", c.Name+":"+lowerASCII(catPart)))
			}
		}
		if near, ok := closest(catPart, categoryCandidates()); ok {
			return fail(fmt.Sprintf("unknown category %q", catPart), fmt.Sprintf("did you mean %q?", near))
		}
		return fail(fmt.Sprintf("unknown category %q", catPart), `run "replex grants" for the list`)
	}

	if bare && !hasColon {
		return grant{cats: cats}, nil
	}
	if actPart == "" {
		if bare {
			return fail("missing actions", fmt.Sprintf("use %q or %q", name, name+":read"))
		}
		return fail("missing actions", fmt.Sprintf("use %q or %q", name+":read", name+":*"))
	}

	var actions []string
	for item := range strings.SplitSeq(actPart, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return fail(fmt.Sprintf("empty action in %q", actPart),
				fmt.Sprintf("separate actions with single commas, e.g. %q", name+":read,update"))
		}
		acts, ok := expandAction(item)
		if !ok {
			problem := fmt.Sprintf("unknown action %q", item)
			if near, ok := closest(item, actionCandidates()); ok {
				return fail(problem, fmt.Sprintf("did you mean %q? (%s)", near, actionsHint))
			}
			return fail(problem, actionsHint)
		}
		actions = append(actions, acts...)
	}
	return grant{cats: cats, actions: canonical(actions)}, nil
}

// canonical returns the known actions among acts, once each, in canonical order.
func canonical(acts []string) []string {
	var out []string
	for _, a := range Actions() {
		if slices.Contains(acts, a) {
			out = append(out, a)
		}
	}
	return out
}

// expandActions expands a comma-separated action list, or reports false.
func expandActions(list string) ([]string, bool) {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		acts, ok := expandAction(strings.TrimSpace(item))
		if !ok {
			return nil, false
		}
		out = append(out, acts...)
	}
	return out, true
}

// expandAction expands one action word or group of letters.
func expandAction(item string) ([]string, bool) {
	switch w := lowerASCII(item); w {
	case Read, Create, Update, Delete:
		return []string{w}, true
	case "write":
		return []string{Create, Update, Delete}, true
	case "all", "*":
		return Actions(), true
	case "":
		return nil, false
	default:
		var out []string
		for _, r := range w {
			a, ok := actionOfLetter(r)
			if !ok {
				return nil, false
			}
			out = append(out, a)
		}
		return out, true
	}
}

// actionOfLetter maps the Compact letters back to actions.
func actionOfLetter(r rune) (string, bool) {
	switch r {
	case 'r':
		return Read, true
	case 'c':
		return Create, true
	case 'u':
		return Update, true
	case 'd':
		return Delete, true
	}
	return "", false
}

// fold lowers ASCII letters and turns each run of '-', '_' and white space
// into one '-', trimming it at both ends, so that spellings of a name meet.
// Only ASCII is folded: Unicode case folding would let look-alikes such as
// the Kelvin sign match.
func fold(s string) string {
	var b strings.Builder
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_' || c == ' ' || c == '\t':
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteByte(c)
	}
	return b.String()
}

// lowerASCII lowers ASCII letters only, for the reason given at fold.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
