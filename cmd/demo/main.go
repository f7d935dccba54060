// Command demo shows replex's main job end to end against the built-in
// sandbox: build replex, start a sandbox on a free loopback port, create a
// token with one grant, list tokens, prove the new token holds exactly that
// grant, delete it, stop the sandbox. No Replex account is needed.
//
//	go run ./cmd/demo
package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo: "+err.Error())
		os.Exit(1)
	}
}

func run() error {
	tmp, err := os.MkdirTemp("", "replex-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "replex")

	step("go build -o replex ./cmd/replex")
	build := exec.Command("go", "build", "-o", bin, "./cmd/replex")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build failed: %w", err)
	}

	env := append(os.Environ(),
		"REPLEX_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"REPLEX_NO_INPUT=1",
	)

	step("replex sandbox start --ephemeral --listen 127.0.0.1:0 --seed-tokens 5")
	sb := exec.Command(bin, "sandbox", "start", "--ephemeral", "--listen", "127.0.0.1:0", "--seed-tokens", "5")
	sb.Env = env
	sb.Stderr = nil // the sandbox's request log is not part of the demo
	out, err := sb.StdoutPipe()
	if err != nil {
		return err
	}
	if err := sb.Start(); err != nil {
		return err
	}
	defer func() {
		step("stop the sandbox (SIGINT)")
		sb.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- sb.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				fmt.Println("sandbox exited:", err)
			} else {
				fmt.Println("sandbox stopped cleanly")
			}
		case <-time.After(5 * time.Second):
			sb.Process.Kill()
			fmt.Println("sandbox killed after 5s")
		}
	}()

	// The sandbox prints three export lines once it serves.
	lines := bufio.NewScanner(out)
	for i := 0; i < 3 && lines.Scan(); i++ {
		k, v, ok := strings.Cut(strings.TrimPrefix(lines.Text(), "export "), "=")
		if !ok {
			return fmt.Errorf("unexpected sandbox output %q", lines.Text())
		}
		env = append(env, k+"="+v)
		if k == "REPLEX_API_TOKEN" {
			v = "(the sandbox's admin token)"
		}
		fmt.Printf("  %s=%s\n", k, v)
	}

	replex := func(args ...string) error {
		step("replex " + strings.Join(args, " "))
		c := exec.Command(bin, args...)
		c.Env = env
		c.Stdout, c.Stderr = os.Stdout, os.Stdout
		return c.Run()
	}
	secretFile := filepath.Join(tmp, "ci.token")
	if err := replex("orgs", "get"); err != nil {
		return err
	}
	if err := replex("tokens", "create", "ci", "--grant", "cluster:read", "--expires", "90d", "--secret-file", secretFile); err != nil {
		return err
	}
	if err := replex("tokens", "list"); err != nil {
		return err
	}
	if err := replex("tokens", "get", "ci"); err != nil {
		return err
	}

	// The new token holds cluster:read and nothing else: listing tokens needs
	// api-key:read, so the server refuses it (exit 4).
	raw, err := os.ReadFile(secretFile)
	if err != nil {
		return err
	}
	step("REPLEX_API_TOKEN=$(cat ci.token) replex tokens list   # expect 403, exit 4")
	c := exec.Command(bin, "tokens", "list")
	c.Env = append(env, "REPLEX_API_TOKEN="+strings.TrimSpace(string(raw)))
	c.Stdout, c.Stderr = os.Stdout, os.Stdout
	err = c.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 {
		return fmt.Errorf("the cluster:read token was not refused as expected (%v)", err)
	}
	fmt.Println("  -> refused, exit 4: the token holds only cluster:read")

	return replex("tokens", "delete", "ci", "--yes")
}

func step(s string) { fmt.Printf("\n$ %s\n", s) }
