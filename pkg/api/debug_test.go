package api

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/output"
)

// The --debug log redacts what a body means, not how it is spelled: a
// byte-order mark, escaped keys, any case, any depth, JSON inside a string;
// a body that cannot be decoded is held back or stripped of its values.
func TestRedactBodyByMeaning(t *testing.T) {
	const sec = "rpx_SECRETsecretSECRETsecret0123"
	for _, tc := range []struct {
		name, body, ct string
		want           []string // substrings of the log line
	}{
		{"bom and escaped key", "\xef\xbb\xbf" + `{"data":{"tok\u0065n":"` + sec + `"}}`, "application/json", []string{`"token":"[masked sha256:`}},
		{"upper case, snake and camel", `{"Token":"` + sec + `","client_secret":"` + sec + `","accessToken":"` + sec + `","PASSWORD":"` + sec + `","tokenId":"ak_1"}`, "", []string{`"tokenId":"ak_1"`}},
		{"number and nested", `[{"a":{"apiKey":12345678901234567890}},{"b":[{"secret":"` + sec + `"}]}]`, "", []string{`"apiKey":"[masked]"`}},
		{"permission lists are kept", `{"permissions":{"apiKey":["read","delete"]},"token":"` + sec + `"}`, "", []string{`"apiKey":["read","delete"]`}},
		{"a container under a secret key", `{"data":{"credentials":{"value":"` + sec + `"},"apiKey":["` + sec + `"]}}`, "", []string{`"apiKey":"[masked]"`, `"credentials":"[masked]"`}},
		{"json in a string", `{"message":"{\"token\":\"` + sec + `\"}"}`, "", []string{`[masked sha256:`}},
		{"truncated, array value", `{"data":["` + sec + `","x"`, "", []string{`{"data":["[masked]","[masked]"`}},
		{"truncated, escaped key", `{"tok\u0065n":"` + sec, "", []string{`"tok\u0065n":"[masked]"`}},
		{"text with a secret word", "token=" + sec, "text/plain", []string{"[" + strconv.Itoa(len("token="+sec)) + " bytes (text/plain) not shown"}},
		{"html without one", "<html>\x1b[2J502 Bad Gateway\u202e</html>\nsecond line", "text/html", []string{`<html>\x1b[2J502 Bad Gateway\u202e</html>` + "\n  second line"}},
	} {
		out := redactBody([]byte(tc.body), tc.ct)
		if strings.Contains(out, "SECRET") || strings.Contains(out, "rpx_") || strings.Contains(out, "12345678901234567890") {
			t.Errorf("%s: the log shows the secret: %s", tc.name, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: log %q lacks %q", tc.name, out, w)
			}
		}
		if strings.ContainsAny(out, "\x1b\u202e\r") {
			t.Errorf("%s: raw control or bidi character in %q", tc.name, out)
		}
	}
}

// FuzzRedactBody: whatever the body, the log line is terminal-safe, and no
// string under a secret-named key of a body that decodes is in it.
func FuzzRedactBody(f *testing.F) {
	for _, s := range []string{`{"token":"rpx_abcdefgh"}`, "\xef\xbb\xbf{\"tok\\u0065n\":\"abcdefghij\"}", `{"a":[{"Secret":"abcdefghij"}]}`, `{"a":"`, "<html>\x1b]0;x\x07", `{"m":"{\"password\":\"abcdefghij\"}"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		out := redactBody(body, "text/plain")
		for _, line := range strings.Split(out, "\n") {
			if r, ok := output.FirstUnsafe(line); !ok {
				t.Fatalf("redactBody(%q) holds %U: %q", body, r, out)
			}
		}
		v, ok := decodeJSON(bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
		if !ok {
			return
		}
		var secrets []string
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if s, isStr := e.(string); isStr && secretKey(k) && len(s) >= 8 {
						secrets = append(secrets, s)
					}
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(v)
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(out, output.Sanitize(s)) {
				t.Fatalf("redactBody(%q) shows the secret %q: %s", body, s, out)
			}
		}
	})
}
