package spelling

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"read", "read", 0},
		{"raed", "read", 1}, // a swap is one edit
		{"reed", "read", 1}, // a substitution
		{"rea", "read", 1},  // a deletion
		{"red", "read", 1},
		{"rread", "read", 1},
		{"kitten", "sitting", 3},
		{"readd", "read", 1}, // an insertion
		{"", "read", 4},
		{"secert", "secret", 1},
		{"expires_at", "expires", 3},
		{"héllo", "hello", 1}, // runes, not bytes
		{"ca", "abc", 3},      // optimal string alignment, not full Damerau (2)
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}
