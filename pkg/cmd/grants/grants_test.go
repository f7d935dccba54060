package grants

import (
	"bytes"
	"encoding/json"
	"flag"
	"slices"
	"strings"
	"sync"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/iostreams"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// factory builds a Factory whose environment records every variable read:
// `replex grants` must need no configuration at all.
func factory(t *testing.T, tty, color bool) (*cmdutil.Factory, *bytes.Buffer, func() []string) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(tty)
	ios.SetColorEnabled(color)
	var mu sync.Mutex
	var read []string
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv: func(k string) string {
			mu.Lock()
			read = append(read, k)
			mu.Unlock()
			return ""
		},
		Flags: &cmdutil.GlobalFlags{},
	}
	return f, out, func() []string { mu.Lock(); defer mu.Unlock(); return read }
}

func execGrants(f *cmdutil.Factory, args ...string) error {
	return tokenstest.Execute(f, NewCmdGrants(f), args...)
}

func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		name       string
		tty, color bool
		width      int
	}{{"tty", true, false, 200}, {"tty_color", true, true, 200}, {"tty_120", true, false, 120},
		{"tty_80", true, false, 80}, {"tty_60", true, false, 60}} {
		f, out, reads := factory(t, tt.tty, tt.color)
		f.IOStreams.SetTerminalWidth(tt.width)
		if err := execGrants(f); err != nil {
			t.Fatal(err)
		}
		if tt.color != strings.Contains(out.String(), "\x1b[") {
			t.Errorf("%s: ANSI present = %v", tt.name, !tt.color)
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if lipgloss.Width(l) > tt.width {
				t.Errorf("%s: line %q is %d cells wide; the terminal has %d", tt.name, l, lipgloss.Width(l), tt.width)
			}
		}
		tokenstest.Golden(t, tt.name, out.String(), *update)
		if r := reads(); len(r) != 0 {
			t.Errorf("%s read the environment/config: %q", tt.name, r)
		}
	}
}

func TestPlain(t *testing.T) {
	// Colour forced on a pipe (CLICOLOR_FORCE): the same columns, the
	// header coloured.
	f, out, _ := factory(t, false, true)
	if err := execGrants(f); err != nil {
		t.Fatal(err)
	}
	if h := "\x1b[1;94mCATEGORY\x1b[m\t\x1b[1;94mAPI_KEY\x1b[m\t\x1b[1;94mNAME\x1b[m\t\x1b[1;94mDESCRIPTION\x1b[m\nagent\tagent\t"; !strings.HasPrefix(out.String(), h) {
		t.Errorf("piped with colour forced =\n%q\nwant it to start %q", out, h)
	}

	f, out, reads := factory(t, false, false)
	if err := execGrants(f); err != nil {
		t.Fatal(err)
	}
	want := "CATEGORY\tAPI_KEY\tNAME\tDESCRIPTION\n" +
		"agent\tagent\tAgent\tcluster agents that report usage to Replex\n" +
		"api-key\tapiKey\tApi Key\tAPI tokens like this one\n" +
		"billing\tbilling\tBilling\tinvoices, payment details and billing data\n" +
		"budget\tbudget\tBudget\tcost budgets and their alerts\n" +
		"cluster\tcluster\tCluster\tconnected Kubernetes clusters and their cost data\n" +
		"custom-pricing\tcustomPricing\tCustom Pricing\tcustom price sheets for nodes and resources\n" +
		"invitation\tinvitation\tInvitation\tinvitations of new users to the organization\n" +
		"organization\torganization\tOrganization\tthe organization's profile and settings\n" +
		"recommendations\trecommendations\tRecommendations\trightsizing and savings recommendations\n" +
		"role\trole\tRole\tuser roles (Admin, User)\n" +
		"saml-integration\tsamlIntegration\tSaml Integration\tSAML single sign-on configuration\n" +
		"scopes\tscopes\tScopes\tcost-allocation scopes\n" +
		"teams\tteams\tTeams\tteams and their membership\n" +
		"user\tuser\tUser\tuser accounts of the organization\n"
	if out.String() != want {
		t.Errorf("piped =\n%s\nwant\n%s", out, want)
	}
	if len(reads()) != 0 {
		t.Errorf("read the environment: %q", reads())
	}

	f, out, _ = factory(t, false, false)
	if err := execGrants(f, "--no-headers"); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); len(lines) != 14 || !strings.HasPrefix(lines[0], "agent\t") {
		t.Errorf("--no-headers piped: %d lines, first %q", len(lines), lines[0])
	}

	f, out, _ = factory(t, true, false)
	if err := execGrants(f, "--no-headers"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], " agent ") || !strings.HasPrefix(lines[13], " user ") {
		t.Errorf("--no-headers on a terminal lost a row or kept the header:\n%s", out)
	}
}

