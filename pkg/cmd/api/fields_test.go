package api

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replexio/replex/pkg/cmdutil"
)

func TestParseFields(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "name.txt")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		raw, typed []string
		stdin      string
		want       string // the JSON of the fields
	}{
		{raw: []string{"name=ci"}, want: `{"name":"ci"}`},
		{raw: []string{"n=1", "t=true", "z=null", "e="}, want: `{"e":"","n":"1","t":"true","z":"null"}`},
		{typed: []string{"n=1", "neg=-7", "t=true", "f=false", "z=null", "x=1.5", "s=text"}, want: `{"f":false,"n":1,"neg":-7,"s":"text","t":true,"x":"1.5","z":null}`},
		{raw: []string{"a=b=c"}, want: `{"a":"b=c"}`},
		{raw: []string{"permissions[cluster][]=read", "permissions[cluster][]=update", "permissions[budget][]=read"}, want: `{"permissions":{"budget":["read"],"cluster":["read","update"]}}`},
		{raw: []string{"empty[]"}, want: `{"empty":[]}`},
		{raw: []string{"empty[]", "empty[]=x"}, want: `{"empty":["x"]}`},
		{raw: []string{"a[b][c]=d"}, want: `{"a":{"b":{"c":"d"}}}`},
		// gh's arrays of objects: a repeated sub key starts the next object.
		{raw: []string{"items[][name]=a", "items[][qty]=1", "items[][name]=b"}, want: `{"items":[{"name":"a","qty":"1"},{"name":"b"}]}`},
		{raw: []string{"items[][tags][]=x", "items[][tags][]=y"}, want: `{"items":[{"tags":["x","y"]}]}`},
		{typed: []string{"name=@" + file}, want: `{"name":"from-file\n"}`},
		{typed: []string{"name=@-"}, stdin: "from-stdin", want: `{"name":"from-stdin"}`},
		{typed: []string{"org={org}"}, want: `{"org":"org_1"}`},
		{raw: []string{"org={org}"}, want: `{"org":"{org}"}`}, // -f is taken as is, like gh
	} {
		params, err := parseFields(tc.raw, tc.typed, &fieldReader{stdin: strings.NewReader(tc.stdin)})
		if err != nil {
			t.Errorf("%v %v: %v", tc.raw, tc.typed, err)
			continue
		}
		fillOrg(params, "org_1")
		got, _ := json.Marshal(params)
		if string(got) != tc.want {
			t.Errorf("%v %v: got %s, want %s", tc.raw, tc.typed, got, tc.want)
		}
	}
}

func TestParseFieldsErrors(t *testing.T) {
	for _, tc := range []struct {
		raw, typed []string
		want       string
	}{
		{raw: []string{"name"}, want: `invalid -f "name": give key=value (or key[] alone for an empty array)`},
		{raw: []string{"=x"}, want: `invalid -f "": the key is empty; give key=value`},
		{raw: []string{"[a]=x"}, want: `the key is empty`},
		{raw: []string{"a[b=x"}, want: `invalid -f "a[b": a [ is not closed`},
		{raw: []string{"a]=x"}, want: `a ] without its [`},
		{raw: []string{"a[b]c=x"}, want: `text after ] must start another [sub] or []`},
		{raw: []string{"a[][]=x"}, want: `an array of arrays (key[][]) cannot be written as fields`},
		{raw: []string{"a[b]"}, want: `give key=value`},
		{raw: []string{"a=1", "a=2"}, want: `-f "a": the key is given twice`},
		{raw: []string{"a=1", "a[b]=2"}, want: `-f "a[b]": "a" is already a string`},
		{raw: []string{"a=1", "a[]=2"}, want: `-f "a[]": "a" is already a string, not an array`},
		{raw: []string{"a[b]=1", "a[]=2"}, want: `"a" is already an object, not an array`},
		{typed: []string{"a=null", "a[b]=1"}, want: `"a" is already null`},
		{typed: []string{"a=@"}, want: `-F "a": @ needs a file name (@file) or - for standard input (@-)`},
		{typed: []string{"a=@no-such-file"}, want: `-F "a": open no-such-file: no such file or directory`},
		{typed: []string{"a=@-", "b=@-"}, want: `-F "b": standard input is read once: only one value can be @-`},
		{raw: []string{"rpx_secret"}, want: `invalid -f "rpx_secret"`},
		{raw: []string{"k\x1b[2J=v"}, want: `invalid -f "k\\x1b[2J"`},
	} {
		_, err := parseFields(tc.raw, tc.typed, &fieldReader{stdin: strings.NewReader("")})
		var ue *cmdutil.UsageError
		switch {
		case err == nil:
			t.Errorf("%v %v: accepted, want %q", tc.raw, tc.typed, tc.want)
		case !errors.As(err, &ue):
			t.Errorf("%v %v: %v is not a usage error", tc.raw, tc.typed, err)
		case !strings.Contains(err.Error(), tc.want) || strings.ContainsAny(err.Error(), "\n\x1b"):
			t.Errorf("%v %v: got %q, want one line with %q", tc.raw, tc.typed, err, tc.want)
		}
	}
}

func TestAddQuery(t *testing.T) {
	params, err := parseFields([]string{"q=a b", "a[b][]=1", "a[b][]=2", "a[c]=x"}, []string{"n=null", "t=true", "limit=5"}, &fieldReader{})
	if err != nil {
		t.Fatal(err)
	}
	got := addQuery("/organizations/o/api-keys?page=2", params)
	want := "/organizations/o/api-keys?page=2&" + "a%5Bb%5D%5B%5D=1&a%5Bb%5D%5B%5D=2&a%5Bc%5D=x&limit=5&n=&q=a+b&t=true"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := addQuery("/x", map[string]any{}); got != "/x" {
		t.Errorf("no fields: got %s", got)
	}
}

// FuzzParseFields: no field panics, and every refusal is one line.
func FuzzParseFields(f *testing.F) {
	for _, s := range []string{"a=b", "a[b][]=c", "a[][b]=c", "a[]", "=", "a[", "a]b", "a[b]c=d", "[]=x"} {
		f.Add(s, "x[]=1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		typed := []string{b}
		if strings.Contains(b, "@") { // @file would read whatever file the fuzzer names
			typed = nil
		}
		_, err := parseFields([]string{a, b}, typed, &fieldReader{stdin: strings.NewReader("")})
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%q %q: error of more than one line: %q", a, b, err)
		}
	})
}
