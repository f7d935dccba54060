// Package iostreams decides once how replex talks to the terminal: whether
// stdin/stdout/stderr are terminals, whether colour is on, how wide the
// screen is and whether prompting is allowed.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams carries the three standard streams and what was decided about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	// stdoutNull: stdout is the null device (`>/dev/null`, or closed).
	stdoutNull bool
	color      bool
	width      int
	noInput    bool
	// terminal is where OSC 52 and password prompts go when stdout is a TTY.
	inFd int
}

// Env is the subset of the environment iostreams reads; tests pass their own.
type Env func(string) string

// System builds IOStreams for the real process streams.
func System(getenv Env) *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, inFd: int(os.Stdin.Fd())}
	s.stdoutNull = isNullDevice(os.Stdout)
	s.stdinTTY = term.IsTerminal(int(os.Stdin.Fd()))
	s.stdoutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.stderrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if force := getenv("REPLEX_FORCE_TTY"); force != "" && force != "0" {
		// For tests and for pagers that are really terminals: pretend stdout and
		// stderr are terminals, optionally with a fixed width.
		s.stdoutTTY, s.stderrTTY = true, true
		if n, err := strconv.Atoi(force); err == nil && n > 1 {
			s.width = n
		}
	}
	if s.width == 0 {
		s.width = 80
		if s.stdoutTTY {
			if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
				s.width = w
			}
		}
	}
	s.color = decideColor(s.stdoutTTY, getenv)
	s.noInput = truthy(getenv("REPLEX_NO_INPUT"))
	return s
}

// decideColor follows the NO_COLOR, CLICOLOR_FORCE and TERM=dumb conventions.
func decideColor(tty bool, getenv Env) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if getenv("TERM") == "dumb" {
		return false
	}
	return tty
}

// isNullDevice reports whether f is the null device. Go's runtime opens
// /dev/null in place of a standard descriptor the process was started
// without, so a closed stdout (`>&-`) is one too.
func isNullDevice(f *os.File) bool {
	got, err := f.Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(got, null)
}

func truthy(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

// Test returns IOStreams over buffers, not terminals, for unit tests.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, width: 80, inFd: -1}, in, out, errOut
}

func (s *IOStreams) IsStdinTTY() bool   { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool  { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool  { return s.stderrTTY }
func (s *IOStreams) ColorEnabled() bool { return s.color }

// IsStdoutNull reports whether what is written to stdout goes nowhere: it
// is the null device, or was closed when replex started.
func (s *IOStreams) IsStdoutNull() bool { return s.stdoutNull }
func (s *IOStreams) TerminalWidth() int { return s.width }

// SetStdinTTY, SetStdoutTTY, SetStderrTTY, SetColorEnabled and
// SetTerminalWidth are for tests.
func (s *IOStreams) SetStdinTTY(v bool)     { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool)    { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool)    { s.stderrTTY = v }
func (s *IOStreams) SetStdoutNull(v bool)   { s.stdoutNull = v }
func (s *IOStreams) SetColorEnabled(v bool) { s.color = v }
func (s *IOStreams) SetNoInput(v bool)      { s.noInput = v }
func (s *IOStreams) SetTerminalWidth(n int) { s.width = n }

// CanPrompt reports whether replex may ask the user something: both stdin and
// stdout must be terminals and --no-input must not be set.
func (s *IOStreams) CanPrompt() bool {
	return s.stdinTTY && s.stdoutTTY && !s.noInput
}

// NoInput reports whether prompting was switched off by flag or environment.
func (s *IOStreams) NoInput() bool { return s.noInput }

// ReadPassword reads a line from the terminal without echo.
func (s *IOStreams) ReadPassword() (string, error) {
	b, err := term.ReadPassword(s.inFd)
	return string(b), err
}
