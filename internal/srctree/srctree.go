// Package srctree reads replex's own Go source for tests that hold a rule
// over all of it (one palette, a documented environment).
package srctree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File is one Go file of the product.
type File struct {
	Rel string // slash-separated, from the module root
	Src string
}

// Product returns the Go files below cmd/, pkg/ and internal/ of the
// module the test runs in, leaving out tests, testdata and every path for
// which skip is true (a directory's leaves out everything below it).
func Product(t testing.TB, skip func(rel string) bool) []File {
	t.Helper()
	root := moduleRoot(t)
	var files []File
	for _, top := range []string{"cmd", "pkg", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if d.Name() == "testdata" || skip(rel) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || skip(rel) {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files = append(files, File{Rel: rel, Src: string(src)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// moduleRoot is the nearest directory at or above the working directory
// (a test's package directory) that holds go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod at or above the test's directory")
		}
		dir = parent
	}
}
