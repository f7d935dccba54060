package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// keyringHint is the advice every keyring failure must end with.
const keyringHint = "set REPLEX_API_TOKEN, or run 'replex auth login --insecure-storage' to keep the token in the config file (mode 0600)"

// keyringRun is one replex run for the keyring tests.
type keyringRun struct {
	code    int
	stdout  string
	stderr  string
	elapsed time.Duration
}

// runKeyringCase runs replex in its own session with env and stdin, and
// kills its whole process group if it is still running after 30s.
func runKeyringCase(t *testing.T, bin string, env []string, stdin string, args ...string) keyringRun {
	t.Helper()
	r, err := runKeyring(bin, env, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runKeyring is runKeyringCase for any goroutine: it returns what went
// wrong instead of failing the test.
func runKeyring(bin string, env []string, stdin string, args ...string) (keyringRun, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return keyringRun{}, err
	}
	timer := time.AfterFunc(30*time.Second, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	r := keyringRun{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("replex %s: %v", strings.Join(args, " "), err)
	}
	return r, nil
}

// keyringEnv is a replex environment with a config dir of its own, a
// profile whose token is in the keyring, and no token in the environment.
func keyringEnv(t *testing.T, url, org string, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	cfgDir := filepath.Join(home, "cfg")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "current_profile: kr\nprofiles:\n  kr:\n    base_url: " + url + "\n    org: " + org + "\n    token_storage: keyring\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + cfgDir,
		"TERM=dumb",
	}, extra...)
}

// checkKeyringFailure asserts a fast failure with the documented exit code,
// one line naming the cause and the advice.
func checkKeyringFailure(t *testing.T, r keyringRun, what string, code int, cause string, within time.Duration) {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: exit %d, want %d; stderr:\n%s", what, r.code, code, r.stderr)
	}
	if r.elapsed > within {
		t.Errorf("%s took %s, want under %s", what, r.elapsed.Round(time.Millisecond), within)
	}
	out := r.stderr + r.stdout
	if !strings.Contains(out, cause) {
		t.Errorf("%s: output does not say %q:\n%s", what, cause, out)
	}
	if !strings.Contains(out, "--insecure-storage") || !strings.Contains(out, "REPLEX_API_TOKEN") {
		t.Errorf("%s: output suggests neither --insecure-storage nor REPLEX_API_TOKEN:\n%s", what, out)
	}
	if strings.Contains(out, "rpx_") {
		t.Errorf("%s: output holds a secret", what)
	}
}

// markedProcesses lists the processes whose environment holds mark: the
// ones started, directly or not, by a run given that mark (a dbus-daemon
// started by dbus-launch inherits its environment). Other sessions on the
// machine never carry it.
func markedProcesses(t *testing.T, mark string) map[int]string {
	t.Helper()
	found := map[int]string{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(environ, []byte(mark)) {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		found[pid] = strings.TrimSpace(string(comm))
	}
	return found
}

// TestKeyringWithoutSessionBus: with no DBUS_SESSION_BUS_ADDRESS (a
// headless SSH login) login, status and a command reading the token fail
// at once, say what to do instead, and start no bus or keyring daemon.
func TestKeyringWithoutSessionBus(t *testing.T) {
	// Not parallel: it bounds replex's wall-clock time, so it runs in the
	// package's serial phase, before the parallel tests load the machine.
	if _, err := exec.LookPath("dbus-launch"); err != nil {
		// Without dbus-launch godbus cannot autolaunch, so the test
		// could not catch a replex that lets it try.
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-launch is missing: CI must install dbus-x11 (see .ci/run)")
		}
		t.Skip("dbus-launch is not installed (apt-get install dbus-x11)")
	}
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	nonce := make([]byte, 8)
	rand.Read(nonce)
	mark := "REPLEX_KEYRING_TEST_MARK=" + hex.EncodeToString(nonce)
	env := keyringEnv(t, url, srv.OrgID(), mark)
	t.Cleanup(func() {
		// Should the test fail, leave nothing of it running.
		for pid := range markedProcesses(t, mark) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})

	const cause = "DBUS_SESSION_BUS_ADDRESS is not set"
	r := runKeyringCase(t, bin, env, srv.AdminSecret()+"\n", "auth", "login", "--with-token")
	checkKeyringFailure(t, r, "auth login", 1, cause, 2*time.Second)
	if !strings.Contains(r.stderr, "rerun with --insecure-storage") {
		t.Errorf("auth login does not suggest --insecure-storage:\n%s", r.stderr)
	}
	r = runKeyringCase(t, bin, env, "", "auth", "status")
	checkKeyringFailure(t, r, "auth status", 4, cause, 2*time.Second)
	r = runKeyringCase(t, bin, env, "", "orgs", "get")
	checkKeyringFailure(t, r, "orgs get", 4, cause, 2*time.Second)

	// A daemon started by dbus-launch takes a moment to appear.
	time.Sleep(500 * time.Millisecond)
	if procs := markedProcesses(t, mark); len(procs) > 0 {
		t.Fatalf("replex left processes running: %v", procs)
	}
}

// TestKeyringTimeout: a session bus that accepts the connection and never
// answers costs replex 3 seconds per command, not minutes.
func TestKeyringTimeout(t *testing.T) {
	// Not parallel: it bounds replex's wall-clock time, so it runs in the
	// package's serial phase, before the parallel tests load the machine.
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	sock := filepath.Join(t.TempDir(), "bus")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Read everything, answer nothing.
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	// The three commands wait out the timeout at the same time, each with
	// a config directory of its own: 3 s for the test, not 9.
	cases := []struct {
		what, stdin string
		args        []string
		code        int
	}{
		{"auth login", srv.AdminSecret() + "\n", []string{"auth", "login", "--with-token"}, 1},
		{"auth status", "", []string{"auth", "status"}, 4},
		{"tokens list", "", []string{"tokens", "list"}, 4},
	}
	runs := make([]keyringRun, len(cases))
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		env := keyringEnv(t, url, srv.OrgID(), "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = runKeyring(bin, env, c.stdin, c.args...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	const cause = "the keyring did not answer within 3s"
	for i, c := range cases {
		checkKeyringFailure(t, runs[i], c.what, c.code, cause, 6*time.Second)
	}
	if r := runs[0]; r.elapsed < 3*time.Second {
		t.Errorf("auth login gave up after %s, before the 3s timeout", r.elapsed)
	}
}
