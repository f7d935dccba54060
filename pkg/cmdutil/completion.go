package cmdutil

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// NoFileCompletion makes every flag of cmd and its subcommands that takes
// a value and has no completion of its own complete nothing, instead of
// cobra's default of file names: a duration, a name or a glob is not a
// file. A flag that does take a path says so, either with
// cmd.MarkFlagFilename or with `file`, `path` or `dir` as the value's name
// in its usage ("read the body from `file`"), and keeps file completion.
func NoFileCompletion(cmd *cobra.Command) {
	register := func(fl *pflag.Flag) {
		if fl.NoOptDefVal != "" || takesPath(fl) {
			return // a switch, or a path
		}
		if fn, _ := cmd.GetFlagCompletionFunc(fl.Name); fn != nil {
			return
		}
		_ = cmd.RegisterFlagCompletionFunc(fl.Name, cobra.NoFileCompletions)
	}
	cmd.Flags().VisitAll(register)
	cmd.PersistentFlags().VisitAll(register)
	for _, c := range cmd.Commands() {
		NoFileCompletion(c)
	}
}

func takesPath(fl *pflag.Flag) bool {
	if _, marked := fl.Annotations[cobra.BashCompFilenameExt]; marked {
		return true
	}
	if _, marked := fl.Annotations[cobra.BashCompSubdirsInDir]; marked {
		return true
	}
	switch name, _ := pflag.UnquoteUsage(fl); name {
	case "file", "path", "dir", "directory":
		return true
	}
	return false
}
