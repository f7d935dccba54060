package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/replexio/replex/pkg/secret"
)

// stderrDirEnv names the directory where each replex run of a script also
// writes its stderr (setupSandbox sets it, scriptReplex honours it).
const stderrDirEnv = "REPLEX_TEST_STDERR_DIR"

// sandboxSecretPrefix starts every secret the sandbox issues.
const sandboxSecretPrefix = "rpx_"

// scriptReplex runs main, replex's entry point, as the "replex" of the
// scripts. With stderrDirEnv set it copies everything written to stderr into
// a new file in that directory as well, and finishes the copy before it
// returns the exit code.
func scriptReplex(main func() int) int {
	dir := os.Getenv(stderrDirEnv)
	if dir == "" {
		return main()
	}
	stop, err := teeStderr(dir, commandWords(os.Args[1:]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "replex (test harness): cannot copy stderr to %s: %v\n", dir, err)
		return 1
	}
	code := main()
	stop()
	return code
}

// teeStderr points os.Stderr at a pipe whose reader writes to the real
// stderr and to a new file in dir named after label. stop puts os.Stderr
// back and returns once everything written is in both places.
func teeStderr(dir, label string) (stop func(), err error) {
	f, err := os.CreateTemp(dir, label+"-*.stderr")
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, err
	}
	orig := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(io.MultiWriter(orig, f), r)
	}()
	return func() {
		os.Stderr = orig
		w.Close()
		<-done
		r.Close()
		f.Close()
	}, nil
}

// commandWords names a run by its command words ("tokens-rotate"), never by
// an argument that could be a secret.
func commandWords(args []string) string {
	var words []string
	for _, a := range args {
		if len(words) == 3 || a == "" || strings.Trim(a, "abcdefghijklmnopqrstuvwxyz-") != "" || a[0] == '-' {
			break
		}
		words = append(words, a)
	}
	if len(words) == 0 {
		return "replex"
	}
	return strings.Join(words, "-")
}

// scanForSecrets returns the findings in the files of dir: anything with
// the sandbox's secret prefix, and each of secrets, whole or without its
// prefix. A finding names a secret by fingerprint only.
func scanForSecrets(dir string, secrets []string) (findings []string, files int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	for _, ent := range entries {
		b, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			return findings, files, err
		}
		files++
		text := string(b)
		run := strings.TrimSuffix(ent.Name(), ".stderr")
		if n := strings.Count(text, sandboxSecretPrefix); n > 0 {
			findings = append(findings, fmt.Sprintf("the stderr of replex %s holds something with the sandbox's secret prefix (%d times)", run, n))
		}
		for _, s := range secrets {
			body := strings.TrimPrefix(s, sandboxSecretPrefix)
			if strings.Contains(text, s) || (len(body) >= 16 && strings.Contains(text, body)) {
				findings = append(findings, fmt.Sprintf("the stderr of replex %s holds the issued secret %s",
					run, secret.New(s).Fingerprint()))
			}
		}
	}
	return findings, files, nil
}

// checkScriptStderr fails the script unless dir holds the stderr of at
// least one replex run and none of it holds any of secrets. A skipped
// script is not checked.
func checkScriptStderr(t testscript.T, dir string, secrets []string) {
	if st, ok := t.(interface{ Skipped() bool }); ok && st.Skipped() {
		return
	}
	fail := func(msg string) {
		if et, ok := t.(interface{ Errorf(string, ...any) }); ok {
			et.Errorf("%s", msg)
			return
		}
		t.Fatal(msg)
	}
	findings, files, err := scanForSecrets(dir, secrets)
	switch {
	case err != nil:
		fail(fmt.Sprintf("reading the stderr of the script's replex runs: %v", err))
	case len(secrets) == 0:
		fail("the sandbox recorded no secret: the stderr check would prove nothing")
	case files == 0:
		fail("no stderr of any replex run was captured: the stderr check would prove nothing")
	}
	for _, f := range findings {
		fail(f)
	}
}

