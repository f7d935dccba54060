package grants

import (
	"errors"
	"slices"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		want string // API key; "" when not found
	}{
		{"custom-pricing", "customPricing"},
		{"customPricing", "customPricing"},
		{"Custom Pricing", "customPricing"},
		{"custom_pricing", "customPricing"},
		{"CUSTOM PRICING", "customPricing"},
		{"custom  pricing", "customPricing"},
		{" cluster ", "cluster"},
		{"api-key", "apiKey"},
		{"apiKey", "apiKey"},
		{"Api Key", "apiKey"},
		{"APIKEY", "apiKey"},
		{"saml-integration", "samlIntegration"},
		{"SAML integration", "samlIntegration"},
		{"saml integration", "samlIntegration"},
		{"samlIntegration", "samlIntegration"},
		{"Recommendations", "recommendations"},
		{"user", "user"},
		{"", ""},
		{"*", ""},
		{"clusters", ""},
		{"custom-pri cing", ""},
		{"\u212apikey", ""}, // Kelvin sign: only ASCII case is folded
		{"\xff", ""},
	}
	for _, tt := range tests {
		c, ok := Lookup(tt.name)
		if ok != (tt.want != "") || c.Key != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.name, c.Key, ok, tt.want)
		}
	}
	for _, c := range Categories() {
		for _, name := range []string{c.Key, c.Name, c.Display} {
			if got, ok := Lookup(name); !ok || got != c {
				t.Errorf("Lookup(%q) = %v, %v; want %v", name, got, ok, c)
			}
		}
	}
}

