package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/replexio/replex/pkg/cmd/root"
)

// ManName is the file name of c's man page: replex-tokens-create.1.
func ManName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
}

// Man renders c's man page as roff. It is written directly, not through a
// Markdown converter, so that help text such as <name> or '*:read' comes out
// as written, and without a date, so that regenerating changes nothing.
func Man(c *cobra.Command) []byte {
	var b bytes.Buffer
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	fmt.Fprintf(&b, ".TH \"%s\" \"1\" \"\" \"replex\" \"replex manual\"\n", roff(strings.ToUpper(name)))
	// Left-aligned and unhyphenated: help text is full of flags and grant
	// specs that must read as typed.
	b.WriteString(".nh\n.ad l\n")
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n", roff(name), roff(c.Short))
	if c.IsAdditionalHelpTopicCommand() {
		fmt.Fprintf(&b, ".SH SYNOPSIS\n.nf\n\\fBreplex help %s\\fR\n.fi\n", roff(c.Name()))
	} else if s := synopsis(c); s != "" {
		path := c.CommandPath()
		fmt.Fprintf(&b, ".SH SYNOPSIS\n.nf\n\\fB%s\\fR%s\n.fi\n", roff(path), roff(strings.TrimPrefix(s, path)))
	}
	b.WriteString(".SH DESCRIPTION\n")
	manBlocks(&b, description(c))

	manFlags(&b, "OPTIONS", c.NonInheritedFlags())
	manFlags(&b, "OPTIONS INHERITED FROM PARENT COMMANDS", c.InheritedFlags())

	if !c.HasParent() {
		b.WriteString(".SH ENVIRONMENT\n")
		for _, v := range root.Environment() {
			fmt.Fprintf(&b, ".TP\n\\fB%s\\fR\n%s\n", roff(v.Name), roff(v.Usage))
		}
		b.WriteString(".SH EXIT STATUS\n")
		for _, e := range ExitStatuses() {
			fmt.Fprintf(&b, ".TP\n\\fB%d\\fR\n%s\n", e.Code, roff(e.Meaning))
		}
	}
	if c.Example != "" {
		b.WriteString(".SH EXAMPLES\n")
		manPre(&b, dedent(strings.Split(strings.Trim(c.Example, "\n"), "\n")))
	}
	if see := seeAlso(c); len(see) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		refs := make([]string, len(see))
		for i, s := range see {
			refs[i] = fmt.Sprintf("\\fB%s\\fR(1)", roff(strings.ReplaceAll(s.CommandPath(), " ", "-")))
		}
		b.WriteString(strings.Join(refs, ",\n") + "\n")
	}
	return b.Bytes()
}

// ExitStatus is one documented exit code (docs/exit-codes.md).
type ExitStatus struct {
	Code    int
	Meaning string
}

// ExitStatuses are the exit codes of cmdutil, for replex(1).
func ExitStatuses() []ExitStatus {
	return []ExitStatus{
		{0, "success"},
		{1, "an API or network failure, or a local failure"},
		{2, "usage: a bad flag, argument or grant; nothing was sent"},
		{3, "partial success of a bulk operation, or an audit finding"},
		{4, "not authenticated or not allowed (no token, HTTP 401 or 403)"},
		{5, "not found (HTTP 404, an unknown token or profile)"},
		{130, "interrupted (Ctrl-C or SIGTERM)"},
	}
}

// seeAlso is the parent and the visible children of c.
func seeAlso(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	if c.HasParent() {
		out = append(out, c.Parent())
	}
	children := append([]*cobra.Command(nil), c.Commands()...)
	sort.Slice(children, func(i, j int) bool { return children[i].Name() < children[j].Name() })
	for _, s := range children {
		if !s.Hidden && (s.IsAvailableCommand() || s.IsAdditionalHelpTopicCommand()) {
			out = append(out, s)
		}
	}
	return out
}

func manBlocks(b *bytes.Buffer, text string) {
	for _, bl := range Blocks(text) {
		if bl.pre {
			manPre(b, bl.lines)
			continue
		}
		b.WriteString(".PP\n")
		for _, l := range bl.lines {
			b.WriteString(roffLine(strings.TrimSpace(l)) + "\n")
		}
	}
}

// manPre writes lines as an indented block, line breaks kept.
func manPre(b *bytes.Buffer, lines []string) {
	b.WriteString(".PP\n.RS 4\n.nf\n")
	for _, l := range lines {
		b.WriteString(roffLine(l) + "\n")
	}
	b.WriteString(".fi\n.RE\n")
}

func manFlags(b *bytes.Buffer, title string, fs *pflag.FlagSet) {
	if !fs.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(b, ".SH %s\n", title)
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden || fl.Deprecated != "" {
			return
		}
		varname, usage := pflag.UnquoteUsage(fl)
		head := "\\fB\\-\\-" + roff(fl.Name) + "\\fR"
		if fl.Shorthand != "" {
			head = "\\fB\\-" + roff(fl.Shorthand) + "\\fR, " + head
		}
		if varname != "" {
			head += " \\fI" + roff(varname) + "\\fR"
		}
		if def := Default(fl); def != "" {
			usage += " (default " + def + ")"
		}
		fmt.Fprintf(b, ".TP\n%s\n%s\n", head, roffLine(usage))
	})
}

// Default is a flag's default as help shows it, or "" for a zero value.
func Default(fl *pflag.Flag) string {
	switch fl.DefValue {
	case "", "false", "0", "0s", "[]":
		return ""
	}
	if fl.Value.Type() == "string" {
		return fmt.Sprintf("%q", fl.DefValue)
	}
	return fl.DefValue
}

// roffLine escapes a line of text and keeps it from being read as a request.
func roffLine(s string) string {
	s = roff(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}

// roff escapes text for roff: backslashes, minus signs (so options copy as
// typed) and anything outside ASCII as a Unicode escape.
func roff(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString("\\e")
		case r == '-':
			b.WriteString("\\-")
		case r == '\t':
			b.WriteString("    ")
		case r > 126:
			fmt.Fprintf(&b, "\\[u%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
