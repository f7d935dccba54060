package root

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/replexio/replex/internal/srctree"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
)

func testFactory(env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(k string) string { return env[k] },
		Flags:     &cmdutil.GlobalFlags{},
		Now:       time.Now,
	}, out, errOut
}

// walk visits every command a user can reach, hidden helpers excluded.
func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		if !sub.Hidden {
			walk(sub, fn)
		}
	}
}

func tree(t *testing.T) *cobra.Command {
	t.Helper()
	f, _, _ := testFactory(nil)
	return NewCmdRoot(f)
}

// TestEveryCommandHasExample: STYLE.md rule 7, for every command, group and
// help topic, including help and completion.
func TestEveryCommandHasExample(t *testing.T) {
	seen := 0
	walk(tree(t), func(c *cobra.Command) {
		seen++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		if c.Short == "" {
			t.Errorf("%q has no Short description", c.CommandPath())
		}
		for _, line := range strings.Split(c.Example, "\n") {
			if line != "" && !strings.HasPrefix(line, "  ") {
				t.Errorf("%q: example line %q is not indented by two spaces like the others", c.CommandPath(), line)
			}
		}
	})
	for _, must := range []string{"replex help", "replex completion", "replex api", "replex config list", "replex environment"} {
		if c, _, err := tree(t).Find(strings.Fields(must)[1:]); err != nil || c.CommandPath() != must {
			t.Errorf("%q is not in the tree", must)
		}
	}
	if seen < 25 {
		t.Fatalf("walked only %d commands", seen)
	}
}

// TestUseLines: rule 7, arguments written as <required> or [optional]
// (or a (choice | of | forms)); a bare word after the name would read as a
// subcommand.
func TestUseLines(t *testing.T) {
	walk(tree(t), func(c *cobra.Command) {
		words := useWords(c.Use)
		if len(words) == 0 || words[0] != c.Name() {
			t.Errorf("%q: Use %q does not start with the command name", c.CommandPath(), c.Use)
			return
		}
		for _, w := range words[1:] {
			switch w[0] {
			case '<', '[', '(', '-':
				continue
			}
			t.Errorf("%q: Use %q has %q, not written as <required> or [optional]", c.CommandPath(), c.Use, w)
		}
	})
}

