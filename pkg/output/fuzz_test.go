package output

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzTerminalSafe: whatever a server sends, Sanitize leaves nothing unsafe,
// and EscapeJSON leaves nothing unsafe in JSON that still decodes to what
// the unescaped JSON decodes to.
func FuzzTerminalSafe(f *testing.F) {
	for _, s := range []string{"plain", "esc\x1b[2J", "bidi\u202e", "d1\u3164", "bad\xff", "\U000e0041\u2028\ufe0f\u2800"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, ok := FirstUnsafe(Sanitize(s)); !ok {
			t.Fatalf("Sanitize(%q) holds %U", s, r)
		}
		raw, err := json.Marshal(map[string]string{"v": s})
		if err != nil {
			t.Fatal(err)
		}
		esc := EscapeJSON(raw)
		if r, ok := FirstUnsafe(string(esc)); !ok {
			t.Fatalf("EscapeJSON(%q) holds %U", raw, r)
		}
		var a, b map[string]string
		if json.Unmarshal(raw, &a) != nil || json.Unmarshal(esc, &b) != nil || a["v"] != b["v"] {
			t.Fatalf("EscapeJSON changed the meaning: %q -> %q", raw, esc)
		}
		if strings.ContainsRune(s, '\n') && !strings.Contains(Sanitize(s), `\x0a`) {
			t.Fatalf("a newline survived Sanitize(%q)", s)
		}
	})
}
