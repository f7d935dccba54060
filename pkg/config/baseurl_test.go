package config

import "testing"

// A user name or password in a base URL is found however it is written,
// and never survives redaction.
func TestBaseURLUserinfo(t *testing.T) {
	for raw, want := range map[string]string{
		"https://user:hunter2@host:8443/x": "https://***@host:8443/x",
		"https://hunter2@host":             "https://***@host",
		"user:hunter2@host":                "***@host",
		"https://u:hunter2@bad host/p":     "https://***@bad host/p",
		"https://u:hunter2@a@host?q=1":     "https://***@host?q=1",
		"https://u:hunter2@host#frag":      "https://***@host#frag",
		"https://host/path@notuserinfo":    "",
		"https://host?next=a@b":            "",
		"http://127.0.0.1:3100":            "",
		"https://replex.replex.io/api/v1":  "",
	} {
		has := HasUserinfo(raw)
		if has != (want != "") {
			t.Errorf("HasUserinfo(%q) = %v", raw, has)
		}
		got := RedactBaseURL(raw)
		if want == "" {
			want = raw
		}
		if got != want {
			t.Errorf("RedactBaseURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
