//go:build unix

package secret

import "syscall"

// detached puts the clearer in a new session, without a controlling
// terminal, so the SIGHUP of a closing terminal does not reach it.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
