package grants

import (
	"strings"

	"github.com/replexio/replex/pkg/spelling"
)

// candidate is a spelling to compare a typo against and the name to suggest.
type candidate struct {
	spelling string // folded
	suggest  string
}

func categoryCandidates() []candidate {
	var out []candidate
	for _, c := range catalog {
		out = append(out, candidate{c.Name, c.Name})
		if key := lowerASCII(c.Key); key != c.Name {
			out = append(out, candidate{key, c.Name})
		}
	}
	return out
}

func actionCandidates() []candidate {
	var out []candidate
	for _, a := range []string{Read, Create, Update, Delete, "write", "all"} {
		out = append(out, candidate{a, a})
	}
	return out
}

// closest returns the suggestion whose spelling is nearest to input, if it
// is near enough to be a typo: within max(2, len/3) edits, but fewer edits
// than input has runes, or "re" would turn into "role". Failing that, a
// start shared with exactly one name ("org") is taken as an abbreviation.
// Ties go to the earlier candidate, so suggestions are stable.
func closest(input string, cands []candidate) (string, bool) {
	in := []rune(fold(input))
	limit := min(max(2, len(in)/3), len(in)-1)
	best, bestDist := "", limit+1
	for _, c := range cands {
		sp := []rune(c.spelling)
		// The length difference is a lower bound on the distance; skipping
		// on it keeps long junk input cheap.
		if abs(len(sp)-len(in)) >= bestDist {
			continue
		}
		if d := spelling.Distance(string(in), c.spelling); d < bestDist {
			best, bestDist = c.suggest, d
		}
	}
	if best != "" {
		return best, true
	}
	if len(in) < 2 {
		return "", false
	}
	prefix := ""
	for _, c := range cands {
		if strings.HasPrefix(c.spelling, string(in)) && c.suggest != prefix {
			if prefix != "" {
				return "", false // ambiguous
			}
			prefix = c.suggest
		}
	}
	return prefix, prefix != ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
