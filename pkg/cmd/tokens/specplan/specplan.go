// Package specplan is what `tokens diff` and `tokens apply` share: reading
// the spec file, planning against one listing of the organization, and
// printing the plan.
package specplan

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/tokenspec"
)

// Flags are the flags diff and apply share.
type Flags struct {
	File   string
	Rotate bool
	Prune  bool
	Format string
}

// AddFlags registers them.
func AddFlags(cmd *cobra.Command, fl *Flags) {
	f := cmd.Flags()
	f.StringVarP(&fl.File, "file", "f", "", "the spec file (YAML); - reads standard input")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	f.BoolVar(&fl.Rotate, "rotate", false, "rotate tokens whose rotateBefore has come (or whose lifetime ran out)")
	f.BoolVar(&fl.Prune, "prune", false, "delete live tokens the file does not name (never replex's own token, never retired twins)")
	cmdutil.AddOutputFlag(cmd, &fl.Format, output.JSON)
}

// Check validates the shared flags.
func (fl *Flags) Check() error {
	if fl.File == "" {
		return cmdutil.Usagef("missing --file FILE (-f -, for standard input): the spec of the tokens the organization should have")
	}
	return cmdutil.CheckOutputFlag(&fl.Format, output.JSON)
}

// Load reads and validates the spec: any problem is a usage error
// FILE:LINE: problem, before any request.
func Load(f *cmdutil.Factory, fl *Flags) (*tokenspec.Spec, error) {
	in := f.IOStreams.In
	if fl.File != "-" {
		file, err := os.Open(fl.File)
		if err != nil {
			return nil, cmdutil.Usagef("cannot read the spec file %s: %s", fl.File, strings.TrimPrefix(err.Error(), "open "+fl.File+": "))
		}
		defer file.Close()
		in = file
	}
	spec, err := tokenspec.Parse(in, fl.File, f.Now())
	if err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	return spec, nil
}

// Make lists the organization's tokens once and plans. Deleting or rotating
// replex's own token is held back: a prune must not lock replex out, and
// rotating its own credential is 'tokens rotate”s job, which stores the
// new one.
func Make(ctx context.Context, c *api.Client, f *cmdutil.Factory, spec *tokenspec.Spec, fl *Flags) (tokenspec.Plan, error) {
	all, err := c.ListTokens(ctx)
	if err != nil {
		return tokenspec.Plan{}, err
	}
	plan := tokenspec.MakePlan(spec, all, tokenspec.Options{Now: f.Now(), Rotate: fl.Rotate, Prune: fl.Prune})
	var risky []api.Token
	for _, ch := range plan.Changes {
		if ch.Action == tokenspec.Delete || ch.Action == tokenspec.Rotate {
			risky = append(risky, *ch.Token)
		}
	}
	if len(risky) == 0 {
		return plan, nil
	}
	self, err := shared.SelfIDs(ctx, c, risky)
	if err != nil {
		return plan, err
	}
	kept := plan.Changes[:0]
	for _, ch := range plan.Changes {
		if ch.Token == nil || !self[ch.Token.ID] || (ch.Action != tokenspec.Delete && ch.Action != tokenspec.Rotate) {
			kept = append(kept, ch)
			continue
		}
		if ch.Action == tokenspec.Delete {
			ch.Reason = "replex's own token: never pruned"
		} else {
			ch.Reason += fmt.Sprintf("; replex's own token: rotate it with 'replex tokens rotate %s', which stores the new credential", ch.ID)
		}
		plan.Held = append(plan.Held, ch)
	}
	plan.Changes = kept
	return plan, nil
}

// Doc is the -o json form of a plan.
type Doc struct {
	InSync  bool               `json:"inSync"`
	Changes []tokenspec.Change `json:"changes"`
	Held    []tokenspec.Change `json:"held"`
}

