package secret

import (
	"errors"
	"testing"
)

type countingWriter struct {
	writes int
	data   []byte
	err    error
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.err != nil {
		return 0, w.err
	}
	w.data = append(w.data, p...)
	return len(p), nil
}

func TestWriteOSC52(t *testing.T) {
	for _, tt := range []struct {
		tmux bool
		want string
	}{
		{false, "\x1b]52;c;aGVsbG8=\a"},
		{true, "\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\a\x1b\\"},
	} {
		var w countingWriter
		if err := WriteOSC52(&w, "hello", tt.tmux); err != nil {
			t.Fatal(err)
		}
		if string(w.data) != tt.want || w.writes != 1 {
			t.Errorf("tmux=%v: %d writes of %q, want 1 of %q", tt.tmux, w.writes, w.data, tt.want)
		}
	}
}

func TestWriteOSC52Error(t *testing.T) {
	boom := errors.New("boom")
	if err := WriteOSC52(&countingWriter{err: boom}, "x", false); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}
