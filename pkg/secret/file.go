package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// File is a secret file created, empty, before the request that makes its
// secret, and written once that secret exists. Holding the file from the
// start means nobody can plant a file or symlink at the path while the
// request is in flight, and a destination that cannot be written is found
// before any token exists.
type File struct {
	path    string
	f       *os.File    // nil once closed
	created os.FileInfo // to remove only the file this process made
}

// CreateFile creates path for a secret: a new file (never an existing one,
// not even through a dangling symlink), readable by its owner only (0600).
func CreateFile(path string) (*File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|noFollow, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, existsError(path)
	}
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return &File{path: path, f: f, created: info}, nil
}

// CreateFileIn creates dir/TokenFileName(name) as CreateFile does. dir must
// already exist: a typo must not create a fresh directory with default
// permissions. Callers warn when DirTooOpen.
func CreateFileIn(dir, name string) (*File, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return nil, err
	case !info.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return CreateFile(filepath.Join(dir, TokenFileName(name)))
}

func existsError(path string) error { return existsErr{path} }

// existsErr is errors.Is fs.ErrExist, with a message that says what to do.
type existsErr struct{ path string }

func (e existsErr) Error() string {
	return e.path + " already exists; choose another path or delete it first (a secret file is never overwritten)"
}

func (e existsErr) Is(target error) bool { return target == fs.ErrExist }

// Path is where the file is.
func (f *File) Path() string { return f.path }

// Write writes the secret and one newline, syncs the file to disk and closes
// it; only then is the secret known to be there. On any failure the file is
// removed, so no half-written secret stays behind. Write works once.
func (f *File) Write(s Secret) error {
	if s.IsZero() {
		f.Remove()
		return errors.New("no secret to write")
	}
	if f.f == nil {
		return errors.New("the secret file was already closed")
	}
	_, err := f.f.Write([]byte(s.Reveal() + "\n"))
	if err == nil {
		err = f.f.Sync()
	}
	if err == nil {
		err = f.stillThere()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	f.f = nil
	if err != nil {
		f.Remove()
		return err
	}
	return nil
}

// stillThere checks that the path still names the file this process holds:
// whoever can write to the directory could have removed it meanwhile and
// put another file or a symlink in its place, and the secret written into
// the held file would then be out of the user's reach.
func (f *File) stillThere() error {
	now, err := os.Lstat(f.path)
	if err != nil || !os.SameFile(now, f.created) {
		return fmt.Errorf("%s was removed or replaced by another file while the token was being made", f.path)
	}
	return nil
}

// Remove closes the file and deletes it, if the path still names the file
// this process created (it may have been moved, or replaced by another).
// It is safe to call more than once, and after Write.
func (f *File) Remove() {
	if f == nil {
		return
	}
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
	if now, err := os.Lstat(f.path); err == nil && os.SameFile(now, f.created) {
		os.Remove(f.path)
	}
}

// DirTooOpen reports whether dir grants any access to group or others: they
// could list the secret files or, if it is writable, rename or replace them.
// Always false on Windows, whose permissions Go does not report.
func DirTooOpen(dir string) (bool, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return false, err
	}
	if runtime.GOOS == "windows" {
		return false, nil
	}
	return info.Mode().Perm()&0o077 != 0, nil
}

// maxNameBytes keeps "<name>.token" well under the 255-byte limit of common
// file systems.
const maxNameBytes = 200

// TokenFileName turns a token name into a safe file name "<name>.token":
// path separators, control and invisible format characters (which could
// disguise a name in a listing) and characters Windows forbids become
// "_", leading dots (hidden files, "..") and trailing dots and spaces are
// dropped, long names are cut, and an empty result becomes "token".
func TokenFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
		if b.Len() >= maxNameBytes {
			break
		}
	}
	safe := strings.TrimRight(strings.TrimLeft(b.String(), "."), ". ")
	if safe == "" {
		safe = "token"
	}
	return safe + ".token"
}
