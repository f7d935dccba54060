package retired

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/replexio/replex/pkg/api"
)

var at = time.Date(2026, 12, 1, 21, 4, 6, 123456789, time.UTC)

func TestNameIsUniqueWithinOneSecond(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		n := Name("ci", at)
		if seen[n] {
			t.Fatalf("%q made twice for the same token in the same second", n)
		}
		seen[n] = true
	}
}

func TestNameRoundTrips(t *testing.T) {
	for _, name := range []string{"ci", "a b", "backup (rotated weekly)", "x/y:z", "ü" + strings.Repeat("é", 62)} {
		n := Name(name, at)
		tw, ok := Parse(n)
		if !ok || tw.Of != name || tw.Cut || !tw.At.Equal(at.Truncate(time.Second)) {
			t.Errorf("Parse(%q) = %+v, %v; want Of %q", n, tw, ok, name)
		}
		if !Of(n, name) {
			t.Errorf("Of(%q, %q) = false", n, name)
		}
	}
}

func TestNameFitsTheLimitAndMarksACut(t *testing.T) {
	for _, length := range []int{63, 64, 99, 100, 250} {
		name := strings.Repeat("n", length)
		n := Name(name, at)
		if got := utf8.RuneCountInString(n); got > api.MaxNameLength {
			t.Fatalf("length %d: retired name has %d runes, over the limit %d", length, got, api.MaxNameLength)
		}
		tw, ok := Parse(n)
		if !ok {
			t.Fatalf("length %d: %q not recognised", length, n)
		}
		if wantCut := length > 63; tw.Cut != wantCut {
			t.Errorf("length %d: Cut = %v, want %v (%q)", length, tw.Cut, wantCut, n)
		}
		if !Of(n, name) {
			t.Errorf("length %d: not a twin of its own token", length)
		}
	}
	long := strings.Repeat("n", 80)
	if Of(Name(long, at), strings.Repeat("m", 80)) {
		t.Error("a cut twin matched a name with another start")
	}
}

func TestParseIsStrict(t *testing.T) {
	for _, name := range []string{
		"ci",
		"backup (rotated weekly)",
		"ci (rotated 2026-12-01 21:04:06 ABCDEF)", // upper case: not a tag replex makes
		"ci (rotated 2026-12-01 21:04:06 abc)",
		"ci (rotated 2026-13-01 21:04:06 abcdef)", // month 13
		"ci (rotated 2026-12-01T21:04:06Z)",
		"ci (rotated 2026-12-01 21:04:06) ",
		" (rotated 2026-12-01 21:04:06 abcdef)", // nothing before
		"(rotated 2026-12-01 21:04:06 abcdef)",
	} {
		if Is(name) {
			t.Errorf("Is(%q) = true, want false", name)
		}
	}
}

func TestParseLegacyAndTwiceRetired(t *testing.T) {
	tw, ok := Parse("ci (rotated 2026-12-01 21:04:06)")
	if !ok || tw.Of != "ci" || tw.Cut {
		t.Errorf("legacy: %+v, %v", tw, ok)
	}
	twice := "ci (rotated 2026-12-01 21:04:06) (rotated 2026-12-01 21:05:00 abcdef)"
	if !Of(twice, "ci") {
		t.Errorf("a name retired twice is not recognised as a twin of ci")
	}
	if Of(twice, "ci (rotated 2026-12-01 21:04:06)") {
		t.Errorf("a retired name has twins")
	}
	// Legacy names were cut to 100 runes without a mark.
	legacyCut := strings.Repeat("n", 70) + " (rotated 2026-12-01 21:04:06)"
	if !Of(legacyCut, strings.Repeat("n", 75)) {
		t.Errorf("a legacy cut name is not a twin of the longer name")
	}
}

func TestTwinsOldestFirst(t *testing.T) {
	all := []api.Token{
		{ID: "1", Name: "ci"},
		{ID: "2", Name: nameWithTag("ci", at.Add(time.Hour), "bbbbbb")},
		{ID: "3", Name: nameWithTag("ci", at, "aaaaaa")},
		{ID: "4", Name: nameWithTag("cid", at, "aaaaaa")},
		{ID: "5", Name: "ci (rotated weekly)"},
	}
	got := Twins(all, "ci")
	if len(got) != 2 || got[0].ID != "3" || got[1].ID != "2" {
		t.Fatalf("Twins = %+v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("ci (rotated 2026-12-01 21:04:06 abcdef)")
	f.Add("ci (rotated 2026-12-01 21:04:06)")
	f.Add("backup (rotated weekly)")
	f.Fuzz(func(t *testing.T, name string) {
		tw, ok := Parse(name)
		if ok && tw.Of == "" && !tw.Cut {
			t.Fatalf("%q parsed with an empty name", name)
		}
		if !utf8.ValidString(name) || name == "" {
			return
		}
		n := Name(name, at)
		if utf8.RuneCountInString(n) > api.MaxNameLength || !Is(n) {
			t.Fatalf("Name(%q) = %q", name, n)
		}
	})
}
