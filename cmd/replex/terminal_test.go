package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// needTool returns the path of a program the test needs. Missing, the test
// is skipped on a developer's machine and fails in CI (CI=true), where
// .ci/run installs it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; CI must install it (apt-get install %s)", name, name)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

// needFile is needTool for a file such as bash-completion's main script.
func needFile(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; CI must install it (apt-get install %s)", path, pkg)
		}
		t.Skipf("%s is missing (apt-get install %s)", path, pkg)
	}
}

// processSandbox starts `replex sandbox start --ephemeral` as a process and
// returns the environment that points replex at it, with a private HOME and
// config directory and no keyring or display.
func processSandbox(t *testing.T, bin string) []string {
	t.Helper()
	home := t.TempDir()
	base := []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "config"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-dbus"),
		"LANG=C.UTF-8",
	}
	cmd := exec.Command(bin, "sandbox", "start", "--ephemeral", "--listen", "127.0.0.1:0")
	cmd.Env = base
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 3)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	env := base
	for i := 0; i < 3; i++ {
		select {
		case l, ok := <-lines:
			if !ok || !strings.HasPrefix(l, "export REPLEX_") {
				t.Fatalf("sandbox start printed %q; stderr:\n%s", l, stderr.String())
			}
			env = append(env, strings.TrimPrefix(l, "export "))
		case <-time.After(15 * time.Second):
			t.Fatalf("sandbox start printed %d lines in 15s; stderr:\n%s", i, stderr.String())
		}
	}
	return env
}

// tmuxSession is one program running in a detached tmux on a private
// socket, driven with send-keys and read with capture-pane.
type tmuxSession struct {
	t      *testing.T
	socket string
}

var tmuxSessions atomic.Int64

// startTmux runs argv in a new detached tmux session of the given size, with
// exactly env as its environment.
func startTmux(t *testing.T, env []string, width, height int, argv ...string) *tmuxSession {
	t.Helper()
	needTool(t, "tmux")
	// The counter keeps a rerun (-count) off the socket of a server that is
	// still shutting down.
	s := &tmuxSession{t: t, socket: fmt.Sprintf("replex-test-%d-%d-%s", os.Getpid(), tmuxSessions.Add(1), regexp.MustCompile(`\W`).ReplaceAllString(t.Name(), "_"))}
	args := append([]string{"new-session", "-d", "-s", "main", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "--"}, argv...)
	cmd := exec.Command("tmux", append([]string{"-L", s.socket, "-f", "/dev/null"}, args...)...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Down, C-c, ...).
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// text types text literally.
func (s *tmuxSession) text(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "main", "-l", text)
}

// screen is what the pane shows now.
func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-t", "main")
}

// screenWait bounds each wait on the screen. It is generous because a CI
// machine running eight tests at once can be many times slower than an idle
// one; a passing test never waits it out.
const screenWait = 60 * time.Second

// waitFor waits until the screen matches re and returns the screen.
func (s *tmuxSession) waitFor(re string) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(screenWait)
	var scr string
	for time.Now().Before(deadline) {
		scr = s.screen()
		if rx.MatchString(scr) {
			return scr
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Trailing blank rows are cut so that a log's last lines show the text.
	s.t.Fatalf("the screen did not show %q within %v; it shows:\n%s", re, screenWait, strings.TrimRight(scr, " \n"))
	return ""
}