// useWords splits a Use line into words, a bracketed group being one word.
func useWords(use string) []string {
	var words []string
	var cur strings.Builder
	depth := 0
	for _, r := range use {
		switch {
		case strings.ContainsRune("<[(", r):
			depth++
		case strings.ContainsRune(">])", r):
			depth--
		case r == ' ' && depth == 0:
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// TestListConventions: every list command has the ls alias, -o, --no-headers
// and --jq (doctl's rule, checked over the whole tree).
func TestListConventions(t *testing.T) {
	var lists []string
	walk(tree(t), func(c *cobra.Command) {
		if c.Name() != "list" && !c.HasAlias("ls") {
			return
		}
		lists = append(lists, c.CommandPath())
		if c.Name() != "list" {
			t.Errorf("%q has the ls alias but is not named list", c.CommandPath())
		}
		if !c.HasAlias("ls") {
			t.Errorf("%q has no ls alias", c.CommandPath())
		}
		if fl := c.Flags().Lookup("output"); fl == nil || fl.Shorthand != "o" {
			t.Errorf("%q has no -o/--output", c.CommandPath())
		}
		for _, name := range []string{"no-headers", "jq"} {
			if c.Flags().Lookup(name) == nil {
				t.Errorf("%q has no --%s", c.CommandPath(), name)
			}
		}
	})
	for _, want := range []string{"replex config list", "replex tokens list"} {
		if !slices.Contains(lists, want) {
			t.Errorf("%s was not found as a list command (found %q)", want, lists)
		}
	}
}

// TestOutputFlagsComplete: every -o completes its formats.
func TestOutputFlagsComplete(t *testing.T) {
	walk(tree(t), func(c *cobra.Command) {
		if c.Flags().Lookup("output") == nil {
			return
		}
		if _, ok := c.GetFlagCompletionFunc("output"); !ok {
			t.Errorf("%q: -o has no completion (use cmdutil.AddOutputFlag)", c.CommandPath())
		}
	})
}

// envRead finds the environment variables the product code reads: string
// literals naming REPLEX_* variables and getenv/LookupEnv calls with a
// literal name.
func envRead(t *testing.T) map[string][]string {
	t.Helper()
	literal := regexp.MustCompile(`"(REPLEX_[A-Z0-9_]+)"`)
	call := regexp.MustCompile(`(?:[Gg]etenv|LookupEnv)\("([A-Za-z_][A-Za-z0-9_]*)"\)`)
	// Test-only code and developer tools (demo, bench) are not replex: they
	// may read what they like. help.go is the list being checked.
	notRead := []string{"internal/xdisplay", "internal/tokenstest", "internal/srctree", "cmd/demo", "cmd/bench", "pkg/cmd/root/help.go"}
	found := map[string][]string{}
	for _, f := range srctree.Product(t, func(rel string) bool { return slices.Contains(notRead, rel) }) {
		for _, re := range []*regexp.Regexp{literal, call} {
			for _, m := range re.FindAllStringSubmatch(f.Src, -1) {
				found[m[1]] = append(found[m[1]], f.Rel)
			}
		}
	}
	return found
}

// TestHelpEnvironmentIsComplete: `replex help environment` lists every
// variable the code reads, and nothing it does not.
func TestHelpEnvironmentIsComplete(t *testing.T) {
	read := envRead(t)
	listed := map[string]bool{}
	for _, v := range Environment() {
		listed[v.Name] = true
	}
	set := map[string]bool{}
	for _, v := range SecretCommandEnvironment() {
		set[v.Name] = true
	}
	// Read from the environment by the terminal libraries on replex's behalf,
	// or documented because a listed variable's default depends on them.
	indirect := map[string]bool{"NO_COLOR": true, "CLICOLOR_FORCE": true, "TERM": true, "HOME": true}
	var missing []string
	for name, files := range read {
		if !listed[name] && !set[name] {
			sort.Strings(files)
			missing = append(missing, name+" (read in "+strings.Join(slices.Compact(files), ", ")+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("replex reads variables that 'replex help environment' does not list; add them to Environment() in pkg/cmd/root/help.go:\n  %s", strings.Join(missing, "\n  "))
	}
	for name := range listed {
		if len(read[name]) == 0 && !indirect[name] {
			t.Errorf("%s is listed in 'replex help environment' but nothing reads it", name)
		}
	}
	if len(read) < 10 {
		t.Fatalf("the scan found only %d variables: %v", len(read), read)
	}
}

func TestHelpEnvironment(t *testing.T) {
	f, out, _ := testFactory(nil)
	if code := Run(context.Background(), f, []string{"help", "environment"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, v := range Environment() {
		if !strings.Contains(out.String(), "\n"+v.Name+"\n") {
			t.Errorf("'replex help environment' does not list %s:\n%s", v.Name, out)
		}
	}
	f, out, _ = testFactory(nil)
	Run(context.Background(), f, []string{"--help"})
	if !strings.Contains(out.String(), "Additional help topics:\n  replex environment") {
		t.Errorf("root help does not point at the environment topic:\n%s", out)
	}
	f, _, errOut := testFactory(nil)
	if code := Run(context.Background(), f, []string{"help", "nonsense"}); code != cmdutil.ExitUsage ||
		errOut.String() != "replex: unknown help topic \"nonsense\"; see 'replex --help'\n" {
		t.Errorf("unknown topic: exit %d, %q", code, errOut)
	}
}

// TestProfileCompletion: --profile completes the profiles of the config file.
func TestProfileCompletion(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("current_profile: work\nprofiles:\n  work:\n    org: org_1\n    base_url: https://a.example\n  staging:\n    org: org_2\n"), 0o600)
	f, out, _ := testFactory(map[string]string{"REPLEX_CONFIG_DIR": dir})
	if code := Run(context.Background(), f, []string{"__complete", "tokens", "list", "--profile", ""}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "staging\torg_2\nwork\torg_1 at https://a.example\n:4\n"
	if out.String() != want {
		t.Fatalf("--profile completion:\n%q\nwant\n%q", out, want)
	}
}

// TestSubcommandNames: the names Main matches a command line against are
// exactly the names and aliases of the commands they build.
func TestSubcommandNames(t *testing.T) {
	f, _, _ := testFactory(nil)
	full := NewCmdRoot(f)
	listed := map[string]bool{}
	for _, c := range subcommands {
		built := c.build(f)
		want := append([]string{built.Name()}, built.Aliases...)
		if !slices.Equal(c.names, want) {
			t.Errorf("subcommand names %v, but the command answers to %v", c.names, want)
		}
		listed[built.Name()] = true
	}
	for _, c := range full.Commands() {
		switch c.Name() {
		case "help", "completion", "environment", "exit-codes", "formatting":
			continue
		}
		if !listed[c.Name()] {
			t.Errorf("%q is in the tree but not in subcommands", c.Name())
		}
	}
}

// TestTreeForArgs: a command line naming a top-level command builds that
// command alone; anything else builds the whole tree.
func TestTreeForArgs(t *testing.T) {
	f, _, _ := testFactory(nil)
	whole := len(NewCmdRoot(f).Commands())
	for _, tc := range []struct {
		args []string
		want []string // nil: the whole tree
	}{
		{[]string{"tokens", "list"}, []string{"tokens"}},
		{[]string{"token", "ls"}, []string{"tokens"}},
		{[]string{"--profile", "tokens", "orgs", "get"}, []string{"orgs"}},
		{[]string{"--debug", "--timeout=5s", "api", "GET", "/x"}, []string{"api"}},
		{[]string{"--version"}, []string{}},
		{[]string{"--version", "--help"}, nil},
		{[]string{}, nil},
		{[]string{"help", "tokens"}, nil},
		{[]string{"completion", "bash"}, nil},
		{[]string{"__complete", "tokens", ""}, nil},
		{[]string{"tokenz"}, nil},
		{[]string{"--", "tokens"}, nil},
	} {
		var got []string
		for _, c := range newCmdRootFor(f, tc.args).Commands() {
			got = append(got, c.Name())
		}
		if tc.want == nil {
			if len(got) != whole {
				t.Errorf("%q built %v, want the whole tree", tc.args, got)
			}
		} else if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%q built %v, want %v", tc.args, got, tc.want)
		}
	}
}

// TestVersionShortcut: `replex --version` and `-v`, answered before the
// command tree is built, print what cobra's version flag prints.
func TestVersionShortcut(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		f, out, _ := testFactory(nil)
		f.Build.Version, f.Build.Commit, f.Build.Date, f.Build.Go = "1.2.3", "abc", "2026-01-01", "go1.26"
		if code := Run(context.Background(), f, []string{flag}); code != 0 {
			t.Fatalf("%s exited %d", flag, code)
		}
		viaCobra, cobraOut, _ := testFactory(nil)
		viaCobra.Build = f.Build
		cmd := NewCmdRoot(viaCobra)
		cmd.SetArgs([]string{flag})
		cmd.SetOut(viaCobra.IOStreams.Out)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if out.String() != cobraOut.String() || out.String() != "replex 1.2.3 (commit abc, built 2026-01-01, go1.26)\n" {
			t.Errorf("%s printed %q; cobra prints %q", flag, out.String(), cobraOut.String())
		}
	}
}

// TestHelpPointsAtNoRepositoryFile: a package installs the man pages, not
// docs/; help that says "see docs/config.md" sends users to a file they do
// not have. Help points at help topics ('replex help config') instead.
func TestHelpPointsAtNoRepositoryFile(t *testing.T) {
	repoFile := regexp.MustCompile(`docs/|\.md\b`)
	walk(tree(t), func(c *cobra.Command) {
		texts := []string{c.Short, c.Long, c.Example}
		c.Flags().VisitAll(func(fl *pflag.Flag) { texts = append(texts, fl.Usage) })
		for _, s := range texts {
			if m := repoFile.FindString(s); m != "" {
				t.Errorf("%s: help mentions %q, a repository file a package does not install: %q", c.CommandPath(), m, s)
			}
		}
	})
}

// TestHelpTopics: the topics the docs point at exist, and the exit codes
// topic lists every code replex uses.
func TestHelpTopics(t *testing.T) {
	for _, topic := range []string{"environment", "exit-codes", "formatting", "config"} {
		f, out, _ := testFactory(nil)
		if code := Run(context.Background(), f, []string{"help", topic}); code != 0 {
			t.Fatalf("replex help %s: exit %d", topic, code)
		}
		if !strings.Contains(out.String(), "\n") || strings.Contains(out.String(), "unknown help topic") {
			t.Fatalf("replex help %s printed %q", topic, out)
		}
	}
	f, out, _ := testFactory(nil)
	Run(context.Background(), f, []string{"help", "exit-codes"})
	for _, code := range []int{cmdutil.ExitOK, cmdutil.ExitFailure, cmdutil.ExitUsage, cmdutil.ExitPartial, cmdutil.ExitAuth, cmdutil.ExitNotFound, cmdutil.ExitInterrupted} {
		if !regexp.MustCompile(`(?m)^  ` + strconv.Itoa(code) + ` +\S`).MatchString(out.String()) {
			t.Errorf("replex help exit-codes has no line for exit code %d:\n%s", code, out)
		}
	}
}

// TestBackgroundSandboxLogsToFile: help that starts a sandbox in the
// background sends its request log to a file; on the terminal it would
// interleave with the output of every command that follows.
func TestBackgroundSandboxLogsToFile(t *testing.T) {
	redirect := regexp.MustCompile(`\s2>\s*\S+`)
	walk(tree(t), func(c *cobra.Command) {
		for _, line := range strings.Split(c.Long+"\n"+c.Example, "\n") {
			if strings.Contains(line, "sandbox start") && strings.HasSuffix(strings.TrimSpace(line), "&") && !redirect.MatchString(line) {
				t.Errorf("%s: %q leaves the sandbox's log on the terminal; add 2>sandbox.log", c.CommandPath(), line)
			}
		}
	})
}
