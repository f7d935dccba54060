package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
	"github.com/replexio/replex/pkg/secret"
)

var rawSecret = regexp.MustCompile(`^rpx_[A-Za-z0-9]{40}$`)

// seedTokens issues n tokens named prefix-000 ... directly on the sandbox
// and returns them with their secrets, in order.
func seedTokens(t *testing.T, e *faultEnv, n int, prefix string) ([]api.Token, []string) {
	t.Helper()
	toks, secs := make([]api.Token, n), make([]string, n)
	for i := range n {
		tok, raw, err := e.srv.IssueToken(fmt.Sprintf("%s-%03d", prefix, i), grants.Set{"organization": {"read"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		toks[i], secs[i] = tok, raw
	}
	return toks, secs
}

// lastUsed is the token's lastUsedAt as the sandbox holds it; nil when it
// was never used or does not exist.
func (e *faultEnv) lastUsed(id string) *time.Time {
	for _, tok := range e.srv.Tokens() {
		if tok.ID == id {
			return tok.LastUsedAt
		}
	}
	return nil
}

// authenticatesAs reports whether sec authenticates, and as the token id:
// the sandbox moves the lastUsedAt of the token a secret belongs to, and
// nothing else uses these tokens (replex works with the admin token).
func (e *faultEnv) authenticatesAs(sec, id string) bool {
	e.t.Helper()
	before := e.lastUsed(id)
	if e.authStatus(sec) != 200 {
		return false
	}
	after := e.lastUsed(id)
	return after != nil && (before == nil || after.After(*before))
}

// lastMessage is the last stderr line of a run that is not the --debug log.
func (r runResult) lastMessage() string {
	msgs := r.messages()
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1]
}

// TestFaultRotateDropAfterCommit rotates 200 tokens, one replex run each,
// against a sandbox that cuts the connection after half of all writes.
// Afterwards, with faults off, every token is accounted for:
//   - a rotation that succeeded printed the new secret alone, which
//     authenticates as the one token now carrying the name; the old token
//     is gone and its secret rejected;
//   - a rotation that failed said why in one line; if it printed a secret
//     that secret authenticates as the token carrying the name; the old
//     token either was retired (only once a secret was delivered) or still
//     authenticates, under its own name or under a name the error gives;
//   - no other token exists: none whose secret was never delivered.
func TestFaultRotateDropAfterCommit(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	e := startFaultEnv(t, bin, sandbox.Options{})
	const n = 200
	olds, oldSecrets := seedTokens(t, e, n, "rot")
	if err := e.srv.SetFaults(sandbox.Faults{DropAfterCommitRate: 0.5, Seed: 4242}); err != nil {
		t.Fatal(err)
	}
	results := make([]runResult, n)
	start := time.Now()
	parallel(n, 8, func(i int) {
		results[i] = e.run("tokens", "rotate", olds[i].Name, "--yes")
	})
	elapsed := time.Since(start)
	stats := e.srv.FaultStats()
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}

	byID := map[string]api.Token{}
	byName := map[string][]api.Token{}
	for _, tok := range e.srv.Tokens() {
		byID[tok.ID] = tok
		byName[tok.Name] = append(byName[tok.Name], tok)
	}
	accounted := map[string]bool{}
	for _, tok := range byName["sandbox-admin"] {
		accounted[tok.ID] = true
	}
	rotated, failed, retries, orphans, oldKept, retiredAnyway := 0, 0, 0, 0, 0, 0
	for i, r := range results {
		name, old := olds[i].Name, olds[i]
		retries += r.retries()
		orphans += r.orphansRemoved()
		sec := strings.TrimSuffix(r.stdout, "\n")
		delivered := r.stdout != ""
		if delivered && !rawSecret.MatchString(sec) {
			t.Errorf("rotate %s (exit %d) printed %d bytes on stdout that are not one secret", name, r.code, len(r.stdout))
			delivered = false
		}
		// The token now carrying the name, other than the old one.
		var fresh []api.Token
		for _, tok := range byName[name] {
			if tok.ID != old.ID {
				fresh = append(fresh, tok)
			}
		}
		if len(fresh) > 1 {
			t.Errorf("rotate %s: %d new tokens carry the name", name, len(fresh))
		}
		if delivered {
			switch {
			case len(fresh) == 0:
				t.Errorf("rotate %s (exit %d) delivered a secret but no new token carries the name", name, r.code)
			case !e.authenticatesAs(sec, fresh[0].ID):
				t.Errorf("rotate %s (exit %d): the secret delivered does not authenticate as the new token %s", name, r.code, fresh[0].ID)
			default:
				accounted[fresh[0].ID] = true
			}
		} else {
			for _, tok := range fresh {
				t.Errorf("orphan: rotate %s (exit %d) delivered no secret, but a new token %s carries the name", name, r.code, tok.ID)
			}
		}
		cur, oldAlive := byID[old.ID]

		if r.code == 0 {
			rotated++
			if !delivered {
				t.Errorf("rotate %s succeeded but delivered no secret", name)
			}
			if oldAlive {
				t.Errorf("rotate %s succeeded but the old token %s lives on as %q", name, old.ID, cur.Name)
				accounted[old.ID] = true
			}
			if code := e.authStatus(oldSecrets[i]); code != 401 {
				t.Errorf("rotate %s succeeded but the old secret still gets %d", name, code)
			}
			continue
		}

		failed++
		e.checkFailure(r)
		msg := r.lastMessage()
		t.Logf("rotate %s: exit %d: %s", name, r.code, msg)
		if !oldAlive {
			retiredAnyway++
			if !delivered {
				t.Errorf("rotate %s failed, delivered no secret, and the old token %s is gone: no working credential is left: %s", name, old.ID, msg)
			}
			continue
		}
		oldKept++
		accounted[old.ID] = true
		if !e.authenticatesAs(oldSecrets[i], old.ID) {
			t.Errorf("rotate %s failed and the old token %s no longer authenticates: %s", name, old.ID, msg)
		}
		if cur.Name != name && !strings.Contains(msg, cur.Name) {
			t.Errorf("rotate %s failed and left the old token %s renamed to %q, which the error does not say: %s", name, old.ID, cur.Name, msg)
		}
		if cur.Name != name && strings.Contains(msg, "nothing was changed") {
			t.Errorf("rotate %s failed saying nothing was changed, but the old token %s is now named %q", name, old.ID, cur.Name)
		}
		if delivered && !strings.Contains(msg, old.ID) {
			t.Errorf("rotate %s delivered a secret and kept the old token %s alive, but the error does not name it: %s", name, old.ID, msg)
		}
	}
	remaining := 0
	for id, tok := range byID {
		if !accounted[id] {
			remaining++
			t.Errorf("orphan: token %s %q is accounted for by no rotation", id, tok.Name)
		}
	}
	if stats.Dropped < n/2 || (orphans == 0 && retries == 0) {
		t.Fatalf("the fault did not bite: %s; %d retries, %d orphans", stats, retries, orphans)
	}
	e.checkNoLeaks()
	t.Logf("%d rotations in %s (8 at a time): %d rotated, %d failed with one clear line (%d kept the old token, %d retired it after delivering); sandbox: %s; %d faults injected; %d retries; %d orphans found and removed; %d remain",
		n, elapsed.Round(time.Millisecond), rotated, failed, oldKept, retiredAnyway, stats, stats.Injected(), retries, orphans, remaining)
}

// TestFaultBulkRotateRateLimited rotates 100 tokens in one bulk run, 8 at a
// time, against a sandbox that accepts 50 requests a second: the 429s are
// waited out, every rotation succeeds, and every secret file authenticates
// as the new token carrying its name.
func TestFaultBulkRotateRateLimited(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	e := startFaultEnv(t, bin, sandbox.Options{})
	const n = 100
	olds, oldSecrets := seedTokens(t, e, n, "fleet")
	// An unrelated token the selection must leave alone.
	bystander, _, err := e.srv.IssueToken("other-000", grants.Set{"organization": {"read"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetFaults(sandbox.Faults{RateLimit: 50, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := time.Now()
	r := e.run("tokens", "rotate", "--name", "fleet-*", "--secret-dir", dir, "--parallel", "8", "--yes")
	elapsed := time.Since(start)
	stats := e.srv.FaultStats()
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	if r.code != 0 {
		t.Fatalf("bulk rotate: exit %d:\n%s", r.code, strings.Join(r.messages(), "\n"))
	}
	if want := fmt.Sprintf("%d rotated, 0 failed", n); r.lastMessage() != want {
		t.Errorf("summary %q, want %q", r.lastMessage(), want)
	}
	if r.stdout != "" {
		t.Errorf("bulk rotate printed %d bytes on stdout", len(r.stdout))
	}

	byName := map[string][]api.Token{}
	for _, tok := range e.srv.Tokens() {
		byName[tok.Name] = append(byName[tok.Name], tok)
	}
	for i, old := range olds {
		cur := byName[old.Name]
		delete(byName, old.Name)
		if len(cur) != 1 || cur[0].ID == old.ID {
			t.Errorf("%s: want one new token under the name, got %v", old.Name, cur)
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, secret.TokenFileName(old.Name)))
		if err != nil {
			t.Errorf("%s: %v", old.Name, err)
			continue
		}
		if sec := strings.TrimSpace(string(raw)); !rawSecret.MatchString(sec) || !e.authenticatesAs(sec, cur[0].ID) {
			t.Errorf("%s: the secret file does not authenticate as the new token %s", old.Name, cur[0].ID)
		}
		if code := e.authStatus(oldSecrets[i]); code != 401 {
			t.Errorf("%s: the old secret still gets %d", old.Name, code)
		}
	}
	if got := byName[bystander.Name]; len(got) != 1 || got[0].ID != bystander.ID {
		t.Errorf("the bystander %s was touched: %v", bystander.Name, got)
	}
	delete(byName, bystander.Name)
	delete(byName, "sandbox-admin")
	if len(byName) != 0 {
		t.Errorf("%d tokens nobody asked for remain: %v", len(byName), byName)
	}
	if stats.RateLimited == 0 {
		t.Fatalf("the rate limit never bit: %s", stats)
	}
	e.checkNoLeaks()
	files, _ := os.ReadDir(dir)
	t.Logf("bulk rotation of %d tokens in %s (--parallel 8, 50 requests/s): exit 0, %d secret files, all authenticate; sandbox: %s; %d retries",
		n, elapsed.Round(time.Millisecond), len(files), stats, r.retries())
}
