package api

import (
	"strconv"
	"strings"
	"testing"
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
