package secret

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// entries lists dir's names, so tests can prove nothing else was left there.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// writeFile is the whole life of a secret file: created, then written.
func writeFile(path string, s Secret) error {
	f, err := CreateFile(path)
	if err != nil {
		return err
	}
	return f.Write(s)
}

func TestCreateFileThenWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ci.token")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Held, empty and private from the start: nobody can plant a file here
	// while the request that makes the secret is in flight.
	info, err := os.Lstat(path)
	if err != nil || info.Size() != 0 || !info.Mode().IsRegular() {
		t.Fatalf("before Write: %v, %v", info, err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %o, want 600", info.Mode().Perm())
	}
	if _, err := CreateFile(path); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second create of the held path: %v", err)
	}
	if err := f.Write(New(raw)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != raw+"\n" {
		t.Errorf("content = %q, want %q", got, raw+"\n")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "ci.token" {
		t.Errorf("dir holds %q, want only ci.token", names)
	}
	if err := f.Write(New(raw)); err == nil {
		t.Error("a second Write succeeded")
	}
}

func TestCreateFileNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "existing")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := CreateFile(path)
	want := path + " already exists; choose another path or delete it first (a secret file is never overwritten)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != "keep me" {
		t.Errorf("existing file now holds %q", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("dir holds %q, want only the existing file", names)
	}
}

func TestCreateFileRefusesDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target"), filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	if _, err := CreateFile(link); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want already exists", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("symlink target was created (%v)", err)
	}
}

func TestCreateFileMissingDirLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	_, err := CreateFile(filepath.Join(dir, "missing", "x.token"))
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("err = %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

// /proc takes no new files, even from root: the case of a destination that
// cannot be written, found before any secret exists.
func TestCreateFileUnwritableDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	if _, err := CreateFile("/proc/x.token"); err == nil {
		t.Fatal("created a file in /proc")
	}
}

func TestWriteZeroSecretRemovesTheFile(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateFile(filepath.Join(dir, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(Secret{}); err == nil || err.Error() != "no secret to write" {
		t.Errorf("err = %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

// A failed write (here: the disk is full) removes the file: no half secret.
func TestWriteFailureRemovesTheFile(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("needs /dev/full")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "x.token")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.f.Close()
	f.f = full
	err = f.Write(New(raw))
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v", err)
	}
	if leaks(err.Error()) {
		t.Errorf("error reveals the secret: %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

// A file swapped in at the path while the request was in flight (the held
// file removed, another put in its place) fails the write, and is left as
// it is.
func TestWriteRefusesReplacedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.token")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("planted"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = f.Write(New(raw))
	if want := path + " was removed or replaced by another file while the token was being made"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != "planted" {
		t.Errorf("the planted file now holds %q", got)
	}
}

// Remove deletes the file this process made, never one that replaced it.
func TestRemoveOnlyOwnFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.token")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Remove()
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("Remove left %q", names)
	}
	g, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Write(New(raw)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("someone else's"), 0o600); err != nil {
		t.Fatal(err)
	}
	g.Remove()
	if got, _ := os.ReadFile(path); string(got) != "someone else's" {
		t.Errorf("Remove deleted a file it did not make")
	}
}

func TestCreateFileIn(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateFileIn(dir, "team/ci deploy")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "team_ci deploy.token"); f.Path() != want {
		t.Errorf("path = %q, want %q", f.Path(), want)
	}
	if err := f.Write(New(raw)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(f.Path()); string(got) != raw+"\n" {
		t.Errorf("content = %q", got)
	}
	if _, err := CreateFileIn(dir, "team/ci deploy"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second create: %v", err)
	}

	missing := filepath.Join(dir, "nope")
	if _, err := CreateFileIn(missing, "x"); err == nil || err.Error() != "directory "+missing+" does not exist" {
		t.Errorf("missing dir: %v", err)
	}
	if _, err := CreateFileIn(f.Path(), "x"); err == nil || err.Error() != f.Path()+" is not a directory" {
		t.Errorf("file as dir: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("missing directory was created")
	}
}

func TestTokenFileName(t *testing.T) {
	for name, want := range map[string]string{
		"ci":                  "ci.token",
		"deploy (prod)":       "deploy (prod).token",
		"a/b\\c":              "a_b_c.token",
		"../../etc/passwd":    "_.._etc_passwd.token",
		"..":                  "token.token",
		".hidden":             "hidden.token",
		"":                    "token.token",
		"   ":                 "token.token",
		"name. ":              "name.token",
		"a\x00b\nc\td\x1b[0m": "a_b_c_d_[0m.token",
		"a:b*c?d\"e<f>g|h":    "a_b_c_d_e_f_g_h.token",
		"bad\xffutf8":         "bad_utf8.token",
		"evil\u202etxt.exe":   "evil_txt.exe.token",
		"Ünïcødé 日本":          "Ünïcødé 日本.token",
	} {
		if got := TokenFileName(name); got != want {
			t.Errorf("TokenFileName(%q) = %q, want %q", name, got, want)
		}
	}
	long := TokenFileName(strings.Repeat("é", 300))
	if len(long) > 210 || !utf8.ValidString(long) || !strings.HasSuffix(long, "é.token") {
		t.Errorf("long name: %d bytes, %q", len(long), long)
	}
}

func FuzzTokenFileName(f *testing.F) {
	for _, s := range []string{"ci", "../x", ".", "a/b", "\x00", "日本", "\xff\xfe", "..\\..\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := TokenFileName(name)
		base := strings.TrimSuffix(got, ".token")
		switch {
		case !strings.HasSuffix(got, ".token"), base == "":
			t.Fatalf("%q -> %q: not <name>.token", name, got)
		case strings.ContainsAny(got, "/\\:*?\"<>|"), strings.HasPrefix(got, "."):
			t.Fatalf("%q -> %q: unsafe", name, got)
		case !utf8.ValidString(got), len(got) > 255:
			t.Fatalf("%q -> %q: invalid or too long", name, got)
		case filepath.Base(got) != got:
			t.Fatalf("%q -> %q: not a base name", name, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("%q -> %q: control character", name, got)
			}
		}
	})
}

func TestDirTooOpen(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	for perm, want := range map[os.FileMode]bool{0o700: false, 0o750: true, 0o705: true, 0o710: true, 0o755: true} {
		if err := os.Chmod(dir, perm); err != nil {
			t.Fatal(err)
		}
		if got, err := DirTooOpen(dir); got != want || err != nil {
			t.Errorf("DirTooOpen(%o) = %v, %v; want %v", perm, got, err, want)
		}
	}
	if _, err := DirTooOpen(filepath.Join(dir, "nope")); err == nil {
		t.Error("missing dir: no error")
	}
}
