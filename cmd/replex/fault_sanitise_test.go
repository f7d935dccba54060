package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/sandbox"
)

// hostileServer answers like a Replex server whose data and headers carry
// terminal escapes, bidi overrides and invisible characters: names, ids,
// X-Request-Id and Retry-After (no controls there: Go's client refuses
// them in a header and fails the request). The JSON is valid; the characters are raw
// where JSON allows them (U+202E, U+3164) and escaped where it does not (ESC).
func hostileServer(t *testing.T) *httptest.Server {
	t.Helper()
	tokens := []map[string]any{
		{"id": "ak_plain", "name": "plain", "permissions": map[string]any{"cluster": []string{"read"}}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
		{"id": "ak_rtl", "name": "rtl-\u202egnp.exe", "permissions": map[string]any{}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
		{"id": "ak_esc", "name": "esc-\x1b]0;pwned\x07\x1b[2J", "permissions": map[string]any{}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
		{"id": "ak_filler", "name": "d1\u3164", "permissions": map[string]any{}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
		{"id": "ak_\u202ebidi-id", "name": "bidi-id", "permissions": map[string]any{}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
		{"id": "ak_\x1b[2Jesc-id", "name": "esc-id\u2066", "permissions": map[string]any{}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
	}
	body, err := json.Marshal(map[string]any{"status": true, "data": tokens})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Go's client refuses control characters in a header, not these.
		w.Header()["X-Request-Id"] = []string{"req-\u202e-\u3164-\u200b"}
		w.Header()["Retry-After"] = []string{"1\u202e\u2066"}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileServerOutputPathsSanitised runs the real binary against
// hostileServer through every path that prints what a server sent: tokens
// list --jq results that are objects and arrays, replex api on a terminal,
// Tab completion of token arguments, and the --debug log. No control, bidi
// or invisible character reaches stdout or stderr, piped or on a terminal.
func TestHostileServerOutputPathsSanitised(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	srv := hostileServer(t)
	base := isolatedEnv(t, srv.URL, "org_1", "rpx_hostileTestToken000000000000")
	tty := append([]string{"REPLEX_FORCE_TTY=120", "NO_COLOR=1"}, base...)
	run := func(env []string, args ...string) (string, string) {
		t.Helper()
		r := runReplex(t, bin, env, "", args...)
		return r.stdout, r.stderr
	}
	check := func(what, out string) {
		t.Helper()
		if bad := unsafeRune(out); bad != "" {
			t.Errorf("%s holds %s:\n%q", what, bad, firstLines(out))
		}
	}

	for _, env := range [][]string{base, tty} {
		where := envName(env)
		for _, q := range []string{".", ".[]", "[.[].name]", "map({id, name})", ".[] | {(.name): .id}"} {
			stdout, stderr := run(env, "tokens", "list", "--jq", q)
			check(fmt.Sprintf("tokens list --jq %q (%s) stdout", q, where), stdout)
			check(fmt.Sprintf("tokens list --jq %q (%s) stderr", q, where), stderr)
			// Still JSON, one document a line, meaning what the server sent.
			for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				if !json.Valid([]byte(line)) {
					t.Errorf("tokens list --jq %q (%s): line is not JSON: %q", q, where, line)
				}
			}
			if q == "[.[].name]" {
				var names []string
				json.Unmarshal([]byte(stdout), &names)
				if len(names) != 6 || !slices.Contains(names, "rtl-\u202egnp.exe") || !slices.Contains(names, "d1\u3164") {
					t.Errorf("tokens list --jq %q: decodes to %q", q, names)
				}
			}
		}

		stdout, stderr := run(env, "--debug", "tokens", "list")
		check("--debug tokens list ("+where+") stderr", stderr)
		check("--debug tokens list ("+where+") stdout", stdout)
		if !strings.Contains(stderr, `< X-Request-Id: req-\u202e-\u3164-\u200b`) || !strings.Contains(stderr, `< Retry-After: 1\u202e\u2066`) {
			t.Errorf("--debug does not show the headers escaped:\n%s", stderr)
		}

		stdout, stderr = run(env, "__complete", "tokens", "delete", "")
		check("__complete ("+where+") stdout", stdout)
		check("__complete ("+where+") stderr", stderr)
		var cands []string
		for _, l := range strings.Split(stdout, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				cands = append(cands, l)
			}
		}
		want := []string{"bidi-id\\tak_\\u202ebidi-id", "plain\\tak_plain",
			"ak_esc\\tesc-\\x1b]0;pwned\\x07\\x1b[2J", "ak_filler\\td1\\u3164", "ak_plain\\tplain", "ak_rtl\\trtl-\\u202egnp.exe"}
		for i := range want {
			want[i] = strings.ReplaceAll(want[i], `\t`, "\t")
		}
		if strings.Join(cands, "\n") != strings.Join(want, "\n") {
			t.Errorf("__complete (%s) offers:\n%q\nwant:\n%q", where, cands, want)
		}
	}

	// replex api on a terminal indents the JSON; its strings keep unsafe
	// characters as \u escapes, so it is the same JSON.
	stdout, stderr := run(tty, "api", "GET", "/organizations/{org}/api-keys")
	check("replex api (terminal) stdout", stdout)
	check("replex api (terminal) stderr", stderr)
	var doc struct {
		Data []struct{ ID, Name string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Data) != 6 || doc.Data[1].Name != "rtl-\u202egnp.exe" || doc.Data[4].ID != "ak_\u202ebidi-id" {
		t.Errorf("replex api on a terminal is not the same JSON (%v): %q", err, firstLines(stdout))
	}
	if !strings.Contains(stdout, `"name": "rtl-\u202egnp.exe"`) {
		t.Errorf("replex api on a terminal does not escape U+202E:\n%s", firstLines(stdout))
	}
	// Piped, the body is the server's bytes: a script gets what was sent.
	stdout, _ = run(base, "api", "GET", "/organizations/{org}/api-keys")
	if !strings.Contains(stdout, "rtl-\u202egnp.exe") {
		t.Errorf("replex api piped changed the body: %q", firstLines(stdout))
	}
}

// TestNamesWithUnsafeCharactersRefused: tokens create and tokens edit
// --name refuse a name holding a control, bidi or invisible character with
// exit 2 and one line naming the character by code point (never printing
// it), before any request; the sandbox refuses the same names (422).
func TestNamesWithUnsafeCharactersRefused(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := startFaultEnv(t, bin, sandbox.Options{})
	env.env = slices.DeleteFunc(env.env, func(s string) bool { return s == "REPLEX_DEBUG=1" })
	if r := env.run("tokens", "create", "ci", "--grant", "cluster:read"); r.code != 0 {
		t.Fatalf("create ci: exit %d\n%s", r.code, r.stderr)
	}
	before := len(env.srv.Tokens())
	for _, tc := range []struct {
		name string
		at   int
		cp   string
		kind string
	}{
		{"d1\u3164", 3, "U+3164", "an invisible character"},
		{"\u115fx", 1, "U+115F", "an invisible character"},
		{"x\uffa0", 2, "U+FFA0", "an invisible character"},
		{"blank\u2800", 6, "U+2800", "an invisible character"},
		{"zw\u200bsp", 3, "U+200B", "an invisible character"},
		{"bom\ufeff", 4, "U+FEFF", "an invisible character"},
		{"vs\ufe0f", 3, "U+FE0F", "an invisible character"},
		{"gnp\u202e.exe", 4, "U+202E", "a bidi control"},
		{"iso\u2066x\u2069", 4, "U+2066", "a bidi control"},
		{"mark\u200f", 5, "U+200F", "a bidi control"},
		{"alm\u061c", 4, "U+061C", "a bidi control"},
		{"esc\x1b[2J", 4, "U+001B", "a control character"},
		{"c1\u009b", 3, "U+009B", "a control character"},
		{"line\u2028sep", 5, "U+2028", "a line separator"},
	} {
		want := fmt.Sprintf("replex: invalid token name: character %d is %s, %s; a name may hold no control, bidi or invisible character\n", tc.at, tc.cp, tc.kind)
		for _, args := range [][]string{
			{"tokens", "create", tc.name, "--grant", "cluster:read"},
			{"tokens", "edit", "ci", "--name", tc.name},
		} {
			r := env.run(args...)
			if r.code != 2 || r.stderr != want || r.stdout != "" {
				t.Errorf("replex %s %s %q: exit %d, stderr %q, want exit 2, %q", args[0], args[1], tc.name, r.code, r.stderr, want)
			}
		}
		// The sandbox holds the same rule, for a client that does not.
		body, _ := json.Marshal(map[string]any{"name": tc.name, "permissions": map[string]any{"cluster": []string{"read"}}})
		req, _ := http.NewRequest("POST", env.url+api.TokensPath(env.srv.OrgID()), bytes.NewReader(body))
		req.Header.Set("Authorization", api.AuthScheme+" "+env.srv.AdminSecret())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var eb api.ErrorBody
		json.NewDecoder(resp.Body).Decode(&eb)
		resp.Body.Close()
		if resp.StatusCode != 422 || eb.Code != "validation_failed" || !strings.Contains(eb.Message, tc.cp) {
			t.Errorf("sandbox create %q: %d %+v, want 422 naming %s", tc.name, resp.StatusCode, eb, tc.cp)
		}
	}
	if n := len(env.srv.Tokens()); n != before {
		t.Errorf("%d tokens after the refused names, want %d", n, before)
	}
	if !slices.ContainsFunc(env.srv.Tokens(), func(tok api.Token) bool { return tok.Name == "ci" }) {
		t.Error("the token ci was renamed")
	}
}

// TestDebugLogRedactsDecodedJSON: the --debug log of the real binary masks
// secrets by what a body means, not how it is spelled: a byte-order mark
// and an escaped key ("tok\u0065n"), any case, JSON inside a string, a
// body cut short, and a body that is not JSON at all.
func TestDebugLogRedactsDecodedJSON(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	const sec = "rpx_DEBUGsecretDEBUGsecret012345"
	bodies := map[string]struct {
		status int
		ct     string
		body   string
		want   string
	}{
		"bom":       {200, "application/json", "\xef\xbb\xbf" + `{"status":true,"data":{"id":"ak_1","tok\u0065n":"` + sec + `"}}`, `"token":"[masked sha256:`},
		"case":      {201, "application/json", `{"status":true,"data":{"TOKEN":"` + sec + `","client_secret":"` + sec + `","Password":"` + sec + `"}}`, `"client_secret":"[masked sha256:`},
		"nested":    {200, "application/json", `{"status":true,"data":{"message":"{\"token\":\"` + sec + `\"}"}}`, `[masked sha256:`},
		"truncated": {200, "application/json", `{"status":true,"data":["` + sec, `"data":["[masked]"`},
		"text":      {502, "text/plain", "upstream said token=" + sec, "not shown: not JSON, and it may hold a secret"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", b.ct)
		w.WriteHeader(b.status)
		io.WriteString(w, b.body)
	}))
	t.Cleanup(srv.Close)
	env := isolatedEnv(t, srv.URL, "org_1", "rpx_callerTokenCALLER000000000000")
	for name, b := range bodies {
		cmd := exec.Command(bin, "--debug", "api", "GET", "/x/"+name)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		log := stderr.String()
		if strings.Contains(log, "DEBUGsecret") || strings.Contains(log, "rpx_") || strings.Contains(log, "CALLER") {
			t.Errorf("%s: the --debug log shows a secret:\n%s", name, log)
		}
		if !strings.Contains(log, b.want) {
			t.Errorf("%s: the --debug log lacks %q:\n%s", name, b.want, log)
		}
		if bad := unsafeRune(log); bad != "" {
			t.Errorf("%s: the --debug log holds %s", name, bad)
		}
	}
}
