// Package tokenspec is the spec file of `replex tokens apply`, `diff` and
// `export`: the tokens an organization should have. It parses and validates
// a file (every problem as FILE:LINE), plans what it takes to converge an
// organization's live tokens on it, and writes the spec of live tokens.
package tokenspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/retired"
	"github.com/replexio/replex/pkg/spelling"
)

// Spec is a parsed, valid spec file.
type Spec struct {
	File   string
	Tokens []Entry
}

// Entry is one token the organization should have.
type Entry struct {
	Name         string
	Line         int
	Grants       []string   // as written; Permissions is what they mean
	Preset       string     // "", full or view
	Permissions  grants.Set // normalized
	Expires      Expires
	RotateBefore time.Duration // 0: never due
	Command      string        // secret.command; "" = none
}

// Expires is an entry's expiry: never, a lifetime counted from the token's
// creation, or a fixed time.
type Expires struct {
	Never    bool
	Lifetime time.Duration
	At       *time.Time
	Text     string // as written
}

// For is the expiry a token created (or rotated) at now should get.
func (e Expires) For(now time.Time) *time.Time {
	switch {
	case e.Never:
		return nil
	case e.At != nil:
		return e.At
	}
	t := now.Add(e.Lifetime).Truncate(time.Second).Add(time.Second)
	return &t
}

// Error is one problem in a spec file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

var (
	topKeys    = []string{"tokens"}
	entryKeys  = []string{"name", "grants", "preset", "expires", "rotateBefore", "secret"}
	secretKeys = []string{"command"}
)

// Parse reads a spec from r. file names it in errors ("-" is "stdin").
// Absolute expiry times are checked against now: a time in the past is
// refused, as `tokens create --expires` refuses it.
func Parse(r io.Reader, file string, now time.Time) (*Spec, error) {
	if file == "-" {
		file = "stdin"
	}
	raw, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, &Error{File: file, Msg: "cannot read it: " + err.Error()}
	}
	p := parser{file: file, now: now}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.errf(0, "the file is empty: it needs a tokens: list (see 'replex tokens apply --help')")
		}
		return nil, p.yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, p.errf(extra.Line, "a second YAML document: a spec is one document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return p.spec(root)
}

type parser struct {
	file string
	now  time.Time
}

func (p parser) errf(line int, format string, a ...any) error {
	return &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, a...)}
}

// yamlError turns yaml.v3's "yaml: line 3: ..." into FILE:3: ...
func (p parser) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return p.errf(line, "not valid YAML: %s", msg)
}

func (p parser) spec(root *yaml.Node) (*Spec, error) {
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root.Line, "the file must be a mapping with a tokens: list")
	}
	s := &Spec{File: p.file}
	var list *yaml.Node
	if err := p.fields(root, topKeys, func(key string, v *yaml.Node) error {
		list = v
		return nil
	}); err != nil {
		return nil, err
	}
	if list == nil {
		return nil, p.errf(root.Line, "missing the tokens: list")
	}
	if list.Kind != yaml.SequenceNode {
		if list.Tag == "!!null" {
			return s, nil // an organization that should have no tokens
		}
		return nil, p.errf(list.Line, "tokens must be a list of entries (- name: ...)")
	}
	seen := map[string]int{}
	for _, n := range list.Content {
		e, err := p.entry(n)
		if err != nil {
			return nil, err
		}
		// Exact names, as the plan matches them: an organization holding
		// "CI" and "ci" must export to a spec that parses.
		key := e.Name
		if first, dup := seen[key]; dup {
			return nil, p.errf(e.Line, "duplicate name %q (first at line %d): names are unique in an organization", e.Name, first)
		}
		seen[key] = e.Line
		s.Tokens = append(s.Tokens, e)
	}
	return s, nil
}

// fields walks a mapping, refusing unknown and repeated keys.
func (p parser) fields(m *yaml.Node, known []string, each func(key string, v *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := suggestKey(k.Value, known); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known keys: " + strings.Join(known, ", ")
			}
			return p.errf(k.Line, "%s", msg)
		}
		if seen[k.Value] {
			return p.errf(k.Line, "key %q given twice", k.Value)
		}
		seen[k.Value] = true
		if err := each(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

// suggestKey finds the known key a mistyped one was meant to be: the same
// letters in another case or with - or _, or at most two edits away.
func suggestKey(got string, known []string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s))
	}
	for _, k := range known {
		if norm(k) == norm(got) {
			return k
		}
	}
	for _, k := range known {
		if spelling.Distance(norm(k), norm(got)) <= 2 {
			return k
		}
	}
	return ""
}

func (p parser) scalar(v *yaml.Node, key string) (string, error) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return "", p.errf(v.Line, "%s must be a single value", key)
	}
	return v.Value, nil
}

