package grants

import (
	"fmt"
	"strings"
)

// preset is a named whole-set shortcut.
type preset struct {
	name string
	set  func() Set
}

// presets are named after what the web UI's roles allow: "full" as the
// Admin role, "view" as the User role.
func presets() []preset {
	return []preset{
		{"full", All},
		{"view", ReadAll},
	}
}

// PresetNames returns the preset names in a stable order.
func PresetNames() []string {
	var out []string
	for _, p := range presets() {
		out = append(out, p.name)
	}
	return out
}

// Preset returns the set a preset names, ignoring ASCII case: "full" is
// All() (the Admin role) and "view" is ReadAll() (the User role).
func Preset(name string) (Set, error) {
	want := fold(name)
	var cands []candidate
	for _, p := range presets() {
		if want == p.name {
			return p.set(), nil
		}
		cands = append(cands, candidate{p.name, p.name})
	}
	hint := "presets: " + strings.Join(PresetNames(), ", ")
	if near, ok := closest(name, cands); ok {
		return nil, fmt.Errorf("unknown preset %q; did you mean %q? (%s)", name, near, hint)
	}
	return nil, fmt.Errorf("unknown preset %q; %s", name, hint)
}
