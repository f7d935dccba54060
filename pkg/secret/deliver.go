package secret

import (
	"errors"
	"io"
	"strings"
	"time"
)

// Delivery is what a command knows, after creating a token, about how the
// secret can reach the user through the clipboard. Run decides; the command
// prints from the Result. Printing stays with the command, which alone knows
// its output mode (panel, raw line, JSON).
type Delivery struct {
	Secret Secret
	// Copy: the user wants a clipboard copy (default on a TTY; --copy/--no-copy).
	Copy bool
	// TTY: stdout is a terminal.
	TTY bool
	// Clipboard to write; nil means there is none (as ErrNoClipboardUtility).
	Clipboard Clipboard
	// Terminal receives OSC 52 as a fallback; nil when stdout is not a TTY.
	Terminal io.Writer
	// Tmux: running inside tmux ($TMUX set), so OSC 52 needs tmux's passthrough.
	Tmux bool
	// ClearAfter: empty the clipboard after this long; 0 means never.
	ClearAfter time.Duration
	// StartClearer starts the clearer (normally SpawnClearer on the replex
	// binary); nil means the clipboard cannot be cleared here.
	StartClearer func(Secret, time.Duration) error
}

// Result says what Run did. It never claims more than is known.
type Result struct {
	// Copied: exactly one clipboard write happened and it succeeded.
	Copied bool
	// OSC52: the secret was sent to the terminal as OSC 52. Whether the
	// terminal honoured it cannot be known, so MustPrint is still true.
	OSC52 bool
	// ClearAfter is the delay of the clearer that was started; 0 if none.
	ClearAfter time.Duration
	// MustPrint: the secret is not known to be in the user's hands; the
	// command must show it (or has already written it to a file).
	MustPrint bool
	// Warning is one line saying why the clipboard failed, or why it will not
	// be cleared; empty if nothing went wrong. It never contains the secret.
	Warning string
}

// Run delivers the secret to the clipboard, under these rules:
//
//   - The clipboard is written at most once per call: one token, one write.
//     A zero Secret is never written and only yields MustPrint.
//   - Copy false: nothing is touched; MustPrint is true.
//   - The write succeeds: Copied is true and MustPrint false. If ClearAfter > 0
//     and StartClearer is set, the clearer is started and Result.ClearAfter
//     set; if it fails to start, Warning says so, and Copied stays true (the
//     secret is on the clipboard, it just will not be cleared).
//   - The write fails: MustPrint is true and Warning says why. If the reason is
//     that no clipboard is reachable from here (ErrNoClipboardUtility or
//     ErrNoDisplay, typically SSH) and stdout is a terminal, the secret is also
//     sent as OSC 52 (OSC52 true), which may put it on the user's local
//     clipboard but cannot be confirmed, so it is printed all the same.
func (d Delivery) Run() Result {
	if d.Secret.IsZero() || !d.Copy {
		return Result{MustPrint: true}
	}
	err := d.write()
	if err != nil {
		res := Result{MustPrint: true, Warning: d.oneLine("could not copy the token to the clipboard: " + err.Error())}
		if unreachable(err) && d.TTY && d.Terminal != nil {
			res.OSC52 = WriteOSC52(d.Terminal, d.Secret.Reveal(), d.Tmux) == nil
		}
		return res
	}

	res := Result{Copied: true}
	if d.ClearAfter > 0 && d.StartClearer != nil {
		if err := d.StartClearer(d.Secret, d.ClearAfter); err != nil {
			res.Warning = d.oneLine("the clipboard will not be cleared: " + err.Error())
		} else {
			res.ClearAfter = d.ClearAfter
		}
	}
	return res
}

func (d Delivery) write() error {
	if d.Clipboard == nil {
		return ErrNoClipboardUtility
	}
	return d.Clipboard.Write(d.Secret.Reveal())
}

// unreachable reports whether err means there is no clipboard here at all,
// as opposed to one that failed.
func unreachable(err error) bool {
	return errors.Is(err, ErrNoClipboardUtility) || errors.Is(err, ErrNoDisplay)
}

// oneLine makes msg a single line and masks the secret, in case an error from
// an unknown Clipboard quoted its input.
func (d Delivery) oneLine(msg string) string {
	msg = strings.ReplaceAll(msg, d.Secret.Reveal(), d.Secret.Fingerprint())
	return strings.Join(strings.Fields(msg), " ")
}
