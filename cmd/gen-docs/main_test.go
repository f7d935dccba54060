package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func generate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestManPagesRenderWithoutWarnings: every generated page formats with man
// at 80 columns without a single warning from groff.
func TestManPagesRenderWithoutWarnings(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("man is not installed; CI must install man-db and groff")
		}
		t.Skip("man is not installed (apt-get install man-db groff)")
	}
	pages, err := filepath.Glob(filepath.Join(generate(t), ManDir, "*.1"))
	if err != nil || len(pages) < 20 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	for _, page := range pages {
		cmd := exec.Command("man", "--warnings", "-l", page)
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "LANG=C.UTF-8")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man --warnings -l %s: %v\n%s", filepath.Base(page), err, stderr.String())
			continue
		}
		name := strings.TrimSuffix(filepath.Base(page), ".1")
		if !strings.Contains(stdout.String(), "NAME\n       "+name+" - ") || !strings.Contains(stdout.String(), "EXAMPLES") {
			t.Errorf("%s does not render a NAME and EXAMPLES section:\n%s", page, stdout.String())
		}
	}
}

// TestGenerateIsStable: two runs write the same bytes (no dates, no map
// order), so that .ci/docs-check sees drift only when the source changed.
func TestGenerateIsStable(t *testing.T) {
	a, b := generate(t), generate(t)
	read := func(dir string) map[string]string {
		files := map[string]string{}
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(path)
				rel, _ := filepath.Rel(dir, path)
				files[rel] = string(data)
			}
			return err
		})
		return files
	}
	fa, fb := read(a), read(b)
	if !reflect.DeepEqual(fa, fb) {
		t.Fatal("two runs of gen-docs differ")
	}
	for _, want := range []string{
		"docs/man/replex.1", "docs/man/replex-tokens-create.1", "docs/man/replex-environment.1",
		"docs/reference/README.md", "docs/reference/replex_tokens_create.md",
		"completions/replex.bash", "completions/_replex", "completions/replex.fish", "completions/replex.ps1",
	} {
		if _, ok := fa[filepath.FromSlash(want)]; !ok {
			t.Errorf("%s was not generated", want)
		}
	}
	if strings.Contains(fa[filepath.FromSlash("docs/man/replex.1")], "__clear-clipboard") {
		t.Error("a hidden command got into the docs")
	}
}

// TestHelpTextSurvives: text that Markdown or roff would eat comes out as
// written.
func TestHelpTextSurvives(t *testing.T) {
	dir := generate(t)
	md, _ := os.ReadFile(filepath.Join(dir, ReferenceDir, "replex_tokens_create.md"))
	for _, want := range []string{"replex tokens create <name> (--grant CAT:ACTIONS... | --preset full|view) [flags]", `cluster:\* , '\*:read'`} {
		if !strings.Contains(string(md), want) {
			t.Errorf("replex_tokens_create.md lacks %q", want)
		}
	}
	man, _ := os.ReadFile(filepath.Join(dir, ManDir, "replex-tokens-create.1"))
	if !strings.Contains(string(man), `\fBreplex tokens create\fR <name> (\-\-grant CAT:ACTIONS... | \-\-preset full|view) [flags]`) {
		t.Errorf("the man page's synopsis is not as written:\n%s", man)
	}
}

func TestBlocks(t *testing.T) {
	got := Blocks("One\nparagraph.\n\nIntro:\n  indented\n    more\nafter\n\n\n  only pre")
	want := []block{
		{false, []string{"One", "paragraph."}},
		{false, []string{"Intro:"}},
		{true, []string{"indented", "  more"}},
		{false, []string{"after"}},
		{true, []string{"only pre"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Blocks = %#v\nwant %#v", got, want)
	}
}

// TestWriteManGz: the packaged pages are the generated ones, gzipped, one
// for each, and the same bytes on every run (no name or time in the header).
func TestWriteManGz(t *testing.T) {
	dir := generate(t)
	pages, _ := filepath.Glob(filepath.Join(dir, ManDir, "*.1"))
	gz1, gz2 := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	if err := WriteManGz(filepath.Join(dir, ManDir), gz1); err != nil {
		t.Fatal(err)
	}
	if err := WriteManGz(filepath.Join(dir, ManDir), gz2); err != nil {
		t.Fatal(err)
	}
	for _, page := range pages {
		name := filepath.Base(page) + ".gz"
		a, err := os.ReadFile(filepath.Join(gz1, name))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(gz2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", name)
		}
		zr, err := gzip.NewReader(bytes.NewReader(a))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		want, _ := os.ReadFile(page)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s does not unpack to %s (%v)", name, filepath.Base(page), err)
		}
	}
	if got, _ := filepath.Glob(filepath.Join(gz1, "*")); len(got) != len(pages) {
		t.Errorf("%d gzipped pages for %d pages", len(got), len(pages))
	}
	for _, topic := range []string{"replex-exit-codes.1.gz", "replex-formatting.1.gz", "replex-config.1.gz"} {
		if _, err := os.Stat(filepath.Join(gz1, topic)); err != nil {
			t.Errorf("no packaged page for the help topic: %v", err)
		}
	}
}
