// Command gen-docs writes replex's generated files from its command tree:
// the Markdown reference (docs/reference), the man pages (docs/man) and the
// shell completion scripts (completions). Run it from the repository root:
//
//	go run ./cmd/gen-docs
//
// .ci/docs-check runs it and fails when the committed files differ.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/build"
	"github.com/replexio/replex/pkg/cmd/completion"
	"github.com/replexio/replex/pkg/cmd/root"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
)

// Where the generated files go, relative to the repository root.
const (
	ReferenceDir   = "docs/reference"
	ManDir         = "docs/man"
	CompletionsDir = "completions"
)

func main() {
	fs := flag.NewFlagSet("gen-docs", flag.ExitOnError)
	dir := fs.String("dir", ".", "repository root to write into")
	manGz := fs.String("man-gz", "", "also write the man pages gzipped into this `directory` (for packages)")
	_ = fs.Parse(os.Args[1:])
	err := Generate(*dir)
	if err == nil && *manGz != "" {
		err = WriteManGz(filepath.Join(*dir, ManDir), *manGz)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}

// WriteManGz writes every page of manDir gzipped into gzDir, as packages
// install man pages (Debian policy 12.1). The output is reproducible: no
// name and no time in the gzip header.
func WriteManGz(manDir, gzDir string) error {
	pages, err := filepath.Glob(filepath.Join(manDir, "*.1"))
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return fmt.Errorf("no man pages in %s", manDir)
	}
	if err := os.RemoveAll(gzDir); err != nil {
		return err
	}
	if err := os.MkdirAll(gzDir, 0o755); err != nil {
		return err
	}
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(gzDir, filepath.Base(page)+".gz"), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// NewRoot builds the command tree as a user sees it, from a Factory that
// reads no environment and no files, so that the output depends only on
// the source.
func NewRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(string) string { return "" },
		Build:     build.Info{Version: "dev", Commit: "none", Date: "none"},
		Flags:     &cmdutil.GlobalFlags{},
		Now:       time.Now,
	}
	return root.NewCmdRoot(f)
}

// Generate writes every generated file under dir. Each output directory is
// emptied first, so that a removed command leaves no stale page behind.
func Generate(dir string) error {
	cmd := NewRoot()
	cmds := Pages(cmd)

	files := map[string][]byte{}
	for _, c := range cmds {
		files[filepath.Join(ReferenceDir, MarkdownName(c))] = Markdown(c)
		files[filepath.Join(ManDir, ManName(c))] = Man(c)
	}
	files[filepath.Join(ReferenceDir, "README.md")] = MarkdownIndex(cmds)
	for _, shell := range completion.Shells() {
		var b bytes.Buffer
		if err := completion.Write(cmd, shell, &b); err != nil {
			return err
		}
		files[filepath.Join(CompletionsDir, CompletionName(shell))] = b.Bytes()
	}

	for _, d := range []string{ReferenceDir, ManDir, CompletionsDir} {
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// CompletionName is the file name each shell looks for.
func CompletionName(shell string) string {
	switch shell {
	case "zsh":
		return "_replex"
	case "fish":
		return "replex.fish"
	case "powershell":
		return "replex.ps1"
	}
	return "replex." + shell
}

// Pages returns the commands that get a page: every visible command and
// help topic, in tree order.
func Pages(cmd *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{cmd}
	for _, c := range cmd.Commands() {
		if c.Hidden || (!c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand()) {
			continue
		}
		out = append(out, Pages(c)...)
	}
	return out
}

// block is a paragraph of help text (fill) or an indented block kept as
// written (pre).
type block struct {
	pre   bool
	lines []string
}

// Blocks splits help text into blocks: runs of unindented lines are
// paragraphs, runs of indented lines (examples, lists, tables) are kept as
// written, less their common indentation.
func Blocks(text string) []block {
	var out []block
	for _, para := range blankLines.Split(strings.TrimSpace(text), -1) {
		if strings.TrimSpace(para) == "" {
			continue
		}
		start := len(out)
		for _, line := range strings.Split(strings.TrimRight(para, "\n"), "\n") {
			pre := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
			if len(out) == start || out[len(out)-1].pre != pre {
				out = append(out, block{pre: pre})
			}
			out[len(out)-1].lines = append(out[len(out)-1].lines, line)
		}
	}
	for i := range out {
		if out[i].pre {
			out[i].lines = dedent(out[i].lines)
		}
	}
	return out
}

// blankLines separates paragraphs.
var blankLines = regexp.MustCompile(`\n(?:[ \t]*\n)+`)

func dedent(lines []string) []string {
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			l = l[indent:]
		}
		out[i] = strings.TrimRight(l, " \t")
	}
	return out
}

// description is a command's Long text, or its Short one.
func description(c *cobra.Command) string {
	if c.Long != "" {
		return c.Long
	}
	return c.Short
}

// synopsis is the usage line, or nothing for a help topic.
func synopsis(c *cobra.Command) string {
	if c.IsAdditionalHelpTopicCommand() {
		return ""
	}
	return c.UseLine()
}

func writeAll(w io.Writer, parts ...string) {
	for _, p := range parts {
		io.WriteString(w, p)
	}
}
