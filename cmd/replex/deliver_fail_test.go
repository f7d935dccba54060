package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/sandbox"
)

// These tests make each destination of a new secret fail for real (a full
// disk, a closed stdout, a reader that went away, a directory that takes no
// files, a file swapped in while the request is in flight) and check the
// promise of docs/tokens.md: the command fails, and no token is left whose
// secret nobody holds; after a failed rotation the old token still works
// under its own name; nothing secret appears on stdout or stderr.

// badStdout is a way for replex's stdout to fail.
type badStdout struct {
	name   string
	reason string // how replex's error line says the write failed
	run    func(e *faultEnv, args ...string) runResult
}

func badStdouts(t *testing.T) []badStdout {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/full and sh")
	}
	return []badStdout{
		{"full disk", "no space left on device", func(e *faultEnv, args ...string) runResult {
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				e.t.Fatal(err)
			}
			defer full.Close()
			return e.runStdout(full, nil, args...)
		}},
		{"null device", "stdout goes nowhere (it is /dev/null, or was closed)", func(e *faultEnv, args ...string) runResult {
			null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				e.t.Fatal(err)
			}
			defer null.Close()
			return e.runStdout(null, nil, args...)
		}},
		{"closed stdout", "stdout goes nowhere (it is /dev/null, or was closed)", func(e *faultEnv, args ...string) runResult {
			// sh starts replex with descriptor 1 closed: `replex ... >&-`.
			return e.runStdout(nil, []string{"sh", "-c", `exec "$0" "$@" >&-`, e.bin}, args...)
		}},
		{"broken pipe", "broken pipe", func(e *faultEnv, args ...string) runResult {
			// The reader is gone before replex writes, as with `| head -c0`
			// when head has exited.
			r, w, err := os.Pipe()
			if err != nil {
				e.t.Fatal(err)
			}
			r.Close()
			defer w.Close()
			return e.runStdout(w, nil, args...)
		}},
	}
}

// runStdout runs replex with stdout connected to out itself (not through a
// copying goroutine, so its failures are real), or through argv (a shell
// that arranges stdout) when given, and records the result; stdout is not
// captured and counts as empty for the leak check.
func (e *faultEnv) runStdout(out *os.File, argv []string, args ...string) runResult {
	e.t.Helper()
	if argv == nil {
		argv = []string{e.bin}
	}
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Env = e.env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if out == nil {
		cmd.Stdout = nil // /dev/null, unless the shell closes it
	}
	start := time.Now()
	err := cmd.Run()
	res := runResult{args: args, stderr: stderr.String(), wall: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if !ee.Exited() {
			e.t.Fatalf("replex %s was killed: %v\n%s", strings.Join(args, " "), err, res.stderr)
		}
	case err != nil:
		e.t.Fatalf("running replex %s: %v", strings.Join(args, " "), err)
	}
	e.mu.Lock()
	e.runs = append(e.runs, res)
	e.mu.Unlock()
	return res
}

// tokensNamed lists the sandbox's tokens whose name is name or starts with
// name+" (": the token and any retired twin of it.
func (e *faultEnv) tokensNamed(name string) []api.Token {
	var out []api.Token
	for _, tok := range e.srv.Tokens() {
		if tok.Name == name || strings.HasPrefix(tok.Name, name+" (") {
			out = append(out, tok)
		}
	}
	return out
}

var revokedLine = regexp.MustCompile(`^replex: token "([^"]+)" \((ak_[0-9a-f]+)\) was revoked because (.*)$`)

// checkRevoked checks that r failed with exit 1 and one line saying that
// the token named name was revoked because of want, and that no token of
// that id exists; it returns the rest of the line after the reason.
func (e *faultEnv) checkRevoked(r runResult, name, want string) string {
	e.t.Helper()
	if r.code != 1 {
		e.t.Fatalf("replex %s: exit %d, want 1\n%s", strings.Join(r.args, " "), r.code, r.stderr)
	}
	e.checkFailure(r)
	m := revokedLine.FindStringSubmatch(r.lastMessage())
	if m == nil || m[1] != name || !strings.Contains(m[3], want) {
		e.t.Fatalf("replex %s: last line %q; want the revocation of %q because of %q", strings.Join(r.args, " "), r.lastMessage(), name, want)
	}
	for _, tok := range e.srv.Tokens() {
		if tok.ID == m[2] {
			e.t.Errorf("token %s, whose secret was not delivered, still exists", m[2])
		}
	}
	return m[3]
}

