//go:build windows

package delivery

import (
	"context"
	"fmt"
	"os/exec"
	"syscall"
)

// shellCommand runs line through cmd /C. cmd.exe does not parse its command
// line by the rules Go quotes arguments with, so the line is passed as is.
func shellCommand(ctx context.Context, line string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd /C ` + line}
	return cmd
}

// exitPhrase says how the command ended, to follow "--secret-command".
func exitPhrase(e *exec.ExitError) string {
	return fmt.Sprintf("exited with status %d", e.ExitCode())
}
