package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/grants"
)

// On a terminal apply shows the plan as a table and asks; anything but y
// changes nothing. Deleting tokens the file does not name takes --prune and
// that consent.
func TestApplyAsksOnTerminal(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tokens.yaml")
	os.WriteFile(spec, []byte("tokens:\n  - name: ci\n    grants: [cluster:read]\n"), 0o600)
	secrets := filepath.Join(dir, "secrets")
	os.Mkdir(secrets, 0o700)
	env := append(isolatedEnv(t, url, srv.OrgID(), srv.AdminSecret()), "PATH="+os.Getenv("PATH"), "TERM=xterm", "NO_COLOR=1")
	has := func(name string) bool {
		for _, tok := range srv.Tokens() {
			if tok.Name == name {
				return true
			}
		}
		return false
	}

	out, code := answerOnPTY(t, bin, env, []string{"n"}, "tokens", "apply", "-f", spec, "--secret-dir", secrets)
	if code != 2 || !regexp.MustCompile(`(?m)^ create +ci +- +grants cluster:read; expires never`).MatchString(out) ||
		!strings.Contains(out, "Apply 1 to create? [y/N]") || !strings.Contains(out, "did not apply 1 to create: not confirmed") || has("ci") {
		t.Fatalf("answer n: exit %d, ci created %v:\n%s", code, has("ci"), out)
	}
	out, code = answerOnPTY(t, bin, env, []string{"y"}, "tokens", "apply", "-f", spec, "--secret-dir", secrets)
	if code != 0 || !has("ci") || !strings.Contains(out, `created  "ci"`) {
		t.Fatalf("answer y: exit %d:\n%s", code, out)
	}

	if _, _, err := srv.IssueToken("stray", grants.Set{"cluster": {"read"}}, nil); err != nil {
		t.Fatal(err)
	}
	out, code = answerOnPTY(t, bin, env, []string{""}, "tokens", "apply", "-f", spec, "--secret-dir", secrets, "--prune")
	if code != 2 || !strings.Contains(out, "Apply 1 to delete? [y/N]") || !has("stray") {
		t.Fatalf("prune, answer empty: exit %d:\n%s", code, out)
	}
	out, code = answerOnPTY(t, bin, env, []string{"yes"}, "tokens", "apply", "-f", spec, "--secret-dir", secrets, "--prune")
	if code != 0 || has("stray") || !has("ci") || !strings.Contains(out, `deleted  "stray"`) {
		t.Fatalf("prune, answer yes: exit %d:\n%s", code, out)
	}
}
