package shared

import (
	"fmt"
	"io"
	"strings"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
)

// ReadLine reads one answer from a terminal.
func ReadLine(in io.Reader) (string, error) {
	// One byte at a time: a buffered reader would swallow later answers.
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := in.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// Confirm asks question on a terminal and accepts only y or yes (default
// no). Without a terminal, or with prompting off, it refuses: verb names the
// action in the errors ("rotate", "delete 3 tokens"), hint is the way out.
func Confirm(ios *iostreams.IOStreams, question, verb, hint string) error {
	if !ios.CanPrompt() {
		reason := "no terminal to ask on"
		if ios.NoInput() {
			reason = "prompting is off"
		}
		return cmdutil.Usagef("refusing to %s without confirmation (%s): %s", verb, reason, hint)
	}
	fmt.Fprint(ios.ErrOut, question+" [y/N] ")
	line, err := ReadLine(ios.In)
	if err != nil {
		return err
	}
	if a := strings.ToLower(line); a != "y" && a != "yes" {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("did not %s: not confirmed", verb)}
	}
	return nil
}
