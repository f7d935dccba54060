package grants

import (
	"fmt"
	"reflect"
	"testing"
)

// TestNormalizedShortcut: the no-copy path gives what Normalize gives, and
// Format and Compact leave the caller's set as it was.
func TestNormalizedShortcut(t *testing.T) {
	for _, s := range []Set{
		{}, {"cluster": {"read"}}, {"cluster": {"read", "create", "update", "delete"}, "billing": {"read"}},
		{"cluster": {"create", "read"}}, {"cluster": {"read", "read"}}, {"cluster": {}}, {"cluster": nil},
		{"cluster": {"read", "frobnicate"}}, {"mystery": {"read"}, "cluster": {"delete"}}, All(), ReadAll(),
	} {
		if got, want := s.normalized(), s.Normalize(); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("normalized(%v) = %v, Normalize = %v", s, got, want)
		}
		before := fmt.Sprint(s)
		Format(s)
		Compact(s, 2)
		if after := fmt.Sprint(s); after != before {
			t.Errorf("Format or Compact changed the set: %s became %s", before, after)
		}
	}
}