// Case 1 and 3: a create whose secret cannot be written to stdout, in any
// output mode, revokes the token and exits 1 naming it.
func TestCreateUndeliverableRevokes(t *testing.T) {
	t.Parallel()
	e := startFaultEnv(t, buildReplex(t), sandbox.Options{})
	for _, bad := range badStdouts(t) {
		for _, mode := range [][]string{nil, {"-o", "json"}, {"-o", "yaml"}} {
			name := strings.ReplaceAll(fmt.Sprintf("%s %s", bad.name, strings.Join(mode, "")), " ", "-")
			r := bad.run(e, append([]string{"tokens", "create", name, "--grant", "cluster:read"}, mode...)...)
			rest := e.checkRevoked(r, name, "")
			if !strings.Contains(rest, bad.reason) {
				t.Errorf("%s: the line does not say %q: %s", name, bad.reason, r.lastMessage())
			}
			if toks := e.tokensNamed(name); len(toks) != 0 {
				t.Errorf("%s: tokens left: %v", name, toks)
			}
		}
	}
	e.checkNoLeaks()
}

// Case 2: a rotation whose new secret cannot be written to stdout revokes
// the new token, and the old one keeps working under its own name, with
// its own expiry, with or without --grace.
func TestRotateUndeliverableKeepsOldToken(t *testing.T) {
	t.Parallel()
	e := startFaultEnv(t, buildReplex(t), sandbox.Options{})
	bads := badStdouts(t)
	toks, secs := seedTokens(t, e, 2*len(bads)*2, "svc")
	i := 0
	for _, bad := range bads {
		for _, extra := range [][]string{nil, {"--grace", "1h", "-o", "json"}} {
			old, sec := toks[i], secs[i]
			i++
			r := bad.run(e, append([]string{"tokens", "rotate", old.Name, "--yes"}, extra...)...)
			rest := e.checkRevoked(r, old.Name, "")
			if !strings.Contains(rest, bad.reason) || !strings.HasSuffix(rest, fmt.Sprintf("; the old token %s still works, as %q", old.ID, old.Name)) {
				t.Errorf("%s: %s", bad.name, r.lastMessage())
			}
			now := e.tokensNamed(old.Name)
			if len(now) != 1 || now[0].ID != old.ID || now[0].Name != old.Name || now[0].ExpiresAt != nil {
				t.Errorf("%s: after the failed rotation the tokens are %+v; want the old one as it was", bad.name, now)
			}
			if !e.authenticatesAs(sec, old.ID) {
				t.Errorf("%s: the old token no longer works", bad.name)
			}
		}
	}
	e.checkNoLeaks()
}

// Case 4: a --secret-file or --secret-dir that cannot be written is a usage
// error before anything changes; the secret never falls back to stdout.
func TestUnwritableSecretDestination(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc, which takes no new files even from root")
	}
	e := startFaultEnv(t, buildReplex(t), sandbox.Options{})
	toks, secs := seedTokens(t, e, 3, "bulk")
	// What may not change: the tokens there are, their names and expiry
	// (lastUsedAt moves with every request replex makes).
	snapshot := func() string {
		var b strings.Builder
		for _, tok := range e.srv.Tokens() {
			fmt.Fprintf(&b, "%s %q %v\n", tok.ID, tok.Name, tok.ExpiresAt)
		}
		return b.String()
	}
	before := snapshot()

	for _, args := range [][]string{
		{"tokens", "create", "x", "--grant", "cluster:read", "--secret-file", "/proc/x.token"},
		{"tokens", "rotate", toks[0].Name, "--yes", "--secret-file", "/proc/x.token"},
		{"tokens", "rotate", toks[0].Name, "--yes", "--grace", "1h", "--secret-file", "/proc/x.token"},
		{"tokens", "rotate", "--name", "bulk-*", "--secret-dir", "/proc", "--yes"},
		{"tokens", "rotate", "--name", "bulk-*", "--secret-dir", "/proc", "--yes", "-o", "json"},
	} {
		r := e.run(args...)
		where := "replex " + strings.Join(args, " ")
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2\n%s", where, r.code, r.stderr)
		}
		e.checkFailure(r)
		if r.stdout != "" {
			t.Errorf("%s: stdout = %q, want nothing", where, r.stdout)
		}
		if !strings.Contains(r.lastMessage(), "/proc") || !strings.Contains(r.lastMessage(), "cannot create") && !strings.Contains(r.lastMessage(), "cannot be created") {
			t.Errorf("%s: %s", where, r.lastMessage())
		}
	}
	if after := snapshot(); before != after {
		t.Errorf("tokens changed:\nbefore %v\nafter  %v", before, after)
	}
	for i, tok := range toks {
		if !e.authenticatesAs(secs[i], tok.ID) {
			t.Errorf("%s no longer works", tok.Name)
		}
	}
	e.checkNoLeaks()
}

