package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replexio/replex/internal/xdisplay"
)

// TestCreateJSONCopyCopiesOnce: tokens create -o json --copy, piped, prints
// the token object with its secret and copies that secret to the real X
// clipboard with exactly one write: neither twice nor never.
func TestCreateJSONCopyCopiesOnce(t *testing.T) {
	display := xdisplay.Start(t)
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	shimDir, callLog := xclipShim(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "tokens", "create", "ci", "--grant", "cluster:read", "-o", "json", "--copy", "--clear-after", "0")
	cmd.Env = []string{
		"PATH=" + shimDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "cfg"),
		"REPLEX_BASE_URL=" + url,
		"REPLEX_ORG=" + srv.OrgID(),
		"REPLEX_API_TOKEN=" + srv.AdminSecret(),
		"DISPLAY=" + display,
	}
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
	clip := strings.TrimSpace(waitClipboard(t, func(s string) bool { return strings.TrimSpace(s) != "" }, "received the secret"))
	if clip != created.Token {
		t.Fatalf("the clipboard holds %d bytes that are not the token's secret", len(clip))
	}
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
