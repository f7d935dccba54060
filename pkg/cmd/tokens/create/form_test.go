package create

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
)

// lineReader hands out one line per Read, as a terminal in line mode does:
// huh's line-by-line prompts start a new scanner for every question.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

// TestFormLineByLine fills the whole form in its line-by-line mode (the one
// TERM=dumb gets): the answers map to exactly the toggled grants, in catalog
// order, and the chosen expiry.
func TestFormLineByLine(t *testing.T) {
	answers := []string{"acc-token"} // name
	for _, c := range grants.Categories() {
		switch c.Key {
		case "apiKey":
			answers = append(answers, "1", "3", "0") // read, update, done
		case "scopes":
			answers = append(answers, "4", "2", "4", "0") // delete twice = off, create
		default:
			answers = append(answers, "0")
		}
	}
	answers = append(answers, "4", "", "y") // 90 days, (custom: skipped), create
	st := &formState{Expiry: "never"}
	var out bytes.Buffer
	form := newForm(st, formConfig{In: &lineReader{answers}, Out: &out, Accessible: true, AskName: true, AskExpiry: true, Now: func() time.Time { return now }})
	if err := form.RunWithContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := grants.Set{"apiKey": {"read", "update"}, "scopes": {"create"}}
	if st.Name != "acc-token" || !reflect.DeepEqual(st.Permissions(), want) || st.ExpiresValue() != "90d" || !st.Confirm {
		t.Fatalf("form gave name %q, grants %v, expiry %q, confirm %v; want acc-token, %v, 90d, true\n%s", st.Name, st.Permissions(), st.ExpiresValue(), st.Confirm, want, out.String())
	}
	for _, c := range grants.Categories() {
		if !strings.Contains(out.String(), c.Display) {
			t.Errorf("the form never asked about %s", c.Display)
		}
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
