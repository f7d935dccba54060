package get

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replexio/replex/internal/tokenstest"
	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
)

// scenario: a token expiring soon and used recently, an expired one never
// used, and one without any grant.
func scenario(t *testing.T) (*tokenstest.World, map[string]api.Token) {
	w := tokenstest.NewWorld(t, 0)
	soon := now.Add(3 * day)
	past := now.Add(-2 * day)
	toks := map[string]api.Token{}
	toks["ci-deploy"] = w.Issue("ci-deploy", "cluster:read,update agent:read billing:* custom-pricing:delete", now.Add(-200*day), &soon, now.Add(-2*time.Hour))
	toks["billing-export"] = w.Issue("billing-export", "billing:read", now.Add(-120*day), &past, time.Time{})
	toks["nothing"] = w.Issue("nothing", "", now.Add(-10*day), nil, time.Time{})
	// The sandbox records the use; fetch the tokens as stored.
	for _, tok := range w.Srv.Tokens() {
		if _, ok := toks[tok.Name]; ok {
			toks[tok.Name] = tok
		}
	}
	return w, toks
}

func TestStyledGolden(t *testing.T) {
	w, toks := scenario(t)
	tests := []struct {
		golden, arg string
		color       bool
	}{
		{"tty", "ci-deploy", false},
		{"tty_color", "ci-deploy", true},
		{"tty_expired_color", "billing-export", true},
		{"tty_no_grants", "nothing", false},
		{"tty_by_id", toks["ci-deploy"].ID, false},
	}
	for _, tt := range tests {
		f, out, errOut := w.Factory(true, tt.color)
		if err := execGet(f, tt.arg); err != nil {
			t.Fatalf("%s: %v", tt.golden, err)
		}
		if errOut.Len() != 0 {
			t.Errorf("%s: stderr %q", tt.golden, errOut)
		}
		got := w.Anonymize(out.String())
		if tt.color != strings.Contains(got, "\x1b[") {
			t.Errorf("%s: colour %v but ANSI present = %v", tt.golden, tt.color, !tt.color)
		}
		name := tt.golden
		if name == "tty_by_id" {
			name = "tty" // by id or by name: the same token, the same output
		}
		tokenstest.Golden(t, name, got, *update)
	}
}

// TestStyledContent checks what the goldens show, line by line.
func TestStyledContent(t *testing.T) {
	w, toks := scenario(t)
	f, out, _ := w.Factory(true, false)
	if err := execGet(f, "ci-deploy"); err != nil {
		t.Fatal(err)
	}
	tok := toks["ci-deploy"]
	lines := strings.Split(out.String(), "\n")
	wantHead := []string{
		"ID:           " + tok.ID,
		"Name:         ci-deploy",
		"Organization: " + w.Srv.OrgID(),
		"Created:      2025-08-13T12:00:00Z (7 months ago)",
		"Updated:      2025-08-13T12:00:00Z (7 months ago)",
		"Expires:      2026-03-04T12:00:00Z (in 3 days, soon)",
		"Last used:    2026-03-01T10:00:00Z (2 hours ago)",
		"",
	}
	if !slices.Equal(lines[:len(wantHead)], wantHead) {
		t.Errorf("header block =\n%s\nwant\n%s", strings.Join(lines[:len(wantHead)], "\n"), strings.Join(wantHead, "\n"))
	}
	matrix := lines[len(wantHead):]
	if got := strings.Fields(matrix[0]); !slices.Equal(got, []string{"GRANTS", "read", "create", "update", "delete"}) {
		t.Errorf("matrix header = %q", got)
	}
	rows := map[string][]string{}
	for _, l := range matrix[2:] {
		if l == "" {
			continue
		}
		f := strings.Fields(l)
		rows[strings.Join(f[:len(f)-4], " ")] = f[len(f)-4:]
	}
	if len(rows) != 14 {
		t.Errorf("matrix has %d category rows; want 14", len(rows))
	}
	for cat, want := range map[string]string{
		"Agent": "✓···", "Billing": "✓✓✓✓", "Cluster": "✓·✓·", "Custom Pricing": "···✓", "User": "····", "Api Key": "····",
	} {
		if got := strings.Join(rows[cat], ""); got != want {
			t.Errorf("matrix row %q = %q; want %q", cat, got, want)
		}
	}
}

