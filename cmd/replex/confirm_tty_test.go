package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/grants"
)

// Rotate and prune ask on a terminal; an empty answer (Enter alone) is no,
// and nothing changes. Answered y, each goes ahead, so the question is real.
func TestRotateAndPruneEmptyAnswerIsNo(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	srv, url := startTestSandbox(t)
	dir := t.TempDir()
	env := append(isolatedEnv(t, url, srv.OrgID(), srv.AdminSecret()), "PATH="+os.Getenv("PATH"), "TERM=xterm", "NO_COLOR=1")
	ids := func() map[string]bool {
		out := map[string]bool{}
		for _, tok := range srv.Tokens() {
			out[tok.ID] = true
		}
		return out
	}
	ci, _, err := srv.IssueToken("ci", grants.Set{"cluster": {"read"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	old, _, err := srv.IssueToken("old", grants.Set{"cluster": {"read"}}, &past)
	if err != nil {
		t.Fatal(err)
	}
	before := ids()

	secretFile := filepath.Join(dir, "ci.token")
	out, code := answerOnPTY(t, bin, env, []string{""}, "tokens", "rotate", "ci", "--secret-file", secretFile)
	if code != 2 || !strings.Contains(out, "[y/N]") || !strings.Contains(out, "did not rotate: not confirmed") {
		t.Fatalf("rotate, answer empty: exit %d:\n%s", code, out)
	}
	if after := ids(); len(after) != len(before) || !after[ci.ID] {
		t.Fatalf("rotate answered empty changed the tokens: %v -> %v", before, after)
	}

	out, code = answerOnPTY(t, bin, env, []string{""}, "tokens", "prune", "--expired")
	if code != 2 || !strings.Contains(out, "Delete 1 tokens? This cannot be undone. [y/N]") || !strings.Contains(out, "did not delete 1 tokens: not confirmed") {
		t.Fatalf("prune, answer empty: exit %d:\n%s", code, out)
	}
	if after := ids(); !after[old.ID] {
		t.Fatal("prune answered empty deleted the expired token")
	}

	out, code = answerOnPTY(t, bin, env, []string{"y"}, "tokens", "prune", "--expired")
	if code != 0 || ids()[old.ID] {
		t.Fatalf("prune, answer y: exit %d:\n%s", code, out)
	}
}
