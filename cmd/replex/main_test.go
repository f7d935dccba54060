package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/replexio/replex/pkg/cmd/root"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/sandbox"
	"github.com/replexio/replex/pkg/secret"
)

func TestMain(m *testing.M) {
	if file := os.Getenv(peakRSSEnv); file != "" {
		os.Exit(runMeasured(file)) // this binary as runHostile's wrapper
	}
	testscript.Main(suite{m}, map[string]func(){
		"replex": func() { os.Exit(scriptReplex(root.Main)) },
	})
}

// suite runs the package's tests as many at a time as suiteParallel says,
// and removes the shared replex binary once they are done.
type suite struct{ m *testing.M }

func (s suite) Run() int {
	flag.Parse()
	parallelGiven = flagGiven("test.parallel")
	if !parallelGiven {
		flag.Set("test.parallel", fmt.Sprint(suiteParallel()))
	}
	code := s.m.Run()
	if replexBinary.dir != "" {
		os.RemoveAll(replexBinary.dir)
	}
	return code
}

// suiteParallel is how many parallel tests run at once unless -parallel
// says otherwise: at least 8, whatever the number of CPUs. These tests
// spend most of their time waiting, not computing: on tmux screens and
// pseudo-terminals, on replex processes and the retries and timeouts they
// are made to hit (a keyring that never answers costs 3 s a command). With
// go test's default of one test per CPU a 2-CPU machine sat mostly idle.
func suiteParallel() int { return max(8, runtime.GOMAXPROCS(0)) }

// parallelGiven tells whether the command line gave -parallel; once
// suite.Run has set the flag itself, flag.Visit can no longer tell.
var parallelGiven bool

// TestSuiteParallel: without -parallel the package runs suiteParallel
// tests at a time; with it, as many as it says.
func TestSuiteParallel(t *testing.T) {
	got := flag.Lookup("test.parallel").Value.String()
	if !parallelGiven && got != fmt.Sprint(suiteParallel()) {
		t.Errorf("-test.parallel is %s without -parallel, want %d", got, suiteParallel())
	}
	if suiteParallel() < 8 {
		t.Errorf("suiteParallel() = %d, want at least 8", suiteParallel())
	}
}

func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// replexBinary is the one `go build` of replex shared by every test that
// runs it as a process. A build costs seconds of CPU even with a warm
// cache (the link): a build per test cost the package a quarter of its
// CPU time. TestMain removes it after the run.
var replexBinary struct {
	once      sync.Once
	dir, path string
	err       error
}

// buildReplex returns the path of the shared replex binary, building it
// the first time it is asked for.
func buildReplex(t testing.TB) string {
	t.Helper()
	b := &replexBinary
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "replex-e2e-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "replex")
		if out, err := exec.Command("go", "build", "-o", b.path, ".").CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// secretLog collects every secret a script's sandbox hands out, so that
// checkScriptStderr can prove none reached the stderr of any replex run.
type secretLog struct {
	mu      sync.Mutex
	secrets []string
}

func (l *secretLog) add(s string) {
	l.mu.Lock()
	l.secrets = append(l.secrets, s)
	l.mu.Unlock()
}

// all returns a copy of the secrets recorded so far.
func (l *secretLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.secrets)
}

// TestScripts runs every journey in testdata/script against a sandbox started
// for that script alone, with the real replex main.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

func scriptParams(t *testing.T, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               setupSandbox,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"issue-token":   cmdIssueToken,
			"sandbox":       cmdSandbox,
			"nosecrets":     cmdNoSecrets,
			"waitfile":      cmdWaitFile,
			"envfile":       cmdEnvFile,
			"perm":          cmdPerm,
			"rc":            cmdRC,
			"sandbox-clock": cmdSandboxClock,
			"issue-tokens":  cmdIssueTokens,
			"setenvfile":    cmdSetEnvFile,
			"second-start":  cmdSecondStart,
			"keyring":       cmdKeyring,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "ci":
				return os.Getenv("CI") == "true", nil
			case "keyring":
				// In CI the keyring must be there: a script needing it fails, not skips.
				return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" || os.Getenv("CI") == "true", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

type scriptSandbox struct {
	srv   *sandbox.Server
	http  *http.Server
	url   string
	clock *offsetClock
}

// offsetClock is the sandbox's clock: real time plus an offset a script can
// move forward, to watch expiry deadlines pass.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

const sandboxKey = "sandbox"

// setupSandbox starts an ephemeral sandbox on a free loopback port and points
// replex at it through the environment. The config dir and HOME are the
// script's own; the OS keyring is unreachable unless a script restores
// REAL_DBUS_SESSION_BUS_ADDRESS, so scripts never touch a developer's keyring.
//
// Every secret the sandbox issues is recorded, every replex run of the
// script copies its stderr to a directory of its own (scriptReplex), and
// when the script ends checkScriptStderr fails it if any of those secrets
// is in any of that stderr.
func setupSandbox(env *testscript.Env) error {
	clock := &offsetClock{}
	secrets := &secretLog{}
	srv, err := sandbox.New(sandbox.Options{Now: clock.Now, OnSecret: secrets.add})
	if err != nil {
		return err
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	env.Defer(func() { hs.Close(); srv.Close() })
	sb := &scriptSandbox{srv: srv, http: hs, url: "http://" + ln.Addr().String(), clock: clock}
	env.Values[sandboxKey] = sb

	// Outside $WORK, so that no script sees it among its files.
	stderrDir, err := os.MkdirTemp("", "replex-script-stderr-")
	if err != nil {
		return err
	}
	env.Setenv(stderrDirEnv, stderrDir)
	env.Defer(func() {
		defer os.RemoveAll(stderrDir)
		checkScriptStderr(env.T(), stderrDir, secrets.all())
	})

	// An address where nothing listens, for "unreachable server" journeys.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	deadURL := "http://" + dead.Addr().String()
	dead.Close()

	work := env.WorkDir
	env.Setenv("HOME", work)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, ".config"))
	env.Setenv("REPLEX_CONFIG_DIR", filepath.Join(work, ".config", "replex"))
	env.Setenv("REPLEX_BASE_URL", sb.url)
	env.Setenv("REPLEX_ORG", srv.OrgID())
	env.Setenv("REPLEX_API_TOKEN", srv.AdminSecret())
	env.Setenv("ADMIN_TOKEN", srv.AdminSecret())
	env.Setenv("ADMIN_FP", secret.New(srv.AdminSecret()).Fingerprint())
	env.Setenv("SANDBOX_URL", sb.url)
	env.Setenv("SANDBOX_ADDR", ln.Addr().String())
	env.Setenv("DEAD_URL", deadURL)
	env.Setenv("REAL_DBUS_SESSION_BUS_ADDRESS", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	env.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(work, "no-dbus-here"))
	env.Setenv("KEYRING_PROFILE", "e2e-"+strings.ReplaceAll(strings.TrimPrefix(sb.url, "http://127.0.0.1:"), ":", "-"))
	env.Setenv("TERM", "dumb")
	env.Setenv("NO_COLOR", "")
	env.Setenv("REPLEX_NO_EXPIRY_WARNING", "")
	env.Setenv("CI", os.Getenv("CI"))
	return nil
}

