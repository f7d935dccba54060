// Package output is the one place where replex prints data: tables (styled on
// a terminal, tab-separated when piped), JSON, YAML, names and jq.
package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// Formats accepted by -o.
const (
	Default     = ""
	TableFormat = "table" // the default layout, by name
	Wide        = "wide"
	JSON        = "json"
	YAML        = "yaml"
	Name        = "name"
)

// ValidateFormat checks -o against the formats a command supports; "table",
// the default layout, is one of them everywhere.
func ValidateFormat(format string, allowed ...string) error {
	if format == "" || format == TableFormat {
		return nil
	}
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return fmt.Errorf("invalid output format %q: use one of %s", format, strings.Join(append([]string{TableFormat}, allowed...), ", "))
}

// WriteDoc prints v as JSON or YAML when format is one of them and reports
// whether it did; any other format is the caller's to print.
func WriteDoc(w io.Writer, format string, v any) (bool, error) {
	switch format {
	case JSON:
		return true, WriteJSON(w, v)
	case YAML:
		return true, WriteYAML(w, v)
	}
	return false, nil
}

// WriteListDoc prints a list the way a list command's --jq, -o json, -o yaml
// or -o name asks, name giving each item's line, and reports whether it did;
// the table is the caller's to print.
func WriteListDoc[T any](w io.Writer, format string, query *gojq.Code, items []T, name func(T) string) (bool, error) {
	switch {
	case query != nil:
		return true, WriteJQ(w, query, items)
	case format == JSON:
		return true, WriteJSONList(w, items)
	case format == YAML:
		return true, WriteYAML(w, items)
	case format == Name:
		bw := bufio.NewWriter(w)
		for _, it := range items {
			bw.WriteString(Sanitize(name(it)))
			bw.WriteByte('\n')
		}
		return true, bw.Flush()
	}
	return false, nil
}

// WriteJSON prints v as indented JSON with a trailing newline.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeUnsafeJSON(buf.Bytes()))
	return err
}

// WriteJSONList prints items as an indented JSON array, the same bytes as
// WriteJSON(w, items), one element at a time: a list of 10,000 tokens is
// never held as one document, nor re-indented as one.
func WriteJSONList[T any](w io.Writer, items []T) error {
	if len(items) == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	var fast []byte
	bw.WriteString("[\n")
	for i := range items {
		var elem []byte
		ok := false
		if a, is := any(&items[i]).(indentedJSONAppender); is {
			fast, ok = a.AppendIndentedJSON(fast[:0], "  ", "  ")
			elem = fast
		}
		if !ok {
			buf.Reset()
			if err := enc.Encode(&items[i]); err != nil {
				return err
			}
			elem = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}
		bw.WriteString("  ")
		bw.Write(escapeUnsafeJSON(elem))
		if i < len(items)-1 {
			bw.WriteString(",\n")
		} else {
			bw.WriteString("\n]\n")
		}
	}
	return bw.Flush()
}

// indentedJSONAppender is a type that writes its own JSON, byte for byte
// what encoding/json would, faster; false means "use encoding/json".
type indentedJSONAppender interface {
	AppendIndentedJSON(dst []byte, prefix, indent string) ([]byte, bool)
}

// escapeUnsafeJSON writes as \u escapes the characters encoding/json leaves
// raw that a terminal would act on (DEL, C1 controls, bidi and other format
// characters). Outside strings JSON is ASCII, so they can only be in a
// string, where the escape means the same character.
func escapeUnsafeJSON(b []byte) []byte {
	if isASCIIPrintable(b) || !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x7f && !safeRune(r) }) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x7f && !safeRune(r) {
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&out, `\u%04x`, r)
			}
		} else {
			out.Write(b[:size])
		}
		b = b[size:]
	}
	return out.Bytes()
}

// isASCIIPrintable reports whether b has no byte from DEL up: the common
// case, checked without decoding a rune.
func isASCIIPrintable(b []byte) bool {
	for _, c := range b {
		if c >= 0x7f {
			return false
		}
	}
	return true
}

// WriteYAML prints v as YAML. It goes through JSON first so the field names
// and omissions are exactly those of the JSON output.
func WriteYAML(w io.Writer, v any) error {
	generic, err := toGeneric(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := doc.Encode(generic); err != nil {
		return err
	}
	quoteUnsafe(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err = w.Write(escapeUnsafeYAML(buf.Bytes()))
	return err
}

// quoteUnsafe double-quotes every string holding a character a terminal
// would act on, so that escapeUnsafeYAML can escape it there: the YAML
// encoder thinks bidi and format characters printable and writes them raw.
func quoteUnsafe(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && strings.ContainsFunc(n.Value, func(r rune) bool { return !safeRune(r) }) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteUnsafe(c)
	}
}

// escapeUnsafeYAML escapes what escapeUnsafeJSON does, in YAML's
// double-quoted form; quoteUnsafe made sure every such character is in one.
func escapeUnsafeYAML(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x7f && !safeRune(r) }) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r >= 0x7f && !safeRune(r) && r > 0xffff:
			fmt.Fprintf(&out, `\U%08x`, r)
		case r >= 0x7f && !safeRune(r):
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			out.Write(b[:size])
		}
		b = b[size:]
	}
	return out.Bytes()
}

func toGeneric(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return normalizeNumbers(generic), nil
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// CompileJQ parses a jq expression early, so a bad one is a usage error
// before any request.
func CompileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid --jq expression: %s", oneLine(err.Error()))
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("invalid --jq expression: %s", oneLine(err.Error()))
	}
	return code, nil
}

// WriteJQ runs code over v's JSON form. Strings print raw (like jq -r),
// everything else as compact JSON, one result per line.
func WriteJQ(w io.Writer, code *gojq.Code, v any) error {
	generic, err := toGeneric(v)
	if err != nil {
		return err
	}
	iter := code.Run(generic)
	for {
		res, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := res.(error); isErr {
			return fmt.Errorf("--jq: %s", oneLine(err.Error()))
		}
		if s, isStr := res.(string); isStr {
			// Raw, like jq -r, but a server's string must not reach a
			// terminal as escape sequences; -o json keeps exact bytes.
			fmt.Fprintln(w, Sanitize(s))
			continue
		}
		b, err := gojq.Marshal(res)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, string(b))
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Sanitize makes a server-provided string safe to print on a terminal:
// invalid UTF-8, control characters and escape sequences become visible
// placeholders, so a hostile token name cannot rewrite the screen.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++ // printable ASCII, the usual case
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !safeRune(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !safeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// safeRune rejects C0/C1 controls, DEL, and bidi/format overrides that can
// disguise text (Trojan Source).
func safeRune(r rune) bool {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return false
	}
	if r < 0x7f {
		return true // printable ASCII: no table to look up
	}
	if unicode.Is(unicode.Cf, r) {
		return false
	}
	return true
}
