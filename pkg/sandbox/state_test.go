package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

func TestPersistenceAcrossRestarts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "nested", "state.json")
	f := newFixture(t, file)
	r := f.do("POST", api.TokensPath(f.org), f.admin, `{"name":"kept","permissions":{"cluster":["read"]},"expiresAt":"2030-01-01T00:00:00Z"}`)
	created, _ := decodeData[createdToken](t, r, 201)
	before := f.s.Tokens()
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}

	if runtime.GOOS != "windows" {
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("state file mode = %v, want 0600", mode)
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), created.Secret) {
		t.Error("state file holds a token secret in clear")
	}
	if !strings.Contains(string(raw), hashSecret(created.Secret)) {
		t.Error("state file lacks the secret hash")
	}

	g := newFixture(t, file)
	if g.org != f.org || g.admin != f.admin {
		t.Errorf("restart changed org or admin: %s %s", g.org, g.admin)
	}
	after := g.s.Tokens()
	if len(after) != len(before) {
		t.Fatalf("tokens after restart = %d, want %d", len(after), len(before))
	}
	for i := range before {
		if !sameToken(before[i], after[i]) {
			t.Errorf("token %d: %+v\nwant %+v", i, after[i], before[i])
		}
	}
	r = g.do("GET", api.TokenPath(g.org, created.ID), created.Secret, "")
	wantError(t, r, 403, "forbidden", "this token lacks apiKey:read") // the hash still authenticates

	again, err := New(Options{DataFile: file, SeedTokens: 5})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(again.Tokens()); n != 2 {
		t.Errorf("SeedTokens on an existing state must be ignored; %d tokens", n)
	}
}

// Usage times are saved by the next write or by Close, not by every read.
func TestLastUsedAtPersistence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	f := newFixture(t, file)
	f.clock.Advance(time.Minute)
	f.do("GET", api.OrganizationPath(f.org), f.admin, "")
	if stored := readState(t, file); stored.Tokens[0].LastUsedAt != nil {
		t.Errorf("a GET wrote the file: lastUsedAt = %v", stored.Tokens[0].LastUsedAt)
	}
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	if stored := readState(t, file); stored.Tokens[0].LastUsedAt == nil || !stored.Tokens[0].LastUsedAt.Equal(start().Add(time.Minute)) {
		t.Errorf("after Close lastUsedAt = %v", stored.Tokens[0].LastUsedAt)
	}

	f.clock.Advance(time.Minute)
	f.do("GET", api.OrganizationPath(f.org), f.admin, "")
	f.issue("write", nil, nil)
	if stored := readState(t, file); !stored.Tokens[0].LastUsedAt.Equal(start().Add(2 * time.Minute)) {
		t.Errorf("after a write lastUsedAt = %v", stored.Tokens[0].LastUsedAt)
	}
}

func readState(t *testing.T, file string) fileState {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st fileState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAdminReminted(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	f := newFixture(t, file)
	adminID := f.s.Tokens()[0].ID
	if r := f.do("DELETE", api.TokenPath(f.org, adminID), f.admin, ""); r.status != 204 {
		t.Fatalf("DELETE admin = %d", r.status)
	}

	g := newFixture(t, file)
	if g.admin == f.admin {
		t.Fatal("deleted admin secret reused")
	}
	if r := g.do("GET", api.OrganizationPath(g.org), g.admin, ""); r.status != 200 {
		t.Errorf("fresh admin: %d %s", r.status, r.body)
	}
	tokens := g.s.Tokens()
	if len(tokens) != 1 || tokens[0].Name != "sandbox-admin" || !grants.Equal(tokens[0].Permissions, grants.All()) {
		t.Errorf("tokens = %+v", tokens)
	}

	// An admin stripped of permissions keeps its name; the new one gets another.
	r := g.do("PUT", api.TokenPath(g.org, tokens[0].ID), g.admin, `{"name":"sandbox-admin","permissions":{"apiKey":["read"]}}`)
	if r.status != 200 {
		t.Fatalf("PUT admin = %d %s", r.status, r.body)
	}
	h := newFixture(t, file)
	names := []string{}
	for _, tok := range h.s.Tokens() {
		names = append(names, tok.Name)
	}
	slices.Sort(names) // both were created at the same instant: id order is random
	if h.admin == g.admin || strings.Join(names, ",") != "sandbox-admin,sandbox-admin-2" {
		t.Errorf("names = %v", names)
	}
}

// A mutation whose save fails is answered 500 and undone in memory.
func TestSaveFailureRollsBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(dir, "state.json")
	f := newFixture(t, file)
	victim, _ := f.issue("victim", grants.Set{"cluster": {"read"}}, nil)
	before := f.s.Tokens()
	if err := os.RemoveAll(dir); err != nil { // every later save fails, even as root
		t.Fatal(err)
	}

	r := f.do("POST", api.TokensPath(f.org), f.admin, `{"name":"lost"}`)
	if r.status != 500 || !strings.Contains(r.body, `"code":"internal"`) {
		t.Errorf("POST = %d %s", r.status, r.body)
	}
	r = f.do("PUT", api.TokenPath(f.org, victim.ID), f.admin, `{"name":"renamed"}`)
	if r.status != 500 {
		t.Errorf("PUT = %d %s", r.status, r.body)
	}
	r = f.do("DELETE", api.TokenPath(f.org, victim.ID), f.admin, "")
	if r.status != 500 {
		t.Errorf("DELETE = %d %s", r.status, r.body)
	}
	after := f.s.Tokens()
	if len(after) != len(before) {
		t.Fatalf("tokens = %d, want %d", len(after), len(before))
	}
	for i := range before {
		before[i].LastUsedAt, after[i].LastUsedAt = nil, nil
		if !sameToken(before[i], after[i]) {
			t.Errorf("token %d changed: %+v", i, after[i])
		}
	}

	// Names freed by the rollback are usable once the disk is back.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r = f.do("POST", api.TokensPath(f.org), f.admin, `{"name":"lost"}`)
	if r.status != 201 {
		t.Errorf("POST after recovery = %d %s", r.status, r.body)
	}
	r = f.do("PUT", api.TokenPath(f.org, victim.ID), f.admin, `{"name":"renamed"}`)
	if r.status != 200 {
		t.Errorf("PUT after recovery = %d %s", r.status, r.body)
	}
	if n := len(readState(t, file).Tokens); n != 3 {
		t.Errorf("file holds %d tokens, want 3", n)
	}
}

func TestCorruptStateIsRefused(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"garbage.json": `{"version":1,"organization":`,
		"version.json": `{"version":2,"organization":{"id":"org_1"}}`,
		"dupe.json": `{"version":1,"organization":{"id":"org_1"},"tokens":[` +
			`{"id":"ak_1","name":"a","secretHash":"` + strings.Repeat("0", 64) + `"},` +
			`{"id":"ak_1","name":"b","secretHash":"` + strings.Repeat("1", 64) + `"}]}`,
	}
	for name, content := range cases {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{DataFile: file}); err == nil || !strings.Contains(err.Error(), file) {
			t.Errorf("%s: err = %v", name, err)
		}
		if raw, _ := os.ReadFile(file); string(raw) != content {
			t.Errorf("%s: a refused state was overwritten", name)
		}
	}
}

func TestStaleTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	stale := filepath.Join(dir, ".state.json.tmp-123")
	other := filepath.Join(dir, "keep.txt")
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := New(Options{DataFile: file}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp file survived: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("unrelated file removed: %v", err)
	}
}