func TestPlain(t *testing.T) {
	w, toks := scenario(t)
	for _, name := range []string{"ci-deploy", "billing-export", "nothing"} {
		tok := toks[name]
		f, out, errOut := w.Factory(false, true) // colour forced on a pipe: still plain
		if err := execGet(f, name); err != nil {
			t.Fatal(err)
		}
		var lastUsed, expires string = "never", "never"
		if tok.LastUsedAt != nil {
			lastUsed = tok.LastUsedAt.UTC().Format(time.RFC3339)
		}
		if tok.ExpiresAt != nil {
			expires = tok.ExpiresAt.UTC().Format(time.RFC3339)
		}
		perms := strings.Join(grants.Format(tok.Permissions), " ")
		if perms == "" {
			perms = "none"
		}
		want := "id: " + tok.ID + "\n" +
			"name: " + name + "\n" +
			"organizationId: " + w.Srv.OrgID() + "\n" +
			"createdAt: " + tok.CreatedAt.UTC().Format(time.RFC3339) + "\n" +
			"updatedAt: " + tok.UpdatedAt.UTC().Format(time.RFC3339) + "\n" +
			"expiresAt: " + expires + "\n" +
			"lastUsedAt: " + lastUsed + "\n" +
			"permissions: " + perms + "\n"
		if out.String() != want || errOut.Len() != 0 {
			t.Errorf("get %s piped =\n%s\nwant\n%s\nstderr %q", name, out, want, errOut)
		}
	}
	// One literal, so that the expectation above cannot drift with the code.
	f, out, _ := w.Factory(false, false)
	if err := execGet(f, "ci-deploy"); err != nil {
		t.Fatal(err)
	}
	tokenstest.Golden(t, "plain", w.Anonymize(out.String()), *update)
}

func TestJSONAndYAML(t *testing.T) {
	w, toks := scenario(t)
	tok := toks["ci-deploy"]
	f, out, _ := w.Factory(true, true)
	if err := execGet(f, "ci-deploy", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var got api.Token
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("-o json: %v\n%s", err, out)
	}
	if got.ID != tok.ID || got.Name != tok.Name || !grants.Equal(got.Permissions, tok.Permissions) ||
		!got.ExpiresAt.Equal(*tok.ExpiresAt) || !got.LastUsedAt.Equal(*tok.LastUsedAt) || got.OrganizationID != w.Srv.OrgID() {
		t.Errorf("-o json = %+v; want %+v", got, tok)
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("-o json holds ANSI escapes")
	}

	f, out, _ = w.Factory(false, false)
	if err := execGet(f, "nothing", "-o", "yaml"); err != nil {
		t.Fatal(err)
	}
	n := toks["nothing"]
	want := "createdAt: \"2026-02-19T12:00:00Z\"\n" +
		"expiresAt: null\n" +
		"id: " + n.ID + "\n" +
		"lastUsedAt: null\n" +
		"name: nothing\n" +
		"organizationId: " + w.Srv.OrgID() + "\n" +
		"permissions: {}\n" +
		"updatedAt: \"2026-02-19T12:00:00Z\"\n"
	if out.String() != want {
		t.Errorf("-o yaml =\n%s\nwant\n%s", out, want)
	}
}

func TestErrors(t *testing.T) {
	w, _ := scenario(t)
	tests := []struct {
		args     []string
		code     int
		want     string
		requests bool
	}{
		{[]string{"nope"}, cmdutil.ExitNotFound, `no token with id or name "nope"; run 'replex tokens list' to see them`, true},
		{[]string{"ak_0000000000000000"}, cmdutil.ExitNotFound, `no token with id or name "ak_0000000000000000"; run 'replex tokens list' to see them`, true},
		{[]string{"bad\x1b[31m"}, cmdutil.ExitNotFound, `no token with id or name "bad\\x1b[31m"; run 'replex tokens list' to see them`, true},
		{nil, cmdutil.ExitUsage, `missing a token id or name: see 'get --help'`, false},
		{[]string{"a", "b"}, cmdutil.ExitUsage, `too many arguments ("b"): get takes a token id or name`, false},
		{[]string{"ci-deploy", "-o", "wide"}, cmdutil.ExitUsage, `invalid output format "wide": use one of table, json, yaml`, false},
		{[]string{" "}, cmdutil.ExitUsage, `empty token id or name`, false},
	}
	for _, tt := range tests {
		w.Requests.Store(0)
		f, out, _ := w.Factory(false, false)
		err := execGet(f, tt.args...)
		if code := cmdutil.ExitCode(err); code != tt.code {
			t.Errorf("get %q: exit %d; want %d (%v)", tt.args, code, tt.code, err)
		}
		if err != nil && cmdutil.Message(err) != tt.want {
			t.Errorf("get %q: error\n  %s\nwant\n  %s", tt.args, cmdutil.Message(err), tt.want)
		}
		if sent := w.Requests.Load() > 0; sent != tt.requests {
			t.Errorf("get %q: requests sent = %v; want %v", tt.args, sent, tt.requests)
		}
		if out.Len() != 0 {
			t.Errorf("get %q printed %q", tt.args, out)
		}
	}
}

