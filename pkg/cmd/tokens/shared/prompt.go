package shared

import (
	"io"
	"strings"
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
