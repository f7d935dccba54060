package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recordingXclip puts on PATH an xclip that keeps the clipboard in a file
// and records, for every call, its own environment and, when its parent is
// the clipboard clearer, the clearer's environment too.
func recordingXclip(t *testing.T) (binDir, recordDir string) {
	t.Helper()
	binDir, recordDir = t.TempDir(), t.TempDir()
	script := `#!/bin/sh
rec='` + recordDir + `'
# Each record appears whole (mv), so that the test never reads half of one.
tr '\0' '\n' </proc/self/environ >"$rec/.tmp.$$" && mv "$rec/.tmp.$$" "$rec/xclip-env.$$"
if tr '\0' ' ' </proc/$PPID/cmdline | grep -q __clear-clipboard; then
	tr '\0' '\n' </proc/$PPID/environ >"$rec/.tmp.$$" && mv "$rec/.tmp.$$" "$rec/clearer-env.$$"
fi
case "$*" in
*-in*) cat >"$rec/clipboard" ;;
*-out*) cat "$rec/clipboard" 2>/dev/null ;;
esac
`
	if err := os.WriteFile(filepath.Join(binDir, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return binDir, recordDir
}

// TestHelpersGetNoCredential: the clipboard utility and the detached
// clipboard clearer of `tokens create` run with the helper allow-list only:
// neither REPLEX_API_TOKEN nor any other REPLEX_* variable nor an unrelated
// credential reaches them; the display does.
func TestHelpersGetNoCredential(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	binDir, recordDir := recordingXclip(t)
	home := t.TempDir()
	env := append(clipboardEnv(binDir, home, url, srv, ":99"), "AWS_SECRET_ACCESS_KEY=not-for-helpers", "TERM=xterm-256color")
	out, code := runOnPTY(t, bin, env, "tokens", "create", "helper-env", "--grant", "cluster:read", "--clear-after", "1s")
	if code != 0 {
		t.Fatalf("create exited %d:\n%s", code, out)
	}
	if !strings.Contains(out, "Copied to the clipboard; cleared in 1s") {
		t.Fatalf("the secret was not copied:\n%s", out)
	}

	// Once its delay is over the clearer reads the clipboard (xclip -out),
	// finds the secret and empties it (xclip -in).
	var clearerRecords []string
	for deadline := time.Now().Add(15 * time.Second); len(clearerRecords) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the clipboard clearer ran xclip %d times, want 2 (read, clear)", len(clearerRecords))
		}
		clearerRecords, _ = filepath.Glob(filepath.Join(recordDir, "clearer-env.*"))
	}
	xclipRecords, _ := filepath.Glob(filepath.Join(recordDir, "xclip-env.*"))
	if len(xclipRecords) != 3 {
		t.Fatalf("%d xclip runs recorded, want 3: the copy, the clearer's read and its clear", len(xclipRecords))
	}
	for _, rec := range append(xclipRecords, clearerRecords...) {
		b, err := os.ReadFile(rec)
		if err != nil {
			t.Fatal(err)
		}
		environ := string(b)
		for label, bad := range map[string]string{
			"a REPLEX_ variable": "REPLEX_", "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY",
			"the admin token": srv.AdminSecret(), "a sandbox secret": "rpx_",
		} {
			if strings.Contains(environ, bad) {
				t.Errorf("%s: the environment holds %s", filepath.Base(rec), label)
			}
		}
		if !strings.Contains(environ, "\nDISPLAY=:99\n") && !strings.HasPrefix(environ, "DISPLAY=:99\n") {
			t.Errorf("%s: DISPLAY did not reach the helper:\n%s", filepath.Base(rec), environ)
		}
	}
}
