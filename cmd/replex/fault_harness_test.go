package main

import (
	"bytes"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/sandbox"
)

// faultEnv is an in-process sandbox on loopback, with faults, that records
// every secret it issues, and a record of every replex run against it, so
// that the test can prove no secret leaked into any output.
type faultEnv struct {
	t   *testing.T
	bin string
	srv *sandbox.Server
	url string
	env []string

	// lean keeps no output: each run is checked for the secret prefix at
	// once, for tests that run too much to keep it all.
	lean bool

	mu      sync.Mutex
	secrets []string
	runs    []runResult
}

type runResult struct {
	args           []string
	stdout, stderr string
	code           int
	wall           time.Duration
}

// startFaultEnv starts a sandbox with opts (its OnSecret is taken) and
// returns the environment pointing replex at it, with --debug on so that
// the request log is part of what is checked for leaks.
func startFaultEnv(t *testing.T, bin string, opts sandbox.Options) *faultEnv {
	t.Helper()
	e := &faultEnv{t: t, bin: bin}
	opts.OnSecret = func(s string) {
		e.mu.Lock()
		e.secrets = append(e.secrets, s)
		e.mu.Unlock()
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	e.srv, e.url = srv, "http://"+ln.Addr().String()
	e.env = append(isolatedEnv(t, e.url, srv.OrgID(), srv.AdminSecret()), "REPLEX_DEBUG=1")
	return e
}

// isolatedEnv is the whole environment of a replex run that touches
// nothing of the machine's: a home and config directory of its own, a D-Bus
// address where no bus listens (so no keyring), and the server,
// organization and token given (no token when token is empty).
func isolatedEnv(t *testing.T, baseURL, org, token string) []string {
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "config"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-dbus"),
		"REPLEX_BASE_URL=" + baseURL,
		"REPLEX_ORG=" + org,
		"LANG=C.UTF-8",
	}
	if token != "" {
		env = append(env, "REPLEX_API_TOKEN="+token)
	}
	return env
}

// run runs replex with args and records the result.
func (e *faultEnv) run(args ...string) runResult {
	e.t.Helper()
	res := runReplex(e.t, e.bin, e.env, "", args...)
	if e.lean {
		if strings.Contains(res.stderr, "rpx_") || (!res.deliversSecret() && strings.Contains(res.stdout, "rpx_")) {
			e.t.Errorf("replex %s: output holds something with the secret prefix", strings.Join(args, " "))
		}
		return res
	}
	e.mu.Lock()
	e.runs = append(e.runs, res)
	e.mu.Unlock()
	return res
}

// runReplex runs the binary with exactly env, and stdin on its standard
// input when there is any (else the null device), and returns what it
// printed and its exit code; only a binary that cannot run fails the test.
func runReplex(t *testing.T, bin string, env []string, stdin string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := runResult{args: args, stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running replex %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// deliversSecret tells the runs whose stdout is where the one new secret
// goes: a create, and the rotation of one token (a bulk rotation writes its
// secrets to --secret-dir).
func (r runResult) deliversSecret() bool {
	if len(r.args) < 2 || r.args[0] != "tokens" {
		return false
	}
	switch r.args[1] {
	case "create":
		return true
	case "rotate":
		return !slices.Contains(r.args, "--secret-dir")
	}
	return false
}

// isDebugLine tells the --debug request log from replex's messages.
func isDebugLine(l string) bool {
	return strings.HasPrefix(l, "> ") || strings.HasPrefix(l, "< ") || strings.HasPrefix(l, "* ")
}

// messages are the stderr lines that are not the --debug log.
func (r runResult) messages() []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if l != "" && !isDebugLine(l) {
			out = append(out, l)
		}
	}
	return out
}

// retries counts the retries the --debug log reports.
func (r runResult) retries() int {
	n := 0
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "* retry ") {
			n++
		}
	}
	return n
}

var orphanNotice = regexp.MustCompile(`(?m)^note: a token named "[^"]+" was created but its secret was lost in transit; deleted it \(ak_[0-9a-f]+\)$`)

// orphansRemoved counts the lost creates this run cleaned up.
func (r runResult) orphansRemoved() int { return len(orphanNotice.FindAllString(r.stderr, -1)) }

// checkFailure fails unless a failed run says why in exactly one line,
// "replex: ...", its last message, with no stack trace anywhere.
func (e *faultEnv) checkFailure(r runResult) {
	e.t.Helper()
	msgs := r.messages()
	var errLines []string
	for _, m := range msgs {
		if strings.HasPrefix(m, "replex: ") {
			errLines = append(errLines, m)
		}
	}
	if len(errLines) != 1 || msgs[len(msgs)-1] != errLines[0] || len(errLines[0]) > 600 {
		e.t.Errorf("replex %s (exit %d) did not end with one error line:\n%s", strings.Join(r.args, " "), r.code, strings.Join(msgs, "\n"))
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		e.t.Errorf("replex %s printed a stack trace:\n%s", strings.Join(r.args, " "), r.stderr)
	}
}

// authStatus is the status of GET organization with sec, straight over
// HTTP (the caller turns faults off first).
func (e *faultEnv) authStatus(sec string) int {
	e.t.Helper()
	return tokenstest.GetStatus(e.t, e.url+api.OrganizationPath(e.srv.OrgID()), sec)
}

// checkNoLeaks fails if any issued secret, or anything with the sandbox's
// secret prefix, appears in any output other than the stdout of a run that
// delivers a secret (deliversSecret), where the one secret is meant to be.
func (e *faultEnv) checkNoLeaks() {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.secrets) == 0 {
		e.t.Fatal("no secrets recorded: the leak check would prove nothing")
	}
	for _, r := range e.runs {
		where := "replex " + strings.Join(r.args, " ")
		if strings.Contains(r.stderr, "rpx_") {
			e.t.Errorf("%s: stderr holds something with the secret prefix", where)
		}
		delivers := r.deliversSecret()
		if !delivers && strings.Contains(r.stdout, "rpx_") {
			e.t.Errorf("%s: stdout holds something with the secret prefix", where)
		}
		if delivers && strings.Count(r.stdout, "rpx_") > 1 {
			e.t.Errorf("%s: stdout holds more than the one secret delivered", where)
		}
		for _, s := range e.secrets {
			if strings.Contains(r.stderr, s) || strings.Contains(r.stderr, s[4:]) {
				e.t.Errorf("%s: stderr holds an issued secret", where)
			}
			if !delivers && strings.Contains(r.stdout, s[4:]) {
				e.t.Errorf("%s: stdout holds an issued secret", where)
			}
		}
	}
}

// parallel runs n jobs on at most width goroutines.
func parallel(n, width int, job func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				job(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
