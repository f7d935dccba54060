package grants

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"cluster:read", "cluster:read,update", "cluster:*", "*:read", "*:*", "cluster:write",
		"cluster:all", "cluster:rcud", " Custom Pricing : Read , u ", "saml_integration:d",
		"", ":", "::", "cluster", "cluster:", "clustr:raed", "read:cluster", "cluster:read,,",
		"\xff:\xfe", "api key:r,,", "*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		set, err := Parse(spec)
		if err != nil {
			var ge *GrantError
			if !errors.As(err, &ge) {
				t.Fatalf("Parse(%q) error %T is not a *GrantError", spec, err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("Parse(%q) error spans lines: %q", spec, err)
			}
			return
		}
		if len(set) == 0 {
			t.Fatalf("Parse(%q) accepted an empty set", spec)
		}
		if err := Validate(set); err != nil {
			t.Fatalf("Parse(%q) = %v, not valid: %v", spec, set, err)
		}
		formatted := Format(set)
		back := Set{}
		for _, f := range formatted {
			one, err := Parse(f)
			if err != nil {
				t.Fatalf("Parse(%q) of Format output: %v", f, err)
			}
			back = Union(back, one)
		}
		if !Equal(back, set) {
			t.Fatalf("Parse(%q) = %v; Format gave %q, which parses to %v", spec, set, formatted, back)
		}
		if _, _, err := ParseFilter(spec); err != nil && len(set) == 1 {
			t.Fatalf("ParseFilter(%q) refused a one-category grant: %v", spec, err)
		}
	})
}

func FuzzFormatRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 4, 8, 15})
	f.Add([]byte{15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Byte i's low four bits choose the actions of category i.
		set := Set{}
		for i, c := range Categories() {
			if i >= len(data) {
				break
			}
			for bit, a := range Actions() {
				if data[i]&(1<<bit) != 0 {
					set[c.Key] = append(set[c.Key], a)
				}
			}
		}
		back, err := ParseAll(Format(set))
		if err != nil || !Equal(back, set) {
			t.Fatalf("ParseAll(Format(%v)) = %v, %v", set, back, err)
		}
		// Every word of an unlimited Compact is a grant spec too.
		compact := Compact(set, 0)
		if compact == "none" {
			if len(set) != 0 {
				t.Fatalf("Compact(%v) = none", set)
			}
			return
		}
		back, err = ParseAll(strings.Fields(compact))
		if err != nil || !Equal(back, set) {
			t.Fatalf("ParseAll(Fields(Compact(%v))) = %v, %v (compact %q)", set, back, err, compact)
		}
	})
}
