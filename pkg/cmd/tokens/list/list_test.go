package list

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
)

const longName = "terraform-automation-for-the-production-clusters-eu-west"

// scenario is an organization with tokens of every kind the table shows:
// expiring soon, expired, never expiring, never used, used long ago, just
// created, a long name, a name with a slash, and the sandbox's admin.
func scenario(t *testing.T) *tokenstest.World {
	w := tokenstest.NewWorld(t, 0)
	soon := now.Add(3 * day)
	past := now.Add(-day)
	later := now.Add(60 * day)
	w.Issue("ci-deploy", "cluster:read,update agent:read", now.Add(-200*day), &soon, now.Add(-2*time.Hour))
	w.Issue("billing-export", "billing:read", now.Add(-120*day), &past, time.Time{})
	w.Issue("grafana", "*:read", now.Add(-120*day), nil, now.Add(-100*day))
	w.Issue("old-unused", "budget:*", now.Add(-200*day), nil, time.Time{})
	w.Issue("fresh", "cluster:read", now.Add(-time.Hour), nil, time.Time{})
	w.Issue(longName, "cluster:* agent:* budget:* scopes:* teams:*", now.Add(-30*day), &later, now.Add(-10*day))
	w.Issue("team/ops", "user:read teams:read,update", now.Add(-45*day), nil, time.Time{})
	return w
}

var allNames = []string{"billing-export", "ci-deploy", "fresh", "grafana", "old-unused", "sandbox-admin", "team/ops", longName}

func TestTableGolden(t *testing.T) {
	w := scenario(t)
	tests := []struct {
		golden     string
		tty, color bool
		width      int
		args       []string
	}{
		{"tty", true, false, 200, nil},
		{"tty_color", true, true, 200, nil},
		// Narrower terminals: the name and the grants are cut first.
		{"tty_120", true, false, 120, nil},
		{"tty_80", true, false, 80, nil},
		{"tty_60", true, false, 60, nil},
		// -o wide keeps everything, even at 80 columns.
		{"tty_wide", true, false, 80, []string{"-o", "wide"}},
		{"tty_wide_color", true, true, 80, []string{"-o", "wide"}},
		{"tty_no_headers", true, false, 200, []string{"--no-headers"}},
		{"plain", false, false, 80, nil},
		{"plain_wide", false, false, 80, []string{"-o", "wide"}},
		// CLICOLOR_FORCE with a pipe: the same columns, coloured.
		{"plain_color", false, true, 80, nil},
	}
	for _, tt := range tests {
		f, out, errOut := w.Factory(tt.tty, tt.color)
		f.IOStreams.SetTerminalWidth(tt.width)
		if err := execList(f, tt.args...); err != nil {
			t.Fatalf("%s: %v", tt.golden, err)
		}
		if errOut.Len() != 0 {
			t.Errorf("%s: stderr = %q; want nothing", tt.golden, errOut)
		}
		got := w.Anonymize(out.String())
		if !tt.color {
			if strings.Contains(got, "\x1b") {
				t.Errorf("%s: ANSI escape without colour", tt.golden)
			}
		} else if !strings.Contains(got, "\x1b[") {
			t.Errorf("%s: no ANSI escape with colour on", tt.golden)
		}
		if tt.tty && !slices.Contains(tt.args, "wide") {
			for _, l := range strings.Split(got, "\n") {
				if lipgloss.Width(l) > tt.width {
					t.Errorf("%s: line %q is %d cells wide; the terminal has %d", tt.golden, l, lipgloss.Width(l), tt.width)
				}
			}
		}
		if !tt.tty && tt.color {
			plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(got, "")
			want, _ := os.ReadFile(filepath.Join("testdata", "plain.golden"))
			if plain != string(want) {
				t.Errorf("%s without its colour differs from plain.golden:\n%s", tt.golden, plain)
			}
		}
		tokenstest.Golden(t, tt.golden, got, *update)
	}
}

