package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/tokens/delivery"
	"github.com/replexio/replex/pkg/cmdutil"
)

// EnvVar is one environment variable replex reads.
type EnvVar struct {
	Name  string
	Usage string
}

// Environment lists every environment variable replex reads, in the order
// `replex help environment` shows them. A test scans the source for
// variables read and fails when one is missing here.
func Environment() []EnvVar {
	return []EnvVar{
		{"REPLEX_API_TOKEN", "API token to authenticate with; takes precedence over a token stored by 'replex auth login'"},
		{"REPLEX_BASE_URL", "API base URL, as --base-url (default https://replex.replex.io)"},
		{"REPLEX_ORG", "organization id, as --org"},
		{"REPLEX_PROFILE", "config profile to use, as --profile"},
		{"REPLEX_CONFIG_DIR", "directory of config.yaml (default $XDG_CONFIG_HOME/replex, else ~/.config/replex)"},
		{"XDG_CONFIG_HOME", "base of the default config directory when REPLEX_CONFIG_DIR is not set"},
		{"HOME", "home directory: the config directory is ~/.config/replex when neither of the above is set"},
		{"REPLEX_DEBUG", "1 or true: log every request and response to stderr with secrets masked, as --debug"},
		{"REPLEX_NO_INPUT", "1 or true: never prompt, as --no-input; a command that would ask fails and names the flag to pass"},
		{"REPLEX_NO_EXPIRY_WARNING", "1 or true: do not warn that the token replex uses expires soon"},
		{"REPLEX_FORCE_TTY", "treat stdout and stderr as terminals (styled output, no raw secret on stdout); a number above 1 also sets the width"},
		{"NO_COLOR", "any value: no colour (https://no-color.org); wins over CLICOLOR_FORCE"},
		{"CLICOLOR_FORCE", "any value but 0: colour even when stdout is not a terminal"},
		{"TERM", "dumb: no colour, and the interactive form of 'tokens create' asks line by line"},
		{"TMUX", "set inside tmux: the OSC 52 clipboard sequence is wrapped for tmux's passthrough"},
		{"DISPLAY", "X display the clipboard utility (xclip, xsel) talks to; unset means no clipboard, so the secret is shown"},
		{"WAYLAND_DISPLAY", "Wayland display for wl-clipboard"},
		{"DBUS_SESSION_BUS_ADDRESS", "Linux/BSD: the D-Bus session bus of the keyring (Secret Service); unset means no keyring, and replex never starts a bus"},
	}
}

// SecretCommandEnvironment lists the variables replex sets, not reads, for
// a --secret-command.
func SecretCommandEnvironment() []EnvVar {
	return []EnvVar{
		{delivery.EnvTokenName, "the new token's name"},
		{delivery.EnvTokenID, "the new token's id"},
		{delivery.EnvTokenExpiresAt, "the new token's expiry, RFC 3339 UTC; empty when it never expires"},
	}
}

// newCmdEnvironment is the help topic `replex help environment`: a command
// without Run, which cobra lists under "Additional help topics".
func newCmdEnvironment() *cobra.Command {
	var b strings.Builder
	b.WriteString(`Environment variables replex reads. Flags win over the environment, which wins
over the config file (see 'replex help config').

`)
	for _, v := range Environment() {
		fmt.Fprintf(&b, "%s\n    %s\n", v.Name, wrap(v.Usage, 72, "    "))
	}
	b.WriteString(`
Set by replex for a --secret-command (tokens create, tokens rotate), which
gets the rest of the environment without REPLEX_API_TOKEN:

`)
	for _, v := range SecretCommandEnvironment() {
		fmt.Fprintf(&b, "%s\n    %s\n", v.Name, wrap(v.Usage, 72, "    "))
	}
	return &cobra.Command{
		Use:   "environment",
		Short: "Environment variables that replex reads",
		Long:  strings.TrimRight(b.String(), "\n"),
		Example: `  REPLEX_PROFILE=staging replex tokens list
  NO_COLOR=1 replex tokens get ci
  REPLEX_NO_INPUT=1 replex tokens create ci --grant cluster:read`,
	}
}

// wrap breaks s into lines of at most width runes, the later ones indented.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteString("\n" + indent)
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// newCmdHelp replaces cobra's help command with one that has an example and
// turns an unknown topic into a usage error.
func newCmdHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command|topic]",
		Short: "Help about any command or topic",
		Long: `Help provides help for any command or topic in replex.
Simply type replex help [path to command] for full details.`,
		Example: `  replex help tokens create
  replex help environment`,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			if cmd == nil {
				cmd = c.Root()
			}
			var out []string
			for _, sub := range cmd.Commands() {
				if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, sub.Name()+"\t"+sub.Short)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if cmd == nil || err != nil || len(rest) > 0 {
				return cmdutil.Usagef("unknown help topic %q; see 'replex --help'", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}
