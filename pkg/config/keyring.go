package config

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
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

// SystemKeyring is the OS keyring through zalando/go-keyring.
type SystemKeyring struct{}

func (SystemKeyring) Get(profile string) (string, error) {
	v, err := keyring.Get(KeyringService, profile)
	return v, keyringErr(err)
}

func (SystemKeyring) Set(profile, token string) error {
	return keyringErr(keyring.Set(KeyringService, profile, token))
}

func (SystemKeyring) Delete(profile string) error {
	return keyringErr(keyring.Delete(KeyringService, profile))
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
