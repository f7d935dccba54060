package secret

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// maxSecretBytes bounds what the clearer reads from its stdin.
const maxSecretBytes = 64 << 10

// SpawnClearer starts the clipboard clearer and returns without waiting for
// it: it runs `exe args... DELAY`, DELAY being delay as a Go duration (e.g.
// "45s") for the helper to hand to RunClearer. The helper is detached (its own
// session on Unix, so closing the terminal does not kill it), its stdout and
// stderr are the null device, and it gets the raw secret through a pipe on its
// stdin: the secret is never in its argv or environment, where other users'
// ps or /proc could see it. Its environment is HelperEnv: not the API token
// nor any other REPLEX_* variable.
func SpawnClearer(exe string, args []string, s Secret, delay time.Duration) error {
	if s.IsZero() {
		return errors.New("no secret to clear")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("start clipboard clearer: %w", err)
	}
	cmd := exec.Command(exe, append(append([]string(nil), args...), delay.String())...)
	// It lives on after replex: it gets no credential, only what it needs
	// to reach the clipboard.
	cmd.Env = HelperEnv(os.Environ())
	cmd.Stdin = r // an *os.File is handed over as is: no copying goroutine to outlive us
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("start clipboard clearer: %w", err)
	}
	r.Close()
	// Nobody waits for the helper: it must outlive this process.
	defer cmd.Process.Release()

	// A secret is far smaller than a pipe buffer, so this cannot block.
	_, err = io.WriteString(w, s.Reveal())
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("send secret to clipboard clearer: %w", err)
	}
	return nil
}

// RunClearer is the helper's side of SpawnClearer: it reads the secret from
// stdin until EOF, sleeps for delay, then empties the clipboard, but only if
// the clipboard still holds exactly that secret; if the user has copied
// something else since, it is left alone. sleep is time.Sleep outside tests.
func RunClearer(stdin io.Reader, cb Clipboard, delay time.Duration, sleep func(time.Duration)) error {
	raw, err := io.ReadAll(io.LimitReader(stdin, maxSecretBytes))
	if err != nil {
		return fmt.Errorf("read secret: %w", err)
	}
	if len(raw) == 0 {
		return errors.New("no secret on stdin: nothing to clear")
	}
	sleep(delay)
	current, err := cb.Read()
	if err != nil {
		return err
	}
	if current != string(raw) {
		return nil
	}
	return cb.Write("")
}
