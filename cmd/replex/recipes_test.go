package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
)

// standIn plays kubectl, gh, vault, aws and ssh for TestRecipes: it records
// its arguments and standard input, refuses a secret in its arguments or
// environment (exit 99, 98), and does just enough of the tool's job for the
// recipe's shape: kubectl create prints the Secret's YAML for kubectl apply,
// ssh runs its remote command in $REMOTE_HOME.
const standIn = `#!/bin/sh
tool=$(basename "$0")
rec="$RECORD/$tool.$$"
for a in "$@"; do printf '%s\n' "$a"; done > "$rec.args"
case "$*" in *rpx_*) echo "$tool: a secret in argv" >&2; exit 99;; esac
if env | grep -q rpx_; then echo "$tool: a secret in the environment" >&2; exit 98; fi
cat > "$rec.stdin"
case "$tool" in
kubectl)
  case " $* " in
  *" create "*) printf 'apiVersion: v1\nkind: Secret\ndata:\n  token: %s\n' "$(base64 -w0 < "$rec.stdin")";;
  *) echo "secret/replex-agent configured";;
  esac;;
ssh)
  for remote in "$@"; do :; done
  (cd "$REMOTE_HOME" && sh -c "$remote") < "$rec.stdin" || exit $?;;
*) echo "$tool: stored";;
esac
`

var (
	recipeBlock   = regexp.MustCompile("(?s)```sh\n(.*?)```")
	recipeTool    = regexp.MustCompile(`--secret-command ['"](\w+) `)
	recipeNameArg = regexp.MustCompile(`^replex tokens rotate (?:--name '([^']+)'|([a-z0-9-]+)) `)
)

// TestRecipes runs every command line of docs/recipes.md, as written there,
// with the real binary against a sandbox and stand-ins of the tools on PATH,
// and checks that the tool read exactly the new secret on its standard input
// (no newline), that the secret authenticates, and that it was never in an
// argument or the environment of any tool, nor in replex's output.
func TestRecipes(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the stand-ins are sh scripts using GNU base64")
	}
	doc, err := os.ReadFile("../../docs/recipes.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range recipeBlock.FindAllStringSubmatch(string(doc), -1) {
		for _, l := range strings.Split(m[1], "\n") {
			if strings.HasPrefix(l, "replex tokens rotate ") {
				lines = append(lines, l)
			}
		}
	}
	tools := []string{"kubectl", "gh", "vault", "aws", "ssh"}
	if len(lines) < len(tools)+1 {
		t.Fatalf("docs/recipes.md has %d recipe lines; want one per tool (%v) and the bulk one", len(lines), tools)
	}
	bin := buildReplex(t)
	standins := t.TempDir()
	for _, tool := range tools {
		if err := os.WriteFile(filepath.Join(standins, tool), []byte(standIn), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range lines {
		tool := recipeTool.FindStringSubmatch(line)
		m := recipeNameArg.FindStringSubmatch(line)
		if tool == nil || m == nil || !slices.Contains(tools, tool[1]) {
			t.Fatalf("recipe line not understood by this test: %s", line)
		}
		t.Run(tool[1]+"/"+m[1]+m[2], func(t *testing.T) {
			runRecipe(t, bin, standins, line, tool[1], m[1], m[2])
		})
	}
}

func runRecipe(t *testing.T, bin, standins, line, tool, glob, name string) {
	e := startFaultEnv(t, bin, sandbox.Options{})
	names := []string{name}
	if glob != "" {
		names = []string{strings.Replace(glob, "*", "a", 1), strings.Replace(glob, "*", "b", 1)}
	}
	perms, err := grants.ParseAll([]string{"organization:read"})
	if err != nil {
		t.Fatal(err)
	}
	var old []string
	for _, n := range names {
		_, raw, err := e.srv.IssueToken(n, perms, nil)
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, raw)
	}
	record, remote := t.TempDir(), t.TempDir()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = t.TempDir()
	cmd.Env = append(slices.Clone(e.env),
		"PATH="+filepath.Dir(bin)+":"+standins+":/usr/local/bin:/usr/bin:/bin",
		"RECORD="+record, "REMOTE_HOME="+remote)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	if strings.Contains(string(out), "rpx_") {
		t.Errorf("replex's or the tool's output holds something with the secret prefix:\n%s", out)
	}

	// The invocations that read a secret: one per token, all of the tool.
	stdins, _ := filepath.Glob(filepath.Join(record, "*.stdin"))
	var received []string
	for _, p := range stdins {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "rpx_") {
			continue
		}
		if got := strings.SplitN(filepath.Base(p), ".", 2)[0]; got != tool {
			t.Errorf("%s read the secret, want %s", got, tool)
		}
		received = append(received, string(b))
	}
	if len(received) != len(names) {
		t.Fatalf("%d invocations of %s read a secret; want %d\n%s", len(received), tool, len(names), out)
	}
	grace := strings.Contains(line, "--grace")
	for i, sec := range received {
		if strings.ContainsAny(sec, "\r\n") || slices.Contains(old, sec) || slices.Contains(received[:i], sec) {
			t.Errorf("received %d: not exactly one new secret without a newline", i)
		}
		if !slices.Contains(e.secrets, sec) {
			t.Errorf("received %d: not a secret the sandbox issued", i)
		}
		if code := e.authStatus(sec); code != 200 {
			t.Errorf("received %d: the secret the tool read gets HTTP %d, want 200", i, code)
		}
	}
	for i, sec := range old {
		want := 401
		if grace {
			want = 200
		}
		if code := e.authStatus(sec); code != want {
			t.Errorf("old token %s: HTTP %d, want %d", names[i], code, want)
		}
	}

	argFiles, _ := filepath.Glob(filepath.Join(record, "*.args"))
	var args []string
	for _, p := range argFiles {
		b, _ := os.ReadFile(p)
		args = append(args, string(b))
	}
	all := strings.Join(args, "")
	switch tool {
	case "kubectl":
		// The Secret made from stdin flowed through the pipe into apply.
		applied := false
		for _, p := range stdins {
			b, _ := os.ReadFile(p)
			applied = applied || strings.Contains(string(b), base64.StdEncoding.EncodeToString([]byte(received[0])))
		}
		if !applied || !strings.Contains(all, "apply\n") {
			t.Errorf("kubectl apply did not receive the Secret; args:\n%s", all)
		}
	case "ssh":
		path := filepath.Join(remote, ".replex-token")
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if st.Mode().Perm() != 0o600 || string(b) != received[0] {
			t.Errorf("remote file: mode %o, holds the secret: %v", st.Mode().Perm(), string(b) == received[0])
		}
	}
	for _, n := range names {
		if glob != "" && !strings.Contains(all, n+"\n") {
			t.Errorf("no run of %s was given %s's name from REPLEX_TOKEN_NAME; args:\n%s", tool, n, all)
		}
	}
}
