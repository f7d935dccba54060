package sandbox

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// Listen opens a TCP listener for the sandbox. The sandbox is a test server
// whose admin secret is printed and stored in a plain file, so it refuses
// anything but a loopback address (127.0.0.0/8, ::1, localhost) unless
// allowNonLoopback. "127.0.0.1:0" picks a free port.
func Listen(addr string, allowNonLoopback bool) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: bad listen address %q: %w", addr, err)
	}
	if !allowNonLoopback && !isLoopback(host) {
		what := host
		if host == "" {
			what = "every interface"
		}
		return nil, &NotLoopbackError{Addr: addr, What: what}
	}
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		// Usually a sandbox already running on the default port.
		return nil, fmt.Errorf("sandbox: cannot listen on %s: port %s is already in use (another sandbox?); stop that one, or pass --listen 127.0.0.1:0 for a free port", addr, port)
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return ln, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// NotLoopbackError is Listen's refusal of an address other machines could reach.
type NotLoopbackError struct{ Addr, What string }

func (e *NotLoopbackError) Error() string {
	return fmt.Sprintf("sandbox: refusing to listen on %s (%s is not a loopback address): the sandbox is a test server; use 127.0.0.1, ::1 or localhost", e.Addr, e.What)
}
