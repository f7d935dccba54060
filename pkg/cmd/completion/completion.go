// Package completion is `replex completion`: shell completion scripts.
package completion

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdCompletion builds the command. It replaces cobra's default
// completion command so that it has examples and says where packages put
// the scripts.
func NewCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion <bash|zsh|fish|powershell>",
		Short: "Print the shell completion script",
		Long: `Print the completion script of a shell to standard output.

The deb and rpm packages install the scripts where each shell finds them
(bash: /usr/share/bash-completion/completions/replex, zsh:
/usr/share/zsh/vendor-completions/_replex, fish:
/usr/share/fish/vendor_completions.d/replex.fish); the archives carry them in
completions/. Completion asks replex itself for candidates: grant categories
and actions, token names and ids (from the API, quietly nothing when offline
or logged out), profile names from the config file.

Load it for the current shell:
  bash:        source <(replex completion bash)
  zsh:         source <(replex completion zsh)
  fish:        replex completion fish | source
  PowerShell:  replex completion powershell | Out-String | Invoke-Expression`,
		Example: `  replex completion bash > ~/.local/share/bash-completion/completions/replex
  replex completion zsh > "${fpath[1]}/_replex"
  replex completion fish > ~/.config/fish/completions/replex.fish
  replex completion powershell >> $PROFILE`,
		ValidArgs: Shells(),
		Args:      cmdutil.ExactArgs(1, "a shell: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return Write(cmd.Root(), args[0], f.IOStreams.Out)
		},
	}
	return cmd
}

// Write prints the completion script of shell for root.
func Write(root *cobra.Command, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	case "powershell":
		return root.GenPowerShellCompletionWithDesc(w)
	}
	return cmdutil.Usagef("unknown shell %q: use bash, zsh, fish or powershell", shell)
}

// Shells returns the shells Write supports.
func Shells() []string { return []string{"bash", "zsh", "fish", "powershell"} }
