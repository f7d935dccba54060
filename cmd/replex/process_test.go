package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSandboxStart runs `replex sandbox start` as a process: exactly three
// export lines on stdout, the curl request of the product docs answers 200,
// a wrong token 401, and SIGINT stops it with exit 0.
func TestSandboxStart(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	data := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "sandbox", "start", "--listen", "127.0.0.1:0", "--data", data, "--seed-tokens", "3")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	want := []*regexp.Regexp{
		regexp.MustCompile(`^export REPLEX_BASE_URL=http://127\.0\.0\.1:\d+$`),
		regexp.MustCompile(`^export REPLEX_ORG=org_[0-9a-f]+$`),
		regexp.MustCompile(`^export REPLEX_API_TOKEN=rpx_[A-Za-z0-9]{40}$`),
	}
	env := map[string]string{}
	for i, re := range want {
		select {
		case l := <-lines:
			if !re.MatchString(l) {
				t.Fatalf("line %d = %q, want %s", i+1, l, re)
			}
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
			env[k] = v
		case <-time.After(10 * time.Second):
			t.Fatalf("sandbox printed %d lines in 10s; stderr:\n%s", i, stderr.String())
		}
	}

	// The product docs' curl request, with the host replaced.
	get := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", env["REPLEX_BASE_URL"]+"/api/v1/organizations/"+env["REPLEX_ORG"], nil)
		req.Header.Set("Authorization", "Api-Key "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(env["REPLEX_API_TOKEN"]); code != 200 || !strings.HasPrefix(body, `{"status":true,"data":{"id":"`+env["REPLEX_ORG"]+`"`) {
		t.Fatalf("docs request: %d %s", code, body)
	}
	if code, body := get("wrong"); code != 401 || !strings.HasPrefix(body, `{"status":false,"message":`) {
		t.Fatalf("wrong token: %d %s", code, body)
	}

	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sandbox exited with %v after SIGINT; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop on SIGINT")
	}
	if extra, ok := <-lines; ok {
		t.Fatalf("more than three lines on stdout: %q", extra)
	}
	if strings.Contains(stderr.String(), env["REPLEX_API_TOKEN"]) {
		t.Fatal("the admin token appears in the sandbox log")
	}
}

func TestSandboxRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	out, err := exec.Command(bin, "sandbox", "start", "--ephemeral", "--listen", "0.0.0.0:0").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "--listen-any") {
		t.Fatalf("got %v: %s; want exit 2 naming --listen-any", err, out)
	}
}

// TestInterruptExits130: Ctrl-C while a request hangs ends replex with 130
// and one line, not a stack trace.
func TestInterruptExits130(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept and never answer
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	cmd := exec.Command(bin, "orgs", "get")
	cmd.Env = []string{"HOME=" + t.TempDir(), "REPLEX_BASE_URL=http://" + ln.Addr().String(), "REPLEX_ORG=org_1", "REPLEX_API_TOKEN=x"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The request hangs once the server holds its connection; a fixed
	// sleep instead raced a slow start on a busy machine.
	select {
	case <-accepted:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("replex never connected; stderr: %s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr: %s", err, stderr.String())
	}
	if got := stderr.String(); got != "replex: interrupted\n" {
		t.Fatalf("stderr %q", got)
	}
}