// TestScanForSecrets plants secrets in captured stderr files: the scan finds
// each, whole or without its prefix, and names it by fingerprint only.
func TestScanForSecrets(t *testing.T) {
	secrets := []string{
		"rpx_" + strings.Repeat("A1b2C3d4E5", 4),
		"rpx_" + strings.Repeat("z9Y8x7W6v5", 4),
		"rpx_" + strings.Repeat("Q0q0Q0q0Q0", 4),
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("tokens-list-1.stderr", "> GET /api/v1/organizations/org_1/api-keys\n< 200 OK\n")
	write("tokens-create-2.stderr", "Token created: \"ci\" (ak_1).\n"+secrets[0]+"\n")
	write("auth-status-3.stderr", "token ending "+strings.TrimPrefix(secrets[1], "rpx_")+"\n")

	findings, files, err := scanForSecrets(dir, secrets)
	if err != nil {
		t.Fatal(err)
	}
	if files != 3 || len(findings) != 3 {
		t.Fatalf("scanned %d files, %d findings, want 3 and 3: %q", files, len(findings), findings)
	}
	for i, want := range []string{"replex tokens-create-2 holds something with the sandbox's secret prefix (1 times)",
		"replex tokens-create-2 holds the issued secret " + secret.New(secrets[0]).Fingerprint(),
		"replex auth-status-3 holds the issued secret " + secret.New(secrets[1]).Fingerprint()} {
		if !slices.ContainsFunc(findings, func(f string) bool { return strings.HasSuffix(f, want) }) {
			t.Errorf("finding %d missing: want one ending %q in %q", i, want, findings)
		}
	}
	for _, f := range findings {
		if strings.Contains(f, sandboxSecretPrefix) {
			t.Errorf("a finding shows the secret: %d bytes with the prefix", len(f))
		}
	}

	// checkScriptStderr fails the script on a finding, and when there is
	// nothing to check.
	for _, tc := range []struct {
		name    string
		dir     string
		secrets []string
		want    string
	}{
		{"leak", dir, secrets, "holds the issued secret"},
		{"no runs", t.TempDir(), secrets, "no stderr of any replex run was captured"},
		{"no secrets", dir, nil, "the sandbox recorded no secret"},
	} {
		rt := &recordingT{}
		checkScriptStderr(rt, tc.dir, tc.secrets)
		if !rt.failed || !strings.Contains(rt.output(), tc.want) {
			t.Errorf("%s: failed=%v, output %q, want a failure saying %q", tc.name, rt.failed, rt.output(), tc.want)
		}
	}
	clean := t.TempDir()
	if err := os.WriteFile(filepath.Join(clean, "tokens-list-1.stderr"), []byte("Token deleted: \"ci\" (ak_1).\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := &recordingT{}
	checkScriptStderr(rt, clean, secrets)
	if rt.failed {
		t.Errorf("a clean stderr failed the check: %s", rt.output())
	}
}

// TestScriptStderrCheck runs real scripts through the scripts' setup and
// the real replex: their stderr is copied for the check and still reaches
// the script, and a script whose replex wrote a secret the sandbox issued
// to stderr fails, though every line of the script passed.
func TestScriptStderrCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scripts := map[string]string{
		"clean.txtar": `rc 2 replex api FETCH /x
stderr '\Areplex: invalid method "FETCH"'
captured-stderr 'replex: invalid method "FETCH"'
exec replex api GET /organizations/{org} --jq .data.id
! stderr .
`,
		// The secret goes in through a file, so that it is not in the script.
		"leak.txtar": `issue-token SECRET leaky organization:read
envfile SECRET secret.txt
stdin secret.txt
rc 2 replex api POST /organizations/{org}/api-keys --data -
stderr '\Areplex: --data is not valid JSON'
captured-stderr 'not valid JSON'
planted-stderr SECRET
`,
		// Skipped before any replex run: nothing to check, and no failure.
		"skipped.txtar": `skip 'nothing to run'
`,
	}
	for name, text := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := scriptParams(t, dir)
	// captured-stderr PATTERN: some stderr captured so far contains PATTERN.
	p.Cmds["captured-stderr"] = func(ts *testscript.TestScript, neg bool, args []string) {
		all := readCaptured(ts)
		if !strings.Contains(all, args[0]) {
			ts.Fatalf("no captured stderr contains %q", args[0])
		}
	}
	// planted-stderr VAR: what replex would have written had it printed $VAR
	// in an error, so that the check has a real leak to find.
	p.Cmds["planted-stderr"] = func(ts *testscript.TestScript, neg bool, args []string) {
		f := filepath.Join(ts.Getenv(stderrDirEnv), "tokens-get-planted.stderr")
		ts.Check(os.WriteFile(f, []byte(`replex: token "`+ts.Getenv(args[0])+"\" not found\n"), 0o600))
	}
	rt := &recordingT{}
	testscript.RunT(rt, p)

	if !rt.subFailed["leak"] {
		t.Errorf("the script whose stderr held a secret passed: %s", redact(rt.output()))
	}
	if want := "the stderr of replex tokens-get-planted holds the issued secret sha256:"; !strings.Contains(rt.output(), want) {
		t.Errorf("the failure does not say %q: %s", want, redact(rt.output()))
	}
	if rt.subFailed["clean"] || rt.subFailed["skipped"] {
		t.Errorf("the clean or the skipped script failed: %s", redact(rt.output()))
	}
	if strings.Contains(rt.output(), sandboxSecretPrefix) {
		t.Errorf("the scripts' log shows something with the secret prefix")
	}
}

func readCaptured(ts *testscript.TestScript) string {
	dir := ts.Getenv(stderrDirEnv)
	entries, err := os.ReadDir(dir)
	ts.Check(err)
	var all strings.Builder
	for _, ent := range entries {
		b, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		ts.Check(err)
		all.Write(b)
	}
	return all.String()
}

func redact(s string) string {
	for {
		i := strings.Index(s, sandboxSecretPrefix)
		if i < 0 {
			return s
		}
		s = s[:i] + "[redacted]" + s[min(len(s), i+len(sandboxSecretPrefix)+40):]
	}
}

// recordingT is a testscript.T that records failures instead of failing the
// test, to show that a check does fail. Run runs each subtest to the end on
// its own goroutine, like testing does.
type recordingT struct {
	parent    *recordingT
	name      string
	mu        sync.Mutex
	failed    bool
	skipped   bool
	subFailed map[string]bool
	logs      []string
}

func (r *recordingT) root() *recordingT {
	if r.parent != nil {
		return r.parent.root()
	}
	return r
}

func (r *recordingT) Log(args ...any) {
	root := r.root()
	root.mu.Lock()
	root.logs = append(root.logs, fmt.Sprint(args...))
	root.mu.Unlock()
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.Log(fmt.Sprintf(format, args...))
	r.fail()
}

func (r *recordingT) fail() {
	root := r.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	r.failed = true
	if r.parent != nil {
		if root.subFailed == nil {
			root.subFailed = map[string]bool{}
		}
		root.subFailed[r.name] = true
	}
}

func (r *recordingT) Fatal(args ...any) { r.Log(args...); r.FailNow() }
func (r *recordingT) FailNow()          { r.fail(); runtime.Goexit() }
func (r *recordingT) Skip(args ...any)  { r.Log(args...); r.skipped = true; runtime.Goexit() }
func (r *recordingT) Skipped() bool     { return r.skipped }
func (r *recordingT) Parallel()         {}
func (r *recordingT) Verbose() bool     { return false }

func (r *recordingT) Run(name string, f func(testscript.T)) {
	sub := &recordingT{parent: r, name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(sub)
	}()
	<-done
}

func (r *recordingT) output() string {
	root := r.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	return strings.Join(root.logs, "\n")
}
