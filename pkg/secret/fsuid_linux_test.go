package secret

import (
	"os"
	"runtime"
	"syscall"
	"testing"
)

const nobody = 65534

// asUnprivileged runs fn with nobody's file-system uid when the test runs
// as root; otherwise as the test's own user. setfsuid is per thread, so the
// goroutine is locked to its thread; a thread that could not be restored is
// left locked, and Go discards it when the goroutine ends.
func asUnprivileged(t *testing.T, fn func() error) error {
	t.Helper()
	if os.Geteuid() != 0 {
		return fn()
	}
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		syscall.Setfsuid(nobody)
		// setfsuid reports the previous value, never an error: read it back.
		if prev, _, _ := syscall.RawSyscall(syscall.SYS_SETFSUID, ^uintptr(0), 0, 0); prev != nobody {
			done <- nil
			t.Errorf("setfsuid(%d) did not take (fsuid %d)", nobody, prev)
			return
		}
		err := fn()
		syscall.Setfsuid(0)
		if prev, _, _ := syscall.RawSyscall(syscall.SYS_SETFSUID, ^uintptr(0), 0, 0); prev == 0 {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}
