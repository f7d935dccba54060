package grants

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Format returns the canonical specs of s, one per category in catalog order,
// with CLI names and every action spelled out ("cluster:read,update"), so that
// ParseAll(Format(s)) equals s for any valid s. Categories this client does
// not know (from a newer server) follow, sorted and spelled as the API does,
// rather than being hidden; Parse refuses them.
func Format(s Set) []string {
	n := s.normalized()
	out := make([]string, 0, len(n))
	known := 0
	for _, c := range catalog {
		if acts, ok := n[c.Key]; ok {
			out = append(out, c.Name+":"+strings.Join(acts, ","))
			known++
		}
	}
	if known < len(n) {
		for _, k := range slices.Sorted(maps.Keys(n)) {
			if _, inCatalog := ByKey(k); !inCatalog {
				out = append(out, k+":"+strings.Join(n[k], ","))
			}
		}
	}
	return out
}

// Compact returns a one-line summary for tables: "billing:rcud cluster:r +3",
// categories in catalog order with the letters r, c, u, d, at most limit
// categories (limit <= 0: all of them) and then "+N" for the rest. The empty
// set is "none". When every category grants the same actions, as for All()
// and ReadAll(), it is "*:rcud" or "*:r": still short, and unlike a label
// such as "full" every word of Compact's output is itself a valid grant spec.
// An action this client does not know shows as "?".
func Compact(s Set, limit int) string {
	n := s.normalized()
	if len(n) == 0 {
		return "none"
	}
	if same, ok := uniform(n); ok {
		return "*:" + letters(same)
	}
	var parts []string
	known := 0
	for _, c := range catalog {
		if acts, ok := n[c.Key]; ok {
			parts = append(parts, c.Name+":"+letters(acts))
			known++
		}
	}
	if known < len(n) {
		for _, k := range slices.Sorted(maps.Keys(n)) {
			if _, inCatalog := ByKey(k); !inCatalog {
				parts = append(parts, k+":"+letters(n[k]))
			}
		}
	}
	if limit > 0 && len(parts) > limit {
		rest := len(parts) - limit
		parts = append(parts[:limit], "+"+strconv.Itoa(rest))
	}
	return strings.Join(parts, " ")
}

// uniform reports the actions of a normalized set that grants the same
// actions in every known category and nothing else.
func uniform(n Set) ([]string, bool) {
	cats := catalog
	if len(n) != len(cats) {
		return nil, false
	}
	first := n[cats[0].Key]
	for _, c := range cats {
		if acts, ok := n[c.Key]; !ok || !slices.Equal(acts, first) {
			return nil, false
		}
	}
	return first, true
}

func letters(acts []string) string {
	var b strings.Builder
	unknown := false
	for _, a := range acts {
		switch a {
		case Read, Create, Update, Delete:
			b.WriteByte(a[0])
		default:
			unknown = true
		}
	}
	if unknown {
		b.WriteByte('?')
	}
	return b.String()
}

// Diff returns what after grants that before did not, and the reverse.
func Diff(before, after Set) (added, removed Set) {
	return Subtract(after, before), Subtract(before, after)
}

// Respell rewrites the grants a server message names in the API's spelling
// ("this token lacks apiKey:delete") as users type them ("api-key:delete"),
// so that an error can be copied into --grant. Only KEY:ACTION pairs of
// categories whose two spellings differ are touched.
func Respell(msg string) string {
	for _, c := range catalog {
		if c.Key == c.Name || !strings.Contains(msg, c.Key+":") {
			continue
		}
		var b strings.Builder
		rest := msg
		for {
			i := strings.Index(rest, c.Key+":")
			if i < 0 {
				break
			}
			after := rest[i+len(c.Key)+1:]
			whole := (i == 0 || !isWordByte(rest[i-1])) && startsWithAction(after)
			b.WriteString(rest[:i])
			if whole {
				b.WriteString(c.Name + ":")
			} else {
				b.WriteString(c.Key + ":")
			}
			rest = after
		}
		b.WriteString(rest)
		msg = b.String()
	}
	return msg
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func startsWithAction(s string) bool {
	for _, a := range append(Actions(), "write", "*") {
		if strings.HasPrefix(s, a) && (len(s) == len(a) || !isWordByte(s[len(a)])) {
			return true
		}
	}
	return false
}
