package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/replexio/replex/internal/xdisplay"
)

// TestCreateJSONCopyCopiesOnce: tokens create -o json --copy, piped, prints
// the token object with its secret and copies that secret to the real X
// clipboard with exactly one write: neither twice nor never.
func TestCreateJSONCopyCopiesOnce(t *testing.T) {
	t.Parallel()
	display := xdisplay.New(t)
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	shimDir, callLog := xclipShim(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "tokens", "create", "ci", "--grant", "cluster:read", "-o", "json", "--copy", "--clear-after", "0")
	cmd.Env = clipboardEnv(shimDir, home, url, srv, display)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("create -o json --copy: %v\n%s", err, stderr.String())
	}
	var created struct {
		Name  string `json:"name"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &created); err != nil || created.Name != "ci" || !strings.HasPrefix(created.Token, "rpx_") {
		t.Fatalf("stdout is not the created token with its secret (%v, %d bytes)", err, stdout.Len())
	}
	clip := strings.TrimSpace(waitClipboard(t, display, func(s string) bool { return strings.TrimSpace(s) != "" }, "received the secret"))
	if clip != created.Token {
		t.Fatalf("the clipboard holds %d bytes that are not the token's secret", len(clip))
	}
	assertOneClipboardWrite(t, callLog)
}
