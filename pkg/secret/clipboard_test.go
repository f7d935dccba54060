package secret

import (
	"errors"
	"os/exec"
	"testing"
	"time"
)

// fakeSystem is the atotto adapter with a scripted environment and utility.
func fakeSystem(env map[string]string, tools []string, x11 bool, writeErr error) (*system, *int) {
	calls := new(int)
	return &system{
		x11:    x11,
		getenv: func(k string) string { return env[k] },
		lookPath: func(name string) (string, error) {
			for _, t := range tools {
				if t == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", exec.ErrNotFound
		},
		write:   func(string) error { *calls++; return writeErr },
		read:    func() (string, error) { *calls++; return "held", writeErr },
		timeout: time.Second,
	}, calls
}

func TestSystemWriteErrors(t *testing.T) {
	exitErr := exec.Command("sh", "-c", "exit 1").Run()
	var ee *exec.ExitError
	if !errors.As(exitErr, &ee) {
		t.Skipf("no sh to produce an exit error: %v", exitErr)
	}
	boom := errors.New("boom")
	tests := []struct {
		name        string
		env         map[string]string
		tools       []string
		x11         bool
		unsupported bool
		utilErr     error
		want        string // "" = success
		is          error
		calls       int
	}{
		{name: "no utility", unsupported: true, x11: true, env: map[string]string{"DISPLAY": ":0"},
			want: "no clipboard utility found (install xclip, xsel or wl-clipboard)", is: ErrNoClipboardUtility},
		{name: "xclip without display", x11: true, tools: []string{"xclip"},
			want: "no display (DISPLAY is not set)", is: ErrNoDisplay},
		{name: "xsel without display", x11: true, tools: []string{"xsel"},
			want: "no display (DISPLAY is not set)", is: ErrNoDisplay},
		{name: "wayland needs no DISPLAY", x11: true, tools: []string{"xclip", "wl-copy"}, env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, calls: 1},
		{name: "termux or WSL need no display", x11: true, tools: []string{"clip.exe"}, calls: 1},
		{name: "macOS needs no display", x11: false, tools: []string{"xclip"}, calls: 1},
		{name: "with display", x11: true, tools: []string{"xclip"}, env: map[string]string{"DISPLAY": ":7"}, calls: 1},
		{name: "unreachable display", x11: true, tools: []string{"xclip"}, env: map[string]string{"DISPLAY": ":7"}, utilErr: exitErr,
			want: `clipboard write failed: exit status 1 (is display ":7" reachable?)`, is: ee, calls: 1},
		{name: "exit error on wayland", x11: true, tools: []string{"wl-copy"}, env: map[string]string{"DISPLAY": ":7", "WAYLAND_DISPLAY": "w"}, utilErr: exitErr,
			want: "clipboard write failed: exit status 1", is: ee, calls: 1},
		{name: "other failure", x11: true, tools: []string{"xclip"}, env: map[string]string{"DISPLAY": ":7"}, utilErr: boom,
			want: "clipboard write failed: boom", is: boom, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, calls := fakeSystem(tt.env, tt.tools, tt.x11, tt.utilErr)
			c.unsupported = tt.unsupported
			err := c.Write("text")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Write: %v", err)
				}
			} else {
				if err == nil || err.Error() != tt.want {
					t.Fatalf("Write error = %v, want %q", err, tt.want)
				}
				if !errors.Is(err, tt.is) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
				}
			}
			if *calls != tt.calls {
				t.Errorf("utility called %d times, want %d", *calls, tt.calls)
			}
		})
	}
}

func TestSystemRead(t *testing.T) {
	c, _ := fakeSystem(map[string]string{"DISPLAY": ":7"}, []string{"xclip"}, true, nil)
	if got, err := c.Read(); got != "held" || err != nil {
		t.Errorf("Read = %q, %v", got, err)
	}
	c, calls := fakeSystem(nil, []string{"xclip"}, true, nil)
	if _, err := c.Read(); !errors.Is(err, ErrNoDisplay) || *calls != 0 {
		t.Errorf("Read without display = %v after %d calls", err, *calls)
	}
	c, _ = fakeSystem(map[string]string{"DISPLAY": ":7"}, nil, true, errors.New("boom"))
	if _, err := c.Read(); err == nil || err.Error() != "clipboard read failed: boom" {
		t.Errorf("Read error = %v", err)
	}
}

func TestSystemTimeout(t *testing.T) {
	c, _ := fakeSystem(map[string]string{"DISPLAY": ":7"}, []string{"xclip"}, true, nil)
	release := make(chan struct{})
	defer close(release)
	c.write = func(string) error { <-release; return nil }
	c.timeout = 20 * time.Millisecond
	err := c.Write("text")
	if err == nil || err.Error() != "clipboard write failed: no answer after 20ms" {
		t.Errorf("Write = %v", err)
	}
}

func TestX11OS(t *testing.T) {
	for goos, want := range map[string]bool{"linux": true, "freebsd": true, "openbsd": true, "darwin": false, "windows": false, "plan9": false} {
		if got := x11OS(goos); got != want {
			t.Errorf("x11OS(%s) = %v", goos, got)
		}
	}
}
