package cmdutil

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/replexio/replex/pkg/expiry"

	"github.com/replexio/replex/pkg/output"
)

// AddOutputFlag adds -o/--output with the given formats and their
// completion; "table", the default layout, is offered first.
func AddOutputFlag(cmd *cobra.Command, target *string, formats ...string) {
	all := append([]string{output.TableFormat}, formats...)
	cmd.Flags().StringVarP(target, "output", "o", "", "output format: "+strings.Join(all, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return all, cobra.ShellCompDirectiveNoFileComp
	})
}

// CheckOutputFlag validates -o as a usage error. Case does not matter (-o
// JSON), as in kubectl. "table" names the default layout and is turned into
// it, so commands only ever see "" for it.
func CheckOutputFlag(format *string, formats ...string) error {
	*format = strings.ToLower(*format)
	if err := output.ValidateFormat(*format, formats...); err != nil {
		return &UsageError{Err: err}
	}
	if *format == output.TableFormat {
		*format = output.Default
	}
	return nil
}

// ExactArgs is cobra.ExactArgs with a usage error that names the argument.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == n {
			return nil
		}
		if len(args) < n {
			return Usagef("missing %s: see '%s --help'", what, cmd.CommandPath())
		}
		return Usagef("too many arguments (%q): %s takes %s", strings.Join(args[n:], " "), cmd.CommandPath(), what)
	}
}

// NoArgs rejects positional arguments with a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("unexpected argument %q: %s takes no arguments", args[0], cmd.CommandPath())
	}
	return nil
}

// MinArgs requires at least n arguments.
func MinArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return Usagef("missing %s: see '%s --help'", what, cmd.CommandPath())
		}
		return nil
	}
}

// FlagErrorFunc turns cobra's flag parsing errors into usage errors. A bad
// duration reads the same for every duration flag: the flag, then what
// expiry.ParseDuration says is wrong and how to write one.
func FlagErrorFunc(cmd *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		if _, ok := invalid.GetFlag().Value.(*expiry.DurationFlag); ok {
			return Usagef("--%s: %v", invalid.GetFlag().Name, errors.Unwrap(invalid))
		}
	}
	return Usagef("%s (see '%s --help')", err.Error(), cmd.CommandPath())
}
