// Package xdisplay starts a private X server (Xvfb) for tests of the real
// clipboard.
package xdisplay

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Start starts a private X server and points DISPLAY at it for the
// test. Without Xvfb or xclip the test is skipped, except on CI, which
// installs them and so must not pass vacuously.
func Start(t testing.TB) string {
	t.Helper()
	display := New(t)
	t.Setenv("DISPLAY", display)
	t.Setenv("WAYLAND_DISPLAY", "")
	return display
}

// New is Start without touching the environment: it returns the display
// for the test to pass to its own processes. A test that sets the
// environment cannot run in parallel with others; one using New can.
func New(t testing.TB) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required on CI: %v", tool, err)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	// -displayfd: Xvfb picks a free display and writes its number once it
	// accepts connections, so there is neither a race nor a sleep.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var stderr bytes.Buffer
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp")
	xvfb.ExtraFiles = []*os.File{w}
	xvfb.Stderr = &stderr
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		xvfb.Process.Kill()
		xvfb.Wait()
	})

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	var display string
	select {
	case n := <-line:
		if n == "" {
			xvfb.Process.Kill()
			xvfb.Wait()
			t.Fatalf("Xvfb did not start: %s", stderr.String())
		}
		display = ":" + n
	case <-time.After(15 * time.Second):
		t.Fatal("Xvfb did not report a display within 15s")
	}
	return display
}
