package rotate

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/delivery"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
	"github.com/replexio/replex/pkg/sandbox"
)

// lockedKeyring hands out the stored token but refuses to store a new one,
// as a keyring locked between the two does.
type lockedKeyring struct{ token string }

func (k lockedKeyring) Get(string) (string, error) { return k.token, nil }
func (lockedKeyring) Set(string, string) error     { return errors.New("the keyring is locked") }
func (lockedKeyring) Delete(string) error          { return nil }

// Rotating replex's own token stores the new secret as its credential
// before the old token is retired. If that store fails, the delivery has
// failed: the new token is revoked and the old one keeps working under its
// own name, so replex is never locked out.
func TestOwnTokenNotStoredKeepsOldToken(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{}) // real time: lastUsedAt moves, so replex sees its own token
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	old, raw, err := srv.IssueToken("automation", grants.Set{"apiKey": {"read", "create", "update", "delete"}, "organization": {"read"}}, nil)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	cfg := "current_profile: default\nprofiles:\n  default:\n    base_url: " + hs.URL + "\n    org: " + srv.OrgID() + "\n    token_storage: keyring\n"
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, out, errOut := iostreams.Test()
	env := map[string]string{"REPLEX_CONFIG_DIR": dir}
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(k string) string { return env[k] },
		Flags:     &cmdutil.GlobalFlags{Timeout: 10 * time.Second},
		Now:       time.Now,
		Keyring:   lockedKeyring{raw},
	}
	cmd := NewCmdRotate(f, nil)
	cmd.SetArgs([]string{"automation", "--yes"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err = cmd.ExecuteContext(context.Background())

	re := regexp.MustCompile(`^token "automation" \(ak_[0-9a-f]+\) was revoked because it is replex's own token and storing it as the new credential failed \(cannot store the new token in the keyring: the keyring is locked\); the old token ` + old.ID + ` still works, as "automation"$`)
	if err == nil || !re.MatchString(err.Error()) {
		t.Fatalf("err = %v", err)
	}
	if de, ok := delivery.IsError(err); !ok || !de.Revoked() {
		t.Errorf("not a revoked delivery error: %v", err)
	}
	var now []api.Token
	for _, tok := range srv.Tokens() {
		if tok.Name != "sandbox-admin" {
			now = append(now, tok)
		}
	}
	if len(now) != 1 || now[0].ID != old.ID || now[0].Name != "automation" || now[0].ExpiresAt != nil {
		t.Errorf("tokens now %+v; want the old one alone, as it was", now)
	}
	status := func(sec string) int {
		return tokenstest.GetStatus(t, hs.URL+api.OrganizationPath(srv.OrgID()), sec)
	}
	if got := status(raw); got != 200 {
		t.Errorf("the old token no longer works: %d", got)
	}
	// The new secret reached stdout before the store failed; it was revoked.
	if printed := strings.TrimSpace(out.String()); !strings.HasPrefix(printed, "rpx_") || status(printed) != 401 {
		t.Errorf("the secret printed on stdout is not a revoked one: status %d", status(printed))
	}
	if strings.Contains(errOut.String(), "rpx_") {
		t.Errorf("stderr holds a secret: %q", errOut.String())
	}
}
