package tokenspec

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: no input makes Parse panic, every error is one FILE:LINE line,
// and a spec it accepts has named entries with permissions.
func FuzzParse(f *testing.F) {
	if raw, err := os.ReadFile("testdata/example.yaml"); err == nil {
		f.Add(string(raw))
	}
	f.Add("tokens:\n  - {name: a, grants: [cluster:read,update, budget:read], expires: 90d}\n")
	f.Add("tokens: []\n")
	f.Add("tokens:\n  - name: a\n    secret: {command: x}\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(strings.NewReader(src), "f.yaml", now)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "f.yaml:") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one f.yaml:LINE line", msg)
			}
			return
		}
		for _, e := range s.Tokens {
			if e.Name == "" || len(e.Permissions) == 0 {
				t.Fatalf("accepted entry %+v", e)
			}
		}
	})
}