func TestParse(t *testing.T) {
	every := func(acts ...string) Set {
		s := Set{}
		for _, c := range Categories() {
			s[c.Key] = acts
		}
		return s
	}
	tests := []struct {
		spec string
		want Set
	}{
		{"cluster:read", Set{"cluster": {Read}}},
		{"cluster:read,update", Set{"cluster": {Read, Update}}},
		{"cluster:update,read,update", Set{"cluster": {Read, Update}}},
		{"cluster:*", Set{"cluster": Actions()}},
		{"cluster:all", Set{"cluster": Actions()}},
		{"cluster:ALL", Set{"cluster": Actions()}},
		{"cluster:write", Set{"cluster": {Create, Update, Delete}}},
		{"cluster:read,write", Set{"cluster": Actions()}},
		{"cluster:r", Set{"cluster": {Read}}},
		{"cluster:ru", Set{"cluster": {Read, Update}}},
		{"cluster:rcud", Set{"cluster": Actions()}},
		{"cluster:DUR", Set{"cluster": {Read, Update, Delete}}},
		{"cluster:r,delete", Set{"cluster": {Read, Delete}}},
		{"cluster:READ", Set{"cluster": {Read}}},
		{"  cluster :  read , update  ", Set{"cluster": {Read, Update}}},
		{"Custom Pricing:read", Set{"customPricing": {Read}}},
		{"customPricing:create", Set{"customPricing": {Create}}},
		{"saml_integration:d", Set{"samlIntegration": {Delete}}},
		{"*:read", every(Read)},
		{"*:r", every(Read)},
		{"*:*", All()},
		{"*:rcud", All()},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if !Equal(got, tt.want) || !Equal(got, got.Normalize()) || len(got) != len(tt.want) {
			t.Errorf("Parse(%q) = %v; want %v", tt.spec, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		spec string
		want string
	}{
		{"clustr:read", `invalid grant "clustr:read": unknown category "clustr"; did you mean "cluster"?`},
		{"clusters:read", `invalid grant "clusters:read": unknown category "clusters"; did you mean "cluster"?`},
		{"budgte:read", `invalid grant "budgte:read": unknown category "budgte"; did you mean "budget"?`},
		{"team:all", `invalid grant "team:all": unknown category "team"; did you mean "teams"?`},
		{"apikeys:r", `invalid grant "apikeys:r": unknown category "apikeys"; did you mean "api-key"?`},
		{"customPricng:r", `invalid grant "customPricng:r": unknown category "customPricng"; did you mean "custom-pricing"?`},
		{"org:read", `invalid grant "org:read": unknown category "org"; did you mean "organization"?`},
		{"saml:r", `invalid grant "saml:r": unknown category "saml"; did you mean "saml-integration"?`},
		{"re:r", `invalid grant "re:r": unknown category "re"; did you mean "recommendations"?`},
		{"c:read", `invalid grant "c:read": unknown category "c"; run "replex grants" for the list`},
		{"xyz:read", `invalid grant "xyz:read": unknown category "xyz"; run "replex grants" for the list`},
		{"\xff:read", `invalid grant "\xff:read": unknown category "\xff"; run "replex grants" for the list`},
		{"all:read", `invalid grant "all:read": unknown category "all"; did you mean "*:read"?`},
		{"ALL:ru", `invalid grant "ALL:ru": unknown category "ALL"; did you mean "*:ru"?`},
		{"read:cluster", `invalid grant "read:cluster": unknown category "read"; did you mean "cluster:read"?`},
		{"cluster:raed", `invalid grant "cluster:raed": unknown action "raed"; did you mean "read"? (actions: read, create, update, delete, write, *)`},
		{"cluster:wrte", `invalid grant "cluster:wrte": unknown action "wrte"; did you mean "write"? (actions: read, create, update, delete, write, *)`},
		{"cluster:upd", `invalid grant "cluster:upd": unknown action "upd"; did you mean "update"? (actions: read, create, update, delete, write, *)`},
		{"cluster:al", `invalid grant "cluster:al": unknown action "al"; did you mean "all"? (actions: read, create, update, delete, write, *)`},
		{"cluster:xyz", `invalid grant "cluster:xyz": unknown action "xyz"; actions: read, create, update, delete, write, *`},
		{"cluster:rx", `invalid grant "cluster:rx": unknown action "rx"; actions: read, create, update, delete, write, *`},
		{"cluster:\xff", `invalid grant "cluster:\xff": unknown action "\xff"; actions: read, create, update, delete, write, *`},
		{"cluster", `invalid grant "cluster": missing actions; use "cluster:read" or "cluster:*"`},
		{"cluster:", `invalid grant "cluster:": missing actions; use "cluster:read" or "cluster:*"`},
		{"Custom Pricing", `invalid grant "Custom Pricing": missing actions; use "custom-pricing:read" or "custom-pricing:*"`},
		{"*", `invalid grant "*": missing actions; use "*:read" or "*:*"`},
		{"cluster: ", `invalid grant "cluster: ": missing actions; use "cluster:read" or "cluster:*"`},
		{"", `invalid grant "": empty grant; use CATEGORY:ACTIONS, e.g. "cluster:read"`},
		{" \t", `invalid grant " \t": empty grant; use CATEGORY:ACTIONS, e.g. "cluster:read"`},
		{"cluster:read:update", `invalid grant "cluster:read:update": too many ":"; use one ":" between category and actions, e.g. "cluster:read,update"`},
		{"::", `invalid grant "::": too many ":"; use one ":" between category and actions, e.g. "cluster:read,update"`},
		{":read", `invalid grant ":read": missing category; use "*:read" for every category`},
		{":ru", `invalid grant ":ru": missing category; use "*:ru" for every category`},
		{":bogus", `invalid grant ":bogus": missing category; use "*:read" for every category`},
		{"read", `invalid grant "read": missing category; use "*:read" for every category`},
		{"WRITE", `invalid grant "WRITE": missing category; use "*:write" for every category`},
		{"cluster:read,,update", `invalid grant "cluster:read,,update": empty action in "read,,update"; separate actions with single commas, e.g. "cluster:read,update"`},
		{"*:read,", `invalid grant "*:read,": empty action in "read,"; separate actions with single commas, e.g. "*:read,update"`},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		if err == nil {
			t.Errorf("Parse(%q) = %v; want error %s", tt.spec, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.spec, err, tt.want)
		}
		var ge *GrantError
		if !errors.As(err, &ge) || ge.Spec != tt.spec {
			t.Errorf("Parse(%q) error %#v is not a *GrantError for the spec", tt.spec, err)
		}
	}
}

func TestGrantErrorFields(t *testing.T) {
	_, err := Parse("clustr:read")
	want := &GrantError{Spec: "clustr:read", Problem: `unknown category "clustr"`, Suggestion: `did you mean "cluster"?`}
	var got *GrantError
	if !errors.As(err, &got) || *got != *want {
		t.Fatalf("Parse error = %#v; want %#v", err, want)
	}
	if got, want := (&GrantError{Spec: "x", Problem: "p"}).Error(), `invalid grant "x": p`; got != want {
		t.Errorf("Error() without suggestion = %q; want %q", got, want)
	}
}

func TestParseAll(t *testing.T) {
	got, err := ParseAll([]string{"cluster:read", "billing:write", "cluster:update", "*:r"})
	if err != nil {
		t.Fatal(err)
	}
	want := Union(ReadAll(), Set{"cluster": {Update}, "billing": {Create, Update, Delete}})
	if !Equal(got, want) {
		t.Errorf("ParseAll = %v; want %v", got, want)
	}

	got, err = ParseAll(nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ParseAll(nil) = %v, %v; want an empty set", got, err)
	}

	_, err = ParseAll([]string{"cluster:read", "clustr:read", "bogus"})
	if want := `invalid grant "clustr:read": unknown category "clustr"; did you mean "cluster"?`; err == nil || err.Error() != want {
		t.Errorf("ParseAll error = %v; want %s", err, want)
	}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		spec    string
		cat     string
		actions []string
		err     string
	}{
		{spec: "cluster", cat: "cluster"},
		{spec: " Custom Pricing ", cat: "customPricing"},
		{spec: "cluster:read", cat: "cluster", actions: []string{Read}},
		{spec: "cluster:write", cat: "cluster", actions: []string{Create, Update, Delete}},
		{spec: "api key:du", cat: "apiKey", actions: []string{Update, Delete}},
		{spec: "cluster:", err: `invalid grant "cluster:": missing actions; use "cluster" or "cluster:read"`},
		{spec: "*", err: `invalid grant "*": a filter names one category; e.g. "cluster" or "cluster:read"`},
		{spec: "*:read", err: `invalid grant "*:read": a filter names one category; e.g. "cluster" or "cluster:read"`},
		{spec: "clustr", err: `invalid grant "clustr": unknown category "clustr"; did you mean "cluster"?`},
		{spec: "cluster:raed", err: `invalid grant "cluster:raed": unknown action "raed"; did you mean "read"? (actions: read, create, update, delete, write, *)`},
		{spec: "", err: `invalid grant "": empty grant; use CATEGORY:ACTIONS, e.g. "cluster:read"`},
		{spec: ":write", err: `invalid grant ":write": missing category; use e.g. "cluster:write"`},
	}
	for _, tt := range tests {
		cat, actions, err := ParseFilter(tt.spec)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseFilter(%q) error = %v; want %s", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || cat != tt.cat || !slices.Equal(actions, tt.actions) || (tt.actions == nil) != (actions == nil) {
			t.Errorf("ParseFilter(%q) = %q, %q, %v; want %q, %q", tt.spec, cat, actions, err, tt.cat, tt.actions)
		}
	}
}

func TestPreset(t *testing.T) {
	for name, want := range map[string]Set{"full": All(), "FULL": All(), " view ": ReadAll(), "View": ReadAll()} {
		got, err := Preset(name)
		if err != nil || !Equal(got, want) {
			t.Errorf("Preset(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	errs := map[string]string{
		"ful":   `unknown preset "ful"; did you mean "full"? (presets: full, view)`,
		"viwe":  `unknown preset "viwe"; did you mean "view"? (presets: full, view)`,
		"admin": `unknown preset "admin"; presets: full, view`,
		"":      `unknown preset ""; presets: full, view`,
	}
	for name, want := range errs {
		if _, err := Preset(name); err == nil || err.Error() != want {
			t.Errorf("Preset(%q) error = %v; want %s", name, err, want)
		}
	}
	if got, want := PresetNames(), []string{"full", "view"}; !slices.Equal(got, want) {
		t.Errorf("PresetNames() = %q; want %q", got, want)
	}
}

func BenchmarkParse(b *testing.B) {
	specs := []string{"cluster:read", "Custom Pricing:read,update", "*:rcud", "saml-integration:write"}
	for b.Loop() {
		for _, s := range specs {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
