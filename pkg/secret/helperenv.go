package secret

import (
	"runtime"
	"strings"
)

// helperEnvNames are the only variables a helper process gets: the
// clipboard utility (xclip, xsel, wl-copy, pbcopy, ...) and the detached
// clipboard clearer. Enough to find the program, reach the display and read
// text in the right encoding; never a credential. REPLEX_API_TOKEN and every
// other REPLEX_* variable stay behind, and so does anything else of the
// user's environment (cloud credentials, proxies with passwords), because
// such a helper can outlive replex by minutes: xclip stays in the background
// to own the selection, the clearer waits for its delay.
var helperEnvNames = []string{
	// finding programs and the user's files
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR",
	// the text's encoding
	"LANG", "LC_ALL", "LC_CTYPE", "__CF_USER_TEXT_ENCODING",
	// the display: X11, Wayland
	"DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "XDG_SESSION_TYPE",
	// Termux's clipboard scripts, and clip.exe under WSL
	"PREFIX", "ANDROID_DATA", "ANDROID_ROOT", "WSL_INTEROP", "WSL_DISTRO_NAME", "WSLENV",
	// Windows
	"SYSTEMROOT", "WINDIR", "TEMP", "TMP", "USERPROFILE",
}

// HelperEnv returns the entries of environ (as os.Environ gives them) that a
// helper process may see: those named in helperEnvNames.
func HelperEnv(environ []string) []string {
	env := make([]string, 0, len(helperEnvNames))
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if ok && helperVariable(name) {
			env = append(env, kv)
		}
	}
	return env
}

func helperVariable(name string) bool {
	for _, allowed := range helperEnvNames {
		// Windows spells its names in any case ("Path").
		if name == allowed || (runtime.GOOS == "windows" && strings.EqualFold(name, allowed)) {
			return true
		}
	}
	return false
}
