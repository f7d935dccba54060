package tokenspec

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"testing"

	"go.yaml.in/yaml/v3"
)

// docs/tokens.schema.json is the embedded schema, byte for byte.
func TestSchemaPublished(t *testing.T) {
	docs, err := os.ReadFile("../../docs/tokens.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(docs, Schema) {
		t.Fatal("docs/tokens.schema.json differs from pkg/tokenspec/schema.json: copy it (cp pkg/tokenspec/schema.json docs/tokens.schema.json)")
	}
}

type schemaNode struct {
	Properties           map[string]*schemaNode `json:"properties"`
	Items                *schemaNode            `json:"items"`
	Ref                  string                 `json:"$ref"`
	Defs                 map[string]*schemaNode `json:"$defs"`
	AdditionalProperties *bool                  `json:"additionalProperties"`
	Enum                 []string               `json:"enum"`
	Pattern              string                 `json:"pattern"`
}

func keysOf(m map[string]*schemaNode) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }

// The schema knows exactly the keys the parser knows, and the example spec
// uses only keys and values the schema allows.
func TestSchemaMatchesParser(t *testing.T) {
	var root schemaNode
	if err := json.Unmarshal(Schema, &root); err != nil {
		t.Fatal(err)
	}
	tok := root.Defs["token"]
	sec := tok.Properties["secret"]
	for _, c := range []struct {
		name string
		node *schemaNode
		want []string
	}{{"top", &root, topKeys}, {"token", tok, entryKeys}, {"secret", sec, secretKeys}} {
		if got := keysOf(c.node.Properties); !slices.Equal(got, sorted(c.want)) {
			t.Errorf("%s keys: schema %v, parser %v", c.name, got, sorted(c.want))
		}
		if c.node.AdditionalProperties == nil || *c.node.AdditionalProperties {
			t.Errorf("%s: the schema must refuse unknown keys, as the parser does", c.name)
		}
	}

	raw, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(bytes.NewReader(raw), "example.yaml", now); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for k := range doc {
		if root.Properties[k] == nil {
			t.Errorf("example key %q is not in the schema", k)
		}
	}
	expires := regexp.MustCompile(tok.Properties["expires"].Pattern)
	for _, e := range doc["tokens"].([]any) {
		for k, v := range e.(map[string]any) {
			p := tok.Properties[k]
			if p == nil {
				t.Errorf("example key %q is not in the schema", k)
				continue
			}
			switch k {
			case "expires":
				if !expires.MatchString(v.(string)) {
					t.Errorf("expires %q does not match the schema's pattern", v)
				}
			case "preset":
				if !slices.Contains(p.Enum, v.(string)) {
					t.Errorf("preset %q not in the schema's enum", v)
				}
			case "secret":
				for sk := range v.(map[string]any) {
					if sec.Properties[sk] == nil {
						t.Errorf("example key secret.%q is not in the schema", sk)
					}
				}
			}
		}
	}
}
