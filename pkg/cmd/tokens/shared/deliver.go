package shared

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/clipboard"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/secret"
)

// DefaultClearAfter is how long a copied secret stays on the clipboard.
const DefaultClearAfter = 45 * time.Second

// SecretFlags are the delivery flags of create and rotate.
type SecretFlags struct {
	Copy       bool
	NoCopy     bool
	ShowSecret bool
	SecretFile string
	ClearAfter time.Duration
	Format     string
	clearSet   bool
}

// AddSecretFlags registers the delivery flags.
func AddSecretFlags(cmd *cobra.Command, sf *SecretFlags) {
	fl := cmd.Flags()
	fl.BoolVar(&sf.Copy, "copy", false, "copy the secret to the clipboard (default on a terminal)")
	fl.BoolVar(&sf.NoCopy, "no-copy", false, "do not copy the secret to the clipboard")
	fl.BoolVar(&sf.ShowSecret, "show-secret", false, "show the secret in the terminal panel")
	fl.StringVar(&sf.SecretFile, "secret-file", "", "write the secret to this new file (mode 0600, never overwritten) instead of stdout")
	_ = cmd.MarkFlagFilename("secret-file") // completes file names
	fl.DurationVar(&sf.ClearAfter, "clear-after", DefaultClearAfter, "clear the clipboard after this long if it still holds the secret (0 = never)")
	cmdutil.AddOutputFlag(cmd, &sf.Format, output.JSON, output.YAML)
}

// Check validates the delivery flags before any request. It refuses a
// --secret-file that exists or cannot be created, so that no token is made
// whose secret has nowhere to go.
func (sf *SecretFlags) Check(cmd *cobra.Command) error {
	sf.clearSet = cmd.Flags().Changed("clear-after")
	if sf.Copy && sf.NoCopy {
		return cmdutil.Usagef("--copy and --no-copy cannot be used together")
	}
	if sf.ClearAfter < 0 {
		return cmdutil.Usagef("invalid --clear-after %s: use a positive duration such as 45s, or 0 to never clear", sf.ClearAfter)
	}
	if err := cmdutil.CheckOutputFlag(&sf.Format, output.JSON, output.YAML); err != nil {
		return err
	}
	if sf.SecretFile != "" {
		if _, err := os.Lstat(sf.SecretFile); err == nil {
			return cmdutil.Usagef("--secret-file %s already exists: choose a new path (replex never overwrites a file)", sf.SecretFile)
		}
		dir := filepath.Dir(sf.SecretFile)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return cmdutil.Usagef("--secret-file %s: directory %s does not exist", sf.SecretFile, dir)
		}
	}
	return nil
}

// createdDoc is the -o json/yaml document of a created token: the token and,
// unless it went to a file, its secret.
type createdDoc struct {
	api.Token
	Secret     *string `json:"token,omitempty"`
	SecretFile string  `json:"secretFile,omitempty"`
}

// Deliver hands a new secret to the user exactly once, by the rules of
// docs/tokens.md: to a file, in JSON, in a panel with one clipboard write
// on a terminal, or alone on stdout when piped. It never loses the secret:
// whatever fails, the secret is printed instead.
func Deliver(f *cmdutil.Factory, sf *SecretFlags, title string, created api.CreatedToken) error {
	ios := f.IOStreams
	tok, sec := created.Token, created.Secret
	if sec.IsZero() {
		return fmt.Errorf("the server created token %s but sent no secret; delete it with 'replex tokens delete %s'", tok.ID, tok.ID)
	}
	summary := fmt.Sprintf("%s: %q (%s) with %s; %s.", title, output.Sanitize(tok.Name), tok.ID, GrantList(tok.Permissions), expiresPhrase(tok))

	if sf.SecretFile != "" {
		if err := secret.WriteFile(sf.SecretFile, sec); err != nil {
			// The token exists and its secret is only in memory: print it.
			fmt.Fprintf(ios.ErrOut, "warning: %s; the secret is printed on stdout instead\n", oneLine(err))
			fmt.Fprintln(ios.Out, sec.Reveal())
			return nil
		}
		switch {
		case sf.Format == output.JSON:
			return output.WriteJSON(ios.Out, createdDoc{Token: tok, SecretFile: sf.SecretFile})
		case sf.Format == output.YAML:
			return output.WriteYAML(ios.Out, createdDoc{Token: tok, SecretFile: sf.SecretFile})
		case ios.IsStdoutTTY():
			return Panel{Title: title, Token: tok, Secret: sec, SecretFile: sf.SecretFile, Now: f.Now()}.Render(ios.Out, ios.ColorEnabled())
		}
		fmt.Fprintf(ios.ErrOut, "%s Secret written to %s.\n", summary, output.Sanitize(sf.SecretFile))
		return nil
	}

	if sf.Format != "" {
		if sf.Copy {
			copyTo(f, sf, sec, false)
		}
		raw := sec.Reveal()
		doc := createdDoc{Token: tok, Secret: &raw}
		if sf.Format == output.YAML {
			return output.WriteYAML(ios.Out, doc)
		}
		return output.WriteJSON(ios.Out, doc)
	}

	if ios.IsStdoutTTY() {
		res := copyTo(f, sf, sec, true)
		return Panel{
			Title: title, Token: tok, Secret: sec,
			Reveal: sf.ShowSecret || res.MustPrint,
			Copied: res.Copied, ClearAfter: res.ClearAfter, Now: f.Now(),
		}.Render(ios.Out, ios.ColorEnabled())
	}

	// Piped: the secret alone on stdout, so TOKEN=$(replex tokens create ...) works.
	fmt.Fprintln(ios.Out, sec.Reveal())
	if sf.Copy {
		copyTo(f, sf, sec, false)
	}
	fmt.Fprintln(ios.ErrOut, summary)
	return nil
}

// copyTo runs the clipboard delivery and prints its warning.
func copyTo(f *cmdutil.Factory, sf *SecretFlags, sec secret.Secret, tty bool) secret.Result {
	ios := f.IOStreams
	d := secret.Delivery{
		Secret:    sec,
		Copy:      sf.Copy || (tty && !sf.NoCopy),
		TTY:       tty,
		Clipboard: f.Clipboard(),
		Tmux:      f.Getenv("TMUX") != "",
	}
	if tty {
		d.Terminal = ios.Out
	}
	// Clear by default on a terminal; when piped only if asked for.
	if tty || sf.clearSet {
		d.ClearAfter = sf.ClearAfter
		d.StartClearer = clipboard.Starter(f)
	}
	res := d.Run()
	if res.Warning != "" {
		msg := res.Warning
		if res.MustPrint && tty {
			msg += "; the secret is shown below instead"
		}
		if res.OSC52 {
			msg += " (also sent to your terminal's clipboard by OSC 52, which it may ignore)"
		}
		fmt.Fprintln(ios.ErrOut, "warning: "+msg)
	}
	return res
}

func expiresPhrase(t api.Token) string {
	if t.ExpiresAt == nil {
		return "never expires"
	}
	return "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
