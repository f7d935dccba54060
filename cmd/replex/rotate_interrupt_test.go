package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
)

// TestBulkRotateInterrupted sends SIGINT to a bulk rotation halfway and
// checks that every token is either untouched or fully rotated with its
// secret file written: none is lost, none half done.
func TestBulkRotateInterrupted(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	// Latency makes each rotation (four requests) take long enough to be
	// caught in flight.
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(25 * time.Millisecond)
		srv.Handler().ServeHTTP(w, r)
	})
	hs := &http.Server{Handler: slow, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close(); srv.Close() })

	perms := grants.Set{"apiKey": {"read"}}
	exp := time.Now().Add(30 * 24 * time.Hour)
	original := map[string]api.Token{} // by name
	for i := 1; i <= 40; i++ {
		tok, _, err := srv.IssueToken(fmt.Sprintf("fleet-%02d", i), perms, &exp)
		if err != nil {
			t.Fatal(err)
		}
		original[tok.Name] = tok
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "tokens", "rotate", "--name", "fleet-*", "--secret-dir", dir, "--parallel", "4", "--yes")
	cmd.Env = []string{
		"HOME=" + t.TempDir(),
		"REPLEX_BASE_URL=http://" + ln.Addr().String(),
		"REPLEX_ORG=" + srv.OrgID(),
		"REPLEX_API_TOKEN=" + srv.AdminSecret(),
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until some rotations are done, then interrupt. Every secret file
	// exists, empty, from before the first rotation; a written one is done.
	deadline := time.Now().Add(20 * time.Second)
	for {
		written := 0
		files, _ := os.ReadDir(dir)
		for _, de := range files {
			if info, err := de.Info(); err == nil && info.Size() > 0 {
				written++
			}
		}
		if written >= 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress; stderr:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "not started (interrupted)") {
		t.Fatalf("summary does not report the interruption:\n%s", stderr.String())
	}

	now := map[string][]api.Token{}
	for _, tok := range srv.Tokens() {
		now[tok.Name] = append(now[tok.Name], tok)
	}
	rotated, untouched := 0, 0
	for name, old := range original {
		file := filepath.Join(dir, name+".token")
		cur := now[name]
		if len(cur) != 1 {
			t.Fatalf("%s: %d tokens carry the name", name, len(cur))
		}
		_, statErr := os.Stat(file)
		switch {
		case cur[0].ID == old.ID:
			untouched++
			if statErr == nil {
				t.Errorf("%s is untouched but has a secret file", name)
			}
		default:
			rotated++
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%s was rotated but its secret file is missing", name)
				continue
			}
			// The secret authenticates as the new token.
			url := "http://" + ln.Addr().String() + api.TokenPath(srv.OrgID(), cur[0].ID)
			if code := tokenstest.GetStatus(t, url, strings.TrimSpace(string(raw))); code != 200 {
				t.Errorf("%s: the written secret does not authenticate (HTTP %d)", name, code)
			}
			if !grants.Equal(cur[0].Permissions, old.Permissions) {
				t.Errorf("%s: grants changed", name)
			}
		}
	}
	// Old tokens are gone, none left renamed.
	for name := range now {
		if strings.Contains(name, "(rotated") {
			t.Errorf("a half-rotated token remains: %q", name)
		}
	}
	if rotated == 0 || untouched == 0 {
		t.Fatalf("interrupt did not land midway: %d rotated, %d untouched", rotated, untouched)
	}
	t.Logf("%d rotated, %d untouched after SIGINT", rotated, untouched)
}
