package secret

import (
	"os"
	"os/exec"
	"strings"
)

// utility is a clipboard program pair, run by replex itself rather than
// through atotto/clipboard: atotto runs it with the whole environment of
// replex, REPLEX_API_TOKEN included, and xclip or wl-copy then keep that
// environment in the background for as long as they own the selection.
// Running it here lets it get HelperEnv only. The programs and their
// arguments are atotto's, chosen in the same order.
type utility struct {
	copyArgs  []string // program and arguments reading the text on stdin
	pasteArgs []string // program and arguments printing the clipboard
	trimCRLF  bool     // PowerShell's Get-Clipboard ends the text with CRLF
}

// pickUtility chooses the clipboard program on goos, as atotto does: pbcopy
// on macOS; elsewhere wl-clipboard under Wayland, then xclip, xsel, Termux,
// and clip.exe under WSL. ok is false when none is installed.
func pickUtility(goos string, getenv func(string) string, lookPath func(string) (string, error)) (u utility, ok bool) {
	have := func(names ...string) bool {
		for _, n := range names {
			if _, err := lookPath(n); err != nil {
				return false
			}
		}
		return true
	}
	candidates := []struct {
		u    utility
		when bool
	}{
		{utility{copyArgs: []string{"pbcopy"}, pasteArgs: []string{"pbpaste"}}, goos == "darwin"},
		{utility{copyArgs: []string{"wl-copy"}, pasteArgs: []string{"wl-paste", "--no-newline"}}, goos != "darwin" && getenv("WAYLAND_DISPLAY") != ""},
		{utility{copyArgs: []string{"xclip", "-in", "-selection", "clipboard"}, pasteArgs: []string{"xclip", "-out", "-selection", "clipboard"}}, goos != "darwin"},
		{utility{copyArgs: []string{"xsel", "--input", "--clipboard"}, pasteArgs: []string{"xsel", "--output", "--clipboard"}}, goos != "darwin"},
		{utility{copyArgs: []string{"termux-clipboard-set"}, pasteArgs: []string{"termux-clipboard-get"}}, goos != "darwin"},
		{utility{copyArgs: []string{"clip.exe"}, pasteArgs: []string{"powershell.exe", "Get-Clipboard"}, trimCRLF: true}, goos != "darwin"},
	}
	for _, c := range candidates {
		if c.when && have(c.u.copyArgs[0], c.u.pasteArgs[0]) {
			return c.u, true
		}
	}
	return utility{}, false
}

func (u utility) command(args []string) *exec.Cmd {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = HelperEnv(os.Environ())
	return cmd
}

func (u utility) write(text string) error {
	cmd := u.command(u.copyArgs)
	cmd.Stdin = strings.NewReader(text)
	return cmd.Run()
}

func (u utility) read() (string, error) {
	out, err := u.command(u.pasteArgs).Output()
	if err != nil {
		return "", err
	}
	text := string(out)
	if u.trimCRLF {
		text = strings.TrimSuffix(text, "\r\n")
	}
	return text, nil
}
