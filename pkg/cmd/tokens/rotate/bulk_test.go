package rotate

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/secret"
)

// TestBulkRotateInParallel runs a bulk rotation of 40 tokens, 8 at a time,
// in this process, so that CI's go test -race watches the bulk code's
// goroutines (selection, rotations, secret files, tally, summary). Every
// token is replaced, its secret file authenticates, and the bystander
// outside the selection is left alone.
func TestBulkRotateInParallel(t *testing.T) {
	w := tokenstest.NewWorld(t, 0)
	exp := tokenstest.Now.Add(30 * tokenstest.Day)
	const n = 40
	olds := map[string]api.Token{}
	for i := range n {
		tok := w.Issue(fmt.Sprintf("fleet-%02d", i), "organization:read", tokenstest.Now, &exp, time.Time{})
		olds[tok.Name] = tok
	}
	bystander := w.Issue("other", "organization:read", tokenstest.Now, &exp, time.Time{})
	dir := t.TempDir()

	f, out, errOut := w.Factory(false, false)
	if err := tokenstest.Execute(f, NewCmdRotate(f, nil), "--name", "fleet-*", "--secret-dir", dir, "--parallel", "8", "--yes"); err != nil {
		t.Fatalf("bulk rotate: %v\n%s", err, errOut.String())
	}
	if want := fmt.Sprintf("%d rotated, 0 failed\n", n); !strings.HasSuffix(errOut.String(), want) {
		t.Errorf("stderr does not end with %q:\n%s", want, errOut.String())
	}
	if out.Len() != 0 || strings.Contains(errOut.String(), "rpx_") {
		t.Errorf("a secret went to stdout or stderr (%d bytes on stdout)", out.Len())
	}

	byName := map[string][]api.Token{}
	for _, tok := range w.Srv.Tokens() {
		byName[tok.Name] = append(byName[tok.Name], tok)
	}
	for name, old := range olds {
		cur := byName[name]
		if len(cur) != 1 || cur[0].ID == old.ID {
			t.Errorf("%s: want one new token under the name, got %v", name, cur)
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, secret.TokenFileName(name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if code := authStatus(t, w, strings.TrimSpace(string(raw))); code != http.StatusOK {
			t.Errorf("%s: the secret file gets HTTP %d, want 200", name, code)
		}
	}
	if cur := byName[bystander.Name]; len(cur) != 1 || cur[0].ID != bystander.ID {
		t.Errorf("the bystander was touched: %v", cur)
	}
	if total := len(w.Srv.Tokens()); total != n+2 { // the fleet, the bystander, the admin
		t.Errorf("%d tokens on the server, want %d: an old token was kept or an extra one made", total, n+2)
	}
}

// authStatus is the HTTP status of reading the organization with sec.
func authStatus(t *testing.T, w *tokenstest.World, sec string) int {
	t.Helper()
	return tokenstest.GetStatus(t, w.URL+api.OrganizationPath(w.Srv.OrgID()), sec)
}
