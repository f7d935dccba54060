package grants

import "strings"

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
		if d := distance(in, sp); d < bestDist {
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

// distance is the optimal string alignment distance: Levenshtein plus the
// swap of two adjacent runes, the commonest typo ("raed" for "read").
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
