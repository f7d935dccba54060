package secret

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeClipboard records every call so tests can count writes exactly.
type fakeClipboard struct {
	content  string
	writes   []string
	reads    int
	writeErr error
	readErr  error
}

func (c *fakeClipboard) Write(text string) error {
	c.writes = append(c.writes, text)
	if c.writeErr != nil {
		return c.writeErr
	}
	c.content = text
	return nil
}

func (c *fakeClipboard) Read() (string, error) {
	c.reads++
	return c.content, c.readErr
}

func TestRunClearer(t *testing.T) {
	readFailed := errors.New("clipboard read failed: exit status 1")
	tests := []struct {
		name        string
		clipboard   string
		readErr     error
		wantErr     error
		wantContent string
		wantWrites  []string
	}{
		{name: "still the secret: cleared", clipboard: raw, wantContent: "", wantWrites: []string{""}},
		{name: "user copied something else: left alone", clipboard: "my notes", wantContent: "my notes"},
		{name: "secret plus a newline is not the secret", clipboard: raw + "\n", wantContent: raw + "\n"},
		{name: "already empty", clipboard: "", wantContent: ""},
		{name: "read fails: nothing written", clipboard: raw, readErr: readFailed, wantErr: readFailed, wantContent: raw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb := &fakeClipboard{content: tt.clipboard, readErr: tt.readErr}
			var slept []time.Duration
			sleep := func(d time.Duration) {
				if cb.reads != 0 {
					t.Error("clipboard read before the delay")
				}
				slept = append(slept, d)
			}
			err := RunClearer(strings.NewReader(raw), cb, 45*time.Second, sleep)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(slept, []time.Duration{45 * time.Second}) {
				t.Errorf("slept %v, want [45s]", slept)
			}
			if cb.content != tt.wantContent || !slices.Equal(cb.writes, tt.wantWrites) || cb.reads != 1 {
				t.Errorf("clipboard %q after writes %q, %d reads; want %q after %q, 1 read", cb.content, cb.writes, cb.reads, tt.wantContent, tt.wantWrites)
			}
		})
	}
}

func TestRunClearerNoSecret(t *testing.T) {
	cb := &fakeClipboard{content: ""}
	err := RunClearer(strings.NewReader(""), cb, time.Second, func(time.Duration) { t.Error("slept") })
	if err == nil || err.Error() != "no secret on stdin: nothing to clear" {
		t.Errorf("err = %v", err)
	}
	if cb.reads != 0 || len(cb.writes) != 0 {
		t.Errorf("touched the clipboard: %d reads, writes %q", cb.reads, cb.writes)
	}
}

// TestSpawnClearerHandover runs a shell in place of the clearer and checks
// what it received: the secret on stdin only, the delay as last argument, a
// session of its own.
func TestSpawnClearerHandover(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil || runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	t.Setenv("REPLEX_API_TOKEN", "rpx_admin-token-in-the-environment")
	t.Setenv("REPLEX_CONFIG_DIR", "/somewhere")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-for-helpers")
	out := filepath.Join(t.TempDir(), "out")
	script := `cat >"$0.stdin"; printf '%s\n' "$@" >"$0.args"; env >"$0.env"; ` +
		`if [ -r /proc/$$/stat ]; then cat /proc/$$/stat; fi >"$0.stat"; echo $$ >"$0.pid.tmp"; mv "$0.pid.tmp" "$0.pid"`
	if err := SpawnClearer(sh, []string{"-c", script, out, "first"}, New(raw), 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(out + ".pid"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("helper did not finish")
		}
		time.Sleep(10 * time.Millisecond)
	}
	read := func(ext string) string {
		b, err := os.ReadFile(out + ext)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(".stdin"); got != raw {
		t.Errorf("stdin = %q, want the raw secret", got)
	}
	if got := read(".args"); got != "first\n1.5s\n" {
		t.Errorf("args = %q, want first and 1.5s", got)
	}
	if leaks(read(".env")) || leaks(read(".args")) {
		t.Error("secret in argv or environment")
	}
	// Only the helper allow-list reaches it (sh itself adds PWD, SHLVL, _).
	for _, kv := range strings.Split(strings.TrimSpace(read(".env")), "\n") {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(helperEnvNames, name) && !slices.Contains([]string{"PWD", "SHLVL", "_", "OLDPWD"}, name) {
			t.Errorf("the helper's environment holds %s", name)
		}
	}
	if stat := read(".stat"); stat != "" {
		// /proc/PID/stat: pid (comm) state ppid pgrp session ...
		fields := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
		pid := strings.TrimSpace(read(".pid"))
		if len(fields) < 4 || fields[3] != pid {
			t.Errorf("session = %v, want %s (a session leader)", fields, pid)
		}
		if sid, _ := strconv.Atoi(fields[3]); sid == os.Getpid() {
			t.Error("helper shares the test's session")
		}
	}
}

func TestSpawnClearerErrors(t *testing.T) {
	if err := SpawnClearer("/nonexistent/replex", nil, New(raw), time.Second); err == nil || !strings.HasPrefix(err.Error(), "start clipboard clearer: ") || leaks(err.Error()) {
		t.Errorf("missing exe: %v", err)
	}
	if err := SpawnClearer("/nonexistent/replex", nil, Secret{}, time.Second); err == nil || err.Error() != "no secret to clear" {
		t.Errorf("zero secret: %v", err)
	}
}
