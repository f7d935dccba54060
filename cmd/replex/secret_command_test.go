package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/sandbox"
)

// TestSecretCommandInterruptedCreate: Ctrl-C while a --secret-command of
// tokens create runs kills the command (and what it started), revokes the
// token, and exits 130 with the one line naming it.
func TestSecretCommandInterruptedCreate(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("uses sh and /proc")
	}
	e := startFaultEnv(t, buildReplex(t), sandbox.Options{})
	dir := t.TempDir()
	started := filepath.Join(dir, "sleep.pid")
	cmd := exec.Command(e.bin, "tokens", "create", "intr", "--grant", "organization:read",
		"--secret-command", "sleep 30 & echo $! > "+started+"; wait")
	cmd.Env = append(e.env, "PATH=/usr/local/bin:/usr/bin:/bin")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var pid []byte
	for len(pid) == 0 || pid[len(pid)-1] != '\n' {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the command did not start")
		}
		time.Sleep(20 * time.Millisecond)
		pid, _ = os.ReadFile(started)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want 130\n%s", err, stderr.String())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("replex took %v after Ctrl-C", took)
	}
	msgs := runResult{stderr: stderr.String()}.messages() // without the --debug log
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], `replex: token "intr" (ak_`) ||
		!strings.HasSuffix(msgs[0], `) was revoked because --secret-command was interrupted`) {
		t.Errorf("want one line naming the token; stderr:\n%s", strings.Join(msgs, "\n"))
	}
	if stdout.Len() != 0 || strings.Contains(stderr.String(), "rpx_") {
		t.Errorf("stdout %q; or stderr holds a secret", stdout.String())
	}
	for _, tok := range e.srv.Tokens() {
		if tok.Name == "intr" {
			t.Error("the token was not revoked")
		}
	}
	// The sleep the command started is gone (or a zombie awaiting its reaper).
	p := strings.TrimSpace(string(pid))
	for i := 0; ; i++ {
		st, err := os.ReadFile("/proc/" + p + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			break
		}
		if i == 50 {
			t.Fatalf("sleep %s still runs after replex exited", p)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
