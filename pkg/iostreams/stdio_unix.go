//go:build unix

package iostreams

import "syscall"

// claimClosedStdio finds which of stdin, stdout and stderr the process was
// started without (`>&-`) and puts /dev/null in their place. Left free, such
// a descriptor would be handed to the next file or socket replex opens, and
// what replex prints on stdout (a secret) would land there.
func claimClosedStdio() (closed [3]bool) {
	for fd := range 3 {
		var st syscall.Stat_t
		closed[fd] = syscall.Fstat(fd, &st) == syscall.EBADF
	}
	// In order: each open takes the lowest free descriptor, the one closed.
	for fd := range 3 {
		if !closed[fd] {
			continue
		}
		got, err := syscall.Open("/dev/null", syscall.O_RDWR, 0)
		if err == nil && got != fd {
			syscall.Close(got)
		}
	}
	return closed
}
