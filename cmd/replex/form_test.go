package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestFormInTmux drives `replex tokens create`'s interactive form in tmux
// like a person: types a name, toggles actions in three categories, picks an
// expiry and confirms. The token the sandbox then holds has exactly the
// toggled grants.
func TestFormInTmux(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	secretFile := filepath.Join(t.TempDir(), "secret")
	s := startTmux(t, env, 110, 40, "sh", "-c", `replex tokens create --secret-file "$0"; echo "[exit $?]"; exec sleep 600`, secretFile)

	s.waitFor(`Token name`)
	s.text("form-e2e")
	s.keys("Enter")
	s.waitFor(`┃ Agent`)
	s.keys("Enter") // no access to agents
	s.waitFor(`┃ Api Key`)
	s.keys("x", "Down", "Down", "x", "Enter") // read and update
	s.waitFor(`┃ Billing`)
	s.keys("Enter")
	s.waitFor(`┃ Budget`)
	s.keys("x", "Enter") // read
	s.waitFor(`┃ Cluster`)
	s.keys("C-a", "Enter") // all four
	for _, c := range []string{"Custom Pricing", "Invitation", "Organization", "Recommendations", "Role", "Saml Integration", "Scopes", "Teams", "User"} {
		s.waitFor(`┃ ` + c)
		s.keys("Enter")
	}
	s.waitFor(`┃ Expires`)
	s.keys("Down", "Down", "Enter") // 30 days
	scr := s.waitFor(`Create token "form-e2e"\?`)
	if !strings.Contains(scr, "grants:  api-key:read,update budget:read cluster:read,create,update,delete") || !strings.Contains(scr, "expires: 30d") {
		t.Fatalf("the summary does not show the toggled grants and expiry:\n%s", scr)
	}
	s.keys("Enter")
	scr = s.waitFor(`\[exit \d+\]`)
	if !strings.Contains(scr, "[exit 0]") {
		t.Fatalf("create failed:\n%s", scr)
	}

	tok := createdToken(t, bin, env, "form-e2e")
	want := map[string][]string{
		"apiKey":  {"read", "update"},
		"budget":  {"read"},
		"cluster": {"read", "create", "update", "delete"},
	}
	if !reflect.DeepEqual(tok.Permissions, want) {
		t.Fatalf("the token holds %v, want exactly %v", tok.Permissions, want)
	}
	if tok.ExpiresAt == nil || time.Until(*tok.ExpiresAt) < 29*24*time.Hour || time.Until(*tok.ExpiresAt) > 31*24*time.Hour {
		t.Fatalf("expiresAt %v, want in 30 days", tok.ExpiresAt)
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil || !strings.HasPrefix(string(secret), "rpx_") {
		t.Fatalf("secret file: %q, %v", secret, err)
	}
}

// TestFormCtrlC: Ctrl-C in the form creates nothing and exits 130.
func TestFormCtrlC(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	s := startTmux(t, env, 100, 30, "sh", "-c", `replex tokens create named; echo "[exit $?]"; exec sleep 600`)
	s.waitFor(`┃ Agent`)
	s.keys("x", "C-c")
	scr := s.waitFor(`\[exit \d+\]`)
	if !strings.Contains(scr, "replex: interrupted") || !strings.Contains(scr, "[exit 130]") {
		t.Fatalf("Ctrl-C in the form:\n%s", scr)
	}
	list := exec.Command(bin, "tokens", "list", "--name", "named", "-o", "name")
	list.Env = env
	if out, err := list.Output(); err != nil || len(out) != 0 {
		t.Fatalf("tokens after Ctrl-C: %q, %v", out, err)
	}
}

// TestNoStallOnSilentTerminal runs replex on a pseudo-terminal that answers
// no query, with a TERM that invites them. Asking the terminal for its
// background colour (lipgloss adaptive colours, huh v1's bubbletea init)
// would stall 5 s here; replex must not ask.
func TestNoStallOnSilentTerminal(t *testing.T) {
	// Not parallel: it bounds replex's wall-clock time, so it runs in the
	// package's serial phase, before the parallel tests load the machine.
	bin := buildReplex(t)
	env := append(processSandbox(t, bin), "TERM=xterm-256color", "COLORTERM=truecolor")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "replex "},
		{[]string{"grants"}, "Grant forms"},
		{[]string{"tokens", "create"}, "Token name"},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = env
		start := time.Now()
		f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		buf := make([]byte, 4096)
		for !strings.Contains(out.String(), c.want) && time.Since(start) < 10*time.Second {
			f.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			n, err := f.Read(buf)
			out.Write(buf[:n])
			if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
		}
		took := time.Since(start)
		f.Write([]byte{3}) // Ctrl-C ends the form
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		if !strings.Contains(out.String(), c.want) {
			t.Fatalf("replex %s never showed %q; output:\n%q", strings.Join(c.args, " "), c.want, out.String())
		}
		if took > 2*time.Second {
			t.Errorf("replex %s took %v to show %q on a terminal that answers no query: something waits for the terminal", strings.Join(c.args, " "), took.Round(time.Millisecond), c.want)
		}
	}
}

