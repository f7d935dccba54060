//go:build !unix && !windows

package delivery

import (
	"context"
	"fmt"
	"os/exec"
)

func shellCommand(ctx context.Context, line string) *exec.Cmd {
	return exec.CommandContext(ctx, "sh", "-c", line)
}

func exitPhrase(e *exec.ExitError) string {
	return fmt.Sprintf("exited with status %d", e.ExitCode())
}
