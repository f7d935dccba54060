// Package output is the one place where replex prints data: tables (styled on
// a terminal, tab-separated when piped), JSON, YAML, names and jq.
package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
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
	_, err := w.Write(EscapeJSON(buf.Bytes()))
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
		bw.Write(EscapeJSON(elem))
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
	if n.Kind == yaml.ScalarNode && strings.ContainsFunc(n.Value, func(r rune) bool { return !SafeRune(r) }) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteUnsafe(c)
	}
}

// escapeUnsafeYAML escapes what escapeUnsafeJSON does, in YAML's
// double-quoted form; quoteUnsafe made sure every such character is in one.
func escapeUnsafeYAML(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x7f && !SafeRune(r) }) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r >= 0x7f && !SafeRune(r) && r > 0xffff:
			fmt.Fprintf(&out, `\U%08x`, r)
		case r >= 0x7f && !SafeRune(r):
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
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil // halt: stop, like jq, without an error
			}
			return fmt.Errorf("--jq: %s", jqProblem(err))
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
		// Objects and arrays keep their strings' unsafe characters as
		// \u escapes: still valid JSON, harmless on a terminal.
		fmt.Fprintln(w, string(EscapeJSON(b)))
	}
}

// jqProblem describes a jq runtime error by its kind and the types of the
// values involved, never the values: gojq quotes up to 30 bytes of them,
// which may be half of a secret the answer carries.
func jqProblem(err error) string {
	var halt *gojq.HaltError
	var raised gojq.ValueError
	switch {
	case errors.As(err, &halt):
		return "halt_error was called (its value is not shown)"
	case errors.As(err, &raised):
		return "error() was called (its value is not shown)"
	}
	msg := oneLine(err.Error())
	types := jqTypes().FindAllStringSubmatch(msg, -1)
	typeAt := func(i int) string {
		if i >= len(types) {
			return "a value"
		}
		t := types[i][1]
		switch t {
		case "null":
			return "null"
		case "object", "array":
			return "an " + t
		}
		return "a " + t
	}
	for _, k := range jqErrorKinds {
		if !strings.HasPrefix(msg, k.prefix) {
			continue
		}
		switch strings.Count(k.text, "%s") {
		case 0:
			return k.text
		case 1:
			return fmt.Sprintf(k.text, typeAt(0))
		}
		return fmt.Sprintf(k.text, typeAt(0), typeAt(1))
	}
	// "FUNC(ARGS) cannot be applied to: TYPE (value)" or "... to "value":
	// why"; ARGS are the arguments' values, so only FUNC is kept.
	if fn, rest, ok := strings.Cut(msg, " cannot be applied to"); ok && jqName(strings.SplitN(fn, "(", 2)[0]) {
		fn, _, _ = strings.Cut(fn, "(")
		if strings.HasPrefix(rest, ": ") {
			return fmt.Sprintf("%s cannot be applied to %s", fn, typeAt(0))
		}
		return fmt.Sprintf("%s cannot be applied to this value", fn)
	}
	// "cannot NAME: TYPE (value)", NAME being a jq function or operator.
	if name, _, ok := strings.Cut(strings.TrimPrefix(msg, "cannot "), ": "); ok && strings.HasPrefix(msg, "cannot ") && jqName(name) {
		if len(types) > 1 {
			return fmt.Sprintf("cannot %s %s and %s", name, typeAt(0), typeAt(1))
		}
		return fmt.Sprintf("cannot %s %s", name, typeAt(0))
	}
	for _, plain := range jqPlainErrors {
		if strings.HasPrefix(msg, plain) {
			return msg // no value in it; any name is from the expression
		}
	}
	return "the expression failed on this input (gojq's message is not shown: it may quote a value)"
}

// jqName reports whether s looks like a jq function or format name
// (keys, ltrimstr, @base64d, subtract), so that it may be repeated.
func jqName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@' && i == 0 || c >= '0' && c <= '9' && i > 0
		if !ok {
			return false
		}
	}
	return true
}

// jqPlainErrors are gojq's runtime messages that quote no value.
var jqPlainErrors = []string{
	"length mismatch", "input(s)/0 is not allowed", "expected an array of 8 numbers",
	"number of seconds is out of range", "number is out of range", "too many variable values provided",
	"function not defined: ", "variable not defined: ", "variable defined but not bound: ",
	"invalid variable name: ", "label not defined: ", "format not defined: ",
}

// jqErrorKinds are gojq's messages that quote a value, by their fixed
// beginning, and what replex says instead (%s: the type of a value).
var jqErrorKinds = []struct{ prefix, text string }{
	{"expected an object but got: ", "expected an object but got %s"},
	{"expected an array but got: ", "expected an array but got %s"},
	{"cannot iterate over: ", "cannot iterate over %s"},
	{"array index should not be negative: ", "an array index is negative"},
	{"array index too large: ", "an array index is too large"},
	{"repeat string result too large: ", "a repeated string would be too large"},
	{"expected a string for object key but got: ", "expected a string for an object key but got %s"},
	{"expected a number for indexing an array but got: ", "expected a number to index an array but got %s"},
	{"expected a number for indexing a string but got: ", "expected a number to index a string but got %s"},
	{"flatten depth should not be negative: ", "flatten depth is negative"},
	{"invalid path against: ", "invalid path against %s"},
	{"invalid path on iterating against: ", "invalid path on iterating against %s"},
}

// jqTypes finds the type gojq names before each value it quotes; the
// words printed come from this fixed set, never from the value.
var jqTypes = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(null|boolean|number|string|array|object)\b(?: \(|$| and | by:)`)
})

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
