package delivery

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/secret"
)

type revoker struct {
	err     error
	revoked []string
}

func (r *revoker) DeleteToken(_ context.Context, id string) error {
	r.revoked = append(r.revoked, id)
	return r.err
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

const raw = "rpx_0123456789abcdefghijABCDEFGHIJ0123456789"

// factory's stdout is out, or fails every write when out is nil; null says
// whether it is the null device.
func factory(out *bytes.Buffer, null bool) (*cmdutil.Factory, *bytes.Buffer) {
	ios, _, _, errOut := iostreams.Test()
	ios.Out = failingWriter{}
	if out != nil {
		ios.Out = out
	}
	ios.SetStdoutNull(null)
	return &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(string) string { return "" },
		Now:       func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) },
		Clipboard: func() secret.Clipboard { return nil },
	}, errOut
}

var created = api.CreatedToken{Token: api.Token{ID: "ak_1", Name: "ci"}, Secret: secret.New(raw)}

// When revoking fails too, the one line says so and names the id to delete.
func TestRevokeFailsToo(t *testing.T) {
	f, errOut := factory(nil, false)
	target, err := Open(f, &Flags{})
	if err != nil {
		t.Fatal(err)
	}
	rv := &revoker{err: errors.New("connection refused")}
	err = target.Deliver(context.Background(), rv, "Token created", created, nil)
	want := `token "ci" (ak_1) still exists but its secret was not delivered, because writing to stdout failed (no space left on device); revoking it failed too (connection refused): delete it by hand with 'replex tokens delete ak_1'`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if de, ok := IsError(err); !ok || de.Revoked() {
		t.Errorf("IsError = %v, %v; want an unrevoked delivery error", de, ok)
	}
	if len(rv.revoked) != 1 || rv.revoked[0] != "ak_1" {
		t.Errorf("revoked %q", rv.revoked)
	}
	if strings.Contains(errOut.String()+err.Error(), raw) {
		t.Error("the secret leaked")
	}
}

// A secret that would go to the null device is not delivered; with --copy
// the clipboard is where it went, and only if that failed too is it revoked.
func TestNullStdoutIsNowhere(t *testing.T) {
	var out bytes.Buffer
	f, _ := factory(&out, true)
	target, _ := Open(f, &Flags{})
	rv := &revoker{}
	err := target.Deliver(context.Background(), rv, "Token created", created, nil)
	want := `token "ci" (ak_1) was revoked because stdout goes nowhere (it is /dev/null, or was closed): give --secret-file PATH to keep the secret`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if len(rv.revoked) != 1 {
		t.Errorf("revoked %q", rv.revoked)
	}
}

// Whatever follows the write (storing replex's own credential) is part of
// the delivery: its failure revokes the token.
func TestThenFailureRevokes(t *testing.T) {
	var out bytes.Buffer
	f, _ := factory(&out, false)
	target, _ := Open(f, &Flags{})
	rv := &revoker{}
	err := target.Deliver(context.Background(), rv, "Token rotated", created, func() error {
		return errors.New("storing it failed (keyring locked)")
	})
	want := `token "ci" (ak_1) was revoked because storing it failed (keyring locked)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if len(rv.revoked) != 1 {
		t.Errorf("revoked %q", rv.revoked)
	}
}

// A delivery that works revokes nothing.
func TestDeliveredRevokesNothing(t *testing.T) {
	var out bytes.Buffer
	f, _ := factory(&out, false)
	target, _ := Open(f, &Flags{})
	rv := &revoker{}
	if err := target.Deliver(context.Background(), rv, "Token created", created, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != raw+"\n" || len(rv.revoked) != 0 {
		t.Errorf("stdout %q, revoked %q", out.String(), rv.revoked)
	}
}

// On a terminal the panel is the destination (the clipboard may hold the
// secret too): a panel that cannot be written revokes the token.
func TestTerminalWriteFailureRevokes(t *testing.T) {
	f, _ := factory(nil, false)
	f.IOStreams.SetStdoutTTY(true)
	target, _ := Open(f, &Flags{NoCopy: true})
	rv := &revoker{}
	err := target.Deliver(context.Background(), rv, "Token created", created, nil)
	want := `token "ci" (ak_1) was revoked because writing to stdout failed (no space left on device)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if len(rv.revoked) != 1 {
		t.Errorf("revoked %q", rv.revoked)
	}
}
