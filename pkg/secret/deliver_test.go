package secret

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

type starter struct {
	calls []string
	err   error
}

func (s *starter) start(sec Secret, d time.Duration) error {
	s.calls = append(s.calls, sec.Reveal()+" "+d.String())
	return s.err
}

func TestDeliveryRun(t *testing.T) {
	noUtility := fmt.Errorf("wrapped: %w", ErrNoClipboardUtility)
	osc := "\x1b]52;c;cnB4X3MzY3IzdC1WQUxVRV8wMTIz\a"
	oscTmux := "\x1bPtmux;\x1b" + osc + "\x1b\\"
	tests := []struct {
		name       string
		d          Delivery
		zero       bool // zero Secret
		noCB       bool // Clipboard nil
		writeErr   error
		startErr   error
		noStarter  bool
		termErr    error
		want       Result
		wantWrites int
		wantStarts []string
		wantTerm   string
	}{
		{name: "no copy on a TTY", d: Delivery{TTY: true, ClearAfter: time.Minute},
			want: Result{MustPrint: true}},
		{name: "no copy piped", d: Delivery{},
			want: Result{MustPrint: true}},
		{name: "zero secret is never copied", d: Delivery{Copy: true, TTY: true}, zero: true,
			want: Result{MustPrint: true}},
		{name: "copied and clearer started", d: Delivery{Copy: true, TTY: true, ClearAfter: 45 * time.Second},
			want: Result{Copied: true, ClearAfter: 45 * time.Second}, wantWrites: 1, wantStarts: []string{raw + " 45s"}},
		{name: "copied piped with --copy, no clearing asked", d: Delivery{Copy: true},
			want: Result{Copied: true}, wantWrites: 1},
		{name: "copied, clearing impossible here", d: Delivery{Copy: true, TTY: true, ClearAfter: 45 * time.Second}, noStarter: true,
			want: Result{Copied: true}, wantWrites: 1},
		{name: "copied, clearer fails to start", d: Delivery{Copy: true, TTY: true, ClearAfter: 45 * time.Second}, startErr: errors.New("start clipboard clearer: fork/exec /x: no such file"),
			want:       Result{Copied: true, Warning: "the clipboard will not be cleared: start clipboard clearer: fork/exec /x: no such file"},
			wantWrites: 1, wantStarts: []string{raw + " 45s"}},
		{name: "write fails on a TTY: printed, no OSC 52", d: Delivery{Copy: true, TTY: true, ClearAfter: time.Minute}, writeErr: errors.New("clipboard write failed: exit status 1"),
			want: Result{MustPrint: true, Warning: "could not copy the token to the clipboard: clipboard write failed: exit status 1"}, wantWrites: 1},
		{name: "no utility on a TTY: OSC 52 and printed", d: Delivery{Copy: true, TTY: true, ClearAfter: time.Minute}, writeErr: noUtility,
			want:       Result{MustPrint: true, OSC52: true, Warning: "could not copy the token to the clipboard: wrapped: no clipboard utility found (install xclip, xsel or wl-clipboard)"},
			wantWrites: 1, wantTerm: osc},
		{name: "no utility in tmux", d: Delivery{Copy: true, TTY: true, Tmux: true}, writeErr: ErrNoClipboardUtility,
			want:       Result{MustPrint: true, OSC52: true, Warning: "could not copy the token to the clipboard: no clipboard utility found (install xclip, xsel or wl-clipboard)"},
			wantWrites: 1, wantTerm: oscTmux},
		{name: "no display on a TTY: OSC 52 too", d: Delivery{Copy: true, TTY: true}, writeErr: ErrNoDisplay,
			want:       Result{MustPrint: true, OSC52: true, Warning: "could not copy the token to the clipboard: no display (DISPLAY is not set)"},
			wantWrites: 1, wantTerm: osc},
		{name: "no clipboard at all on a TTY", d: Delivery{Copy: true, TTY: true}, noCB: true,
			want:     Result{MustPrint: true, OSC52: true, Warning: "could not copy the token to the clipboard: no clipboard utility found (install xclip, xsel or wl-clipboard)"},
			wantTerm: osc},
		{name: "no utility piped: no OSC 52", d: Delivery{Copy: true}, writeErr: ErrNoClipboardUtility,
			want: Result{MustPrint: true, Warning: "could not copy the token to the clipboard: no clipboard utility found (install xclip, xsel or wl-clipboard)"}, wantWrites: 1},
		{name: "terminal write fails", d: Delivery{Copy: true, TTY: true}, writeErr: ErrNoClipboardUtility, termErr: errors.New("EIO"),
			want: Result{MustPrint: true, Warning: "could not copy the token to the clipboard: no clipboard utility found (install xclip, xsel or wl-clipboard)"}, wantWrites: 1},
		{name: "error quoting the secret is masked, one line", d: Delivery{Copy: true}, writeErr: errors.New("refused\n" + raw + "\tbecause"),
			want: Result{MustPrint: true, Warning: "could not copy the token to the clipboard: refused " + wantFP() + " because"}, wantWrites: 1},
		{name: "clearer error quoting the secret is masked", d: Delivery{Copy: true, ClearAfter: time.Second}, startErr: errors.New("bad " + raw),
			want: Result{Copied: true, Warning: "the clipboard will not be cleared: bad " + wantFP()}, wantWrites: 1, wantStarts: []string{raw + " 1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			if !tt.zero {
				d.Secret = New(raw)
			}
			cb := &fakeClipboard{writeErr: tt.writeErr}
			if !tt.noCB {
				d.Clipboard = cb
			}
			term := &countingWriter{err: tt.termErr}
			if d.TTY {
				d.Terminal = term
			}
			st := &starter{err: tt.startErr}
			if !tt.noStarter {
				d.StartClearer = st.start
			}

			got := d.Run()

			if got != tt.want {
				t.Errorf("Run() = %+v\nwant    %+v", got, tt.want)
			}
			if len(cb.writes) != tt.wantWrites || (tt.wantWrites == 1 && cb.writes[0] != raw) {
				t.Errorf("clipboard writes %q, want %d of the secret", cb.writes, tt.wantWrites)
			}
			if !slices.Equal(st.calls, tt.wantStarts) {
				t.Errorf("clearer starts %q, want %q", st.calls, tt.wantStarts)
			}
			if string(term.data) != tt.wantTerm {
				t.Errorf("terminal got %q, want %q", term.data, tt.wantTerm)
			}
			if leaks(got.Warning) {
				t.Errorf("warning reveals the secret: %q", got.Warning)
			}
		})
	}
}

// TestDeliveryOSC52NeedsTerminal: a TTY flag without a terminal writer, or a
// writer without the TTY flag, never gets OSC 52.
func TestDeliveryOSC52NeedsTerminal(t *testing.T) {
	for _, d := range []Delivery{
		{Copy: true, TTY: true, Terminal: nil},
		{Copy: true, TTY: false, Terminal: &bytes.Buffer{}},
	} {
		d.Secret = New(raw)
		d.Clipboard = &fakeClipboard{writeErr: ErrNoClipboardUtility}
		res := d.Run()
		if res.OSC52 || !res.MustPrint {
			t.Errorf("TTY=%v Terminal=%v: %+v", d.TTY, d.Terminal != nil, res)
		}
		if w, ok := d.Terminal.(*bytes.Buffer); ok && w.Len() != 0 {
			t.Errorf("wrote %q to a non-TTY", w)
		}
	}
}
