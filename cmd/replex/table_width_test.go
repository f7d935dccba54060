package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/creack/pty"
)

// runOnSizedPTY runs replex with its standard streams on a pseudo-terminal
// of cols columns and returns what it wrote there, ANSI removed, as lines.
func runOnSizedPTY(t *testing.T, bin string, env []string, cols int, args ...string) []string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	done := make(chan []byte)
	go func() {
		var out bytes.Buffer
		// Reading the terminal ends with EIO once replex has exited.
		io.Copy(&out, f)
		done <- out.Bytes()
	}()
	var out []byte
	select {
	case out = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("replex %s did not finish on the terminal", strings.Join(args, " "))
	}
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		t.Fatalf("replex %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(string(out), "")
	return strings.Split(strings.TrimRight(strings.ReplaceAll(plain, "\r\n", "\n"), "\n"), "\n")
}

// TestTableFitsTerminal runs `tokens list` and `grants` on real terminals
// 60, 80, 120 and 200 columns wide, with a long name and a name in wide
// (CJK) characters: no line is wider than the terminal, so none wraps;
// names are cut with "…" only when the terminal is too narrow for them,
// and -o wide keeps them whole.
func TestTableFitsTerminal(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	const long = "nightly-export-for-the-finance-teams-data-warehouse"
	const cjk = "本番環境のデプロイ用トークン"
	for _, name := range []string{long, cjk, "ci"} {
		create := exec.Command(bin, "tokens", "create", name, "--grant", "cluster:read,update", "--grant", "billing:*", "--grant", "agent:read", "--grant", "teams:read", "--expires", "3d")
		create.Env = env
		var stderr bytes.Buffer
		create.Stdout, create.Stderr = io.Discard, &stderr // stdout: the secret
		if err := create.Run(); err != nil {
			t.Fatalf("create %s: %v\n%s", name, err, stderr.String())
		}
	}
	for _, cols := range []int{60, 80, 120, 200} {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			lines := runOnSizedPTY(t, bin, env, cols, "tokens", "list")
			// Header, rule, the three tokens and the sandbox's admin.
			if len(lines) != 6 {
				t.Fatalf("tokens list printed %d lines; want 6:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > cols {
					t.Errorf("tokens list: line %q is %d cells wide on a %d-column terminal", l, w, cols)
				}
			}
			table := strings.Join(lines, "\n")
			// The narrowest terminal each name is whole on.
			for name, whole := range map[string]int{long: 200, cjk: 120} {
				fits := cols >= whole
				if strings.Contains(table, " "+name+" ") != fits {
					t.Errorf("%d columns: name %q shown whole = %v; want %v:\n%s", cols, name, !fits, fits, table)
				}
			}
			if cols < 120 && !strings.Contains(table, "…") {
				t.Errorf("%d columns: nothing was cut with …:\n%s", cols, table)
			}

			for _, l := range runOnSizedPTY(t, bin, env, cols, "grants") {
				if w := lipgloss.Width(l); w > cols {
					t.Errorf("grants: line %q is %d cells wide on a %d-column terminal", l, w, cols)
				}
			}
		})
	}
	// -o wide keeps every name whole, even at 80 columns.
	wide := strings.Join(runOnSizedPTY(t, bin, env, 80, "tokens", "list", "-o", "wide"), "\n")
	for _, name := range []string{long, cjk} {
		if !strings.Contains(wide, " "+name+" ") {
			t.Errorf("-o wide at 80 columns cut %q:\n%s", name, wide)
		}
	}
}
