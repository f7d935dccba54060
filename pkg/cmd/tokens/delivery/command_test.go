package delivery

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
)

// The command keeps the user's environment (its tools need their own
// configuration) but not replex's credential, and the token's variables
// are replex's, not whatever the caller's environment held.
func TestCommandEnv(t *testing.T) {
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.FixedZone("x", 3600))
	env := commandEnv([]string{
		"PATH=/bin", "KUBECONFIG=/k", "REPLEX_API_TOKEN=rpx_admin", "REPLEX_TOKEN_NAME=spoofed", "REPLEX_ORG=org_1",
	}, api.Token{ID: "ak_1", Name: "ci", ExpiresAt: &exp})
	want := []string{"PATH=/bin", "KUBECONFIG=/k", "REPLEX_ORG=org_1",
		"REPLEX_TOKEN_NAME=ci", "REPLEX_TOKEN_ID=ak_1", "REPLEX_TOKEN_EXPIRES_AT=2027-01-30T23:00:00Z"}
	if !slices.Equal(env, want) {
		t.Errorf("env = %q\nwant %q", env, want)
	}
	env = commandEnv(nil, api.Token{ID: "ak_2", Name: "n"})
	if !slices.Contains(env, "REPLEX_TOKEN_EXPIRES_AT=") {
		t.Errorf("never expires: env = %q", env)
	}
}

// OpenCommand is what tokens apply calls: Deliver runs the command and a
// failure revokes the token, with one line naming it and the status.
func TestOpenCommandFailureRevokes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	f, errOut := factory(nil, false) // stdout fails every write: a command target never writes there
	target, err := OpenCommand(f, "cat >/dev/null; echo refused >&2; exit 7", 0)
	if err != nil {
		t.Fatal(err)
	}
	rv := &revoker{}
	err = target.Deliver(context.Background(), rv, "Token created", created, nil)
	want := `token "ci" (ak_1) was revoked because --secret-command exited with status 7`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if len(rv.revoked) != 1 || errOut.String() != "refused\n" {
		t.Errorf("revoked %q, stderr %q", rv.revoked, errOut.String())
	}

	// The exact secret, without a newline ($(...) would drop one, not the x).
	target, _ = OpenCommand(f, `[ "$(cat; echo x)" = "`+raw+`x" ]`, time.Minute)
	rv = &revoker{}
	if err := target.Deliver(context.Background(), rv, "Token created", created, nil); err != nil || len(rv.revoked) != 0 {
		t.Fatalf("err = %v, revoked %q", err, rv.revoked)
	}
	// A caller names where the command came from.
	target, _ = OpenCommand(f, "exit 2", 0)
	target.SetCommandLabel("the secret command of spec.yaml:4")
	err = target.Deliver(context.Background(), &revoker{}, "Token created", created, nil)
	if want := `token "ci" (ak_1) was revoked because the secret command of spec.yaml:4 exited with status 2`; err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if _, err := OpenCommand(f, "  ", 0); err == nil || !strings.Contains(err.Error(), "--secret-command is empty") {
		t.Errorf("empty command: err = %v", err)
	}
}
