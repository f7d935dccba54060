//go:build unix

package delivery

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// shellCommand runs line through sh in a session of its own: it has no
// controlling terminal, so a tool that would ask a question (ssh's password
// or host-key prompt) fails at once instead of waiting for the timeout, and
// on timeout the whole process group is killed, not only the shell.
func shellCommand(ctx context.Context, line string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, shell(), "-c", line)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	return cmd
}

// shell is /bin/sh, as system(3) uses, not whichever sh comes first in
// PATH; where there is none (Termux), sh from PATH.
func shell() string {
	if _, err := os.Stat("/bin/sh"); err == nil {
		return "/bin/sh"
	}
	return "sh"
}

// exitPhrase says how the command ended, to follow "--secret-command".
func exitPhrase(e *exec.ExitError) string {
	if ws, ok := e.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("was killed by signal %d (%s)", int(ws.Signal()), ws.Signal())
	}
	return fmt.Sprintf("exited with status %d", e.ExitCode())
}
