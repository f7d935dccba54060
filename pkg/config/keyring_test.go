package config

import (
	"errors"
	"testing"
)

// TestNoSessionBus: where go-keyring speaks D-Bus, a missing or autolaunch
// session bus address is refused before godbus could start a bus.
func TestNoSessionBus(t *testing.T) {
	for _, c := range []struct {
		goos, address string
		refused       bool
	}{
		{"linux", "", true},
		{"linux", "autolaunch:", true},
		{"openbsd", "autolaunch:scope=*user", true},
		{"freebsd", "", true},
		{"linux", "unix:path=/run/user/1000/bus", false},
		{"darwin", "", false},
		{"windows", "", false},
	} {
		err := noSessionBus(c.goos, c.address)
		var ku *KeyringUnavailableError
		if got := errors.As(err, &ku); got != c.refused {
			t.Errorf("noSessionBus(%q, %q) = %v, want refused=%v", c.goos, c.address, err, c.refused)
		}
	}
}
