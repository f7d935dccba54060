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

// System returns the system clipboard. On macOS, Linux and the BSDs replex
// runs the clipboard utility itself (pbcopy, wl-clipboard, xclip, xsel) with
// only HelperEnv; elsewhere (Windows: the clipboard API, no program)
// atotto/clipboard does the work. Its errors say why it failed in words a
// user can act on and never contain the text written.
func System() Clipboard {
	c := system{
		x11:      x11OS(runtime.GOOS),
		getenv:   os.Getenv,
		lookPath: exec.LookPath,
		timeout:  clipboardTimeout,
	}
	if runtime.GOOS != "darwin" && !c.x11 {
		c.unsupported, c.write, c.read = clipboard.Unsupported, clipboard.WriteAll, clipboard.ReadAll
		return c
	}
	u, ok := pickUtility(runtime.GOOS, c.getenv, c.lookPath)
	c.unsupported, c.write, c.read = !ok, u.write, u.read
	return c
}

// system adapts the clipboard utility (or atotto/clipboard); its fields let
// tests exercise the error mapping without touching the real environment.
type system struct {
	x11         bool // xclip or xsel may be the utility here, which need a display
	unsupported bool // no utility was found
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
	_, err := WithTimeout(c.timeout, func() (struct{}, error) { return struct{}{}, c.write(text) })
	if err != nil {
		return c.explain("write", err)
	}
	return nil
}

func (c system) Read() (string, error) {
	if err := c.usable(); err != nil {
		return "", err
	}
	text, err := WithTimeout(c.timeout, c.read)
	if err != nil {
		return "", c.explain("read", err)
	}
	return text, nil
}

// usable catches the two cases in which the utility would only report
// "exit status 1", or nothing could run at all.
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

// explain wraps a failure of the utility itself. Neither the utility's
// errors (its output goes nowhere) nor these ever include the text.
func (c system) explain(op string, err error) error {
	var exit *exec.ExitError
	if display := c.getenv("DISPLAY"); c.x11 && display != "" && c.getenv("WAYLAND_DISPLAY") == "" && errors.As(err, &exit) {
		// xclip's own message went to /dev/null; an unreachable display
		// (a stale SSH X forward) is by far the likeliest cause.
		return fmt.Errorf("clipboard %s failed: %w (is display %q reachable?)", op, err, display)
	}
	return fmt.Errorf("clipboard %s failed: %w", op, err)
}

// x11OS reports whether xclip or xsel may be the clipboard utility on goos.
func x11OS(goos string) bool {
	switch goos {
	case "linux", "android", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "dragonfly":
		return true
	}
	return false
}

// ErrNoAnswer is the error of a WithTimeout call that did not return in time.
var ErrNoAnswer = errors.New("no answer")

// WithTimeout runs f, giving up after d with ErrNoAnswer. On timeout f keeps
// running in the background; the process is about to exit anyway. The
// clipboard utilities and the keyring, both outside replex's control, are
// called through it.
func WithTimeout[T any](d time.Duration, f func() (T, error)) (T, error) {
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
		return zero, fmt.Errorf("%w after %s", ErrNoAnswer, d)
	}
}
