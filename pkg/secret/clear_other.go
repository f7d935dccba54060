//go:build !unix && !windows

package secret

import "syscall"

// detached has nothing to add where there are no sessions (plan9, wasm):
// the clearer is an ordinary child.
func detached() *syscall.SysProcAttr { return nil }
