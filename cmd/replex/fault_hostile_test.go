package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
)

// hostileNames are token names a compromised or buggy server could send.
// The sandbox refuses such names through the API, so the test writes them
// into a state file, which it loads as it is: a server's stored data is
// not the client's to trust.
var hostileNames = []string{
	"title\x1b]0;pwned\x07",              // OSC: set the window title
	"clear\x1b[2J\x1b[Hscreen",           // CSI: clear the screen, home the cursor
	"ok\rOVERWRITTEN",                    // carriage return: overwrite the line
	"two\nlines",                         // newline: forge a table row
	"bell\x07del\x7f",                    // BEL and DEL
	"c1-csi\u009b31mred",                 // C1 CSI, one code point
	"bidi-\u202egnp.exe",                 // right-to-left override: "exe.png"
	"isolate-\u2066x\u2069",              // bidi isolates
	"zero\u200bwidth\ufeffbom",           // invisible format characters
	"dcs\x1bP+q544e\x1b\\",               // DCS: query the terminal
	"hyperlink\x1b]8;;http://evil\x1b\\", // OSC 8 hyperlink
	"INVALIDUTF8",                        // becomes raw \xff\xfe on the wire (see the proxy)
	strings.Repeat("long-", 400),         // 2000 characters
}

// TestHostileNamesNeutralised: names holding terminal escapes, control and
// bidi characters, invalid UTF-8 or absurd length, coming from the server,
// are printed by tokens list, get and delete, on a terminal or piped, in
// every format, without a single byte that could rewrite the terminal.
func TestHostileNamesNeutralised(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	file := filepath.Join(t.TempDir(), "state.json")
	srv, err := sandbox.New(sandbox.Options{DataFile: file})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(3 * 24 * time.Hour) // "soon": the styled table colours it
	for i := range hostileNames {
		if _, _, err := srv.IssueToken("placeholder-"+string(rune('a'+i)), grants.Set{"cluster": {"read"}}, &exp); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	// Rename the tokens in the state file.
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // hostile name -> id
	for _, tok := range st["tokens"].([]any) {
		m := tok.(map[string]any)
		name := m["name"].(string)
		if i := strings.TrimPrefix(name, "placeholder-"); i != name {
			m["name"] = hostileNames[i[0]-'a']
			ids[hostileNames[i[0]-'a']] = m["id"].(string)
		}
	}
	raw, _ = json.Marshal(st)
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err = sandbox.New(sandbox.Options{DataFile: file})
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json never writes invalid UTF-8, so a proxy puts it in.
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte("INVALIDUTF8"), []byte("bad\xff\xfeutf8")))
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })

	base := isolatedEnv(t, hs.URL, srv.OrgID(), srv.AdminSecret())
	tty := append([]string{"REPLEX_FORCE_TTY=120", "NO_COLOR=1"}, base...)
	color := append([]string{"REPLEX_FORCE_TTY=120", "CLICOLOR_FORCE=1", "TERM=xterm-256color"}, base...)
	run := func(env []string, args ...string) (string, string) {
		t.Helper()
		r := runReplex(t, bin, env, "", args...)
		if r.code != 0 {
			t.Fatalf("replex %s: exit status %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		return r.stdout, r.stderr
	}

	type check struct {
		env   []string
		color bool
		args  []string
	}
	var checks []check
	for _, env := range [][]string{base, tty, color} {
		isColor := len(env) > 1 && env[1] == "CLICOLOR_FORCE=1"
		for _, args := range [][]string{
			{"tokens", "list"},
			{"tokens", "list", "-o", "wide"},
			{"tokens", "list", "-o", "json"},
			{"tokens", "list", "-o", "yaml"},
			{"tokens", "list", "--jq", ".[].name"},
		} {
			checks = append(checks, check{env, isColor, args})
		}
		for _, name := range hostileNames {
			checks = append(checks, check{env, isColor, []string{"tokens", "get", ids[name]}})
		}
	}
	checks = append(checks, check{base, false, []string{"tokens", "get", ids[hostileNames[0]], "-o", "yaml"}})
	for _, name := range hostileNames[:3] {
		checks = append(checks, check{tty, false, []string{"tokens", "delete", ids[name], "--yes"}})
	}

	sgr := regexp.MustCompile(`\x1b\[[0-9;]*m`)
	for _, c := range checks {
		stdout, stderr := run(c.env, c.args...)
		for what, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
			if c.color {
				out = sgr.ReplaceAllString(out, "") // replex's own colours
			}
			if bad := unsafeRune(out); bad != "" {
				t.Errorf("replex %s (%s): %s holds %s:\n%q", strings.Join(c.args, " "), envName(c.env), what, bad, firstLines(out))
			}
			if strings.Contains(out, "pwned\x07") || strings.Contains(out, "OVERWRITTEN") && strings.Contains(out, "\r") {
				t.Errorf("replex %s: %s passes a hostile sequence through", strings.Join(c.args, " "), what)
			}
		}
		// One token, one line: a newline in a name cannot forge a row.
		if len(c.args) == 2 && c.args[1] == "list" && len(c.env) == len(base) {
			if n := strings.Count(stdout, "\n"); n != len(hostileNames)+2 { // header, admin, tokens
				t.Errorf("piped list has %d lines for %d tokens:\n%s", n, len(hostileNames)+1, stdout)
			}
		}
	}
	if len(srv.Tokens()) != len(hostileNames)+1-3 {
		t.Errorf("delete by id did not delete the hostile tokens")
	}
}

// unsafeRune describes the first character of s that could move the
// cursor, recolour or retitle the terminal, reorder or hide text (format
// characters, Hangul fillers and other default-ignorable characters, line
// separators, the braille blank), or that is not UTF-8; "" if there is
// none. Tabs and newlines are layout.
func unsafeRune(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return "invalid UTF-8"
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Sprintf("control character U+%04X", r)
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("format character U+%04X", r)
		case unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.Zl, unicode.Zp) || r == 0x2800:
			return fmt.Sprintf("invisible character U+%04X", r)
		}
		i += size
	}
	return ""
}

func envName(env []string) string {
	switch {
	case len(env) > 1 && env[1] == "CLICOLOR_FORCE=1":
		return "terminal, colour"
	case strings.HasPrefix(env[0], "REPLEX_FORCE_TTY"):
		return "terminal"
	}
	return "piped"
}

func firstLines(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
