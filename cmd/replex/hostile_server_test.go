package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/sandbox"
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
//
// The peak memory is measured by this test binary started again as a
// wrapper (runMeasured): a child's ru_maxrss counts the memory of the
// process it was started from, because Go starts children with vfork, and
// this test process is large. The wrapper is a fresh process of its own.
func runHostile(t *testing.T, bin string, env []string, limit time.Duration, args ...string) hostileRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	peakFile := filepath.Join(t.TempDir(), "peak")
	cmd := exec.CommandContext(ctx, self, append([]string{bin}, args...)...)
	cmd.Env = append(slices.Clone(env), peakRSSEnv+"="+peakFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
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
	peak, err := os.ReadFile(peakFile)
	if err != nil {
		t.Fatalf("replex %s: no peak memory measured: %v", strings.Join(args, " "), err)
	}
	kib, _ := strconv.ParseInt(string(peak), 10, 64)
	r.peakMiB = float64(kib) / 1024
	return r
}

// peakRSSEnv names the file where runMeasured writes the peak memory.
const peakRSSEnv = "REPLEX_TEST_PEAK_RSS_FILE"

// runMeasured runs os.Args[1:] with this process's streams, writes its
// peak resident memory (KiB) to file and returns its exit code. The child
// dies with this process, so a test's timeout leaves nothing running.
func runMeasured(file string) int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, peakRSSEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "wrapper:", err)
		return 125
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		os.WriteFile(file, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o600)
	}
	return cmd.ProcessState.ExitCode()
}

// errorLine is the one "replex: " line a failed run ends with; it fails
// the test unless there is exactly one and nothing looks like a crash.
func (r hostileRun) errorLine(t *testing.T) string {
	t.Helper()
	if strings.Contains(r.stdout+r.stderr, hostileToken) || strings.Contains(r.stdout+r.stderr, hostileToken[4:]) {
		t.Errorf("replex %s printed its own token", strings.Join(r.args, " "))
	}
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
	return append(isolatedEnv(t, baseURL, "org_hostile", hostileToken), extra...)
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
	bin := buildReplex(t)
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
	bin := buildReplex(t)
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

// bogusToken is a well-formed token of the contract, id ak_<i>.
func bogusToken(i int) string {
	return fmt.Sprintf(`{"id":"ak_%d","name":"t%d","organizationId":"org_hostile","permissions":{"cluster":["read"]},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`, i, i)
}

// TestBogusPageMeta: a server whose list meta is absurd, or whose pages
// make no progress, gets from tokens list and tokens create (which lists
// first, to clean up after a lost answer) one line and exit 1, and from
// Tab completion an empty answer; each within seconds, in bounded memory
// and with a bounded number of requests. Before, these ran out of memory,
// panicked in makeslice or sent a million requests.
func TestBogusPageMeta(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	// Each server answers page p of the list, asked with limit l.
	servers := []struct {
		name string
		want string // a regular expression
		page func(p, l int) string
	}{
		{"total 4e9, limit 1", "it counts 4000000000 tokens, more than the 1000000 replex lists", func(p, l int) string {
			return `{"status":true,"data":[` + bogusToken(p) + `],"meta":{"page":1,"limit":1,"total":4000000000}}`
		}},
		{"total 1e18", `it counts 1000000000000000000 tokens`, func(p, l int) string {
			return `{"status":true,"data":[` + bogusToken(p) + `],"meta":{"page":1,"limit":1,"total":1e18}}`
		}},
		{"total 10^18 spelt out", `it counts 1000000000000000000 tokens`, func(p, l int) string {
			return `{"status":true,"data":[` + bogusToken(p) + `],"meta":{"page":1,"limit":1,"total":1000000000000000000}}`
		}},
		{"total beyond int64", "meta.total is 1e300, not a count", func(p, l int) string {
			return `{"status":true,"data":[` + bogusToken(p) + `],"meta":{"page":1,"limit":1,"total":1e300}}`
		}},
		{"negative limit", "meta.limit is -5, not a count", func(p, l int) string {
			return `{"status":true,"data":[` + bogusToken(p) + `],"meta":{"page":1,"limit":-5,"total":10}}`
		}},
		{"a million pages of 1", `1000000 tokens in pages of 1 would take 1000000 requests, more than the 10000 replex sends for one list`, func(p, l int) string {
			return fmt.Sprintf(`{"status":true,"data":[%s],"meta":{"page":%d,"limit":1,"total":1000000}}`, bogusToken(p), p)
		}},
		{"limit above the one asked", "asked for pages of 1000 tokens, it answered pages of 5000", func(p, l int) string {
			return `{"status":true,"data":[` + bogusToken(p) + `],"meta":{"page":1,"limit":5000,"total":20000}}`
		}},
		{"empty pages", `page [2-5] of 5 is empty, yet it counts 5000 tokens`, func(p, l int) string {
			var toks []string
			for i := range l {
				if p == 1 {
					toks = append(toks, bogusToken(i))
				}
			}
			return fmt.Sprintf(`{"status":true,"data":[%s],"meta":{"page":%d,"limit":%d,"total":5000}}`, strings.Join(toks, ","), p, l)
		}},
		{"repeated pages", `page 2 repeats tokens of earlier pages`, func(p, l int) string {
			var toks []string
			for i := range l {
				toks = append(toks, bogusToken(i))
			}
			return fmt.Sprintf(`{"status":true,"data":[%s],"meta":{"page":%d,"limit":%d,"total":3000}}`, strings.Join(toks, ","), p, l)
		}},
		{"page asked ignored", `asked for page [23], it answered page 1`, func(p, l int) string {
			var toks []string
			for i := range l {
				toks = append(toks, bogusToken(i))
			}
			return fmt.Sprintf(`{"status":true,"data":[%s],"meta":{"page":1,"limit":%d,"total":3000}}`, strings.Join(toks, ","), l)
		}},
	}
	for _, s := range servers {
		t.Run(strings.ReplaceAll(s.name, " ", "_"), func(t *testing.T) {
			var mu sync.Mutex
			lists, others := 0, 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/api-keys") {
					others++
					w.WriteHeader(http.StatusNotFound)
					fmt.Fprint(w, `{"status":false,"message":"not here","code":"not_found"}`)
					return
				}
				lists++
				p, _ := strconv.Atoi(r.URL.Query().Get("page"))
				l, _ := strconv.Atoi(r.URL.Query().Get("limit"))
				if p < 1 || l < 1 || l > 1000 {
					t.Errorf("asked for page %q, limit %q", r.URL.Query().Get("page"), r.URL.Query().Get("limit"))
					p, l = 1, 1
				}
				fmt.Fprint(w, s.page(p, l))
			}))
			defer srv.Close()
			env := hostileEnv(t, srv.URL)
			for _, args := range [][]string{
				{"tokens", "list"},
				{"tokens", "create", "ci", "--grant", "cluster:read"},
				{"--debug", "tokens", "list", "-o", "json"},
				{"__complete", "tokens", "get", ""},
			} {
				mu.Lock()
				lists, others = 0, 0
				mu.Unlock()
				r := runHostile(t, bin, env, 60*time.Second, args...)
				mu.Lock()
				sent, wrote := lists, others
				mu.Unlock()
				what := "replex " + strings.Join(args, " ")
				t.Logf("%s: exit %d in %s, peak %.1f MiB, %d list requests", what, r.code, r.wall.Round(time.Millisecond), r.peakMiB, sent)
				if args[0] == "__complete" {
					// Completion offers nothing, quietly: only the directive.
					if r.code != 0 || strings.TrimSpace(r.stdout) != ":4" || strings.Contains(r.stderr, "goroutine ") {
						t.Errorf("%s: exit %d, stdout %q, stderr %s", what, r.code, r.stdout, firstLines(r.stderr))
					}
				} else if line := r.errorLine(t); r.code != 1 || !regexp.MustCompile(`^replex: the server's token list does not add up: `+s.want+`.*; check the base URL`).MatchString(line) {
					t.Errorf("%s: exit %d, %q; want exit 1 saying %q", what, r.code, line, s.want)
				}
				if r.peakMiB == 0 || r.peakMiB >= 100 {
					t.Errorf("%s: peak memory %.1f MiB, want under 100", what, r.peakMiB)
				}
				if r.wall > 10*time.Second {
					t.Errorf("%s took %s", what, r.wall)
				}
				// Page 1, perhaps a few more pages in flight when the
				// error is seen; never the pages the meta claims.
				if sent < 1 || sent > 10 {
					t.Errorf("%s sent %d list requests", what, sent)
				}
				if wrote > 0 {
					t.Errorf("%s sent %d other requests: a create went ahead", what, wrote)
				}
			}
		})
	}
}

