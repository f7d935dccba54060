package tokenspec

import (
	"io"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/retired"
)

type exportDoc struct {
	Tokens []exportEntry `yaml:"tokens"`
}

type exportEntry struct {
	Name    string   `yaml:"name"`
	Preset  string   `yaml:"preset,omitempty"`
	Grants  []string `yaml:"grants,omitempty"`
	Expires string   `yaml:"expires"`
}

// Exportable reports whether a token belongs in an export: live (not a
// retired grace twin) and not expired, since a spec cannot ask for an
// expiry in the past.
func Exportable(t api.Token, now time.Time) bool {
	return !retired.Is(t.Name) && !t.Expired(now)
}

// Export writes the spec of tokens, sorted by name. Expiry is written as the
// absolute RFC 3339 time (or never), so that diffing the export against the
// same organization later is exact; grants equal to a preset are written as
// the preset.
func Export(w io.Writer, tokens []api.Token) error {
	doc := exportDoc{Tokens: []exportEntry{}}
	for _, t := range tokens {
		e := exportEntry{Name: t.Name, Expires: stamp(t.ExpiresAt)}
		switch perms := t.Permissions.Normalize(); {
		case grants.Equal(perms, grants.All()):
			e.Preset = "full"
		case grants.Equal(perms, grants.ReadAll()):
			e.Preset = "view"
		default:
			e.Grants = grants.Format(perms)
		}
		doc.Tokens = append(doc.Tokens, e)
	}
	sort.Slice(doc.Tokens, func(i, j int) bool { return doc.Tokens[i].Name < doc.Tokens[j].Name })
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}
