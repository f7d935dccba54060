//go:build unix

package secret

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
)

// The file is 0600 by the mode CreateFile asks for, not by the umask: with
// no umask at all, a 0644 (or any wider) request would show.
func TestCreateFileModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "x.token")
	f, err := CreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Remove()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode with umask 0 = %o, want 600", info.Mode().Perm())
	}
}

// Two writers racing on one path: exactly one creates the file and its
// secret is what the file holds; every other gets "already exists". Run
// many rounds so a create that is not exclusive shows.
func TestCreateFileRaceOneWinner(t *testing.T) {
	const writers, rounds = 8, 200
	dir := t.TempDir()
	for round := range rounds {
		path := filepath.Join(dir, "race.token")
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			mu      sync.Mutex
			winners []int
		)
		secrets := make([]Secret, writers)
		for w := range writers {
			secrets[w] = New(raw + string(rune('a'+w)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				f, err := CreateFile(path)
				if err != nil {
					if !errors.Is(err, fs.ErrExist) {
						t.Errorf("round %d writer %d: %v", round, w, err)
					}
					return
				}
				if err := f.Write(secrets[w]); err != nil {
					t.Errorf("round %d writer %d: write: %v", round, w, err)
					return
				}
				mu.Lock()
				winners = append(winners, w)
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: %d writers won (%v), want exactly 1", round, len(winners), winners)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != secrets[winners[0]].Reveal()+"\n" {
			t.Fatalf("round %d: the file does not hold the winner's secret", round)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// A directory the process may not write to leaves nothing behind. Root
// passes every permission check, so as root the create runs on a thread
// whose file-system uid is nobody's (setfsuid drops the capabilities that
// override permissions): the test then runs in CI, which runs as root.
func TestCreateFileReadOnlyDirLeavesNothing(t *testing.T) {
	if runtime.GOOS != "linux" && os.Geteuid() == 0 {
		t.Skip("setfsuid is Linux only")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	err := asUnprivileged(t, func() error {
		_, err := CreateFile(filepath.Join(dir, "x.token"))
		return err
	})
	if err == nil {
		t.Fatal("create in a read-only directory succeeded")
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("err = %v, want permission denied", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left behind %q", names)
	}
}