// TestAmbiguousName needs two tokens with one name, which the sandbox (like
// the contract) forbids; a stub server plays a server that allows it.
func TestAmbiguousName(t *testing.T) {
	var listed atomic.Int64
	stub := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/organizations/org_1/api-keys/dup":
			rw.WriteHeader(http.StatusNotFound)
			rw.Write([]byte(`{"status":false,"message":"token \"dup\" not found","code":"not_found"}`))
		case "/api/v1/organizations/org_1/api-keys":
			listed.Add(1)
			rw.Write([]byte(`{"status":true,"data":[
				{"id":"ak_2","name":"dup","organizationId":"org_1","permissions":{},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},
				{"id":"ak_1","name":"dup","organizationId":"org_1","permissions":{"cluster":["read"]},"createdAt":"2026-01-02T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z"},
				{"id":"ak_3","name":"other","organizationId":"org_1","permissions":{},"createdAt":"2026-01-02T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z"}
			],"meta":{"page":1,"limit":100,"total":3}}`))
		default:
			http.NotFound(rw, r)
		}
	}))
	defer stub.Close()

	f, out, _ := tokenstest.NewFactory(t, stub.URL, "org_1", "rpx_stub", false, false)
	err := execGet(f, "dup")
	if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
		t.Fatalf("ambiguous name: exit %d; want %d (%v)", code, cmdutil.ExitUsage, err)
	}
	if want := `2 tokens are named "dup" (ak_2, ak_1); use an id instead`; cmdutil.Message(err) != want {
		t.Errorf("ambiguous name: %q; want %q", cmdutil.Message(err), want)
	}
	if out.Len() != 0 || listed.Load() != 1 {
		t.Errorf("stdout %q, list requests %d", out, listed.Load())
	}

	// The same stub answers a unique name from the list.
	f, out, _ = tokenstest.NewFactory(t, stub.URL, "org_1", "rpx_stub", false, false)
	if err := execGet(f, "other"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "id: ak_3\nname: other\n") {
		t.Errorf("get other = %q", out)
	}
}

func TestGrantMatrix(t *testing.T) {
	m := GrantMatrix(grants.Set{"customPricing": {"delete", "read"}, "user": {"create"}})
	if len(m.Rows) != 14 || m.Rows[5] != "Custom Pricing" || m.Rows[13] != "User" {
		t.Fatalf("rows = %q", m.Rows)
	}
	if !slices.Equal(m.Columns, []string{"read", "create", "update", "delete"}) {
		t.Errorf("columns = %q", m.Columns)
	}
	for i, row := range m.Cells {
		want := []bool{false, false, false, false}
		switch m.Rows[i] {
		case "Custom Pricing":
			want = []bool{true, false, false, true}
		case "User":
			want = []bool{false, true, false, false}
		}
		if !slices.Equal(row, want) {
			t.Errorf("cells of %s = %v; want %v", m.Rows[i], row, want)
		}
	}
}

// TestUnknownGrants: what a newer server grants beyond this client's
// catalog is listed under the matrix, never dropped.
func TestUnknownGrants(t *testing.T) {
	tok := api.Token{ID: "ak_1", Name: "n", OrganizationID: "org_1",
		Permissions: grants.Set{"cluster": {"read", "approve"}, "zeta": {"read"}},
		CreatedAt:   now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)}
	var out bytes.Buffer
	if err := WriteStyled(&out, tok, now, false); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "\nAlso granted (unknown to this replex): cluster:approve zeta:read\n") {
		t.Errorf("unknown grants not listed:\n%s", out.String())
	}
	out.Reset()
	tok.Permissions = grants.Set{"cluster": {"read"}}
	if err := WriteStyled(&out, tok, now, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Also granted") {
		t.Errorf("a known grant is listed as unknown:\n%s", out.String())
	}
}

func TestFlagsToOptions(t *testing.T) {
	f := &cmdutil.Factory{}
	var got *Options
	cmd := NewCmdGet(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"ci", "-o", "yaml"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Token != "ci" || got.Format != "yaml" {
		t.Errorf("options = %+v", got)
	}
}

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
