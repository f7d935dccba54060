package prune

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
)

// TestPruneInParallel deletes 40 expired tokens, 8 at a time, in this
// process, so that CI's go test -race watches the bulk code's goroutines.
// Exactly the expired tokens go; the live one stays.
func TestPruneInParallel(t *testing.T) {
	w := tokenstest.NewWorld(t, 0)
	past := tokenstest.Now.Add(-tokenstest.Day)
	future := tokenstest.Now.Add(30 * tokenstest.Day)
	const n = 40
	for i := range n {
		w.Issue(fmt.Sprintf("stale-%02d", i), "organization:read", tokenstest.Now.Add(-10*tokenstest.Day), &past, time.Time{})
	}
	live := w.Issue("live", "organization:read", tokenstest.Now, &future, time.Time{})

	f, _, errOut := w.Factory(false, false)
	if err := tokenstest.Execute(f, NewCmdPrune(f, nil), "--expired", "--parallel", "8", "--yes"); err != nil {
		t.Fatalf("prune: %v\n%s", err, errOut.String())
	}
	if want := fmt.Sprintf("%d deleted, 0 failed\n", n); !strings.HasSuffix(errOut.String(), want) {
		t.Errorf("stderr does not end with %q:\n%s", want, errOut.String())
	}
	var left []string
	for _, tok := range w.Srv.Tokens() {
		left = append(left, tok.Name)
		if strings.HasPrefix(tok.Name, "stale-") {
			t.Errorf("the expired token %s is still there", tok.Name)
		}
	}
	if len(left) != 2 || !strings.Contains(strings.Join(left, " "), live.Name) {
		t.Errorf("tokens left %q, want the live one and the admin", left)
	}
}
