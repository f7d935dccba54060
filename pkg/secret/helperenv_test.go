package secret

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestHelperEnv(t *testing.T) {
	got := HelperEnv([]string{
		"PATH=/usr/bin", "HOME=/home/u", "DISPLAY=:0", "XAUTHORITY=/x", "WAYLAND_DISPLAY=wayland-0",
		"REPLEX_API_TOKEN=rpx_admin", "REPLEX_CONFIG_DIR=/c", "REPLEX_BASE_URL=https://u:p@h",
		"AWS_SECRET_ACCESS_KEY=k", "GITHUB_TOKEN=g", "PATHX=/evil", "=C:=C:\\", "BROKEN",
	})
	want := []string{"PATH=/usr/bin", "HOME=/home/u", "DISPLAY=:0", "XAUTHORITY=/x", "WAYLAND_DISPLAY=wayland-0"}
	if !slices.Equal(got, want) {
		t.Errorf("HelperEnv = %q, want %q", got, want)
	}
	for _, name := range helperEnvNames {
		if strings.HasPrefix(name, "REPLEX_") || strings.Contains(name, "TOKEN") {
			t.Errorf("%s is on the helpers' allow-list", name)
		}
	}
}

func TestPickUtility(t *testing.T) {
	lookIn := func(tools ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			if slices.Contains(tools, name) {
				return "/usr/bin/" + name, nil
			}
			return "", exec.ErrNotFound
		}
	}
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	wayland := map[string]string{"WAYLAND_DISPLAY": "wayland-0"}
	for _, c := range []struct {
		name  string
		goos  string
		env   map[string]string
		tools []string
		want  string // copy command, "" = none
	}{
		{"macOS", "darwin", nil, []string{"pbcopy", "pbpaste", "xclip"}, "pbcopy"},
		{"wayland first", "linux", wayland, []string{"wl-copy", "wl-paste", "xclip"}, "wl-copy"},
		{"wayland without wl-paste", "linux", wayland, []string{"wl-copy", "xclip"}, "xclip -in -selection clipboard"},
		{"X11 ignores wl-copy", "linux", nil, []string{"wl-copy", "wl-paste", "xsel"}, "xsel --input --clipboard"},
		{"xclip before xsel", "freebsd", nil, []string{"xsel", "xclip"}, "xclip -in -selection clipboard"},
		{"termux", "android", nil, []string{"termux-clipboard-set", "termux-clipboard-get"}, "termux-clipboard-set"},
		{"WSL", "linux", nil, []string{"clip.exe", "powershell.exe"}, "clip.exe"},
		{"nothing", "linux", nil, nil, ""},
		{"macOS without pbcopy", "darwin", nil, []string{"xclip"}, ""},
	} {
		u, ok := pickUtility(c.goos, env(c.env), lookIn(c.tools...))
		if got := strings.Join(u.copyArgs, " "); got != c.want || ok != (c.want != "") {
			t.Errorf("%s: picked %q (ok %v), want %q", c.name, got, ok, c.want)
		}
	}
}
