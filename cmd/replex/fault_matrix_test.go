package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
)

// TestFaultMatrix runs the real binary against a sandbox injecting each
// fault alone, then all together. Every list, get, edit, delete and create
// either succeeds, with the server agreeing, or fails with one clear line;
// creates leave no orphan token, and every secret delivered authenticates.
// No output but a create's stdout holds a secret.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	for _, sc := range []struct {
		name   string
		faults sandbox.Faults
	}{
		{"latency", sandbox.Faults{Latency: 20 * time.Millisecond}},
		{"fail-rate", sandbox.Faults{FailRate: 0.3}},
		{"rate-limit", sandbox.Faults{RateLimit: 10}},
		{"drop-after-commit", sandbox.Faults{DropAfterCommitRate: 0.5}},
		{"garbage", sandbox.Faults{GarbageRate: 0.3}},
		{"all", sandbox.Faults{Latency: 5 * time.Millisecond, FailRate: 0.1, RateLimit: 30, DropAfterCommitRate: 0.3, GarbageRate: 0.1}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.faults.Seed = 1
			faultScenario(t, bin, sc.faults)
		})
	}
}

func faultScenario(t *testing.T, bin string, faults sandbox.Faults) {
	e := startFaultEnv(t, bin, sandbox.Options{Faults: faults})
	const workers = 8
	for i := range workers {
		if _, _, err := e.srv.IssueToken(fmt.Sprintf("m-%d", i), grants.Set{"cluster": {"read"}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu        sync.Mutex
		failed    = map[string]int{} // by command
		ops       int
		deleted   = map[string]bool{}
		delivered = map[string]string{} // created name -> secret
	)
	has := func(name, cat string) bool {
		for _, tok := range e.srv.Tokens() {
			if tok.Name == name {
				return cat == "" || tok.Permissions.Has(cat, grants.Read)
			}
		}
		return false
	}
	parallel(workers, workers, func(i int) {
		name := fmt.Sprintf("m-%d", i)
		created := "c-" + name
		for _, args := range [][]string{
			{"tokens", "list"},
			{"tokens", "get", name},
			{"tokens", "edit", name, "--add-grant", "budget:read"},
			{"tokens", "get", name, "-o", "json"},
			{"tokens", "delete", name, "--yes"},
			{"tokens", "create", created, "--grant", "organization:read"},
		} {
			r := e.run(args...)
			verb := args[1]
			if verb == "get" && len(args) > 3 {
				verb = "get -o json"
			}
			mu.Lock()
			ops++
			if r.code != 0 {
				failed[verb]++
			}
			mu.Unlock()
			if r.code != 0 {
				e.checkFailure(r)
				msgs := r.messages()
				t.Logf("replex %s: exit %d: %s", strings.Join(args, " "), r.code, msgs[len(msgs)-1])
				continue
			}
			switch verb {
			case "list":
				if !strings.Contains(r.stdout, "\t"+name+"\t") {
					t.Errorf("list does not show %s:\n%s", name, r.stdout)
				}
			case "get":
				if !strings.Contains(r.stdout, name) {
					t.Errorf("get %s printed:\n%s", name, r.stdout)
				}
			case "edit":
				if !has(name, "budget") {
					t.Errorf("edit %s succeeded but the server does not hold budget:read", name)
				}
			case "get -o json":
				var tok api.Token
				if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil || tok.Name != name {
					t.Errorf("get -o json: %v: %s", err, r.stdout)
				}
			case "delete":
				if has(name, "") {
					t.Errorf("delete %s succeeded but the token is there", name)
				}
				mu.Lock()
				deleted[name] = true
				mu.Unlock()
			case "create":
				sec := strings.TrimSuffix(r.stdout, "\n")
				if !regexp.MustCompile(`^rpx_[A-Za-z0-9]{40}$`).MatchString(sec) {
					t.Errorf("create printed %q, want the secret alone", r.stdout)
				}
				mu.Lock()
				delivered[created] = sec
				mu.Unlock()
			}
		}
	})

	// Faults off: check the end state over plain HTTP.
	stats := e.srv.FaultStats()
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range e.srv.Tokens() {
		switch {
		case tok.Name == "sandbox-admin":
		case strings.HasPrefix(tok.Name, "m-"):
			if deleted[tok.Name] {
				t.Errorf("%s was reported deleted but exists", tok.Name)
			}
		case strings.HasPrefix(tok.Name, "c-"):
			if _, ok := delivered[tok.Name]; !ok {
				t.Errorf("orphan: %s exists but no secret was delivered for it", tok.Name)
			}
		default:
			t.Errorf("unexpected token %q", tok.Name)
		}
	}
	for name, sec := range delivered {
		if !has(name, "organization") {
			t.Errorf("%s was delivered but does not exist", name)
		}
		if code := e.authStatus(sec); code != 200 {
			t.Errorf("the secret delivered for %s does not authenticate: %d", name, code)
		}
	}
	e.checkNoLeaks()

	retries, orphans, nfailed := 0, 0, 0
	for _, r := range e.runs {
		retries += r.retries()
		orphans += r.orphansRemoved()
	}
	for _, n := range failed {
		nfailed += n
	}
	if faults.Latency == 0 && stats.Injected() == 0 {
		t.Fatalf("no fault was injected: %s", stats)
	}
	if faults.FailRate+faults.GarbageRate+faults.DropAfterCommitRate > 0 && retries == 0 {
		t.Fatalf("faults were injected (%s) but replex never retried", stats)
	}
	t.Logf("%d operations, %d failed with one clear line %v; %d tokens created and delivered; sandbox: %s; %d retries; %d orphans found and removed",
		ops, nfailed, failed, len(delivered), stats, retries, orphans)
}

// TestFaultCreateDropAfterCommit runs 200 creates against a sandbox that
// cuts the connection after half of all writes: no token whose secret was
// lost remains, and every secret replex reported authenticates.
func TestFaultCreateDropAfterCommit(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	e := startFaultEnv(t, bin, sandbox.Options{Faults: sandbox.Faults{DropAfterCommitRate: 0.5, Seed: 42}})
	const n = 200
	results := make([]runResult, n)
	start := time.Now()
	parallel(n, 8, func(i int) {
		results[i] = e.run("tokens", "create", fmt.Sprintf("drop-%03d", i), "--grant", "organization:read")
	})
	elapsed := time.Since(start)
	stats := e.srv.FaultStats()
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}

	byName := map[string]api.Token{}
	for _, tok := range e.srv.Tokens() {
		byName[tok.Name] = tok
	}
	ok, failed, retries, orphans := 0, 0, 0, 0
	for i, r := range results {
		name := fmt.Sprintf("drop-%03d", i)
		retries += r.retries()
		orphans += r.orphansRemoved()
		_, exists := byName[name]
		delete(byName, name)
		if r.code != 0 {
			failed++
			e.checkFailure(r)
			if exists {
				t.Errorf("orphan: create %s failed (exit %d) but the token exists", name, r.code)
			}
			continue
		}
		ok++
		sec := strings.TrimSuffix(r.stdout, "\n")
		if !exists {
			t.Errorf("create %s reported a secret but no such token exists", name)
		}
		if code := e.authStatus(sec); code == 401 || code != 200 {
			t.Errorf("the secret reported for %s does not authenticate: %d", name, code)
		}
	}
	delete(byName, "sandbox-admin")
	if len(byName) != 0 {
		t.Errorf("%d tokens nobody asked for remain: %v", len(byName), byName)
	}
	if stats.Dropped < n/4 || orphans == 0 {
		t.Fatalf("the fault did not bite: %s, %d orphans", stats, orphans)
	}
	e.checkNoLeaks()
	t.Logf("200 creates in %s (8 at a time): %d delivered, %d failed cleanly; sandbox: %s; %d retries; %d orphans found and removed; 0 remain",
		elapsed.Round(time.Millisecond), ok, failed, stats, retries, orphans)
}
