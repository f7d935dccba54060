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

// WriteFile writes the secret and one newline to a new file at path, readable
// by its owner only (0600). It never overwrites: if path exists, even as a
// dangling symlink, it fails naming the path. The file appears complete or not
// at all: the secret goes to a temporary file in the same directory, is synced,
// then hard-linked to path (which fails if path exists), so a crash or a full
// disk never leaves half a secret behind.
func WriteFile(path string, s Secret) error {
	if s.IsZero() {
		return errors.New("no secret to write")
	}
	// Checked first only for a clear message; the link below is the guard.
	if _, err := os.Lstat(path); err == nil {
		return existsError(path)
	}
	data := []byte(s.Reveal() + "\n")

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*") // CreateTemp uses 0600
	if err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful link, path keeps the data
	if err := writeSync(tmp, data); err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}

	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return existsError(path)
	}
	// Some file systems (FAT, some network mounts) have no hard links:
	// fall back to O_EXCL, which still never overwrites.
	return writeExclusive(path, data)
}

func existsError(path string) error {
	return fmt.Errorf("%s already exists; choose another path or delete it first (a secret file is never overwritten)", path)
}

func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeExclusive creates path with O_EXCL; on failure it removes the file it
// created, so no partial secret stays behind.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return existsError(path)
	}
	if err != nil {
		return fmt.Errorf("write secret file: %w", err)
	}
	if err := writeSync(f, data); err != nil {
		os.Remove(path)
		return fmt.Errorf("write secret file: %w", err)
	}
	return nil
}

// WriteFileIn writes the secret to dir/TokenFileName(name), as WriteFile does,
// and returns that path. dir must already exist: a typo must not create a
// fresh directory with default permissions. Callers warn when DirTooOpen.
func WriteFileIn(dir, name string, s Secret) (string, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return "", err
	case !info.IsDir():
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	path := filepath.Join(dir, TokenFileName(name))
	return path, WriteFile(path, s)
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