// Print writes the plan: a table of changes (styled on a terminal, tab
// separated when piped) on stdout, held items as notes on stderr; or the
// JSON document.
func Print(ios *iostreams.IOStreams, plan tokenspec.Plan, format string) error {
	if format == output.JSON {
		return output.WriteJSON(ios.Out, Doc{InSync: plan.InSync(), Changes: plan.Changes, Held: plan.Held})
	}
	PrintHeld(ios, plan)
	if plan.InSync() {
		return nil
	}
	return PrintTable(ios, ios.Out, ios.IsStdoutTTY(), plan)
}

// PrintTable writes the table of changes to w: styled when tty.
func PrintTable(ios *iostreams.IOStreams, w io.Writer, tty bool, plan tokenspec.Plan) error {
	tb := output.Table{Headers: []string{"ACTION", "NAME", "ID", "DETAIL"}, Width: ios.TerminalWidth(), Flex: []int{1, 3}}
	for _, ch := range plan.Changes {
		tb.Rows = append(tb.Rows, []string{ch.Action, ch.Name, dash(ch.ID), Detail(ch)})
		mark := output.MarkNone
		switch ch.Action {
		case tokenspec.Delete:
			mark = output.MarkDanger
		case tokenspec.Rotate:
			mark = output.MarkWarn
		}
		tb.Marks = append(tb.Marks, mark)
	}
	if tty {
		return tb.WriteStyled(w, ios.ColorEnabled(), false)
	}
	return tb.WritePlain(w, false, false)
}

// maxHeldNotes bounds the notes about tokens the file does not name: an
// organization of thousands must not bury the plan under them.
const maxHeldNotes = 10

// PrintHeld writes a note on stderr for each change the flags hold back;
// past maxHeldNotes unnamed tokens, one line counts the rest.
func PrintHeld(ios *iostreams.IOStreams, plan tokenspec.Plan) {
	unnamed := 0
	for _, h := range plan.Held {
		if h.Action == tokenspec.Delete && h.Token != nil && !strings.HasPrefix(h.Reason, "replex's own") {
			unnamed++
			if unnamed > maxHeldNotes {
				continue
			}
		}
		fmt.Fprintf(ios.ErrOut, "note: %s %q%s: %s\n", heldVerb(h.Action), output.Sanitize(h.Name), idPart(h.ID), output.Sanitize(h.Reason))
	}
	if more := unnamed - maxHeldNotes; more > 0 {
		fmt.Fprintf(ios.ErrOut, "note: and %d more tokens not in the file (-o json lists them all; --prune deletes them)\n", more)
	}
}

// Detail is one change in words.
func Detail(ch tokenspec.Change) string {
	var parts []string
	if ch.Action == tokenspec.Create {
		return "grants " + strings.Join(ch.Grants.To, " ") + "; expires " + ch.Expires.To
	}
	if ch.Reason != "" {
		parts = append(parts, ch.Reason)
	}
	if ch.Grants != nil {
		parts = append(parts, "grants "+orNone(ch.Grants.From)+" -> "+orNone(ch.Grants.To))
	}
	if ch.Expires != nil {
		parts = append(parts, "expires "+ch.Expires.From+" -> "+ch.Expires.To)
	}
	return strings.Join(parts, "; ")
}

// Summary counts the changes: "2 to create, 1 to update".
func Summary(plan tokenspec.Plan) string {
	counts := map[string]int{}
	for _, ch := range plan.Changes {
		counts[ch.Action]++
	}
	var parts []string
	for _, a := range []string{tokenspec.Create, tokenspec.Update, tokenspec.Rotate, tokenspec.Delete} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", counts[a], a))
		}
	}
	return strings.Join(parts, ", ")
}

// InSyncLine is what diff and apply say when there is nothing to do.
func InSyncLine(spec *tokenspec.Spec) string {
	n := len(spec.Tokens)
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("In sync: the organization has the %d token%s of %s; nothing to change.", n, s, spec.File)
}

func heldVerb(action string) string {
	if action == tokenspec.Rotate {
		return "rotation due for"
	}
	return "not in the file:"
}

func idPart(id string) string {
	if id == "" {
		return ""
	}
	return " (" + id + ")"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orNone(g []string) string {
	if len(g) == 0 {
		return "none"
	}
	return strings.Join(g, " ")
}
