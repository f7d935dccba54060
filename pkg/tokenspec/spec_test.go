package tokenspec

import (
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestParseIssueExample(t *testing.T) {
	src := `tokens:
  - name: ci-deploy
    grants: [cluster:read,update, budget:read]   # the same syntax as --grant
    expires: 90d
    rotateBefore: 14d
    secret:
      command: gh secret set REPLEX_TOKEN --repo acme/deploy
  - name: reporting
    preset: view
    expires: never
`
	s, err := Parse(strings.NewReader(src), "spec.yaml", now)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Tokens[0]
	if got := strings.Join(grants.Format(e.Permissions), " "); got != "budget:read cluster:read,update" {
		t.Errorf("grants = %q", got)
	}
	if e.Expires.Lifetime != 90*24*time.Hour || e.RotateBefore != 14*24*time.Hour || e.Command == "" || e.Line != 2 {
		t.Errorf("entry = %+v", e)
	}
	if !s.Tokens[1].Expires.Never || !grants.Equal(s.Tokens[1].Permissions, grants.ReadAll()) {
		t.Errorf("reporting = %+v", s.Tokens[1])
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"tokens:\n  - name: a\n    grant: [cluster:read]\n", `f.yaml:3: unknown key "grant"; did you mean "grants"?`},
		{"tokens:\n  - name: a\n    grants: [clustr:read]\n", `f.yaml:3: invalid grant "clustr:read": unknown category "clustr"`},
		{"tokens:\n  - name: a\n    preset: view\n  - name: a\n    preset: view\n", `f.yaml:4: duplicate name "a" (first at line 2)`},
		{"tokens:\n  - name: a\n    preset: view\n    expires: 90x\n", `f.yaml:4: invalid expiry "90x"`},
		{"tokens:\n  - name: a\n    preset: view\n    expires: 2020-01-01\n", `f.yaml:4: invalid expiry "2020-01-01": that is in the past`},
		{"tokens:\n  - name: a\n    preset: view\n    rotateBefore: soon\n", `f.yaml:4: invalid rotateBefore "soon"`},
		{"tokens:\n  - name: a\n", `f.yaml:2: token "a" has no permissions`},
		{"tokens:\n  - grants: [cluster:read]\n", `f.yaml:2: an entry without a name`},
		{"tokenz: []\n", `f.yaml:1: unknown key "tokenz"; did you mean "tokens"?`},
		{"tokens:\n  - name: a\n    preset: view\n    secret: {cmd: x}\n", `f.yaml:4: unknown key "cmd"`},
		{"tokens:\n  - name: a\n    preset: view: x\n", `f.yaml:3: not valid YAML: mapping values are not allowed`},
	} {
		_, err := Parse(strings.NewReader(tc.src), "f.yaml", now)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want prefix %q", tc.src, err, tc.want)
		}
	}
}

func tok(name string, created time.Time, exp *time.Time, specs ...string) api.Token {
	p, _ := grants.ParseAll(specs)
	return api.Token{ID: "ak_" + name, Name: name, Permissions: p, CreatedAt: created, ExpiresAt: exp}
}

func at(t time.Time) *time.Time { return &t }

// A 90d token created 10 days ago is in sync; one whose lifetime is 30d is
// not, and becomes createdAt+90d; a token past rotateBefore is due.
func TestPlanRelativeLifetime(t *testing.T) {
	src := "tokens:\n  - {name: a, grants: [cluster:read], expires: 90d}\n  - {name: b, grants: [cluster:read], expires: 90d}\n  - {name: c, grants: [cluster:read], expires: 90d, rotateBefore: 14d}\n  - {name: d, grants: [cluster:read], expires: 90d}\n"
	s, err := Parse(strings.NewReader(src), "f", now)
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	created := now.Add(-10 * day)
	all := []api.Token{
		tok("a", created, at(created.Add(90*day+30*time.Second)), "cluster:read"),
		tok("b", created, at(created.Add(30*day)), "cluster:read"),
		tok("c", now.Add(-80*day), at(now.Add(10*day)), "cluster:read"),
		tok("d", created, at(created.Add(90*day)), "cluster:read", "budget:read"),
		tok("d (rotated 2026-11-30 10:00:00 abc234)", created, nil, "cluster:read"),
		tok("other", created, nil, "cluster:read"),
	}
	p := MakePlan(s, all, Options{Now: now})
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Action+" "+c.Name)
	}
	if strings.Join(got, ",") != "update b,update d" {
		t.Fatalf("changes = %v", got)
	}
	if c := p.Changes[0]; c.Expires.To != created.Add(90*day).Format(time.RFC3339) || c.Grants != nil {
		t.Errorf("b: %+v %+v", c.Expires, c.Grants)
	}
	if c := p.Changes[1]; c.Expires != nil || c.Grants == nil {
		t.Errorf("d: %+v", c)
	}
	if len(p.Held) != 2 || p.Held[0].Action != Rotate || p.Held[1].Name != "other" {
		t.Fatalf("held = %+v", p.Held)
	}
	p = MakePlan(s, all, Options{Now: now, Rotate: true, Prune: true})
	if len(p.Changes) != 4 || len(p.Held) != 0 {
		t.Fatalf("with --rotate --prune: %+v", p)
	}
}

func TestExportRoundTrip(t *testing.T) {
	all := []api.Token{
		tok("z", now, at(now.Add(time.Hour)), "cluster:read,update", "budget:read"),
		tok("a", now, nil, "*:read"),
	}
	var b strings.Builder
	if err := Export(&b, all); err != nil {
		t.Fatal(err)
	}
	s, err := Parse(strings.NewReader(b.String()), "-", now)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if p := MakePlan(s, all, Options{Now: now, Prune: true}); !p.InSync() {
		t.Fatalf("not in sync: %+v\n%s", p.Changes, b.String())
	}
}