// The note on grant forms is for people: on a terminal only.
func TestNoteOnlyOnTerminal(t *testing.T) {
	f, out, _ := factory(t, true, false)
	if err := execGrants(f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cluster:read,update", "cluster:write", "'*:read'", "full", "view"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("terminal output lacks %q", want)
		}
	}
	f, out, _ = factory(t, false, false)
	if err := execGrants(f); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Grant forms") || strings.Contains(out.String(), "Presets") {
		t.Errorf("piped output carries the note")
	}
}

// Every example in the note must be a grant the parser accepts, meaning
// what the note says.
func TestNoteExamplesParse(t *testing.T) {
	tests := map[string]grants.Set{
		"cluster:read":        {"cluster": {"read"}},
		"cluster:read,update": {"cluster": {"read", "update"}},
		"cluster:ru":          {"cluster": {"read", "update"}},
		"cluster:write":       {"cluster": {"create", "update", "delete"}},
		"cluster:*":           {"cluster": grants.Actions()},
		"*:read":              grants.ReadAll(),
	}
	for spec, want := range tests {
		got, err := grants.Parse(spec)
		if err != nil || !grants.Equal(got, want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	if !slices.Equal(grants.PresetNames(), []string{"full", "view"}) {
		t.Errorf("presets are %q; the note describes full and view", grants.PresetNames())
	}
}

func TestJSON(t *testing.T) {
	f, out, reads := factory(t, true, true)
	if err := execGrants(f, "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Categories []grants.Category     `json:"categories"`
		Actions    []string              `json:"actions"`
		Aliases    map[string][]string   `json:"aliases"`
		Presets    map[string]grants.Set `json:"presets"`
	}
	dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("-o json: %v\n%s", err, out)
	}
	if !slices.Equal(got.Categories, grants.Categories()) {
		t.Errorf("categories = %v", got.Categories)
	}
	if !slices.Equal(got.Actions, []string{"read", "create", "update", "delete"}) {
		t.Errorf("actions = %q", got.Actions)
	}
	if !slices.Equal(got.Aliases["write"], []string{"create", "update", "delete"}) || !slices.Equal(got.Aliases["*"], grants.Actions()) || len(got.Aliases) != 2 {
		t.Errorf("aliases = %q", got.Aliases)
	}
	if len(got.Presets) != 2 || !grants.Equal(got.Presets["full"], grants.All()) || !grants.Equal(got.Presets["view"], grants.ReadAll()) {
		t.Errorf("presets = %v", got.Presets)
	}
	if !strings.Contains(out.String(), `"customPricing": [`) || !strings.Contains(out.String(), `"display": "Custom Pricing"`) {
		t.Errorf("-o json lacks API keys or display names:\n%s", out)
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("-o json holds ANSI escapes")
	}
	if len(reads()) != 0 {
		t.Errorf("read the environment: %q", reads())
	}

	f, out, _ = factory(t, false, false)
	if err := execGrants(f, "-o", "yaml"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "actions:\n  - read\n  - create\n  - update\n  - delete\naliases:\n") ||
		!strings.Contains(out.String(), "\ncategories:\n  - description: cluster agents that report usage to Replex\n    display: Agent\n    key: agent\n    name: agent\n") {
		t.Errorf("-o yaml =\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "wide"}, `invalid output format "wide": use one of table, json, yaml`},
		{[]string{"cluster"}, `unexpected argument "cluster": grants takes no arguments`},
	} {
		f, out, _ := factory(t, false, false)
		err := execGrants(f, tt.args...)
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || err == nil || cmdutil.Message(err) != tt.want {
			t.Errorf("grants %q = %v (exit %d); want %q, exit 2", tt.args, err, cmdutil.ExitCode(err), tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("grants %q printed %q", tt.args, out)
		}
	}
}
