//go:build unix

package secret

import "syscall"

// noFollow refuses a symlink as the last path element.
const noFollow = syscall.O_NOFOLLOW