// Case 5: the secret file is created, empty and 0600, before the request
// that makes the secret, so it cannot be planted in between; and whoever
// removes it and puts their own file in its place meanwhile makes the
// delivery fail (the token is revoked), never receives the secret, and
// never has their file overwritten.
func TestSecretFileHeldDuringRequest(t *testing.T) {
	t.Parallel()
	e := startFaultEnv(t, buildReplex(t), sandbox.Options{})
	toks, secs := seedTokens(t, e, 1, "held")
	if err := e.srv.SetFaults(sandbox.Faults{Latency: 700 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"new", []string{"tokens", "create", "new", "--grant", "cluster:read"}},
		{toks[0].Name, []string{"tokens", "rotate", toks[0].Name, "--yes"}},
	} {
		path := filepath.Join(dir, tc.name+".token")
		done := make(chan runResult, 1)
		go func() { done <- e.run(append(tc.args, "--secret-file", path)...) }()

		// The file is there before the first request has been answered.
		var info os.FileInfo
		deadline := time.Now().Add(5 * time.Second)
		for {
			var err error
			if info, err = os.Lstat(path); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		if info == nil {
			t.Fatalf("%s: %s did not appear before the request", tc.name, path)
		}
		if info.Size() != 0 || info.Mode().Perm() != 0o600 || !info.Mode().IsRegular() {
			t.Errorf("%s: while the request is in flight the file is %v, want an empty 0600 file", tc.name, info)
		}
		// Nothing has changed on the server yet: no new token, the old one
		// not even renamed.
		switch now := e.tokensNamed(tc.name); {
		case tc.name == "new" && len(now) != 0,
			tc.name != "new" && (len(now) != 1 || now[0].ID != toks[0].ID || now[0].Name != tc.name):
			t.Errorf("%s: the file appeared only after the server changed: %v", tc.name, now)
		}
		if _, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
			t.Errorf("%s: a file could be planted at the path", tc.name)
		}
		// Whoever can write to the directory swaps the file for their own.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("planted\n"), 0o644); err != nil {
			t.Fatal(err)
		}

		r := <-done
		rest := e.checkRevoked(r, tc.name, "writing its secret to "+path+" failed ("+path+" was removed or replaced")
		if r.stdout != "" {
			t.Errorf("%s: stdout = %q, want nothing", tc.name, r.stdout)
		}
		if got, _ := os.ReadFile(path); string(got) != "planted\n" {
			t.Errorf("%s: the planted file now holds %q", tc.name, got)
		}
		if tc.name == toks[0].Name {
			if !strings.HasSuffix(rest, fmt.Sprintf("; the old token %s still works, as %q", toks[0].ID, toks[0].Name)) {
				t.Errorf("rotate: %s", r.lastMessage())
			}
			if now := e.tokensNamed(tc.name); len(now) != 1 || now[0].ID != toks[0].ID {
				t.Errorf("rotate: tokens now %v; want the old one alone", now)
			}
		} else if now := e.tokensNamed(tc.name); len(now) != 0 {
			t.Errorf("create: tokens left %v", now)
		}
	}
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	if !e.authenticatesAs(secs[0], toks[0].ID) {
		t.Error("the old token no longer works")
	}
	e.checkNoLeaks()
}

// A bulk rotation delivers each secret to its file or not at all: a file
// swapped for another while the rotations run revokes that token's
// replacement and keeps the old token under its name; the others rotate.
func TestBulkRotateUndeliverableKeepsOldToken(t *testing.T) {
	t.Parallel()
	e := startFaultEnv(t, buildReplex(t), sandbox.Options{})
	toks, secs := seedTokens(t, e, 3, "fleet")
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetFaults(sandbox.Faults{Latency: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, toks[1].Name+".token")
	done := make(chan runResult, 1)
	go func() {
		done <- e.run("tokens", "rotate", "--name", "fleet-*", "--secret-dir", dir, "--yes", "--parallel", "1")
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Lstat(victim); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear before the rotations", victim)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(victim, []byte("planted\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
	failed := regexp.MustCompile(`(?m)^failed   ` + toks[1].ID + `  "` + toks[1].Name + `": token "` + toks[1].Name + `" \(ak_[0-9a-f]+\) was revoked because writing its secret to .* failed \(.*\); the old token ` + toks[1].ID + ` still works, as "` + toks[1].Name + `"$`)
	if !failed.MatchString(r.stderr) {
		t.Errorf("no revocation line for %s:\n%s", toks[1].Name, strings.Join(r.messages(), "\n"))
	}
	if got, _ := os.ReadFile(victim); string(got) != "planted\n" {
		t.Errorf("the planted file now holds %q", got)
	}
	for i, tok := range toks {
		now := e.tokensNamed(tok.Name)
		if len(now) != 1 {
			t.Errorf("%s: tokens %v; want one", tok.Name, now)
			continue
		}
		if i == 1 {
			if now[0].ID != tok.ID || !e.authenticatesAs(secs[i], tok.ID) {
				t.Errorf("%s: the old token is not kept working: %v", tok.Name, now)
			}
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, tok.Name+".token"))
		if err != nil || !e.authenticatesAs(strings.TrimSpace(string(b)), now[0].ID) || now[0].ID == tok.ID {
			t.Errorf("%s: not rotated to the secret in its file (%v)", tok.Name, err)
		}
	}
	e.checkNoLeaks()
}
