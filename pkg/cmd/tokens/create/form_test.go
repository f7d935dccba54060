package create

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/huh/v2"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
)

// lineReader hands out one line per Read, as a terminal in line mode does,
// then the end of input.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

func linesConfig(in io.Reader, out io.Writer) formConfig {
	return formConfig{In: in, Out: out, Accessible: true, AskName: true, AskExpiry: true, Now: func() time.Time { return now }}
}

// TestFormLineByLine fills the line-by-line form (the one TERM=dumb gets),
// with a wrong answer at every question: each is asked again, and the
// answers give exactly the grants and expiry typed. The summary comes
// before the question.
func TestFormLineByLine(t *testing.T) {
	answers := []string{
		"", "acc-token", // name: empty is refused
		"cluster:fly", "", "api-key:read,update scopes:create", // grants: a bad action, none
		"soon", "90d", // expiry
		"maybe", "y",
	}
	st := &formState{Expiry: "never"}
	var out bytes.Buffer
	if err := runLines(context.Background(), st, linesConfig(&lineReader{answers}, &out)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := grants.Set{"apiKey": {"read", "update"}, "scopes": {"create"}}
	if st.Name != "acc-token" || !reflect.DeepEqual(st.Permissions(), want) || st.ExpiresValue() != "90d" || !st.Confirm {
		t.Fatalf("form gave name %q, grants %v, expiry %q, confirm %v; want acc-token, %v, 90d, true\n%s", st.Name, st.Permissions(), st.ExpiresValue(), st.Confirm, want, out.String())
	}
	text := out.String()
	for _, want := range []string{"invalid token name", `unknown action "fly"`, "at least one grant is needed", "answer y or n",
		"Create token \"acc-token\"\n  grants:  api-key:read,update scopes:create\n  expires: 90d (2026-05-30 12:00 UTC)\nCreate it? [y/N]: "} {
		if !strings.Contains(text, want) {
			t.Errorf("the form does not say %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "Expires") != 2 {
		t.Errorf("Expires asked %d times for one wrong answer; want 2:\n%s", strings.Count(text, "Expires"), text)
	}

	// A preset and Enter for the default expiry, then no.
	st = &formState{Expiry: "never"}
	if err := runLines(context.Background(), st, linesConfig(&lineReader{[]string{"viewer", "view", "", "n"}}, io.Discard)); err != nil {
		t.Fatal(err)
	}
	if !grants.Equal(st.Permissions(), grants.ReadAll()) || st.ExpiresValue() != "never" || st.Confirm {
		t.Errorf("preset view, default expiry, no: got %v, %q, %v", st.Permissions(), st.ExpiresValue(), st.Confirm)
	}
}

// TestFormLineByLineEndOfInput: the end of input at any question, even
// after a wrong answer, creates nothing: exit 130, no panic.
func TestFormLineByLineEndOfInput(t *testing.T) {
	full := []string{"n", "cluster:read", "30d", "y"}
	for i := range full {
		for _, wrong := range []bool{false, true} {
			answers := append([]string(nil), full[:i]...)
			if wrong {
				answers = append(answers, []string{"", "x:y", "soon", "maybe"}[i])
			}
			st := &formState{Expiry: "never"}
			var out bytes.Buffer
			err := runLines(context.Background(), st, linesConfig(&lineReader{answers}, &out))
			if cmdutil.ExitCode(err) != cmdutil.ExitInterrupted || st.Confirm {
				t.Errorf("input ending at question %d (wrong answer first: %v): exit %d, %v, confirm %v; want 130\n%s", i+1, wrong, cmdutil.ExitCode(err), err, st.Confirm, out.String())
			}
		}
	}
}

// TestFormLineByLineInterrupt: Ctrl-C (the context cancelled) while a
// question waits ends the form at once.
func TestFormLineByLineInterrupt(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	st := &formState{Expiry: "never"}
	go func() { done <- runLines(ctx, st, linesConfig(pr, io.Discard)) }()
	pw.Write([]byte("named\n"))
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || st.Confirm {
			t.Fatalf("interrupted form: %v, confirm %v; want context.Canceled", err, st.Confirm)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the form went on waiting for input after Ctrl-C")
	}
}

// TestSummaryShowsGivenExpiry: with --expires 7d the confirm step says 7
// days, with the date, not "never".
func TestSummaryShowsGivenExpiry(t *testing.T) {
	st := &formState{Expiry: "7d"}
	st.SetPermissions(grants.Set{"cluster": {"read"}})
	if got, want := summary(st, now), "grants:  cluster:read\nexpires: 7d (2026-03-08 12:00 UTC)"; got != want {
		t.Errorf("summary = %q; want %q", got, want)
	}
}

func TestFormStateExpiry(t *testing.T) {
	st := &formState{Expiry: customExpiry, Custom: " 2027-01-31 "}
	if got := st.ExpiresValue(); got != "2027-01-31" {
		t.Errorf("custom expiry %q", got)
	}
	st.Expiry = "30d"
	if got := st.ExpiresValue(); got != "30d" {
		t.Errorf("chosen expiry %q", got)
	}
	if got := (&formState{}).Permissions(); len(got) != 0 {
		t.Errorf("no toggles gave %v", got)
	}
}

// TestNoFormWithoutTerminal: the form opens only with stdin, stdout and
// stderr on a terminal and prompting allowed; otherwise the errors name the
// flags, and --no-input is named when it is what stopped the prompt.
func TestNoFormWithoutTerminal(t *testing.T) {
	cases := []struct {
		name                  string
		stdin, stdout, stderr bool
		noInput               bool
		args                  []string
		msg                   string
	}{
		{"piped, no grants", false, false, false, false, []string{"x"},
			`no permissions given: pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'`},
		{"piped, no name", false, false, false, false, nil,
			`missing the token name: see 'create --help'`},
		{"stdout piped", true, false, true, false, []string{"x"},
			`no permissions given: pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'`},
		{"stderr piped", true, true, false, false, []string{"x"},
			`no permissions given: pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'`},
		{"terminal with --no-input", true, true, true, true, []string{"x"},
			`no permissions given and prompting is off (--no-input or REPLEX_NO_INPUT): pass --grant CAT:ACTIONS (e.g. --grant cluster:read) or --preset view|full; see 'replex grants'`},
		{"terminal with --no-input, no name", true, true, true, true, nil,
			`missing the token name: see 'create --help'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testFactory()
			f.IOStreams.SetStdinTTY(c.stdin)
			f.IOStreams.SetStdoutTTY(c.stdout)
			f.IOStreams.SetStderrTTY(c.stderr)
			f.IOStreams.SetNoInput(c.noInput)
			err := execCreate(f, func(context.Context, *Options) error { t.Fatal("runF called"); return nil }, c.args...)
			if cmdutil.ExitCode(err) != cmdutil.ExitUsage || cmdutil.Message(err) != c.msg {
				t.Fatalf("exit %d, %q; want 2, %q", cmdutil.ExitCode(err), cmdutil.Message(err), c.msg)
			}
		})
	}
}

// TestFormPanicIsAnError: a panic inside the form library ends the form
// with an error that says nothing was created, not a crash.
func TestFormPanicIsAnError(t *testing.T) {
	form := huh.NewForm(huh.NewGroup(huh.NewInput().Title("x").Validate(func(string) error { panic("index out of range [-1]") }))).
		WithAccessible(true).WithInput(strings.NewReader("x\n")).WithOutput(io.Discard)
	err := runGuarded(context.Background(), form)
	if err == nil || !strings.Contains(err.Error(), "nothing created") || !strings.Contains(err.Error(), "index out of range [-1]") {
		t.Fatalf("runGuarded = %v; want an error saying nothing was created", err)
	}
}
