//go:build linux

package secret

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startXvfb starts a private X server and points DISPLAY at it for the
// test. Without Xvfb or xclip the test is skipped, except on CI, which
// installs them and so must not pass vacuously.
func startXvfb(t *testing.T) string {
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
	t.Setenv("DISPLAY", display)
	t.Setenv("WAYLAND_DISPLAY", "")
	return display
}

// xclipOut reads the clipboard with xclip itself, independently of System.
// A clipboard nobody owns reads as "(unowned)", distinct from an empty one.
func xclipOut(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	if err != nil {
		return "(unowned)"
	}
	return string(out)
}

// write copies text and waits until the clipboard holds it: xclip forks
// and only its background child takes the selection, so Write returns a
// moment before a reader can see the new text.
func write(t *testing.T, cb Clipboard, text string) {
	t.Helper()
	if err := cb.Write(text); err != nil {
		t.Fatal(err)
	}
	waitFor(t, text)
}

func waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); xclipOut(t) != text; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("clipboard = %q after 5s, want %q", xclipOut(t), text)
		}
	}
}

type countingClipboard struct {
	Clipboard
	writes int
}

func (c *countingClipboard) Write(text string) error {
	c.writes++
	return c.Clipboard.Write(text)
}

func TestRealClipboard(t *testing.T) {
	startXvfb(t)
	cb := System()

	t.Run("write then read round-trips", func(t *testing.T) {
		for _, text := range []string{raw, "two\nlines\n", "ünïcødé"} {
			write(t, cb, text)
			if got, err := cb.Read(); got != text || err != nil {
				t.Errorf("Read = %q, %v; want %q", got, err, text)
			}
		}
	})

	t.Run("RunClearer clears the secret", func(t *testing.T) {
		write(t, cb, raw)
		if err := RunClearer(strings.NewReader(raw), cb, time.Minute, func(time.Duration) {}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "")
	})

	t.Run("RunClearer leaves other text", func(t *testing.T) {
		write(t, cb, "not the secret")
		counted := &countingClipboard{Clipboard: cb}
		if err := RunClearer(strings.NewReader(raw), counted, time.Minute, func(time.Duration) {}); err != nil {
			t.Fatal(err)
		}
		if counted.writes != 0 {
			t.Errorf("%d clipboard writes, want none", counted.writes)
		}
		if got := xclipOut(t); got != "not the secret" {
			t.Errorf("clipboard = %q, want it untouched", got)
		}
	})

	t.Run("Delivery copies once", func(t *testing.T) {
		res := Delivery{Secret: New(raw), Copy: true, TTY: true, Clipboard: cb}.Run()
		if res != (Result{Copied: true}) {
			t.Errorf("Run = %+v", res)
		}
		waitFor(t, raw)
	})

	t.Run("SpawnClearer clears after the delay", func(t *testing.T) {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		write(t, cb, "")
		write(t, cb, raw)
		t.Setenv(clearerEnv, "1") // the re-executed test binary runs RunClearer (TestMain)
		const delay = 300 * time.Millisecond
		start := time.Now()
		if err := SpawnClearer(exe, nil, New(raw), delay); err != nil {
			t.Fatal(err)
		}
		for got := xclipOut(t); got == raw; got = xclipOut(t) {
			if time.Since(start) > 15*time.Second {
				t.Fatal("clipboard still holds the secret after 15s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if elapsed := time.Since(start); elapsed < delay {
			t.Errorf("cleared after %s, before the %s delay", elapsed, delay)
		}
		waitFor(t, "")
	})
}

func TestRealClipboardNoDisplay(t *testing.T) {
	if _, err := exec.LookPath("xclip"); err != nil {
		t.Skip("xclip not installed")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := System().Write(raw); err == nil || err.Error() != "no display (DISPLAY is not set)" {
		t.Errorf("Write = %v", err)
	}
}
