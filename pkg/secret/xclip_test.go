//go:build linux

package secret

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/internal/xdisplay"
)

func startXvfb(t *testing.T) string { return xdisplay.Start(t) }

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
		const delay = 300 * time.Millisecond
		start := time.Now()
		// The re-executed test binary runs RunClearer (TestMain).
		if err := SpawnClearer(exe, []string{clearerArg}, New(raw), delay); err != nil {
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
