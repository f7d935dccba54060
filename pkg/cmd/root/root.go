// Package root assembles the command tree and is the one place that turns
// errors into exit codes.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	apicmd "github.com/replexio/replex/pkg/cmd/api"
	"github.com/replexio/replex/pkg/cmd/auth"
	"github.com/replexio/replex/pkg/cmd/clipboard"
	"github.com/replexio/replex/pkg/cmd/completion"
	configcmd "github.com/replexio/replex/pkg/cmd/config"
	"github.com/replexio/replex/pkg/cmd/config/keys"
	"github.com/replexio/replex/pkg/cmd/grants"
	"github.com/replexio/replex/pkg/cmd/orgs"
	"github.com/replexio/replex/pkg/cmd/sandbox"
	"github.com/replexio/replex/pkg/cmd/tokens"
	"github.com/replexio/replex/pkg/cmd/version"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/output"
)

// Main runs replex and returns the process exit code.
func Main() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := cmdutil.NewFactory(os.Getenv)
	// SIGINT and SIGTERM cancel ctx from the moment a command starts to
	// run; help, version and completion never pay for the signal thread.
	var stop func()
	f.WatchSignals = sync.OnceFunc(func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		done := make(chan struct{})
		stop = func() { signal.Stop(sig); close(done) }
		go func() {
			select {
			case <-sig:
				cancel()
			case <-done:
			}
		}()
	})
	code := Run(ctx, f, os.Args[1:])
	if stop != nil {
		stop()
	}
	return code
}

// Run executes args with f and reports the exit code; errors go to stderr.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-v") {
		// What cobra prints for the flag, without building the command
		// and executing the version template (a tenth of the start-up).
		fmt.Fprint(f.IOStreams.Out, version.Line(f))
		return cmdutil.ExitOK
	}
	cmd := newCmdRootFor(f, args)
	guardGroups(cmd)
	cmd.SetArgs(args)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintln(f.IOStreams.ErrOut, "replex: interrupted")
		return cmdutil.ExitInterrupted
	}
	var usage *cmdutil.UsageError
	if !errors.As(err, &usage) && strings.HasPrefix(err.Error(), "unknown command ") {
		// cobra's own error for an unknown subcommand of a group
		err = cmdutil.Usagef("%s; see 'replex --help'", firstLine(err.Error()))
	}
	var exitErr *cmdutil.ExitError
	if !errors.As(err, &exitErr) || !exitErr.Silent {
		fmt.Fprintln(f.IOStreams.ErrOut, "replex: "+output.Sanitize(cmdutil.Message(err)))
	}
	return cmdutil.ExitCode(err)
}

// guardGroups makes every command group below cmd refuse an unknown
// subcommand as a usage error. Left alone, cobra shows a group's help and
// exits 0 for `replex tokens lsit`, so a script's typo passes.
func guardGroups(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		if c.HasSubCommands() && c.Args == nil && !c.Runnable() {
			c.Args = unknownSubcommand
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		}
		guardGroups(c)
	}
}

// unknownSubcommand is the Args of the root and of every group: no
// argument shows the help; a word that names no subcommand is a usage error
// with cobra's suggestions, and at the root also the commands of that name
// one level down ('replex login' -> 'replex auth login').
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	word := args[0]
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // what cobra uses for its own suggestions
	}
	var suggestions []string
	for _, s := range cmd.SuggestionsFor(word) {
		suggestions = append(suggestions, "'"+cmd.CommandPath()+" "+s+"'")
	}
	if !cmd.HasParent() {
		for _, group := range cmd.Commands() {
			if !group.IsAvailableCommand() {
				continue
			}
			for _, sub := range group.Commands() {
				if sub.IsAvailableCommand() && (sub.Name() == word || slices.Contains(sub.Aliases, word)) {
					suggestions = append(suggestions, "'"+sub.CommandPath()+"'")
				}
			}
		}
	}
	msg := fmt.Sprintf("unknown command %q for %q", word, cmd.CommandPath())
	if len(suggestions) == 0 {
		return cmdutil.Usagef("%s; see '%s --help'", msg, cmd.CommandPath())
	}
	if len(suggestions) > 1 {
		last := len(suggestions) - 1
		suggestions = []string{strings.Join(suggestions[:last], ", ") + " or " + suggestions[last]}
	}
	return cmdutil.Usagef("%s; did you mean %s?", msg, suggestions[0])
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// NewCmdRoot builds the whole command tree. Building it does no I/O.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := newRoot(f)
	addAll(f, cmd)
	guardGroups(cmd)
	return cmd
}

// addAll adds every top-level command, help topic and the help command.
func addAll(f *cmdutil.Factory, cmd *cobra.Command) {
	for _, c := range subcommands {
		cmd.AddCommand(c.build(f))
	}
	cmd.AddCommand(completion.NewCmdCompletion(f))
	cmd.AddCommand(newCmdEnvironment())
	cmd.AddCommand(newCmdExitCodes())
	cmd.AddCommand(newCmdFormatting())
	cmd.SetHelpCommand(newCmdHelp())
	// Built now, not lazily at Execute, so that the docs generator and the
	// tests that walk the tree see the same commands as a user.
	cmd.InitDefaultHelpCmd()
	// After every flag exists: shell completion (__complete) builds the
	// whole tree, through here.
	cmdutil.NoFileCompletion(cmd)
}

