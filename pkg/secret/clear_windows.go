//go:build windows

package secret

import "syscall"

// detachedProcess is DETACHED_PROCESS: no console, so closing the console
// window does not end the clearer.
const detachedProcess = 0x00000008

func detached() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: detachedProcess | syscall.CREATE_NEW_PROCESS_GROUP}
}