// TestTableContent checks the rules the goldens embody, so that a golden
// regenerated carelessly still cannot hide a regression.
func TestTableContent(t *testing.T) {
	w := scenario(t)

	f, out, _ := w.Factory(true, false)
	f.IOStreams.SetTerminalWidth(200)
	if err := execList(f); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 2+len(allNames) {
		t.Fatalf("tty table has %d lines; want header, rule and %d rows:\n%s", len(lines), len(allNames), out)
	}
	for _, want := range []struct{ name, row string }{
		{"ci-deploy", "agent:r cluster:ru  7 months ago  in 3 days (soon)  2 hours ago"},
		{"billing-export", "billing:r  4 months ago  expired 1 day ago  never"},
		{"grafana", "*:r  4 months ago  never  3 months ago"},
		{"fresh", "cluster:r  1 hour ago  never  never"},
		{longName, "agent:rcud budget:rcud cluster:rcud +2  1 month ago  in 2 months  10 days ago"},
	} {
		found := false
		for _, l := range lines {
			if strings.Contains(l, " "+want.name+" ") {
				found = true
				if got := strings.Join(strings.Fields(l), " "); !strings.Contains(got, strings.Join(strings.Fields(want.row), " ")) {
					t.Errorf("row of %s = %q; want it to contain %q", want.name, got, want.row)
				}
			}
		}
		if !found {
			t.Errorf("no row for %s in\n%s", want.name, out)
		}
	}

	// 80 columns: the name and the grants give way, the rest stays whole.
	f, out, _ = w.Factory(true, false)
	f.IOStreams.SetTerminalWidth(80)
	if err := execList(f); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), longName) || !strings.Contains(out.String(), " terra… ") {
		t.Errorf("at 80 columns the %d-character name is not cut to fit:\n%s", len(longName), out)
	}
	if !strings.Contains(out.String(), " 1 month ago   in 2 months    10 days ago\n") {
		t.Errorf("at 80 columns the times were cut:\n%s", out)
	}

	// lipgloss drops the last row of a table with neither headers nor a
	// header border; --no-headers must still show every token.
	f, out, _ = w.Factory(true, false)
	if err := execList(f, "--no-headers"); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != len(allNames) || !strings.Contains(lines[len(lines)-1], " terra") {
		t.Errorf("tty --no-headers shows %d lines; want %d rows:\n%s", len(lines), len(allNames), out)
	}

	f, out, _ = w.Factory(false, false)
	if err := execList(f); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if lines[0] != "ID\tNAME\tGRANTS\tCREATED\tEXPIRES\tLAST_USED" {
		t.Errorf("piped header = %q", lines[0])
	}
	toks := tokensByName(w)
	for i, l := range lines[1:] {
		tok := toks[i]
		want := strings.Join([]string{tok.ID, tok.Name, strings.Join(grants.Format(tok.Permissions), " "),
			tok.CreatedAt.UTC().Format(time.RFC3339), stamp(tok.ExpiresAt), stamp(tok.LastUsedAt)}, "\t")
		if tok.Name == "sandbox-admin" {
			// Listing used the admin token just now.
			want = strings.Join([]string{tok.ID, tok.Name, strings.Join(grants.Format(tok.Permissions), " "),
				tok.CreatedAt.UTC().Format(time.RFC3339), "never", now.Format(time.RFC3339)}, "\t")
		}
		if l != want {
			t.Errorf("piped row %d = %q; want %q", i, l, want)
		}
	}
}