// subcommand is a top-level command known by its names before it is built.
type subcommand struct {
	names []string
	build func(*cmdutil.Factory) *cobra.Command
}

// subcommands are the top-level commands a command line can name directly.
// help, completion and the help topics are not here: they need the
// whole tree. A test checks the names against the built commands.
var subcommands = []subcommand{
	{[]string{"version"}, version.NewCmdVersion},
	{[]string{"auth"}, auth.NewCmdAuth},
	{[]string{"orgs", "org"}, orgs.NewCmdOrgs},
	{[]string{"sandbox"}, sandbox.NewCmdSandbox},
	{[]string{"tokens", "token"}, tokens.NewCmdTokens},
	{[]string{"grants"}, grants.NewCmdGrants},
	{[]string{"__clear-clipboard"}, clipboard.NewCmdClearClipboard},
	{[]string{"api"}, func(f *cmdutil.Factory) *cobra.Command { return apicmd.NewCmdAPI(f, nil) }},
	{[]string{"config"}, configcmd.NewCmdConfig},
}

// newCmdRootFor builds only as much of the tree as args need: the root and
// the one top-level command they name, or the root alone for --version.
// Anything else (help, completion, an unknown word, no command) gets the
// whole tree, so help, suggestions and errors are the same as ever. A run
// builds one command group, not every command and its help text.
func newCmdRootFor(f *cmdutil.Factory, args []string) *cobra.Command {
	cmd := newRoot(f)
	word, version := commandWord(cmd.PersistentFlags(), args)
	if word == "" {
		if !version || slices.Contains(args, "--help") || slices.Contains(args, "-h") {
			addAll(f, cmd)
		}
		return cmd
	}
	for _, c := range subcommands {
		if slices.Contains(c.names, word) {
			cmd.AddCommand(c.build(f))
			return cmd
		}
	}
	addAll(f, cmd)
	return cmd
}

// commandWord finds the first argument that is not a root flag or its
// value, and whether --version came before it. Whether a flag takes the
// next argument as its value is read from the flag set itself.
func commandWord(flags *pflag.FlagSet, args []string) (word string, version bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", version
		case a == "--version":
			version = true
		case strings.HasPrefix(a, "--"):
			if name, _, hasValue := strings.Cut(a[2:], "="); !hasValue {
				if fl := flags.Lookup(name); fl != nil && fl.NoOptDefVal == "" {
					i++
				}
			}
		case strings.HasPrefix(a, "-"):
		default:
			return a, version
		}
	}
	return "", version
}

// newRoot is the root command alone: its flags, version and checks.
func newRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "replex <command> <subcommand> [flags]",
		Short: "Administer the Replex API: tokens with granular access controls",
		Long: `replex manages Replex API tokens from the terminal and from scripts: create
them with exactly the permissions they need, list, inspect, edit, rotate and
delete them, and receive each once-only secret safely.

Try it without an account against the built-in sandbox:
  replex sandbox start --ephemeral --listen 127.0.0.1:0 >sandbox.env 2>sandbox.log &
  sleep 1; . ./sandbox.env
  replex tokens create ci --grant cluster:read`,
		Example: `  replex auth login --org org_123
  replex tokens create ci --grant cluster:read --expires 90d
  replex tokens list
  replex tokens delete ci --yes`,
		Version:       f.Build.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          unknownSubcommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.SetVersionTemplate(version.Line(f))
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)

	pf := cmd.PersistentFlags()
	// The connection flags have no variable of their own: config.Resolve
	// binds them, with the environment and the file, in one precedence.
	f.Flags.Persistent = pf
	pf.String(config.FlagProfile, "", "config profile to use (env REPLEX_PROFILE)")
	pf.String(config.FlagBaseURL, "", "API base URL, e.g. https://replex.replex.io; a trailing /api/v1 is dropped (env REPLEX_BASE_URL)")
	pf.String(config.FlagOrg, "", "organization id (env REPLEX_ORG)")
	pf.BoolVar(&f.Flags.Debug, "debug", false, "log every request and response to stderr, secrets masked (env REPLEX_DEBUG=1)")
	pf.Var(expiry.NewDurationFlag(&f.Flags.Timeout, 30*time.Second, false), "timeout", "timeout of each API request")
	pf.BoolVar(&f.Flags.AllowInsecureHTTP, "allow-insecure-http", false, "allow a plain http:// base URL that is not loopback")
	pf.BoolVar(&f.Flags.NoInput, "no-input", false, "never prompt; fail instead (env REPLEX_NO_INPUT=1)")
	_ = cmd.RegisterFlagCompletionFunc("profile", keys.CompleteProfiles(f))

	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if f.WatchSignals != nil {
			f.WatchSignals()
		}
		if f.Flags.NoInput {
			f.IOStreams.SetNoInput(true)
		}
		return nil
	}

	return cmd
}
