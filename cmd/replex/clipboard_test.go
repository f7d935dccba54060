package main

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/replexio/replex/internal/xdisplay"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
)

func startTestSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return srv, "http://" + ln.Addr().String()
}

// xclipShim puts an xclip on PATH that logs each call, then runs the real
// one, so the test can count clipboard writes.
func xclipShim(t *testing.T) (dir, logFile string) {
	t.Helper()
	real, err := exec.LookPath("xclip")
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	logFile = filepath.Join(dir, "calls.log")
	script := "#!/bin/sh\necho \"$*\" >> '" + logFile + "'\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, logFile
}

// clipboardEnv is the whole environment of a replex run against srv whose
// clipboard is display's, through the xclip shim in shimDir.
func clipboardEnv(shimDir, home, url string, srv *sandbox.Server, display string) []string {
	return []string{
		"PATH=" + shimDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "cfg"),
		"REPLEX_BASE_URL=" + url,
		"REPLEX_ORG=" + srv.OrgID(),
		"REPLEX_API_TOKEN=" + srv.AdminSecret(),
		"DISPLAY=" + display,
	}
}

// assertOneClipboardWrite fails t unless the xclipShim log holds exactly
// one write (-in / -i): one token, one clipboard write.
func assertOneClipboardWrite(t *testing.T, callLog string) {
	t.Helper()
	calls, _ := os.ReadFile(callLog)
	writes := 0
	for _, line := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if strings.Contains(line, "-in") || strings.Contains(line, "-i ") {
			writes++
		}
	}
	if writes != 1 {
		t.Fatalf("%d clipboard writes for one token, want exactly 1 (calls: %q)", writes, calls)
	}
}

// readClipboard reads the clipboard of display, the test's own X server.
func readClipboard(display string) string {
	cmd := exec.Command("xclip", "-o", "-selection", "clipboard")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func waitClipboard(t *testing.T, display string, cond func(string) bool, what string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := readClipboard(display)
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("clipboard never %s (holds %d bytes)", what, len(got))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runOnPTY runs replex with stdin, stdout and stderr on a pseudo-terminal and
// returns everything it wrote there and its exit code.
func runOnPTY(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	return answerOnPTY(t, bin, env, nil, args...)
}

// answerOnPTY is runOnPTY that types answers, each followed by Enter, one at
// each "[y/N] " question replex asks. A shell stays alive as the terminal's
// session leader afterwards, as an interactive shell does: when a session
// leader exits, the kernel hangs up the terminal and that would kill
// xclip's background process, which owns the clipboard.
func answerOnPTY(t *testing.T, bin string, env []string, answers []string, args ...string) (string, int) {
	t.Helper()
	script := `"$0" "$@"; echo "[replex exited $?]"; exec sleep 120`
	cmd := exec.Command("sh", append([]string{"-c", script, bin}, args...)...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	marker := regexp.MustCompile(`\[replex exited (\d+)\]`)
	var out bytes.Buffer
	buf := make([]byte, 4096)
	answered := 0
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		f.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := f.Read(buf)
		out.Write(buf[:n])
		if answered < len(answers) && strings.Count(out.String(), "[y/N] ") > answered {
			f.Write([]byte(answers[answered] + "\r"))
			answered++
		}
		if m := marker.FindStringSubmatch(out.String()); m != nil {
			code, _ := strconv.Atoi(m[1])
			return marker.ReplaceAllString(out.String(), ""), code
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
	}
	t.Fatalf("replex did not finish on the terminal; output so far:\n%s", out.String())
	return "", 0
}

// TestClipboardOnTerminal creates tokens on a real pseudo-terminal with a
// real X clipboard (Xvfb + xclip): the secret lands on the clipboard with
// exactly one write, is not shown, authenticates with exactly the granted
// permissions, and --clear-after empties the clipboard afterwards.
func TestClipboardOnTerminal(t *testing.T) {
	t.Parallel()
	display := xdisplay.New(t)
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	shimDir, callLog := xclipShim(t)
	home := t.TempDir()
	env := append(clipboardEnv(shimDir, home, url, srv, display), "TERM=xterm-256color")

	out, code := runOnPTY(t, bin, env, "tokens", "create", "ci", "--grant", "cluster:read", "--expires", "30d", "--clear-after", "0")
	if code != 0 {
		t.Fatalf("create exited %d:\n%s", code, out)
	}
	secret := strings.TrimSpace(waitClipboard(t, display, func(s string) bool { return strings.TrimSpace(s) != "" }, "received the secret"))
	if !strings.HasPrefix(secret, "rpx_") {
		t.Fatalf("clipboard holds something that is not a sandbox secret (%d bytes)", len(secret))
	}
	if strings.Contains(out, secret) {
		t.Fatal("the secret was printed on the terminal although it was copied")
	}
	for _, want := range []string{"Token created: ci", "cluster:read", "Copied to the clipboard.", "Shown once"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
	assertOneClipboardWrite(t, callLog)

	// The secret is a live credential holding exactly cluster:read.
	var created bool
	for _, tok := range srv.Tokens() {
		if tok.Name == "ci" {
			created = true
			if !grants.Equal(tok.Permissions, grants.Set{"cluster": {"read"}}) {
				t.Fatalf("server recorded %v, want cluster:read", tok.Permissions)
			}
		}
	}
	if !created {
		t.Fatal("no token named ci on the server")
	}
	list := exec.Command(bin, "tokens", "list")
	list.Env = append(append([]string{}, env[:len(env)-2]...), "REPLEX_API_TOKEN="+secret)
	stderr, err := list.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 4 || !strings.Contains(string(stderr), "HTTP 403: this token lacks api-key:read") {
		t.Fatalf("listing with a cluster:read token: %v, %s; want exit 4 with a 403 for apiKey:read", err, stderr)
	}

	// --clear-after: the clipboard is emptied once the delay has passed.
	out, code = runOnPTY(t, bin, env, "tokens", "create", "ci-2", "--grant", "cluster:read", "--clear-after", "1s")
	if code != 0 {
		t.Fatalf("create exited %d:\n%s", code, out)
	}
	if !strings.Contains(out, "Copied to the clipboard; cleared in 1s if still there.") {
		t.Fatalf("panel does not announce the clearing:\n%s", out)
	}
	second := strings.TrimSpace(waitClipboard(t, display, func(s string) bool { return strings.TrimSpace(s) != "" && strings.TrimSpace(s) != secret }, "received the second secret"))
	if second == "" {
		t.Fatal("second secret missing")
	}
	waitClipboard(t, display, func(s string) bool { return s == "" }, "was cleared")
}

// TestClipboardUnavailableOnTerminal: with no display the secret is shown
// in the panel with a warning saying why; it is never lost.
func TestClipboardUnavailableOnTerminal(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "cfg"),
		"REPLEX_BASE_URL=" + url,
		"REPLEX_ORG=" + srv.OrgID(),
		"REPLEX_API_TOKEN=" + srv.AdminSecret(),
		"TERM=xterm-256color",
	}
	out, code := runOnPTY(t, bin, env, "tokens", "create", "ssh-session", "--grant", "cluster:read")
	if code != 0 {
		t.Fatalf("create exited %d:\n%s", code, out)
	}
	if !strings.Contains(out, "warning: could not copy the token to the clipboard") {
		t.Fatalf("no warning about the clipboard:\n%s", out)
	}
	if !regexp.MustCompile(`rpx_[A-Za-z0-9]{40}`).MatchString(out) {
		t.Fatalf("the secret is not shown although the clipboard failed:\n%s", out)
	}
}