func sandboxOf(ts *testscript.TestScript) *scriptSandbox {
	return ts.Value(sandboxKey).(*scriptSandbox)
}

// issue-token [-expires DURATION] VAR NAME GRANT... creates a token directly
// on the sandbox and puts its secret in $VAR.
func cmdIssueToken(ts *testscript.TestScript, neg bool, args []string) {
	var exp *time.Time
	if len(args) > 1 && args[0] == "-expires" {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		t := sandboxOf(ts).clock.Now().Add(d)
		exp, args = &t, args[2:]
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: issue-token [-expires DURATION] VAR NAME [GRANT...]")
	}
	perms, err := grants.ParseAll(args[2:])
	ts.Check(err)
	_, raw, err := sandboxOf(ts).srv.IssueToken(args[1], perms, exp)
	ts.Check(err)
	ts.Setenv(args[0], raw)
}

// sandbox tokens: prints the sandbox's tokens (name and grants), one a line,
// read straight from the server, to check what replex did.
func cmdSandbox(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || args[0] != "tokens" {
		ts.Fatalf("usage: sandbox tokens")
	}
	for _, tok := range sandboxOf(ts).srv.Tokens() {
		exp := "never"
		if tok.ExpiresAt != nil {
			exp = "set"
		}
		fmt.Fprintf(ts.Stdout(), "%s %s expires:%s\n", tok.Name, strings.Join(grants.Format(tok.Permissions), " "), exp)
	}
}

// nosecrets FILE...: fails if any file holds anything with the sandbox's
// secret prefix. Secrets are delivered only where a script asks for them.
func cmdNoSecrets(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: nosecrets FILE...")
	}
	for _, f := range args {
		if strings.Contains(ts.ReadFile(f), "rpx_") {
			ts.Fatalf("%s contains something with the sandbox's secret prefix rpx_", f)
		}
	}
}

// waitfile FILE: waits up to 10s for FILE to exist and be non-empty.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := os.Stat(ts.MkAbs(args[0])); err == nil && st.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear within 10s", args[0])
}

// envfile VAR FILE writes $VAR and a newline to FILE (for stdin), so that
// secrets never appear in a script's text.
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile VAR FILE")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(ts.Getenv(args[0])+"\n"), 0o600))
}

// perm PATH prints PATH's permission bits in octal.
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: perm PATH")
	}
	st, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%o\n", st.Mode().Perm())
}

// rc N PROG [ARGS...] runs PROG like exec and asserts its exit code is N, so
// that scripts check the documented exit codes, not just failure.
func cmdRC(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: rc CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("running %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// setenvfile VAR FILE sets $VAR to FILE's content, trimmed of surrounding
// space: the way back from a captured stdout (cp stdout FILE) to a variable,
// so a secret replex printed can be used without appearing in the script.
func cmdSetEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setenvfile VAR FILE")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
}

// sandbox-clock DURATION moves the sandbox's clock forward (replex's own
// clock is untouched), e.g. to let a grace period run out.
func cmdSandboxClock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sandbox-clock DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	sandboxOf(ts).clock.Advance(d)
}

// issue-tokens N PREFIX [GRANT...] creates N tokens named PREFIX-001 ...
// directly on the sandbox, expiring in 30 days.
func cmdIssueTokens(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: issue-tokens N PREFIX [GRANT...]")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	perms, err := grants.ParseAll(args[2:])
	ts.Check(err)
	sb := sandboxOf(ts)
	exp := sb.clock.Now().Add(30 * 24 * time.Hour)
	for i := 1; i <= n; i++ {
		_, _, err := sb.srv.IssueToken(fmt.Sprintf("%s-%03d", args[1], i), perms, &exp)
		ts.Check(err)
	}
}
