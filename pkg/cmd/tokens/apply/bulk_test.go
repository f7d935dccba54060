package apply

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/secret"
)

// TestApplyInParallel creates the 40 tokens of a spec, 8 at a time, in
// this process, so that CI's go test -race watches the bulk code's
// goroutines. Each token has its grants and its secret file authenticates.
func TestApplyInParallel(t *testing.T) {
	w := tokenstest.NewWorld(t, 0)
	const n = 40
	var spec strings.Builder
	spec.WriteString("tokens:\n")
	for i := range n {
		fmt.Fprintf(&spec, "  - name: svc-%02d\n    grants: [cluster:read]\n", i)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "tokens.yaml")
	if err := os.WriteFile(file, []byte(spec.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	secrets := filepath.Join(dir, "secrets")
	if err := os.Mkdir(secrets, 0o700); err != nil {
		t.Fatal(err)
	}

	f, out, errOut := w.Factory(false, false)
	if err := tokenstest.Execute(f, NewCmdApply(f, nil), "-f", file, "--secret-dir", secrets, "--parallel", "8", "--yes"); err != nil {
		t.Fatalf("apply: %v\n%s", err, errOut.String())
	}
	if want := fmt.Sprintf("%d applied, 0 failed\n", n); !strings.HasSuffix(errOut.String(), want) {
		t.Errorf("stderr does not end with %q:\n%s", want, errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), "rpx_") {
		t.Error("a secret went to stdout or stderr")
	}
	byName := map[string]api.Token{}
	for _, tok := range w.Srv.Tokens() {
		byName[tok.Name] = tok
	}
	if len(byName) != n+1 {
		t.Errorf("%d tokens on the server, want the %d of the spec and the admin", len(byName), n)
	}
	for i := range n {
		name := fmt.Sprintf("svc-%02d", i)
		tok, ok := byName[name]
		if !ok || !grants.Equal(tok.Permissions, grants.Set{"cluster": {"read"}}) {
			t.Errorf("%s: missing or with other grants: %v", name, tok.Permissions)
			continue
		}
		raw, err := os.ReadFile(filepath.Join(secrets, secret.TokenFileName(name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// cluster:read may not read tokens: a 403 proves the secret
		// authenticated as a token without api-key:read; 401 would not.
		code := tokenstest.GetStatus(t, w.URL+api.TokenPath(w.Srv.OrgID(), tok.ID), strings.TrimSpace(string(raw)))
		if code != http.StatusForbidden {
			t.Errorf("%s: its secret file gets HTTP %d reading a token, want 403", name, code)
		}
	}
}
