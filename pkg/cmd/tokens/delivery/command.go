package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/expiry"
)

// DefaultCommandTimeout is how long a --secret-command may take.
const DefaultCommandTimeout = 60 * time.Second

// Variables a secret command finds in its environment.
const (
	EnvTokenName      = "REPLEX_TOKEN_NAME"
	EnvTokenID        = "REPLEX_TOKEN_ID"
	EnvTokenExpiresAt = "REPLEX_TOKEN_EXPIRES_AT"
)

// credentialVariables are replex's own credentials, which a secret command
// never inherits: it receives the new token's secret, not replex's.
var credentialVariables = []string{config.EnvToken}

// command is a --secret-command destination: a shell command line that
// receives the secret on its standard input.
type command struct {
	line    string
	timeout time.Duration
	label   string // what the error line calls it
}

// OpenCommand prepares a destination that hands the secret to a shell
// command, as --secret-command does; it is the whole API a caller needs
// (tokens apply's "secret: command:"). When Deliver is called with the
// created token, the command line runs through the platform shell (sh -c,
// or cmd /C on Windows) with the secret alone on its standard input (no
// trailing newline), REPLEX_TOKEN_NAME, REPLEX_TOKEN_ID and
// REPLEX_TOKEN_EXPIRES_AT (RFC 3339 UTC, empty when it never expires) in
// its environment, and the user's environment without replex's own
// credential (REPLEX_API_TOKEN). Its stdout and stderr go to replex's
// stderr; it runs without a terminal, in a process group of its own that is
// killed after timeout (0: DefaultCommandTimeout). Delivery succeeds only if
// it exits 0 in time; otherwise Deliver revokes the token and returns an
// *Error whose one line names the token and the exit status ("--secret-command
// exited with status 1", "--secret-command timed out after 1m and was killed").
// Such a Target prints nothing itself (the caller reports, as for
// OpenIn), and Abandon has nothing to undo. An empty command line is a
// usage error. SetCommandLabel renames "--secret-command" in those lines
// for a command that came from elsewhere (a spec file).
func OpenCommand(f *cmdutil.Factory, line string, timeout time.Duration) (*Target, error) {
	if strings.TrimSpace(line) == "" {
		return nil, cmdutil.Usagef("--secret-command is empty: give the command that stores the secret, e.g. --secret-command 'vault kv put secret/replex token=-'")
	}
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	return &Target{f: f, flags: &Flags{}, cmd: &command{line: line, timeout: timeout, label: "--secret-command"}, bulk: true}, nil
}

// SetCommandLabel sets what a command target's failure line calls the
// command, e.g. "the secret command of spec.yaml:12"; other targets ignore it.
func (t *Target) SetCommandLabel(label string) {
	if t.cmd != nil && label != "" {
		t.cmd.label = label
	}
}

// run hands created's secret to the command and waits for it; the error is
// phrased to follow "because".
func (c *command) run(ctx context.Context, created api.CreatedToken, errOut io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := shellCommand(ctx, c.line)
	cmd.Env = commandEnv(os.Environ(), created.Token)
	// The secret goes in through a pipe only: never argv, never the
	// environment, where ps and /proc would show it.
	cmd.Stdin = strings.NewReader(created.Secret.Reveal())
	// The command's chatter is not data: it must never reach replex's
	// stdout, which belongs to -o json and to pipelines.
	cmd.Stdout, cmd.Stderr = errOut, errOut
	// A grandchild that keeps the output pipe open must not hold replex
	// past the timeout.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s timed out after %s and was killed", c.label, expiry.Compact(c.timeout))
	case ctx.Err() != nil:
		return fmt.Errorf("%s was interrupted", c.label)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s %s", c.label, exitPhrase(exit))
	}
	return fmt.Errorf("%s could not be run (%s)", c.label, oneLine(err))
}

// commandEnv is the user's environment without replex's credentials, plus
// what the command needs to know about the token. Tools such as kubectl,
// gh, vault and aws need their own configuration from the environment, so
// unlike the clipboard helpers (secret.HelperEnv) the rest is kept.
func commandEnv(environ []string, tok api.Token) []string {
	own := append([]string{EnvTokenName, EnvTokenID, EnvTokenExpiresAt}, credentialVariables...)
	env := make([]string, 0, len(environ)+3)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !dropVariable(name, own) {
			env = append(env, kv)
		}
	}
	expires := ""
	if tok.ExpiresAt != nil {
		expires = tok.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return append(env,
		EnvTokenName+"="+tok.Name,
		EnvTokenID+"="+tok.ID,
		EnvTokenExpiresAt+"="+expires)
}

func dropVariable(name string, drop []string) bool {
	for _, d := range drop {
		// Windows spells its names in any case.
		if name == d || (runtime.GOOS == "windows" && strings.EqualFold(name, d)) {
			return true
		}
	}
	return false
}