// TestPagesOfAThousand: lists ask for pages of 1,000 and follow the limit
// the sandbox answers; a sandbox that refuses large pages with 400 gets
// pages of 100 instead, without an error.
func TestPagesOfAThousand(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	for _, tc := range []struct {
		name     string
		opts     sandbox.Options
		requests int64 // to list 2,501 tokens
		debug    string
	}{
		{"pages of 1000", sandbox.Options{}, 3, "limit=1000"},
		{"the server serves at most 300", sandbox.Options{MaxPageSize: 300}, 9, "limit=300"},
		{"the server refuses more than 100", sandbox.Options{MaxPageSize: 100, RefuseLargePages: true}, 1 + 26,
			"* the server refused pages of 1000 (HTTP 400: limit must be a whole number from 1 to 100, got \"1000\"); asking for pages of 100"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			var requests atomic.Int64
			tc.opts.Log = writerFunc(func(p []byte) {
				if bytes.Contains(p, []byte("/api-keys ")) {
					requests.Add(1)
				}
			})
			tc.opts.SeedTokens = 2500
			e := startFaultEnv(t, bin, tc.opts)
			r := e.run("tokens", "list", "-o", "json")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, firstLines(r.stderr))
			}
			var got []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2501 {
				t.Fatalf("listed %d tokens (%v), want 2501", len(got), err)
			}
			if n := requests.Load(); n != tc.requests {
				t.Errorf("%d list requests, want %d", n, tc.requests)
			}
			if !strings.Contains(r.stderr, tc.debug) {
				t.Errorf("the --debug log lacks %q", tc.debug)
			}
			e.checkNoLeaks()
		})
	}
}

// writerFunc is an io.Writer calling f with each write.
type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
