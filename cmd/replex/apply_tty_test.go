package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/replexio/replex/pkg/grants"
)

// applyOnPTY runs replex on a pseudo-terminal, answers its one question
// with answer, and returns what it wrote and its exit code.
func applyOnPTY(t *testing.T, bin string, env []string, answer string, args ...string) (string, int) {
	t.Helper()
	script := `"$0" "$@"; echo "[replex exited $?]"`
	cmd := exec.Command("sh", append([]string{"-c", script, bin}, args...)...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait(); f.Close() }()
	marker := regexp.MustCompile(`\[replex exited (\d+)\]`)
	var out bytes.Buffer
	buf := make([]byte, 4096)
	answered := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		f.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := f.Read(buf)
		out.Write(buf[:n])
		if !answered && strings.Contains(out.String(), "[y/N] ") {
			f.Write([]byte(answer + "\r"))
			answered = true
		}
		if m := marker.FindStringSubmatch(out.String()); m != nil {
			code, _ := strconv.Atoi(m[1])
			return out.String(), code
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
	}
	t.Fatalf("replex did not finish on the terminal; output so far:\n%s", out.String())
	return "", 0
}

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
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "REPLEX_CONFIG_DIR=" + filepath.Join(dir, "cfg"),
		"REPLEX_BASE_URL=" + url, "REPLEX_ORG=" + srv.OrgID(), "REPLEX_API_TOKEN=" + srv.AdminSecret(),
		"TERM=xterm", "NO_COLOR=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	has := func(name string) bool {
		for _, tok := range srv.Tokens() {
			if tok.Name == name {
				return true
			}
		}
		return false
	}

	out, code := applyOnPTY(t, bin, env, "n", "tokens", "apply", "-f", spec, "--secret-dir", secrets)
	if code != 2 || !regexp.MustCompile(`(?m)^ create +ci +- +grants cluster:read; expires never`).MatchString(out) ||
		!strings.Contains(out, "Apply 1 to create? [y/N]") || !strings.Contains(out, "did not apply 1 to create: not confirmed") || has("ci") {
		t.Fatalf("answer n: exit %d, ci created %v:\n%s", code, has("ci"), out)
	}
	out, code = applyOnPTY(t, bin, env, "y", "tokens", "apply", "-f", spec, "--secret-dir", secrets)
	if code != 0 || !has("ci") || !strings.Contains(out, `created  "ci"`) {
		t.Fatalf("answer y: exit %d:\n%s", code, out)
	}

	if _, _, err := srv.IssueToken("stray", grants.Set{"cluster": {"read"}}, nil); err != nil {
		t.Fatal(err)
	}
	out, code = applyOnPTY(t, bin, env, "", "tokens", "apply", "-f", spec, "--secret-dir", secrets, "--prune")
	if code != 2 || !strings.Contains(out, "Apply 1 to delete? [y/N]") || !has("stray") {
		t.Fatalf("prune, answer empty: exit %d:\n%s", code, out)
	}
	out, code = applyOnPTY(t, bin, env, "yes", "tokens", "apply", "-f", spec, "--secret-dir", secrets, "--prune")
	if code != 0 || has("stray") || !has("ci") || !strings.Contains(out, `deleted  "stray"`) {
		t.Fatalf("prune, answer yes: exit %d:\n%s", code, out)
	}
}
