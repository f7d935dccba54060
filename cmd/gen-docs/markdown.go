package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/replexio/replex/pkg/cmd/root"
)

// MarkdownName is the file name of c's reference page: replex_tokens_create.md.
func MarkdownName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

// Markdown renders c's reference page. Help text goes in as written:
// paragraphs with Markdown's special characters escaped, indented blocks
// as code blocks.
func Markdown(c *cobra.Command) []byte {
	var b bytes.Buffer
	title := c.CommandPath()
	if c.IsAdditionalHelpTopicCommand() {
		title = "replex help " + c.Name()
	}
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", title, mdText(c.Short))
	if s := synopsis(c); s != "" {
		fmt.Fprintf(&b, "```\n%s\n```\n\n", s)
	}
	for _, bl := range Blocks(description(c)) {
		if bl.pre {
			fmt.Fprintf(&b, "```\n%s\n```\n\n", strings.Join(bl.lines, "\n"))
			continue
		}
		fmt.Fprintf(&b, "%s\n\n", mdText(strings.Join(bl.lines, "\n")))
	}
	if !c.HasParent() {
		b.WriteString("## Environment\n\n| variable | meaning |\n|---|---|\n")
		for _, v := range root.Environment() {
			fmt.Fprintf(&b, "| `%s` | %s |\n", v.Name, mdCell(v.Usage))
		}
		b.WriteString("\n## Exit status\n\n| code | meaning |\n|---|---|\n")
		for _, e := range ExitStatuses() {
			fmt.Fprintf(&b, "| %d | %s |\n", e.Code, mdCell(e.Meaning))
		}
		b.WriteString("\n")
	}
	mdFlags(&b, "Options", c.NonInheritedFlags())
	mdFlags(&b, "Options inherited from parent commands", c.InheritedFlags())
	if c.Example != "" {
		fmt.Fprintf(&b, "## Examples\n\n```sh\n%s\n```\n\n", strings.Join(dedent(strings.Split(strings.Trim(c.Example, "\n"), "\n")), "\n"))
	}
	if see := seeAlso(c); len(see) > 0 {
		b.WriteString("## See also\n\n")
		for _, s := range see {
			fmt.Fprintf(&b, "- [%s](%s): %s\n", s.CommandPath(), MarkdownName(s), mdText(s.Short))
		}
		b.WriteString("\n")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// MarkdownIndex is docs/reference/README.md: every page, in tree order.
func MarkdownIndex(cmds []*cobra.Command) []byte {
	var b bytes.Buffer
	b.WriteString("# replex command reference\n\n")
	b.WriteString("Generated from the command tree by `go run ./cmd/gen-docs`; do not edit.\n")
	b.WriteString("The same text is in `replex <command> --help` and in the man pages (`docs/man`).\n\n")
	for _, c := range cmds {
		depth := strings.Count(c.CommandPath(), " ")
		name := c.CommandPath()
		if c.IsAdditionalHelpTopicCommand() {
			name = "replex help " + c.Name()
		}
		fmt.Fprintf(&b, "%s- [%s](%s): %s\n", strings.Repeat("  ", depth), name, MarkdownName(c), mdText(c.Short))
	}
	return b.Bytes()
}

func mdFlags(b *bytes.Buffer, title string, fs *pflag.FlagSet) {
	if !fs.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(b, "## %s\n\n| flag | meaning |\n|---|---|\n", title)
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden || fl.Deprecated != "" {
			return
		}
		varname, usage := pflag.UnquoteUsage(fl)
		head := "--" + fl.Name
		if fl.Shorthand != "" {
			head = "-" + fl.Shorthand + ", " + head
		}
		if varname != "" {
			head += " " + varname
		}
		if def := Default(fl); def != "" {
			usage += " (default " + def + ")"
		}
		fmt.Fprintf(b, "| `%s` | %s |\n", head, mdCell(usage))
	})
	b.WriteString("\n")
}

// mdText escapes what Markdown would otherwise read as markup.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "\n", " ") }
