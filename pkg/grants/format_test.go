package grants

import (
	"slices"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		set  Set
		want []string
	}{
		{nil, []string{}},
		{Set{"cluster": {}}, []string{}},
		{Set{"cluster": {Update, Read}, "billing": Actions()}, []string{"billing:read,create,update,delete", "cluster:read,update"}},
		{Set{"customPricing": {Delete}, "samlIntegration": {Read, Read}}, []string{"custom-pricing:delete", "saml-integration:read"}},
		{Set{"zeta": {"approve"}, "alpha": {Read}, "user": {Read, "approve"}}, []string{"user:read,approve", "alpha:read", "zeta:approve"}},
		{ReadAll(), []string{
			"agent:read", "api-key:read", "billing:read", "budget:read", "cluster:read", "custom-pricing:read",
			"invitation:read", "organization:read", "recommendations:read", "role:read", "saml-integration:read",
			"scopes:read", "teams:read", "user:read",
		}},
	}
	for _, tt := range tests {
		got := Format(tt.set)
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("Format(%v) = %q; want %q", tt.set, got, tt.want)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	for _, s := range []Set{All(), ReadAll(), {"cluster": {Read, Update}}, {"apiKey": {Delete}, "user": {Create}}} {
		back, err := ParseAll(Format(s))
		if err != nil || !Equal(back, s) {
			t.Errorf("ParseAll(Format(%v)) = %v, %v", s, back, err)
		}
	}
}

func TestCompact(t *testing.T) {
	partial := Set{
		"cluster": {Read}, "billing": Actions(), "user": {Update, Read}, "teams": {Delete}, "agent": {Create},
	}
	tests := []struct {
		set   Set
		limit int
		want  string
	}{
		{nil, 3, "none"},
		{Set{"cluster": {}}, 3, "none"},
		{All(), 2, "*:rcud"},
		{ReadAll(), 2, "*:r"},
		{Union(ReadAll(), Set{"cluster": {Update}}), 2, "agent:r api-key:r +12"},
		{partial, 0, "agent:c billing:rcud cluster:r teams:d user:ru"},
		{partial, -1, "agent:c billing:rcud cluster:r teams:d user:ru"},
		{partial, 5, "agent:c billing:rcud cluster:r teams:d user:ru"},
		{partial, 2, "agent:c billing:rcud +3"},
		{partial, 1, "agent:c +4"},
		{Set{"cluster": {Read, "approve"}, "zeta": {"approve"}}, 0, "cluster:r? zeta:?"},
	}
	for _, tt := range tests {
		if got := Compact(tt.set, tt.limit); got != tt.want {
			t.Errorf("Compact(%v, %d) = %q; want %q", tt.set, tt.limit, got, tt.want)
		}
	}
}

func TestDiff(t *testing.T) {
	before := Set{"cluster": {Read, Update}, "billing": {Read}}
	after := Set{"cluster": {Read, Delete}, "user": {Read}}
	added, removed := Diff(before, after)
	if want := (Set{"cluster": {Delete}, "user": {Read}}); !Equal(added, want) {
		t.Errorf("added = %v; want %v", added, want)
	}
	if want := (Set{"cluster": {Update}, "billing": {Read}}); !Equal(removed, want) {
		t.Errorf("removed = %v; want %v", removed, want)
	}
	added, removed = Diff(All(), All())
	if len(added) != 0 || len(removed) != 0 {
		t.Errorf("Diff(All(), All()) = %v, %v; want empty sets", added, removed)
	}
}

func TestRespell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"this token lacks apiKey:delete", "this token lacks api-key:delete"},
		{"this token cannot grant permissions it lacks: apiKey:create, customPricing:read, samlIntegration:*",
			"this token cannot grant permissions it lacks: api-key:create, custom-pricing:read, saml-integration:*"},
		{"this token lacks cluster:read", "this token lacks cluster:read"},
		// Not a grant: a name that merely contains the key, or no action.
		{`a token named "myapiKey:read" exists`, `a token named "myapiKey:read" exists`},
		{"apiKey:reader apiKey: apiKey:write", "apiKey:reader apiKey: api-key:write"},
	}
	for _, tt := range tests {
		if got := Respell(tt.in); got != tt.want {
			t.Errorf("Respell(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
