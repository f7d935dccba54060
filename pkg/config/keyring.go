package config

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/replexio/replex/pkg/secret"
)

// KeyringService is the service name under which tokens are kept.
const KeyringService = "replex"

// Keyring stores secrets in the OS credential store.
type Keyring interface {
	Get(profile string) (string, error)
	Set(profile, token string) error
	Delete(profile string) error
}

// ErrNoKeyringEntry means the keyring works but holds no token for the profile.
var ErrNoKeyringEntry = errors.New("no token in the keyring")

// KeyringUnavailableError means there is no usable OS keyring (no Secret
// Service on D-Bus, a locked or missing keychain).
type KeyringUnavailableError struct{ Err error }

func (e *KeyringUnavailableError) Error() string {
	return "no usable OS keyring (" + e.Err.Error() + ")"
}

func (e *KeyringUnavailableError) Unwrap() error { return e.Err }

// KeyringTimeout bounds one keyring call. A Secret Service that never
// answers (a wedged daemon, a bus that accepts but says nothing) must cost
// seconds, not the two minutes of a D-Bus method call.
const KeyringTimeout = 3 * time.Second

// KeyringHint is what to do instead when the keyring cannot be used.
const KeyringHint = "set REPLEX_API_TOKEN, or run 'replex auth login --insecure-storage' to keep the token in the config file (mode 0600)"

// SystemKeyring is the OS keyring through zalando/go-keyring. Every call is
// bounded by Timeout, and on Linux and the BSDs it talks only to the
// session bus named by DBUS_SESSION_BUS_ADDRESS: without one it fails at
// once, because godbus would otherwise autolaunch a bus (dbus-launch) that
// outlives replex. The zero value is ready to use.
type SystemKeyring struct {
	// Timeout of one call; 0 means KeyringTimeout.
	Timeout time.Duration

	mu sync.Mutex
	// stuck is set once a call timed out: its goroutine still holds the
	// bus, so any later call would only wait out the timeout again.
	stuck error
}

func (k *SystemKeyring) Get(profile string) (string, error) {
	return keyringCall(k, func() (string, error) { return keyring.Get(KeyringService, profile) })
}

func (k *SystemKeyring) Set(profile, token string) error {
	_, err := keyringCall(k, func() (string, error) { return "", keyring.Set(KeyringService, profile, token) })
	return err
}

func (k *SystemKeyring) Delete(profile string) error {
	_, err := keyringCall(k, func() (string, error) { return "", keyring.Delete(KeyringService, profile) })
	return err
}

// keyringCall runs call in a goroutine and gives up after the timeout; a
// call that never returns is left behind, and ends with the process.
func keyringCall(k *SystemKeyring, call func() (string, error)) (string, error) {
	if err := noSessionBus(runtime.GOOS, os.Getenv("DBUS_SESSION_BUS_ADDRESS")); err != nil {
		return "", err
	}
	k.mu.Lock()
	stuck := k.stuck
	k.mu.Unlock()
	if stuck != nil {
		return "", stuck
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = KeyringTimeout
	}
	v, err := secret.WithTimeout(timeout, call)
	if errors.Is(err, secret.ErrNoAnswer) {
		err := &KeyringUnavailableError{Err: fmt.Errorf("the keyring did not answer within %s", timeout)}
		k.mu.Lock()
		k.stuck = err
		k.mu.Unlock()
		return "", err
	}
	return v, keyringErr(err)
}

// noSessionBus refuses, on the systems where go-keyring speaks D-Bus, when
// no session bus address is set: godbus would then run dbus-launch, which
// starts a dbus-daemon (and through it a gnome-keyring-daemon) that
// outlives replex, and waits for a keyring that cannot be unlocked.
func noSessionBus(goos, address string) error {
	switch goos {
	case "linux", "freebsd", "netbsd", "openbsd", "dragonfly":
	default:
		return nil // the Keychain, the Credential Manager, or no keyring at all
	}
	if address == "" || strings.HasPrefix(address, "autolaunch:") {
		return &KeyringUnavailableError{Err: errors.New("DBUS_SESSION_BUS_ADDRESS is not set, so there is no D-Bus session bus to reach the Secret Service on")}
	}
	return nil
}

func keyringErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNoKeyringEntry
	default:
		return &KeyringUnavailableError{Err: fmt.Errorf("%s", firstLine(err.Error()))}
	}
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
