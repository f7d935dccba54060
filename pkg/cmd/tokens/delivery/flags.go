package delivery

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/output"
)

// DefaultClearAfter is how long a copied secret stays on the clipboard.
const DefaultClearAfter = 45 * time.Second

// Flags are the delivery flags of create and rotate.
type Flags struct {
	Copy       bool
	NoCopy     bool
	ShowSecret bool
	SecretFile string
	ClearAfter time.Duration
	Format     string
	// SecretCommand, when set, is the only destination: a shell command
	// line that receives the secret on its standard input (command.go).
	SecretCommand        string
	SecretCommandTimeout time.Duration
	clearSet             bool
}

// AddFlags registers the delivery flags.
func AddFlags(cmd *cobra.Command, fl *Flags) {
	fs := cmd.Flags()
	fs.BoolVar(&fl.Copy, "copy", false, "copy the secret to the clipboard (default on a terminal)")
	fs.BoolVar(&fl.NoCopy, "no-copy", false, "do not copy the secret to the clipboard")
	fs.BoolVar(&fl.ShowSecret, "show-secret", false, "show the secret in the terminal panel")
	fs.StringVar(&fl.SecretFile, "secret-file", "", "write the secret to this new file (mode 0600, never overwritten) instead of stdout")
	_ = cmd.MarkFlagFilename("secret-file") // completes file names
	fs.Var(expiry.NewDurationFlag(&fl.ClearAfter, DefaultClearAfter, true), "clear-after", "clear the clipboard after this long if it still holds the secret (0 = never)")
	fs.StringVar(&fl.SecretCommand, "secret-command", "", "run this shell command with the secret on its standard input, instead of printing it")
	fs.Var(expiry.NewDurationFlag(&fl.SecretCommandTimeout, DefaultCommandTimeout, false), "secret-command-timeout", "kill --secret-command and revoke the token if it has not exited 0 within this long")
	cmdutil.AddOutputFlag(cmd, &fl.Format, output.JSON, output.YAML)
}

// Check validates the delivery flags before any request. A --secret-file
// that exists, or whose directory does not, is refused here with the
// clearest message; Open, just before the request, is the real guard.
func (fl *Flags) Check(cmd *cobra.Command) error {
	fl.clearSet = cmd.Flags().Changed("clear-after")
	if fl.Copy && fl.NoCopy {
		return cmdutil.Usagef("--copy and --no-copy cannot be used together")
	}
	if err := cmdutil.CheckOutputFlag(&fl.Format, output.JSON, output.YAML); err != nil {
		return err
	}
	if err := fl.checkCommand(cmd); err != nil {
		return err
	}
	if fl.SecretFile != "" {
		if _, err := os.Lstat(fl.SecretFile); err == nil {
			return existsUsage(fl.SecretFile)
		}
		dir := filepath.Dir(fl.SecretFile)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return cmdutil.Usagef("--secret-file %s: directory %s does not exist", fl.SecretFile, dir)
		}
	}
	return nil
}

func existsUsage(path string) error {
	return cmdutil.Usagef("--secret-file %s already exists: choose a new path (replex never overwrites a file)", path)
}

// checkCommand refuses what cannot go with --secret-command: the command is
// the one place the secret goes, so no second copy (file, clipboard, panel).
// -o json|yaml still prints the token, without its secret.
func (fl *Flags) checkCommand(cmd *cobra.Command) error {
	changed := cmd.Flags().Changed
	if !changed("secret-command") {
		if changed("secret-command-timeout") {
			return cmdutil.Usagef("--secret-command-timeout needs --secret-command")
		}
		return nil
	}
	if strings.TrimSpace(fl.SecretCommand) == "" {
		return cmdutil.Usagef("--secret-command is empty: give the command that stores the secret, e.g. --secret-command 'vault kv put secret/replex token=-'")
	}
	for _, name := range []string{"secret-file", "secret-dir", "copy", "show-secret", "clear-after"} {
		if cmd.Flags().Lookup(name) != nil && changed(name) {
			return cmdutil.Usagef("--secret-command and --%s cannot be used together: the secret goes to the command only", name)
		}
	}
	return nil
}
