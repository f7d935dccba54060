//go:build unix && !linux

package secret

import "testing"

func asUnprivileged(t *testing.T, fn func() error) error { return fn() }
