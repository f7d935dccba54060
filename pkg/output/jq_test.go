package output

import (
	"bytes"
	"strings"
	"testing"
)

// A jq runtime error names what went wrong and the types involved, never a
// value: gojq's own messages quote up to 30 bytes of one, half a secret.
func TestJQErrorsQuoteNoValue(t *testing.T) {
	const secret = "rpx_0123456789abcdefghijklmnopqrstuvwxyz"
	doc := map[string]any{"data": map[string]any{"id": "ak_1", "token": secret, "n": 3, "list": []any{secret}}}
	for expr, want := range map[string]string{
		".data.token | keys":                       "--jq: keys cannot be applied to a string",
		".data.token | fromjson":                   "--jq: fromjson cannot be applied to this value",
		".data.token[]":                            "--jq: cannot iterate over a string",
		".data.token.x":                            "--jq: expected an object but got a string",
		".data.list.x":                             "--jq: expected an object but got an array",
		".data.token - 1":                          "--jq: cannot subtract a string and a number",
		".data.token / .data.n":                    "--jq: cannot divide a string and a number",
		".data.n % .data.token":                    "--jq: cannot modulo a number and a string",
		".data.token | halt_error":                 "--jq: halt_error was called (its value is not shown)",
		".data.token | halt_error(1)":              "--jq: halt_error was called (its value is not shown)",
		`.data.token | test("(")`:                  "--jq: the expression failed on this input (gojq's message is not shown: it may quote a value)",
		"error(.data.token)":                       "--jq: error() was called (its value is not shown)",
		".data.token | tonumber":                   "--jq: tonumber cannot be applied to this value",
		".data.token | test(1)":                    "--jq: test cannot be applied to a string",
		". as $d | 1 | test(\"a\"; $d.data.token)": "--jq: test cannot be applied to a number",
		". as $d | 1 | splits($d.data.token)":      "--jq: match cannot be applied to a number",
		".data.list[.data.token]":                  "--jq: expected an object but got an array",
		"{(.data.n): 1}":                           "--jq: expected a string for an object key but got a number",
		"[.data.token] | implode":                  "--jq: implode cannot be applied to an array",
	} {
		code, err := CompileJQ(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		var out bytes.Buffer
		err = WriteJQ(&out, code, doc)
		if err == nil {
			t.Errorf("%s: no error", expr)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "rpx_") || strings.Contains(msg, secret[4:12]) {
			t.Errorf("%s: error quotes the value: %s", expr, msg)
		}
		if want != "" && msg != want {
			t.Errorf("%s: error %q, want %q", expr, msg, want)
		}
		t.Logf("%s: %s", expr, msg)
	}
}

// halt stops the output without an error, as in jq.
func TestJQHaltStops(t *testing.T) {
	code, err := CompileJQ("1, halt, 2")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteJQ(&out, code, nil); err != nil || out.String() != "1\n" {
		t.Fatalf("got %q, %v", out.String(), err)
	}
}

// Every builtin, applied to a secret or given one as its argument, fails
// (where it fails) without quoting it.
func TestJQBuiltinErrorsQuoteNoValue(t *testing.T) {
	const secret = "rpx_BUILTINsecretBUILTINsecret0123"
	doc := map[string]any{"s": secret, "o": map[string]any{"token": secret}, "a": []any{secret}, "n": 7}
	zero := []string{"keys", "length", "tonumber", "fromjson", "implode", "explode", "ascii_downcase", "@base64d", "@uri", "@csv", "@tsv",
		"fromdate", "todate", "mktime", "gmtime", "add", "flatten", "sort", "unique", "min", "reverse", "to_entries", "from_entries",
		"splits(\"x\")", "ltrimstr(1)", "tostream", "fromstream(.)", "paths", "leaf_paths", "any", "all", "floor", "sqrt", "not",
		"utf8bytelength", "ascii", "@sh", "@html", "env.x", "input_line_number", "getpath([\"x\"])", "has(\"x\")", "has(0)", "keys[0] | .x",
		".[]", ".x", ".[0]", "-.", ". - 1", ". / 2", ". % 2", ". * {}", "error", "halt_error", "tojson | .[0]", "test(\"(\")", "strptime(\"%Y\")"}
	one := []string{"test", "match", "split", "ltrimstr", "startswith", "join", "has", "contains", "inside", "index", "splits", "sub(.; \"x\")",
		"getpath", "setpath(.; 1)", "delpaths", "flatten", "range", "limit(.; 1)", "strftime", "strptime", "error", "@base64d | test",
		"ascii_downcase | test", "indices", "combinations", "splits"}
	var exprs []string
	for _, in := range []string{".s", ".o", ".a", ".o.token", ".a[0]"} {
		for _, f := range zero {
			exprs = append(exprs, in+" | "+f)
		}
	}
	for _, f := range one {
		name, rest, hasArgs := strings.Cut(f, "(")
		for _, in := range []string{"1", "{}", "[1]", "\"x\""} {
			if hasArgs {
				exprs = append(exprs, ". as $d | "+in+" | "+name+"("+strings.ReplaceAll(rest, ".;", "$d.s;"))
			} else {
				exprs = append(exprs, ". as $d | "+in+" | "+name+"($d.s)")
			}
		}
	}
	failures := 0
	for _, expr := range exprs {
		code, err := CompileJQ(expr)
		if err != nil {
			continue // not a builtin of this gojq
		}
		var out bytes.Buffer
		err = WriteJQ(&out, code, doc)
		if err == nil {
			continue
		}
		failures++
		if strings.Contains(err.Error(), "BUILTIN") || strings.Contains(err.Error(), "rpx_") {
			t.Errorf("%s: error quotes the value: %v", expr, err)
		}
	}
	if failures < 100 {
		t.Fatalf("only %d of %d expressions failed: the sweep is not testing errors", failures, len(exprs))
	}
}
