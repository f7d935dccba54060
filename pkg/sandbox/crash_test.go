package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
)

// crashChildEnv switches the test binary into a sandbox process serving the
// data file it names; TestCrashKeepsAcknowledgedWrites kills it.
const crashChildEnv = "REPLEX_SANDBOX_CRASH_CHILD"

func TestMain(m *testing.M) {
	if file := os.Getenv(crashChildEnv); file != "" {
		os.Exit(runCrashChild(file))
	}
	os.Exit(m.Run())
}

// runCrashChild serves a sandbox on a loopback port and tells the parent
// where, for which organization and with which admin secret, on its first
// stdout line.
func runCrashChild(file string) int {
	s, err := New(Options{DataFile: file})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ln, err := Listen("127.0.0.1:0", false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Printf("http://%s %s %s\n", ln.Addr(), s.OrgID(), s.AdminSecret())
	fmt.Fprintln(os.Stderr, http.Serve(ln, s.Handler()))
	return 1
}

// Every create answered 201 survives a SIGKILL at a random moment, and the
// file is always a complete state.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	file := filepath.Join(t.TempDir(), "state.json")
	type acked struct{ name, secret string }
	acknowledged := map[string]acked{} // by token id
	const rounds, workers = 4, 8
	for round := range rounds {
		child := startCrashChild(t, file)
		client := &http.Client{Timeout: 5 * time.Second}

		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := range workers {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					name := fmt.Sprintf("crash-%d-%d-%d", round, w, i)
					body := `{"name":"` + name + `","permissions":{"apiKey":["read"]}}`
					req, _ := http.NewRequest("POST", child.base+api.TokensPath(child.org), strings.NewReader(body))
					req.Header.Set("Authorization", "Api-Key "+child.admin)
					resp, err := client.Do(req)
					if err != nil {
						return // the child is gone
					}
					var env api.Envelope[createdToken]
					err = json.NewDecoder(resp.Body).Decode(&env)
					resp.Body.Close()
					if err != nil {
						return // killed mid-answer: not acknowledged
					}
					if resp.StatusCode != 201 {
						t.Errorf("create %s = %d", name, resp.StatusCode)
						return
					}
					mu.Lock()
					acknowledged[env.Data.ID] = acked{name, env.Data.Secret}
					mu.Unlock()
				}
			})
		}
		delay := time.Duration(20+rand.IntN(180)) * time.Millisecond
		time.Sleep(delay)
		if err := child.cmd.Process.Kill(); err != nil { // SIGKILL on Unix
			t.Fatal(err)
		}
		child.cmd.Wait()
		close(stop)
		wg.Wait()

		s, err := New(Options{DataFile: file})
		if err != nil {
			t.Fatalf("round %d (killed after %v): restart: %v", round, delay, err)
		}
		h := s.Handler()
		present := map[string]string{}
		for _, tok := range s.Tokens() {
			present[tok.ID] = tok.Name
		}
		for id, a := range acknowledged {
			if present[id] != a.name {
				t.Errorf("round %d (killed after %v): acknowledged token %s %q lost", round, delay, id, a.name)
				continue
			}
			// The stored hash still authenticates the secret handed out.
			req := httptest.NewRequest("GET", api.TokenPath(s.OrgID(), id), nil)
			req.Header.Set("Authorization", "Api-Key "+a.secret)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Errorf("round %d: token %s does not authenticate after restart: %d", round, id, rec.Code)
			}
		}
		t.Logf("round %d: killed after %v; %d tokens acknowledged so far, %d stored", round, delay, len(acknowledged), len(present))
	}
	if len(acknowledged) == 0 {
		t.Fatal("no create was acknowledged: the test proved nothing")
	}
}

type crashChild struct {
	cmd              *exec.Cmd
	base, org, admin string
}

// startCrashChild runs the test binary as a sandbox on file.
func startCrashChild(t *testing.T, file string) crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	fields := strings.Fields(line)
	if err != nil || len(fields) != 3 || !strings.HasPrefix(fields[0], "http://127.0.0.1:") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not start: %q %v: %s", line, err, stderr.String())
	}
	return crashChild{cmd: cmd, base: fields[0], org: fields[1], admin: fields[2]}
}
