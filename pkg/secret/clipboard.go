package secret

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/atotto/clipboard"
)

// Clipboard is the system clipboard, or a fake in tests.
type Clipboard interface {
	Write(text string) error
	Read() (string, error)
}

// ErrNoClipboardUtility means the system has no clipboard program to call
// (typical of SSH sessions and containers).
var ErrNoClipboardUtility = errors.New("no clipboard utility found (install xclip, xsel or wl-clipboard)")

// ErrNoDisplay means xclip or xsel exist but there is no X or Wayland display
// for them to talk to (an SSH session without X forwarding). Like
// ErrNoClipboardUtility, the clipboard is simply not reachable from here.
var ErrNoDisplay = errors.New("no display (DISPLAY is not set)")

// clipboardTimeout bounds a clipboard call: a wedged X server must not hang
// the command before it has printed a secret it cannot show again.
const clipboardTimeout = 5 * time.Second

// System returns the system clipboard (atotto/clipboard: pbcopy, the Windows
// API, wl-clipboard, xclip or xsel). Its errors say why it failed in words a
// user can act on and never contain the text written.
func System() Clipboard {
	return system{
		x11:         x11OS(runtime.GOOS),
		unsupported: clipboard.Unsupported,
		getenv:      os.Getenv,
		lookPath:    exec.LookPath,
		write:       clipboard.WriteAll,
		read:        clipboard.ReadAll,
		timeout:     clipboardTimeout,
	}
}

// system adapts atotto/clipboard; its fields let tests exercise the error
// mapping without touching the real environment.
type system struct {
	x11         bool // atotto falls back to xclip/xsel here, which need a display
	unsupported bool // atotto found no utility at start-up
	getenv      func(string) string
	lookPath    func(string) (string, error)
	write       func(string) error
	read        func() (string, error)
	timeout     time.Duration
}

func (c system) Write(text string) error {
	if err := c.usable(); err != nil {
		return err
	}
	_, err := withTimeout(c.timeout, func() (struct{}, error) { return struct{}{}, c.write(text) })
	if err != nil {
		return c.explain("write", err)
	}
	return nil
}

func (c system) Read() (string, error) {
	if err := c.usable(); err != nil {
		return "", err
	}
	text, err := withTimeout(c.timeout, c.read)
	if err != nil {
		return "", c.explain("read", err)
	}
	return text, nil
}

// usable catches the two cases in which atotto would only report "exit
// status 1" or a long message of its own.
func (c system) usable() error {
	if c.unsupported {
		return ErrNoClipboardUtility
	}
	if c.x11 && c.getenv("DISPLAY") == "" && c.getenv("WAYLAND_DISPLAY") == "" && c.hasX11Tool() {
		return ErrNoDisplay
	}
	return nil
}

func (c system) hasX11Tool() bool {
	for _, tool := range []string{"xclip", "xsel"} {
		if _, err := c.lookPath(tool); err == nil {
			return true
		}
	}
	return false
}

// explain wraps a failure of the utility itself. atotto never includes the
// text in its errors, so neither do these.
func (c system) explain(op string, err error) error {
	var exit *exec.ExitError
	if display := c.getenv("DISPLAY"); c.x11 && display != "" && c.getenv("WAYLAND_DISPLAY") == "" && errors.As(err, &exit) {
		// xclip's own message went to /dev/null; an unreachable display
		// (a stale SSH X forward) is by far the likeliest cause.
		return fmt.Errorf("clipboard %s failed: %w (is display %q reachable?)", op, err, display)
	}
	return fmt.Errorf("clipboard %s failed: %w", op, err)
}

// x11OS reports whether atotto/clipboard uses xclip or xsel on goos.
func x11OS(goos string) bool {
	switch goos {
	case "linux", "android", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "dragonfly":
		return true
	}
	return false
}

// withTimeout runs f, giving up after d. On timeout f keeps running in the
// background; the process is about to exit anyway.
func withTimeout[T any](d time.Duration, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("no answer after %s", d)
	}
}
