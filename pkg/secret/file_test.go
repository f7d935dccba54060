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

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ci.token")
	if err := WriteFile(path, New(raw)); err != nil {
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
	if runtime.GOOS != "windows" {
		info, _ := os.Stat(path)
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("mode = %o, want 600", perm)
		}
	}
}

func TestWriteFileNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "existing")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, New(raw))
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

func TestWriteFileRefusesDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target"), filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	if err := WriteFile(link, New(raw)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want already exists", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("symlink target was created (%v)", err)
	}
}

func TestWriteFileMissingDirLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	err := WriteFile(filepath.Join(dir, "missing", "x.token"), New(raw))
	if err == nil || !strings.HasPrefix(err.Error(), "write secret file: ") {
		t.Fatalf("err = %v", err)
	}
	if leaks(err.Error()) {
		t.Errorf("error reveals the secret: %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

func TestWriteFileReadOnlyDirLeavesNothing(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions that apply (not root)")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if err := WriteFile(filepath.Join(dir, "x.token"), New(raw)); err == nil {
		t.Fatal("write into a read-only directory succeeded")
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

func TestWriteFileZeroSecret(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "x"), Secret{}); err == nil || err.Error() != "no secret to write" {
		t.Errorf("err = %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}

func TestWriteExclusiveFallback(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.token")
	if err := writeExclusive(path, []byte("s\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "s\n" {
		t.Errorf("content = %q", got)
	}
	if err := writeExclusive(path, []byte("other\n")); err == nil || !strings.Contains(err.Error(), path+" already exists") {
		t.Errorf("second write: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "s\n" {
		t.Errorf("content after refused write = %q", got)
	}
}

func TestWriteFileIn(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteFileIn(dir, "team/ci deploy", New(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "team_ci deploy.token"); path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
	if got, _ := os.ReadFile(path); string(got) != raw+"\n" {
		t.Errorf("content = %q", got)
	}
	if _, err := WriteFileIn(dir, "team/ci deploy", New("other")); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second write: %v", err)
	}

	missing := filepath.Join(dir, "nope")
	if _, err := WriteFileIn(missing, "x", New(raw)); err == nil || err.Error() != "directory "+missing+" does not exist" {
		t.Errorf("missing dir: %v", err)
	}
	if _, err := WriteFileIn(path, "x", New(raw)); err == nil || err.Error() != path+" is not a directory" {
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