// tokenNames lists the names of the sandbox's tokens.
func tokenNames(t *testing.T, bin string, env []string) string {
	t.Helper()
	list := exec.Command(bin, "tokens", "list", "--jq", ".[].name")
	list.Env = env
	out, err := list.Output()
	if err != nil {
		t.Fatalf("tokens list: %v", err)
	}
	return string(out)
}

// TestFormLineByLineInTmux drives the TERM=dumb form on a real terminal in
// line mode: a wrong answer is asked again, the summary (with the date the
// expiry gives) comes before the question, y creates exactly what was typed.
func TestFormLineByLineInTmux(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	secretFile := filepath.Join(t.TempDir(), "secret")
	s := startTmux(t, env, 120, 40, "sh", "-c", `TERM=dumb replex tokens create --secret-file "$0"; echo "[exit $?]"; exec sleep 600`, secretFile)
	s.waitFor(`(?m)^Token name .*:$`)
	s.text("dumb-term")
	s.keys("Enter")
	s.waitFor(`(?m)^Grants:$`)
	s.text("cluster:fly")
	s.keys("Enter")
	s.waitFor(`unknown action "fly"`)
	s.text("cluster:read budget:rcud")
	s.keys("Enter")
	s.waitFor(`(?m)^Expires: .*\[never\]:$`)
	s.text("7d")
	s.keys("Enter")
	scr := s.waitFor(`(?m)^Create it\? \[y/N\]:$`)
	if !regexp.MustCompile(`Create token "dumb-term"\n  grants:  budget:read,create,update,delete cluster:read\n  expires: 7d \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\nCreate it\? \[y/N\]:`).MatchString(scr) {
		t.Fatalf("no summary before the question:\n%s", scr)
	}
	if n := strings.Count(scr, "Expires:"); n != 1 {
		t.Fatalf("Expires asked %d times:\n%s", n, scr)
	}
	s.text("y")
	s.keys("Enter")
	if scr := s.waitFor(`\[exit \d+\]`); !strings.Contains(scr, "[exit 0]") {
		t.Fatalf("create failed:\n%s", scr)
	}
	tok := createdToken(t, bin, env, "dumb-term")
	want := map[string][]string{"budget": {"read", "create", "update", "delete"}, "cluster": {"read"}}
	if !reflect.DeepEqual(tok.Permissions, want) || tok.ExpiresAt == nil || time.Until(*tok.ExpiresAt) < 6*24*time.Hour || time.Until(*tok.ExpiresAt) > 8*24*time.Hour {
		t.Fatalf("created %v expiring %v; want %v in 7 days", tok.Permissions, tok.ExpiresAt, want)
	}
}

// TestFormLineByLineAborts: with TERM=dumb, Ctrl-C and Ctrl-D (end of
// input), at any question and after a wrong answer, exit 130 and create
// nothing, and nothing panics.
func TestFormLineByLineAborts(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	before := tokenNames(t, bin, env)
	for _, c := range []struct {
		name    string
		answers []string // typed, each followed by Enter
		key     string
	}{
		{"ctrl-c at the name", nil, "C-c"},
		{"ctrl-d at the name", nil, "C-d"},
		{"ctrl-c at the grants", []string{"aborted"}, "C-c"},
		{"ctrl-d at the expiry after a wrong answer", []string{"aborted", "cluster:read", "soon"}, "C-d"},
		{"ctrl-d at the question", []string{"aborted", "cluster:read", "30d"}, "C-d"},
		{"ctrl-c at the question", []string{"aborted", "cluster:read", "30d"}, "C-c"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Ctrl-C in line mode is a SIGINT to the whole foreground
			// group: the shell traps it to live on and report the exit.
			s := startTmux(t, env, 120, 30, "sh", "-c", `trap : INT; TERM=dumb replex tokens create; echo "[exit $?]"; exec sleep 600`)
			prompts := []string{`(?m)^Token name .*:$`, `(?m)^Grants:$`, `(?m)^Expires: .*:$`, `(?m)^Create it\? \[y/N\]:$`}
			for i, a := range c.answers {
				s.waitFor(prompts[i])
				s.text(a)
				s.keys("Enter")
			}
			if len(c.answers) == 3 && c.answers[2] == "soon" {
				s.waitFor(`(?m)invalid expiry "soon".*\nExpires: .*:$`)
			} else {
				s.waitFor(prompts[len(c.answers)])
			}
			s.keys(c.key)
			scr := s.waitFor(`\[exit \d+\]`)
			if !strings.Contains(scr, "[exit 130]") || strings.Contains(scr, "panic") || strings.Contains(scr, "goroutine") {
				t.Fatalf("%s:\n%s", c.name, scr)
			}
		})
	}
	if after := tokenNames(t, bin, env); after != before {
		t.Fatalf("tokens before the aborted forms:\n%s\nafter:\n%s", before, after)
	}
}