func (p parser) entry(n *yaml.Node) (Entry, error) {
	e := Entry{Line: n.Line, Expires: Expires{Never: true, Text: "never"}}
	if n.Kind != yaml.MappingNode {
		return e, p.errf(n.Line, "each entry of tokens must be a mapping (name: ..., grants: ...)")
	}
	var hasName, hasExpires bool
	err := p.fields(n, entryKeys, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "name":
			if e.Name, err = p.scalar(v, key); err != nil {
				return err
			}
			hasName = true
			return p.checkName(v.Line, e.Name)
		case "grants":
			return p.grantList(v, &e)
		case "preset":
			if e.Preset, err = p.scalar(v, key); err != nil {
				return err
			}
			if _, err := grants.Preset(e.Preset); err != nil {
				return p.errf(v.Line, "%v", err)
			}
		case "expires":
			var s string
			if s, err = p.scalar(v, key); err != nil {
				return err
			}
			hasExpires = true
			e.Expires, err = p.expires(v.Line, s)
			return err
		case "rotateBefore":
			var s string
			if s, err = p.scalar(v, key); err != nil {
				return err
			}
			d, err := expiry.ParseDuration(s)
			if err != nil || d <= 0 {
				return p.errf(v.Line, "invalid rotateBefore %q: use a duration such as 14d or 12h", s)
			}
			e.RotateBefore = d
		case "secret":
			if v.Kind != yaml.MappingNode {
				return p.errf(v.Line, "secret must be a mapping, e.g. secret: {command: CMD}")
			}
			return p.fields(v, secretKeys, func(_ string, c *yaml.Node) error {
				if e.Command, err = p.scalar(c, "secret.command"); err != nil {
					return err
				}
				if strings.TrimSpace(e.Command) == "" {
					return p.errf(c.Line, "secret.command is empty: give the command that receives the secret on its standard input")
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	if !hasName {
		return e, p.errf(n.Line, "an entry without a name: every token needs name:")
	}
	set := grants.Set{}
	if len(e.Grants) > 0 {
		// Already checked one by one in grantList.
		set, _ = grants.ParseAll(e.Grants)
	}
	if e.Preset != "" {
		ps, _ := grants.Preset(e.Preset)
		set = grants.Union(set, ps)
	}
	if len(set.Normalize()) == 0 {
		return e, p.errf(n.Line, "token %q has no permissions: give grants: [CAT:ACTIONS, ...] or preset: view|full", e.Name)
	}
	e.Permissions = set.Normalize()
	if e.RotateBefore > 0 && e.Expires.Lifetime > 0 && e.RotateBefore >= e.Expires.Lifetime {
		return e, p.errf(n.Line, "token %q: rotateBefore %s is not shorter than its lifetime %s, so every new token would be due at once", e.Name, expiry.Compact(e.RotateBefore), e.Expires.Text)
	}
	if e.RotateBefore > 0 && e.Expires.Never && hasExpires {
		return e, p.errf(n.Line, "token %q never expires, so rotateBefore never comes due: give expires: 90d (or drop rotateBefore)", e.Name)
	}
	return e, nil
}

func (p parser) checkName(line int, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return p.errf(line, "name is empty")
	case name != strings.TrimSpace(name):
		return p.errf(line, "name %q has spaces around it", name)
	case len(name) > api.MaxNameLength:
		return p.errf(line, "name is longer than %d characters", api.MaxNameLength)
	}
	if problem := api.NameCharProblem(name); problem != "" {
		return p.errf(line, "name: %s", problem)
	}
	if retired.Is(name) {
		return p.errf(line, "name %q is the name of a retired token left by a graceful rotation: apply never manages those", name)
	}
	return nil
}

// grantList reads grants: a list (or one string) in --grant syntax. In a
// YAML flow list, [cluster:read,update, budget:read] splits at the comma
// into "cluster:read", "update": an item that is only actions continues the
// grant before it, as the writer meant.
func (p parser) grantList(v *yaml.Node, e *Entry) error {
	var items []*yaml.Node
	switch {
	case v.Kind == yaml.SequenceNode:
		items = v.Content
	case v.Kind == yaml.ScalarNode && v.Tag != "!!null":
		items = []*yaml.Node{v}
	default:
		return p.errf(v.Line, "grants must be a list such as [cluster:read, budget:read]")
	}
	for _, it := range items {
		if it.Kind != yaml.ScalarNode {
			return p.errf(it.Line, "each grant is a value such as cluster:read,update")
		}
		for _, spec := range strings.Fields(it.Value) {
			if !strings.Contains(spec, ":") && len(e.Grants) > 0 {
				joined := e.Grants[len(e.Grants)-1] + "," + spec
				if _, err := grants.Parse(joined); err == nil {
					e.Grants[len(e.Grants)-1] = joined
					continue
				}
			}
			if _, err := grants.Parse(spec); err != nil {
				return p.errf(it.Line, "%v", err)
			}
			e.Grants = append(e.Grants, spec)
		}
	}
	return nil
}

func (p parser) expires(line int, s string) (Expires, error) {
	in := strings.TrimSpace(s)
	if strings.EqualFold(in, "never") {
		return Expires{Never: true, Text: "never"}, nil
	}
	if d, err := expiry.ParseDuration(in); err == nil {
		if d <= 0 {
			return Expires{}, p.errf(line, "invalid expires %q: a lifetime must be positive", s)
		}
		return Expires{Lifetime: d, Text: in}, nil
	}
	t, err := expiry.Parse(in, p.now)
	if err != nil {
		return Expires{}, p.errf(line, "%v", err)
	}
	return Expires{At: t, Text: in}, nil
}
