// Package grants is `replex grants`.
package grants

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/output"
)

// Options of `replex grants`.
type Options struct {
	F         *cmdutil.Factory
	Format    string
	NoHeaders bool
}

// Catalog is what -o json and -o yaml print.
type Catalog struct {
	Categories []grants.Category     `json:"categories"`
	Actions    []string              `json:"actions"`
	Aliases    map[string][]string   `json:"aliases"`
	Presets    map[string]grants.Set `json:"presets"`
}

// NewCatalog builds the catalog from pkg/grants.
func NewCatalog() Catalog {
	c := Catalog{
		Categories: grants.Categories(),
		Actions:    grants.Actions(),
		Aliases: map[string][]string{
			"write": {grants.Create, grants.Update, grants.Delete},
			"*":     grants.Actions(),
		},
		Presets: map[string]grants.Set{},
	}
	for _, name := range grants.PresetNames() {
		set, _ := grants.Preset(name) // a name from PresetNames always resolves
		c.Presets[name] = set
	}
	return c
}

// NewCmdGrants builds the command.
func NewCmdGrants(f *cmdutil.Factory) *cobra.Command {
	return newCmdGrants(f, nil)
}

func newCmdGrants(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "grants",
		Short: "List the permission categories and actions a token can be granted",
		Long: `List the 14 access-control categories of the Replex API: the name replex
accepts (CATEGORY), the key the API uses (API KEY), the name the web UI shows
and what the category covers. On a terminal a summary of the grant forms and
presets follows; piped, only the tab-separated table is printed.

Each category has the actions read, create, update and delete. A grant is
CATEGORY:ACTIONS, e.g. cluster:read, cluster:read,update, cluster:rcud (letters),
cluster:write (create, update and delete), cluster:* (every action) or '*:read'
(read in every category). Categories are case-insensitive and may also be
spelled as the API key (customPricing) or display name ("Custom Pricing").
The presets full (every action everywhere, like the Admin role) and view (read
everywhere, like the User role) combine with --grant.

-o json and -o yaml print an object with:
  categories  [{key, name, display, description}] in catalog order
  actions     ["read", "create", "update", "delete"]
  aliases     action words that stand for several actions: write, *
  presets     {full, view}: each a permissions object as the API takes it
              (category key → actions)

This command needs no configuration, token or network.`,
		Example: `  replex grants
  replex grants -o json
  replex grants | cut -f1`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutputFlag(&opts.Format, output.JSON, output.YAML); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Format, output.JSON, output.YAML)
	cmd.Flags().BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header line of the table")
	return cmd
}

func run(opts *Options) error {
	ios := opts.F.IOStreams
	w := ios.Out
	if ok, err := output.WriteDoc(w, opts.Format, NewCatalog()); ok {
		return err
	}
	tty := ios.IsStdoutTTY()
	tb := CatalogTable(tty)
	if !tty {
		return tb.WritePlain(w, ios.ColorEnabled(), opts.NoHeaders)
	}
	// The description and the display name give way rather than wrap.
	tb.Width, tb.Flex = ios.TerminalWidth(), []int{3, 2}
	if err := tb.WriteStyled(w, ios.ColorEnabled(), opts.NoHeaders); err != nil {
		return err
	}
	return writeForms(w, output.NewStyles(ios.ColorEnabled()), ios.TerminalWidth())
}

// CatalogTable is the catalog as a table; piped headers have no spaces.
func CatalogTable(tty bool) output.Table {
	apiKey := "API_KEY"
	if tty {
		apiKey = "API KEY"
	}
	tb := output.Table{Headers: []string{"CATEGORY", apiKey, "NAME", "DESCRIPTION"}}
	for _, c := range grants.Categories() {
		tb.Rows = append(tb.Rows, []string{c.Name, c.Key, c.Display, c.Description})
	}
	return tb
}

// writeForms is the terminal's reminder of how grants are written, in
// width cells: the explanations are cut and the closing note wrapped, so
// that nothing wraps by itself.
func writeForms(w io.Writer, st output.Styles, width int) error {
	var b strings.Builder
	section := func(title string, rows [][2]string) {
		fmt.Fprintf(&b, "\n%s\n", st.Bold(output.Cut(title, width)))
		for _, r := range rows {
			fmt.Fprintf(&b, "  %-22s %s\n", r[0], st.Dim(output.Cut(r[1], width-25)))
		}
	}
	section("Grant forms (--grant CATEGORY:ACTIONS):", [][2]string{
		{"cluster:read", "one action: read, create, update or delete"},
		{"cluster:read,update", "several actions"},
		{"cluster:ru", "the same by letters: r, c, u, d"},
		{"cluster:write", "create, update and delete"},
		{"cluster:*", "every action"},
		{"'*:read'", "read in every category (quote the *)"},
	})
	section("Presets (--preset NAME, combine with --grant):", [][2]string{
		{"full", "every action in every category, like the Admin role"},
		{"view", "read in every category, like the User role"},
	})
	note := "Categories are case-insensitive and may also be written as the API key " +
		"(customPricing) or the name (\"Custom Pricing\")."
	b.WriteString("\n")
	for _, line := range output.WrapWords(note, min(width, 72)) {
		fmt.Fprintf(&b, "%s\n", st.Dim(line))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
