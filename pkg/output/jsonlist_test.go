package output

import (
	"bytes"
	"testing"
	"time"
)

type listItem struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Grants  map[string]string `json:"grants,omitempty"`
	Expires *time.Time        `json:"expires"`
	Nested  []int             `json:"nested"`
}

// TestWriteJSONListSameBytes: the streamed list is byte for byte what
// WriteJSON prints for the whole slice, hostile characters included.
func TestWriteJSONListSameBytes(t *testing.T) {
	exp := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, items := range map[string][]listItem{
		"empty":   {},
		"nil":     nil,
		"one":     {{ID: "a", Name: "x"}},
		"nested":  {{ID: "a", Grants: map[string]string{"b": "1", "a": "2"}, Expires: &exp, Nested: []int{1, 2}}, {ID: "b", Nested: []int{}}},
		"hostile": {{ID: "\x1b]52;c;AAAA\x07", Name: "a\u202eb\u0085c\x7f<&>"}, {Name: "\xff\xfe"}},
	} {
		var whole, streamed bytes.Buffer
		want := items
		if want == nil {
			want = []listItem{}
		}
		if err := WriteJSON(&whole, want); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSONList(&streamed, items); err != nil {
			t.Fatal(err)
		}
		if whole.String() != streamed.String() {
			t.Errorf("%s: streamed\n%s\nwhole\n%s", name, streamed.String(), whole.String())
		}
	}
}
