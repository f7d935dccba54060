package delivery

import (
	"os"
	"path/filepath"
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
	clearSet   bool
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
