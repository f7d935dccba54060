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
		"filler d1\u3164 \u115f\u1160\uffa0 blank\u2800 vs a\ufe0f cgj\u034f",
		"separators\u2028line\u2029para",
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
				if r != '\n' && !SafeRune(r) {
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

// Sanitize shows each unsafe character as an escape and leaves the rest,
// including ordinary non-ASCII text, as it is.
func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain ascii":               "plain ascii",
		"naïve 日本語 🚀":               "naïve 日本語 🚀",
		"esc\x1b[2J":                `esc\x1b[2J`,
		"c1\u009b":                  `c1\x9b`,
		"bidi\u202egnp.exe":         `bidi\u202egnp.exe`,
		"d1\u3164":                  `d1\u3164`,
		"\u115f\u1160\uffa0":        `\u115f\u1160\uffa0`,
		"blank\u2800":               `blank\u2800`,
		"vs\ufe0f zwj\u200d":        `vs\ufe0f zwj\u200d`,
		"line\u2028sep":             `line\u2028sep`,
		"tag\U000e0041":             `tag\U000e0041`,
		"bad\xffutf8":               `bad\xffutf8`,
		"alm\u061c lrm\u200e\u200f": `alm\u061c lrm\u200e\u200f`,
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

// EscapeJSON keeps JSON valid and its meaning intact.
func TestEscapeJSONInvalidUTF8(t *testing.T) {
	out := EscapeJSON([]byte("{\"a\": \"x\xff\u202e\"}\n"))
	if string(out) != `{"a": "x\ufffd\u202e"}`+"\n" {
		t.Errorf("got %q", out)
	}
	var v map[string]string
	if err := json.Unmarshal(out, &v); err != nil || v["a"] != "x\ufffd\u202e" {
		t.Errorf("decoded %q, %v", v, err)
	}
}
