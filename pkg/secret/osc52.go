package secret

import (
	"encoding/base64"
	"io"
)

// WriteOSC52 asks the terminal on w to put text on the clipboard (OSC 52,
// understood by most terminal emulators, including across SSH). Terminals may
// ignore it silently, so success means only that the bytes were written.
// Inside tmux (tmux true, i.e. $TMUX is set) the sequence is wrapped in tmux's
// DCS passthrough, which needs its ESCs doubled and "allow-passthrough on".
func WriteOSC52(w io.Writer, text string, tmux bool) error {
	seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a"
	if tmux {
		seq = "\x1bPtmux;\x1b" + seq + "\x1b\\"
	}
	// One Write, so the sequence is not interleaved with other output.
	_, err := io.WriteString(w, seq)
	return err
}
