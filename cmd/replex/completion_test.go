package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The committed completion scripts (completions/, written by
// `go run ./cmd/gen-docs`), each loaded into the real shell, complete
// `replex tokens create --grant c` to the two categories starting with c.
var wantGrantC = []string{"cluster:", "custom-pricing:"}

func completionScript(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "completions", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%v: run go run ./cmd/gen-docs", err)
	}
	return path
}

// shellEnv is a clean environment for a shell with the built replex first
// on PATH.
func shellEnv(t *testing.T, bin string) []string {
	home := t.TempDir()
	return []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"REPLEX_CONFIG_DIR=" + filepath.Join(home, "config"),
		"TERM=xterm",
		"LANG=C.UTF-8",
	}
}

func TestCompletionBash(t *testing.T) {
	t.Parallel()
	bash := needTool(t, "bash")
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	needFile(t, bashCompletion, "bash-completion")
	bin := buildReplex(t)
	// What bash does on <TAB>: fill COMP_* and call the registered function.
	script := `
source ` + bashCompletion + `
source "$1"
complete -p replex >/dev/null || { echo "replex completion not registered"; exit 1; }
COMP_LINE="replex tokens create --grant c"; COMP_POINT=${#COMP_LINE}
COMP_WORDS=(replex tokens create --grant c); COMP_CWORD=4; COMP_TYPE=9
__start_replex replex c --grant 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"
`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script, "bash", completionScript(t, "replex.bash"))
	cmd.Env = shellEnv(t, bin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, wantGrantC) {
		t.Fatalf("bash completes --grant c to %q, want %q", got, wantGrantC)
	}
}

func TestCompletionFish(t *testing.T) {
	t.Parallel()
	fish := needTool(t, "fish")
	bin := buildReplex(t)
	cmd := exec.Command(fish, "--no-config", "-c", `source $argv[1]; complete -C "replex tokens create --grant c"`, completionScript(t, "replex.fish"))
	cmd.Env = shellEnv(t, bin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		cand, _, _ := strings.Cut(line, "\t")
		got = append(got, cand)
	}
	if !slices.Equal(got, wantGrantC) {
		t.Fatalf("fish completes --grant c to %q (output %q), want %q", got, out, wantGrantC)
	}
}

// zsh completes only inside its line editor, so this one types into an
// interactive zsh in tmux and reads the listing zsh prints under the prompt.
// Each step waits for zsh to be back at its prompt before the next keys go
// in, so no keys arrive while the line editor is not reading them.
func TestCompletionZsh(t *testing.T) {
	t.Parallel()
	zsh := needTool(t, "zsh")
	bin := buildReplex(t)
	env := append(shellEnv(t, bin), "PS1=zsh> ", "REPLEX_ZSH_COMPLETION="+completionScript(t, "_replex"))
	s := startTmux(t, env, 150, 20, zsh, "-f")
	s.waitFor(`^zsh>\s*$`)
	// compinit scans and audits every function on fpath: about a second on
	// an idle machine and many times that on a busy one. The completion
	// system needs only its own directories, and -C -D skip the audit and
	// the dump, so loading takes a tenth of that. The quotes keep the typed
	// line itself from matching the marker.
	s.text(`fpath=(${(M)fpath:#*/Completion(|/Base)}) && autoload -U compinit && compinit -C -D && source "$REPLEX_ZSH_COMPLETION" && echo "load""ed"`)
	s.keys("Enter")
	s.waitFor(`(?m)^loaded\nzsh>\s*$`)
	const line = "replex tokens create --grant c"
	s.text(line)
	s.waitFor(`(?m)^zsh> ` + regexp.QuoteMeta(line) + `\s*$`)
	s.keys("Tab")
	scr := s.waitFor(`custom-pricing:`)
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^(\S+)\s+-- `).FindAllStringSubmatch(scr, -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, wantGrantC) {
		t.Fatalf("zsh lists %q for --grant c, want %q; screen:\n%s", got, wantGrantC, scr)
	}
}
