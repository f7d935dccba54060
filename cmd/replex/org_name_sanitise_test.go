package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/sandbox"
)

// hostileOrgName moves the cursor, clears the screen, retitles the
// terminal and reverses the text after it.
const hostileOrgName = "Acme\x1b]0;pwned\x07\x1b[2J\u202egnp.exe\u3164"

// TestOrgNameSanitised: orgs get, auth status and auth login print the
// organization's name as the server sent it, and a hostile name reaches
// the terminal (or a pipe) with no control, bidi or invisible character.
// The server is the sandbox behind a handler that renames the
// organization in its answers.
func TestOrgNameSanitised(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	h := sb.Handler()
	orgPath := api.OrganizationPath(sb.OrgID())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != orgPath {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var env map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Errorf("sandbox answered %s: %v", rec.Body.Bytes(), err)
		}
		if data, ok := env["data"].(map[string]any); ok {
			data["name"] = hostileOrgName
		} else {
			t.Errorf("sandbox's organization answer has no data: %s", rec.Body.Bytes())
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(env)
	}))
	t.Cleanup(srv.Close)

	base := isolatedEnv(t, srv.URL, sb.OrgID(), "")
	withToken := append([]string{"REPLEX_API_TOKEN=" + sb.AdminSecret()}, base...)
	tty := append([]string{"REPLEX_FORCE_TTY=120", "NO_COLOR=1"}, withToken...)
	run := func(env []string, stdin string, args ...string) (string, string) {
		t.Helper()
		r := runReplex(t, bin, env, stdin, args...)
		if r.code != 0 {
			t.Errorf("replex %s: exit status %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r.stdout, r.stderr
	}
	check := func(what, stdout, stderr string) {
		t.Helper()
		all := stdout + stderr
		if !strings.Contains(all, "Acme") || !strings.Contains(all, "gnp.exe") {
			t.Errorf("%s does not show the organization's name:\n%q", what, all)
		}
		if bad := unsafeRune(all); bad != "" {
			t.Errorf("%s holds %s:\n%q", what, bad, firstLines(all))
		}
	}

	for _, env := range [][]string{withToken, tty} {
		where := "piped"
		if env[0] == "REPLEX_FORCE_TTY=120" {
			where = "terminal"
		}
		stdout, stderr := run(env, "", "orgs", "get")
		check("orgs get ("+where+")", stdout, stderr)
		stdout, stderr = run(env, "", "auth", "status")
		check("auth status ("+where+")", stdout, stderr)
	}
	stdout, stderr := run(base, sb.AdminSecret()+"\n", "auth", "login", "--with-token", "--insecure-storage")
	check("auth login", stdout, stderr)
}
