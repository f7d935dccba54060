package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// JSON and YAML output escape what a terminal would act on, yet decode to
// exactly the data: a hostile name is shown harmlessly and kept intact.
func TestUnsafeCharactersEscapedLosslessly(t *testing.T) {
	for _, s := range []string{
		"plain",
		"esc\x1b[2J bell\x07 del\x7f",
		"c1\u009b31m nel\u0085",
		"bidi\u202egnp.exe \u2066iso\u2069",
		"zw\u200bsp \ufeffbom",
		"tag\U000e0041 supplementary format character",
		strings.Repeat("long with spaces ", 40) + "\u202e",
	} {
		v := map[string]any{"name": s, s: "as a key"}
		var jb bytes.Buffer
		if err := WriteJSON(&jb, v); err != nil {
			t.Fatal(err)
		}
		var yb bytes.Buffer
		if err := WriteYAML(&yb, v); err != nil {
			t.Fatal(err)
		}
		for format, out := range map[string]string{"json": jb.String(), "yaml": yb.String()} {
			for _, r := range out {
				if r != '\n' && !safeRune(r) {
					t.Errorf("%s of %q holds %U:\n%s", format, s, r, out)
					break
				}
			}
		}
		var fromJSON, fromYAML map[string]any
		if err := json.Unmarshal(jb.Bytes(), &fromJSON); err != nil {
			t.Fatalf("json of %q: %v\n%s", s, err, jb.String())
		}
		if err := yaml.Unmarshal(yb.Bytes(), &fromYAML); err != nil {
			t.Fatalf("yaml of %q: %v\n%s", s, err, yb.String())
		}
		if fromJSON["name"] != s || fromJSON[s] != "as a key" || fromYAML["name"] != s || fromYAML[s] != "as a key" {
			t.Errorf("%q did not survive: json %q, yaml %q", s, fromJSON["name"], fromYAML["name"])
		}
	}
}
