// Package secret holds the once-only token secret. A Secret prints as a
// fingerprint under every fmt verb, in JSON and in logs; only Reveal gives the
// value, and only delivery code calls it.
package secret

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret is an opaque credential. The value sits behind a pointer because fmt
// cannot call Format on a Secret held in an unexported struct field: it walks
// such fields by reflection, and would print a string field verbatim, but
// prints a nested pointer as an address. So compare secrets with Equal, not ==.
type Secret struct{ value *string }

// New wraps a raw secret.
func New(raw string) Secret {
	if raw == "" {
		return Secret{} // so New("") == Secret{} and IsZero
	}
	return Secret{value: &raw}
}

// Reveal returns the raw secret. Call it only where the secret is delivered
// to its owner (stdout, clipboard, a 0600 file) or sent to the API.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// IsZero reports whether there is no secret.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// Equal reports whether both hold the same value (go-cmp uses it too).
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// Fingerprint identifies the secret without disclosing it: the first eight
// hex digits of its SHA-256.
func (s Secret) Fingerprint() string {
	if s.IsZero() {
		return "(none)"
	}
	sum := sha256.Sum256([]byte(s.Reveal()))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// String implements fmt.Stringer.
func (s Secret) String() string { return s.Fingerprint() }

// GoString implements fmt.GoStringer so %#v does not print the field.
func (s Secret) GoString() string { return "secret.Secret(" + s.Fingerprint() + ")" }

// Format makes every verb (%s %v %q %x %d ...) print the fingerprint.
// A Formatter takes precedence over GoStringer, hence the %#v case.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		fmt.Fprintf(f, "%q", s.Fingerprint())
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	default:
		fmt.Fprint(f, s.Fingerprint())
	}
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.Fingerprint()) }

// MarshalJSON writes the fingerprint, never the value: output that must carry
// the secret builds its document explicitly from Reveal.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.Fingerprint()) }

// MarshalText likewise (YAML and other text encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.Fingerprint()), nil }

// UnmarshalJSON reads the raw value, as the API sends it.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("token secret is not a string")
	}
	*s = New(v)
	return nil
}
