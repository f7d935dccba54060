package shared

import (
	"slices"
	"testing"

	"github.com/replexio/replex/pkg/api"
)

func TestTokenCandidates(t *testing.T) {
	tokens := []api.Token{
		{ID: "ak_3", Name: "dup"},
		{ID: "ak_1", Name: "deploy"},
		{ID: "ak_2", Name: "dup"},
		{ID: "ak_4", Name: "bad\tname"},
		{ID: "ak_5", Name: "d1\u3164"},
		{ID: "ak_\u202e6", Name: "evil-id"},
	}
	cases := []struct {
		given      []string
		toComplete string
		want       []string
	}{
		// A shared name is not offered, its ids are; a name with a tab, a
		// bidi or an invisible character is not offered, its id is (its
		// description sanitized); an id with one is not offered.
		{nil, "", []string{"deploy\tak_1", "evil-id\tak_\\u202e6", "ak_1\tdeploy", "ak_2\tdup", "ak_3\tdup", "ak_4\tbad\\x09name", "ak_5\td1\\u3164"}},
		{nil, "de", []string{"deploy\tak_1"}},
		{nil, "ak_3", []string{"ak_3\tdup"}},
		// Already given, by name or by id: not offered again.
		{[]string{"deploy", "ak_2", "evil-id"}, "", []string{"ak_3\tdup", "ak_4\tbad\\x09name", "ak_5\td1\\u3164"}},
		{[]string{"ak_1"}, "d", nil},
	}
	for _, c := range cases {
		if got := TokenCandidates(tokens, c.given, c.toComplete); !slices.Equal(got, c.want) {
			t.Errorf("TokenCandidates(%q, %q) = %q, want %q", c.given, c.toComplete, got, c.want)
		}
	}
}
