package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/sandbox"
)

// TestInterruptedCreateLeavesNothingHalfDone sends SIGINT to
// `tokens create --secret-file` at each point of its work, told apart by
// what the server has seen: while it lists tokens, while its create waits
// to be done, after the create is done but before the answer arrives, and
// after the answer. Each time the end state is one of two: the secret file
// complete and its token alive and working, or no file, no temporary file
// and no token, with exit 130. After the create was done, that means
// replex deletes the token whose secret it will never deliver.
func TestInterruptedCreateLeavesNothingHalfDone(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	phases := []string{"list", "post", "committed", "answered"}
	for _, phase := range phases {
		for i := range 2 {
			t.Run(phase+"-"+string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				interruptCreate(t, bin, phase)
			})
		}
	}
}

func interruptCreate(t *testing.T, bin, phase string) {
	srv, err := sandbox.New(sandbox.Options{Faults: sandbox.Faults{Latency: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan string, 8)
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		note := func(e string) {
			select {
			case events <- e:
			default:
			}
		}
		if r.Method != http.MethodPost {
			if strings.HasSuffix(r.URL.Path, "/api-keys") {
				note("list")
			}
			h.ServeHTTP(w, r)
			return
		}
		// A create: seen, done, then answered only after a while, so that
		// an interruption can land between the commit and the answer.
		note("post")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code == http.StatusCreated {
			note("committed")
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		if rec.Code == http.StatusCreated {
			note("answered")
		}
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })

	dir := t.TempDir()
	secretFile := filepath.Join(dir, "ci.token")
	cmd := exec.Command(bin, "tokens", "create", "ci", "--grant", "organization:read", "--secret-file", secretFile)
	cmd.Env = isolatedEnv(t, hs.URL, srv.OrgID(), srv.AdminSecret())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(15 * time.Second)
wait:
	for {
		select {
		case e := <-events:
			if e == phase {
				break wait
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("the server never saw %q; stderr:\n%s", phase, stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}

	// Nothing half written: no temporary file, the secret file whole or absent.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	var tokens []api.Token
	for _, tok := range srv.Tokens() {
		if tok.Name == "ci" {
			tokens = append(tokens, tok)
		}
	}
	switch len(names) {
	case 0:
		if code != 130 || len(tokens) != 0 {
			t.Fatalf("no secret file, but exit %d and %d tokens named ci (an orphan); stderr:\n%s", code, len(tokens), stderr.String())
		}
		if !strings.HasSuffix(stderr.String(), "replex: interrupted\n") {
			t.Fatalf("stderr does not end with the interruption:\n%s", stderr.String())
		}
	case 1:
		raw, err := os.ReadFile(secretFile)
		if err != nil || !regexp.MustCompile(`^rpx_[A-Za-z0-9]{40}\n$`).Match(raw) {
			t.Fatalf("the secret file is not one whole secret: %v %q", err, raw)
		}
		if len(tokens) != 1 {
			t.Fatalf("a secret file, but %d tokens named ci", len(tokens))
		}
		if code := tokenstest.GetStatus(t, hs.URL+api.OrganizationPath(srv.OrgID()), strings.TrimSpace(string(raw))); code != 200 {
			t.Fatalf("the secret in the file gets %d", code)
		}
	default:
		t.Fatalf("the directory holds %v: a temporary file was left behind", names)
	}
	if strings.Contains(stderr.String(), "rpx_") || strings.Contains(stdout.String(), "rpx_") {
		t.Fatal("a secret was printed although it went to a file")
	}

	// Interrupted before the answer, replex ends with 130 and no file; after
	// the commit it must have deleted the token. (A create interrupted while
	// it waits is normally not done, but a slow signal may let it be: then it
	// is cleaned up too.)
	cleaned := strings.Contains(stderr.String(), `note: a token named "ci" was created but its secret was lost in transit; deleted it`)
	switch phase {
	case "list", "post":
		if code != 130 || len(names) != 0 || (phase == "list" && cleaned) {
			t.Fatalf("interrupted at %s: exit %d, files %v; stderr:\n%s", phase, code, names, stderr.String())
		}
	case "committed":
		if code != 130 || !cleaned {
			t.Fatalf("interrupted after the commit: exit %d, want 130 and the token deleted; stderr:\n%s", code, stderr.String())
		}
	}
	t.Logf("interrupted at %s: exit %d, files %v, cleaned up: %v", phase, code, names, cleaned)
}
