// Package version is `replex version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
)

// NewCmdVersion builds `replex version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the version, commit and build date",
		Example: `  replex version
  replex version -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutputFlag(&format, output.JSON, output.YAML); err != nil {
				return err
			}
			if ok, err := output.WriteDoc(f.IOStreams.Out, format, f.Build); ok {
				return err
			}
			_, err := fmt.Fprint(f.IOStreams.Out, Line(f))
			return err
		},
	}
	cmdutil.AddOutputFlag(cmd, &format, output.JSON, output.YAML)
	return cmd
}

// Line is the one-line version, shared with --version.
func Line(f *cmdutil.Factory) string {
	return fmt.Sprintf("replex %s (commit %s, built %s, %s)\n", f.Build.Version, f.Build.Commit, f.Build.Date, f.Build.Go)
}