// TestFormConfirmShowsGivenExpiry: with --expires 7d, the drawn form's
// confirm step shows the 7 days that will be used, not "never".
func TestFormConfirmShowsGivenExpiry(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	s := startTmux(t, env, 110, 40, "sh", "-c", `replex tokens create seven --expires 7d --secret-file "$0"; echo "[exit $?]"; exec sleep 600`, filepath.Join(t.TempDir(), "secret"))
	s.waitFor(`┃ Agent`)
	s.keys("x")
	for range 14 {
		s.keys("Enter")
	}
	scr := s.waitFor(`Create token "seven"\?`)
	if !regexp.MustCompile(`expires: 7d \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)`).MatchString(scr) || strings.Contains(scr, "expires: never") {
		t.Fatalf("the confirm step does not show the 7 days:\n%s", scr)
	}
	s.keys("Enter")
	if scr := s.waitFor(`\[exit \d+\]`); !strings.Contains(scr, "[exit 0]") {
		t.Fatalf("create failed:\n%s", scr)
	}
}

// TestFormSkipToEnd: ctrl+e in the categories does nothing before a grant
// is chosen, then jumps past the other 13 to the expiry; shift+tab from
// there leads back into the categories; the token has exactly the grant.
func TestFormSkipToEnd(t *testing.T) {
	t.Parallel()
	bin := buildReplex(t)
	env := processSandbox(t, bin)
	s := startTmux(t, env, 110, 40, "sh", "-c", `replex tokens create quick --secret-file "$0"; echo "[exit $?]"; exec sleep 600`, filepath.Join(t.TempDir(), "secret"))
	s.waitFor(`┃ Agent`)
	s.keys("Enter") // no agent access
	s.waitFor(`┃ Api Key`)
	s.keys("C-e") // nothing chosen yet: stays
	time.Sleep(300 * time.Millisecond)
	if scr := s.screen(); !strings.Contains(scr, "┃ Api Key") || strings.Contains(scr, "┃ Expires") {
		t.Fatalf("ctrl+e with nothing chosen left the categories:\n%s", scr)
	}
	s.keys("Down", "Down", "Down", "x") // delete
	s.keys("C-e")
	s.waitFor(`┃ Expires`)
	s.keys("S-Tab")
	s.waitFor(`┃ User`)
	s.keys("Enter")
	s.waitFor(`┃ Expires`)
	s.keys("Enter") // never
	scr := s.waitFor(`Create token "quick"\?`)
	if !strings.Contains(scr, "grants:  api-key:delete") {
		t.Fatalf("the summary does not show the one grant:\n%s", scr)
	}
	s.keys("Enter")
	if scr := s.waitFor(`\[exit \d+\]`); !strings.Contains(scr, "[exit 0]") {
		t.Fatalf("create failed:\n%s", scr)
	}
	tok := createdToken(t, bin, env, "quick")
	if want := map[string][]string{"apiKey": {"delete"}}; !reflect.DeepEqual(tok.Permissions, want) {
		t.Fatalf("the token holds %v; want %v", tok.Permissions, want)
	}
}

// formToken is what the form tests check of the token they created.
type formToken struct {
	Permissions map[string][]string `json:"permissions"`
	ExpiresAt   *time.Time          `json:"expiresAt"`
}

// createdToken reads the named token back through 'tokens get -o json'.
func createdToken(t *testing.T, bin string, env []string, name string) formToken {
	t.Helper()
	get := exec.Command(bin, "tokens", "get", name, "-o", "json")
	get.Env = env
	out, err := get.Output()
	if err != nil {
		t.Fatalf("tokens get: %v\n%s", err, out)
	}
	var tok formToken
	if err := json.Unmarshal(out, &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}