func stamp(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func tokensByName(w *tokenstest.World) []api.Token {
	toks := w.Srv.Tokens()
	slices.SortFunc(toks, func(a, b api.Token) int { return strings.Compare(a.Name, b.Name) })
	return toks
}

func TestMarks(t *testing.T) {
	w := scenario(t)
	toks := tokensByName(w)
	tty := BuildTable(toks, now, false, true)
	for i, tok := range toks {
		want := 0 // MarkNone
		switch tok.Name {
		case "billing-export":
			want = 2 // MarkDanger
		case "ci-deploy":
			want = 1 // MarkWarn
		}
		if int(tty.Marks[i]) != want {
			t.Errorf("mark of %s = %d; want %d", tok.Name, tty.Marks[i], want)
		}
	}
	// Piped rows carry the same marks; only colour (CLICOLOR_FORCE) draws them.
	if piped := BuildTable(toks, now, false, false).Marks; !slices.Equal(piped, tty.Marks) {
		t.Errorf("piped marks %v; want %v as on a terminal", piped, tty.Marks)
	}
}

func names(t *testing.T, w *tokenstest.World, args ...string) []string {
	t.Helper()
	f, out, errOut := w.Factory(false, false)
	if err := execList(f, append(args, "--jq", ".[].name")...); err != nil {
		t.Fatalf("list %q: %v", args, err)
	}
	if errOut.Len() != 0 {
		t.Errorf("list %q: stderr %q", args, errOut)
	}
	s := strings.TrimRight(out.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestFilters(t *testing.T) {
	w := scenario(t)
	tests := []struct {
		args []string
		want []string
	}{
		{nil, allNames},
		{[]string{"--name", "ci-*"}, []string{"ci-deploy"}},
		{[]string{"--name", "CI-*"}, nil},                   // case-sensitive
		{[]string{"--name", "team*"}, []string{"team/ops"}}, // "*" crosses "/"
		{[]string{"--name", "team/?ps"}, []string{"team/ops"}},
		{[]string{"--name", "*-*"}, []string{"billing-export", "ci-deploy", "old-unused", "sandbox-admin", longName}},
		{[]string{"--name", "grafana"}, []string{"grafana"}},
		{[]string{"--grant", "cluster"}, []string{"ci-deploy", "fresh", "grafana", "sandbox-admin", longName}},
		{[]string{"--grant", "cluster:update"}, []string{"ci-deploy", "sandbox-admin", longName}},
		{[]string{"--grant", "cluster:read,update", "--grant", "agent:read"}, []string{"ci-deploy", "sandbox-admin", longName}},
		{[]string{"--grant", "cluster:read,update", "--grant", "agent:delete"}, []string{"sandbox-admin", longName}},
		{[]string{"--grant", "teams:u"}, []string{"sandbox-admin", "team/ops", longName}},
		{[]string{"--grant", "Custom_Pricing"}, []string{"grafana", "sandbox-admin"}},
		{[]string{"--grant", "customPricing:write"}, []string{"sandbox-admin"}},
		{[]string{"--expiring-within", "7d"}, []string{"ci-deploy"}},
		{[]string{"--expiring-within", "3d"}, []string{"ci-deploy"}}, // exactly 3 days away: within
		{[]string{"--expiring-within", "71h"}, nil},
		{[]string{"--expiring-within", "90d"}, []string{"ci-deploy", longName}},
		{[]string{"--expired"}, []string{"billing-export"}},
		// Never used or used before the cutoff, and created before it:
		// "fresh" (1 hour old, never used) is not unused for 90 days.
		{[]string{"--unused-since", "90d"}, []string{"billing-export", "grafana", "old-unused"}},
		{[]string{"--unused-since", "100d"}, []string{"billing-export", "grafana", "old-unused"}}, // used exactly 100 days ago
		{[]string{"--unused-since", "101d"}, []string{"billing-export", "old-unused"}},
		{[]string{"--unused-since", "30d"}, []string{"billing-export", "grafana", "old-unused", "team/ops"}},
		{[]string{"--unused-since", "30m"}, []string{"billing-export", "ci-deploy", "fresh", "grafana", "old-unused", "team/ops", longName}},
		{[]string{"--unused-since", "1h"}, []string{"billing-export", "ci-deploy", "fresh", "grafana", "old-unused", "team/ops", longName}}, // created exactly 1 hour ago
		{[]string{"--unused-since", "90d", "--grant", "billing"}, []string{"billing-export", "grafana"}},
		{[]string{"--expired", "--name", "ci*"}, nil},
	}
	for _, tt := range tests {
		if got := names(t, w, tt.args...); !slices.Equal(got, tt.want) {
			t.Errorf("list %q = %q; want %q", tt.args, got, tt.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	w := scenario(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--name", "["}, `--name: invalid glob "[" (syntax error in pattern): use *, ?, [a-z], and \ to match one of those literally`},
		{[]string{"--grant", "clustr:read"}, `--grant: invalid grant "clustr:read": unknown category "clustr"; did you mean "cluster"?`},
		{[]string{"--grant", "cluster:raed"}, `--grant: invalid grant "cluster:raed": unknown action "raed"; did you mean "read"? (actions: read, create, update, delete, write, *)`},
		{[]string{"--grant", "*:read"}, `--grant: invalid grant "*:read": a filter names one category; e.g. "cluster" or "cluster:read"`},
		{[]string{"--expiring-within", "3x"}, `--expiring-within: invalid duration "3x": use a number and a unit (s, m, h, d, w, y), e.g. 30d, 12h, 1y or 1d12h`},
		{[]string{"--unused-since", "0"}, `--unused-since: invalid duration "0": must be positive; use a number and a unit (s, m, h, d, w, y), e.g. 30d, 12h, 1y or 1d12h`},
		{[]string{"--unused-since", "3mo"}, `--unused-since: invalid duration "3mo": months vary in length; use a number and a unit (s, m, h, d, w, y), e.g. 30d, 12h, 1y or 1d12h`},
		{[]string{"--expired", "--expiring-within", "7d"}, `--expired and --expiring-within exclude each other: --expiring-within lists tokens not yet expired`},
		{[]string{"--jq", ".["}, `invalid --jq expression: unexpected EOF`},
		{[]string{"-o", "yaml", "--jq", ".[]"}, `--jq works on the JSON output: drop -o yaml`},
		{[]string{"-o", "xml"}, `invalid output format "xml": use one of table, wide, json, yaml, name`},
		{[]string{"extra"}, `unexpected argument "extra": list takes no arguments`},
		{[]string{"--bogus"}, `unknown flag: --bogus (see 'list --help')`},
	}
	for _, tt := range tests {
		w.Requests.Store(0)
		f, out, _ := w.Factory(false, false)
		err := execList(f, tt.args...)
		if err == nil {
			t.Errorf("list %q succeeded; want a usage error", tt.args)
			continue
		}
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
			t.Errorf("list %q: exit code %d; want %d (%v)", tt.args, code, cmdutil.ExitUsage, err)
		}
		if got := cmdutil.Message(err); got != tt.want {
			t.Errorf("list %q: error\n  %s\nwant\n  %s", tt.args, got, tt.want)
		}
		if n := w.Requests.Load(); n != 0 {
			t.Errorf("list %q sent %d requests before failing", tt.args, n)
		}
		if out.Len() != 0 {
			t.Errorf("list %q printed %q", tt.args, out)
		}
	}
}

func TestJSONAndYAML(t *testing.T) {
	w := scenario(t)
	f, out, _ := w.Factory(true, true) // a terminal changes nothing
	if err := execList(f, "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var got []api.Token
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("-o json is not a token array: %v\n%s", err, out)
	}
	want := tokensByName(w)
	if len(got) != len(want) {
		t.Fatalf("-o json has %d tokens; want %d", len(got), len(want))
	}
	for i := range want {
		g, x := got[i], want[i]
		if g.ID != x.ID || g.Name != x.Name || !grants.Equal(g.Permissions, x.Permissions) ||
			!g.CreatedAt.Equal(x.CreatedAt) || stamp(g.ExpiresAt) != stamp(x.ExpiresAt) {
			t.Errorf("-o json token %d = %+v; want %+v", i, g, x)
		}
	}
	if !strings.Contains(out.String(), `"expiresAt": null`) || !strings.Contains(out.String(), `"lastUsedAt": null`) {
		t.Errorf("-o json leaves out null times:\n%s", out)
	}

	for _, format := range []string{"json", "yaml"} {
		f, out, errOut := w.Factory(true, false)
		if err := execList(f, "-o", format, "--name", "nothing-*"); err != nil {
			t.Fatal(err)
		}
		if out.String() != "[]\n" || errOut.Len() != 0 {
			t.Errorf("-o %s with no match: stdout %q, stderr %q; want \"[]\\n\" and nothing", format, out, errOut)
		}
	}

	f, out, _ = w.Factory(false, false)
	if err := execList(f, "-o", "yaml", "--name", "fresh"); err != nil {
		t.Fatal(err)
	}
	fresh := want[slices.IndexFunc(want, func(t api.Token) bool { return t.Name == "fresh" })]
	wantYAML := "- createdAt: \"2026-03-01T11:00:00Z\"\n" +
		"  expiresAt: null\n" +
		"  id: " + fresh.ID + "\n" +
		"  lastUsedAt: null\n" +
		"  name: fresh\n" +
		"  organizationId: " + w.Srv.OrgID() + "\n" +
		"  permissions:\n" +
		"    cluster:\n" +
		"      - read\n" +
		"  updatedAt: \"2026-03-01T11:00:00Z\"\n"
	if out.String() != wantYAML {
		t.Errorf("-o yaml =\n%s\nwant\n%s", out, wantYAML)
	}
}

func TestJQ(t *testing.T) {
	w := scenario(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--jq", "length"}, "8\n"},
		{[]string{"--jq", ".[0].name"}, "billing-export\n"},
		{[]string{"-o", "json", "--jq", ".[0].permissions"}, `{"billing":["read"]}` + "\n"},
		{[]string{"--expired", "--jq", "map(.name)"}, `["billing-export"]` + "\n"},
		{[]string{"--name", "none", "--jq", "length"}, "0\n"},
	}
	for _, tt := range tests {
		f, out, _ := w.Factory(true, false)
		if err := execList(f, tt.args...); err != nil {
			t.Fatalf("list %q: %v", tt.args, err)
		}
		if out.String() != tt.want {
			t.Errorf("list %q = %q; want %q", tt.args, out, tt.want)
		}
	}
	f, _, _ := w.Factory(false, false)
	err := execList(f, "--jq", ".[0].name | tonumber")
	if err == nil || cmdutil.ExitCode(err) != cmdutil.ExitFailure || !strings.HasPrefix(err.Error(), "--jq: ") {
		t.Errorf("a jq runtime error = %v (exit %d); want a --jq failure, exit 1", err, cmdutil.ExitCode(err))
	}
}

func TestNameOutput(t *testing.T) {
	w := scenario(t)
	f, out, _ := w.Factory(true, false)
	if err := execList(f, "-o", "name"); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, tok := range tokensByName(w) {
		want.WriteString(tok.ID + "\n")
	}
	if out.String() != want.String() {
		t.Errorf("-o name =\n%s\nwant\n%s", out, want.String())
	}

	f, out, _ = w.Factory(false, false)
	if err := execList(f, "-o", "name", "--expired"); err != nil {
		t.Fatal(err)
	}
	if want := tokensByName(w)[0].ID + "\n"; out.String() != want {
		t.Errorf("-o name --expired = %q; want %q", out, want)
	}
}

func TestEmpty(t *testing.T) {
	w := scenario(t)

	f, out, errOut := w.Factory(true, false)
	if err := execList(f, "--name", "nothing-*"); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || errOut.String() != "No tokens match.\n" {
		t.Errorf("tty, no match: stdout %q, stderr %q", out, errOut)
	}

	f, out, errOut = w.Factory(false, false)
	if err := execList(f, "--name", "nothing-*"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "ID\tNAME\tGRANTS\tCREATED\tEXPIRES\tLAST_USED\n" || errOut.Len() != 0 {
		t.Errorf("piped, no match: stdout %q, stderr %q; want the header alone", out, errOut)
	}

	f, out, _ = w.Factory(false, false)
	if err := execList(f, "--name", "nothing-*", "--no-headers"); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("piped, no match, --no-headers: %q", out)
	}

	if got := emptyMessage(0); got != "No tokens yet; create one with: replex tokens create NAME --grant CAT:ACTION" {
		t.Errorf("emptyMessage(0) = %q", got)
	}
	if got := emptyMessage(3); got != "No tokens match." {
		t.Errorf("emptyMessage(3) = %q", got)
	}
}

func TestNoHeadersPiped(t *testing.T) {
	w := scenario(t)
	f, out, _ := w.Factory(false, false)
	if err := execList(f, "--no-headers", "-o", "wide"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != len(allNames) {
		t.Fatalf("--no-headers gave %d lines; want %d", len(lines), len(allNames))
	}
	for _, l := range lines {
		if n := len(strings.Split(l, "\t")); n != 7 {
			t.Errorf("wide row has %d fields; want 7: %q", n, l)
		}
		if strings.HasPrefix(l, "ID\t") {
			t.Errorf("header printed with --no-headers")
		}
	}
}

// TestEveryPage lists more tokens than one page holds.
func TestEveryPage(t *testing.T) {
	w := tokenstest.NewWorld(t, 2500)
	w.Requests.Store(0)
	f, out, _ := w.Factory(false, false)
	if err := execList(f, "-o", "name"); err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(out.String())
	if len(got) != 2501 {
		t.Fatalf("listed %d tokens; want 2501 (2500 seeded and the admin)", len(got))
	}
	var want []string
	for _, tok := range w.Srv.Tokens() {
		want = append(want, tok.ID)
	}
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(got))
	if !slices.Equal(sorted, want) {
		t.Errorf("listed ids differ from the sandbox's")
	}
	if n := w.Requests.Load(); n != 3 {
		t.Errorf("sent %d requests; want 3 pages of at most 1000", n)
	}
}

func TestFlagsToOptions(t *testing.T) {
	w := scenario(t)
	w.Requests.Store(0)
	f, _, _ := w.Factory(false, false)
	var got *Options
	cmd := NewCmdList(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--grant", "Cluster:read,update", "--grant", "billing", "--name", "ci-*",
		"--expiring-within", "2w", "--unused-since", "1d12h", "-o", "json", "--jq", ".[]", "--no-headers"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := shared.Filter{
		NameGlob:       "ci-*",
		Grants:         []shared.GrantFilter{{Category: "cluster", Actions: []string{"read", "update"}}, {Category: "billing"}},
		ExpiringWithin: 14 * day,
		UnusedSince:    36 * time.Hour,
	}
	if got.Filter.NameGlob != want.NameGlob || got.Filter.ExpiringWithin != want.ExpiringWithin ||
		got.Filter.UnusedSince != want.UnusedSince || got.Filter.Expired || len(got.Filter.Grants) != 2 ||
		got.Filter.Grants[0].Category != "cluster" || !slices.Equal(got.Filter.Grants[0].Actions, want.Grants[0].Actions) ||
		got.Filter.Grants[1].Category != "billing" || got.Filter.Grants[1].Actions != nil {
		t.Errorf("filter = %+v; want %+v", got.Filter, want)
	}
	if got.Format != "json" || got.Query == nil || !got.NoHeaders {
		t.Errorf("options = %+v", got)
	}
	if n := w.Requests.Load(); n != 0 {
		t.Errorf("parsing the flags sent %d requests", n)
	}
}

func TestAlias(t *testing.T) {
	cmd := NewCmdList(&cmdutil.Factory{}, nil)
	if !slices.Contains(cmd.Aliases, "ls") {
		t.Errorf("aliases = %q; want ls", cmd.Aliases)
	}
}

// TestGoldensHaveNoSecrets guards the committed goldens themselves.
func TestGoldensHaveNoSecrets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files (%v)", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "rpx_") {
			t.Errorf("%s holds something with the secret prefix rpx_", p)
		}
	}
}
