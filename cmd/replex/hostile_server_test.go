package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostileRun is one run of the real binary against a misbehaving server:
// what it printed, its exit code, how long it took and its peak memory.
type hostileRun struct {
	args           []string
	stdout, stderr string
	code           int
	wall           time.Duration
	peakMiB        float64
}

// runHostile runs replex with args and env, killed after limit.
func runHostile(t *testing.T, bin string, env []string, limit time.Duration, args ...string) hostileRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := hostileRun{args: args, stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("replex %s still ran after %s", strings.Join(args, " "), limit)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("replex %s: %v", strings.Join(args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.peakMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return r
}

// errorLine is the one "replex: " line a failed run ends with; it fails
// the test unless there is exactly one and nothing looks like a crash.
func (r hostileRun) errorLine(t *testing.T) string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if strings.HasPrefix(l, "replex: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "fatal error") {
		t.Fatalf("replex %s: want one error line, got stderr:\n%s", strings.Join(r.args, " "), firstLines(r.stderr))
	}
	return lines[0]
}

// hostileEnv is the environment pointing replex at baseURL with a token
// that must go nowhere else.
func hostileEnv(t *testing.T, baseURL string, extra ...string) []string {
	home := t.TempDir()
	return append([]string{
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "config"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-dbus"),
		"REPLEX_BASE_URL=" + baseURL,
		"REPLEX_ORG=org_hostile",
		"REPLEX_API_TOKEN=" + hostileToken,
		"LANG=C.UTF-8",
	}, extra...)
}

const hostileToken = "rpx_HOSTILEtestTOKENhostileTESTtokenHOSTILE"

// trustServer writes the certificate of a TLS test server to a file and
// returns the variable that makes Go programs trust it (and nothing else).
func trustServer(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(file, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return "SSL_CERT_FILE=" + file
}

// TestRedirectsAreNotFollowed: an HTTPS server (self-signed, trusted
// through SSL_CERT_FILE) answers every request with a redirect to plain
// http on another port of the same host, the case Go's default policy
// resends the Authorization header to. replex follows none: each command
// exits 1 with one line naming the target, userinfo and query masked, and
// the other port receives nothing at all.
func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	bin := buildShared(t)
	var mu sync.Mutex
	var received []string // what reached the redirect target
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received = append(received, fmt.Sprintf("%s %s (Authorization %q)", r.Method, r.URL, r.Header.Get("Authorization")))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":true,"data":{"id":"org_hostile","name":"stolen"}}`)
	}))
	defer target.Close()
	host := strings.TrimPrefix(target.URL, "http://")
	var served sync.Map // status -> requests answered
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusFound
		if r.Method != http.MethodGet {
			status = http.StatusPermanentRedirect // keeps the method and the body
		}
		n, _ := served.LoadOrStore(status, new(int))
		*n.(*int)++
		w.Header().Set("Location", "http://user:hunter2@"+host+"/landing?sig=hunter3#frag")
		w.WriteHeader(status)
	}))
	defer tlsSrv.Close()
	env := hostileEnv(t, tlsSrv.URL, trustServer(t, tlsSrv))
	want := "http://[masked]@" + host + "/landing?[masked]"

	for _, args := range [][]string{
		{"orgs", "get"},
		{"tokens", "list"},
		{"tokens", "get", "ak_1"},
		{"tokens", "create", "ci", "--grant", "cluster:read"},
		{"tokens", "delete", "ak_1", "--yes"},
		{"api", "GET", "/organizations/{org}"},
		{"api", "POST", "/organizations/{org}/api-keys", "--data", `{"name":"x","permissions":{}}`},
		{"auth", "status"},
		{"--debug", "orgs", "get"},
	} {
		r := runHostile(t, bin, env, 30*time.Second, args...)
		var line string
		if args[0] == "auth" {
			// auth status reports the failure in its report, on stdout.
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "Status:") {
					line = l
				}
			}
		} else {
			line = r.errorLine(t)
		}
		if r.code != 1 || !strings.Contains(line, "redirects to "+want) || !strings.Contains(line, "follows no redirect") {
			t.Errorf("replex %s: exit %d, %q; want exit 1 naming %s", strings.Join(args, " "), r.code, line, want)
		}
		if strings.Contains(r.stderr+r.stdout, "hunter") || strings.Contains(r.stderr+r.stdout, hostileToken) {
			t.Errorf("replex %s printed a secret:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) > 0 {
		t.Errorf("the redirect target received %d requests: %s", len(received), strings.Join(received, "; "))
	}
	for _, status := range []int{http.StatusFound, http.StatusPermanentRedirect} {
		if n, ok := served.Load(status); !ok || *n.(*int) == 0 {
			t.Errorf("the HTTPS server never answered %d: the test did not reach it", status)
		}
	}
}

// TestEndlessBodyIsCut: a server that streams an endless body (as JSON
// that never ends, and as a 200 with a huge Content-Length) gets replex to
// read at most the documented cap: it exits 1 with one line within
// seconds, its peak memory well under 100 MiB, with --debug too.
func TestEndlessBodyIsCut(t *testing.T) {
	t.Parallel()
	bin := buildShared(t)
	chunk := bytes.Repeat([]byte(`"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",`), 2000)
	endless := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":true,"data":[`))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/chunked/", endless)
	mux.HandleFunc("/announced/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000000000")
		endless(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, kind := range []string{"chunked", "announced"} {
		env := hostileEnv(t, srv.URL+"/"+kind)
		for _, args := range [][]string{
			{"tokens", "list"},
			{"orgs", "get"},
			{"--debug", "tokens", "list"},
			{"api", "GET", "/organizations/{org}"},
		} {
			r := runHostile(t, bin, env, 60*time.Second, args...)
			line := r.errorLine(t)
			t.Logf("%s: replex %s: exit %d in %s, peak %.1f MiB: %s", kind, strings.Join(args, " "), r.code, r.wall.Round(time.Millisecond), r.peakMiB, line)
			if r.code != 1 || !strings.Contains(line, "is larger than 32 MiB") {
				t.Errorf("%s: replex %s: exit %d, %q", kind, strings.Join(args, " "), r.code, line)
			}
			if r.peakMiB == 0 || r.peakMiB >= 100 {
				t.Errorf("%s: replex %s: peak memory %.1f MiB, want under 100", kind, strings.Join(args, " "), r.peakMiB)
			}
			if r.wall > 10*time.Second {
				t.Errorf("%s: replex %s took %s", kind, strings.Join(args, " "), r.wall)
			}
			if args[0] == "--debug" && !strings.Contains(r.stderr, "< body larger than 32 MiB: not read further") {
				t.Errorf("%s: the --debug log does not say the body was cut:\n%s", kind, firstLines(r.stderr))
			}
		}
	}
}
