package api

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/output"
)

// orgPlaceholder is a -F value holding {org}: filled in once the profile's
// organization is known, after every flag has been checked.
type orgPlaceholder string

// fieldReader reads the @file and @- values of -F.
type fieldReader struct {
	stdin     io.Reader
	stdinUsed bool
}

// maxFieldFile bounds one @file or @- value, as --data is bounded.
const maxFieldFile = 10 << 20

// parseFields builds the request parameters from -f (strings) and -F (typed)
// with gh's syntax: key=value, key[sub]=value for objects, key[]=value for
// arrays (key[] alone is an empty array), key[][sub]=value for arrays of
// objects.
func parseFields(raw, typed []string, files *fieldReader) (map[string]any, error) {
	params := map[string]any{}
	for _, f := range raw {
		if err := addField(params, "-f", f, false, files); err != nil {
			return nil, err
		}
	}
	for _, f := range typed {
		if err := addField(params, "-F", f, true, files); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// shortKey quotes a key for an error: sanitised and cut, never the value.
func shortKey(k string) string {
	k = output.Sanitize(k)
	if len(k) > 40 {
		k = k[:40] + "…"
	}
	return strconv.Quote(k)
}

func addField(params map[string]any, flag, field string, typed bool, files *fieldReader) error {
	key, value, hasValue := strings.Cut(field, "=")
	path, err := splitKey(key)
	if err != nil {
		return cmdutil.Usagef("invalid %s %s: %v", flag, shortKey(key), err)
	}
	if !hasValue && path[len(path)-1] != "" {
		return cmdutil.Usagef("invalid %s %s: give key=value (or key[] alone for an empty array)", flag, shortKey(key))
	}
	var v any = value
	switch {
	case !hasValue:
		v = nil // key[]: an empty array
	case typed:
		if v, err = typedValue(value, files); err != nil {
			return cmdutil.Usagef("%s %s: %v", flag, shortKey(key), err)
		}
	}
	if err := place(params, path, v, !hasValue); err != nil {
		return cmdutil.Usagef("%s %s: %v", flag, shortKey(key), err)
	}
	return nil
}

// splitKey turns a[b][][c] into [a b "" c]; "" stands for [].
func splitKey(key string) ([]string, error) {
	name, rest, _ := strings.Cut(key, "[")
	if name == "" {
		return nil, fmt.Errorf("the key is empty; give key=value")
	}
	if strings.Contains(name, "]") {
		return nil, fmt.Errorf("a ] without its [; a key is a name, then optional [sub] or [] parts, as in key[sub][]=value")
	}
	path := []string{name}
	if len(key) > len(name) {
		rest = key[len(name):]
	}
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("text after ] must start another [sub] or [], as in key[sub][]=value")
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("a [ is not closed, as in key[sub]=value")
		}
		sub := rest[1:end]
		if strings.Contains(sub, "[") {
			return nil, fmt.Errorf("a [ is not closed, as in key[sub]=value")
		}
		if sub == "" && path[len(path)-1] == "" {
			return nil, fmt.Errorf("an array of arrays (key[][]) cannot be written as fields; use --input with a JSON body")
		}
		path = append(path, sub)
		rest = rest[end+1:]
	}
	return path, nil
}

// place puts v at path in params. Like gh, key[][sub] fills the last object
// of the array until sub repeats, which starts the next object.
func place(params map[string]any, path []string, v any, emptyArray bool) error {
	dest := params
	for i := 0; i < len(path)-1; i++ {
		name := path[i]
		if path[i+1] == "" { // name[]...
			if i+1 == len(path)-1 {
				return placeInArray(dest, name, v, emptyArray)
			}
			obj, err := arrayObject(dest, name, path[i+2])
			if err != nil {
				return err
			}
			dest, i = obj, i+1
			continue
		}
		switch cur := dest[name].(type) {
		case nil:
			if _, exists := dest[name]; exists {
				return fmt.Errorf("%s is already null; a key is a value, an object (key[sub]) or an array (key[])", shortKey(name))
			}
			obj := map[string]any{}
			dest[name], dest = obj, obj
		case map[string]any:
			dest = cur
		default:
			return fmt.Errorf("%s is already %s; a key is a value, an object (key[sub]) or an array (key[])", shortKey(name), kind(cur))
		}
	}
	last := path[len(path)-1]
	if _, exists := dest[last]; exists {
		return fmt.Errorf("the key is given twice; for an array write key[]=value each time")
	}
	dest[last] = v
	return nil
}

func placeInArray(dest map[string]any, name string, v any, emptyArray bool) error {
	cur, exists := dest[name]
	arr, isArray := cur.([]any)
	if exists && !isArray {
		return fmt.Errorf("%s is already %s, not an array", shortKey(name), kind(cur))
	}
	if arr == nil {
		arr = []any{}
	}
	if !emptyArray {
		arr = append(arr, v)
	}
	dest[name] = arr
	return nil
}

func arrayObject(dest map[string]any, name, sub string) (map[string]any, error) {
	cur, exists := dest[name]
	arr, isArray := cur.([]any)
	if exists && !isArray {
		return nil, fmt.Errorf("%s is already %s, not an array", shortKey(name), kind(cur))
	}
	if n := len(arr); n > 0 {
		if last, ok := arr[n-1].(map[string]any); ok {
			if _, taken := last[sub]; !taken {
				return last, nil
			}
			if _, isList := last[sub].([]any); isList {
				return last, nil
			}
		}
	}
	obj := map[string]any{}
	dest[name] = append(arr, obj)
	return obj, nil
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a boolean"
	case int:
		return "a number"
	case nil:
		return "null"
	}
	return "a string"
}

// typedValue converts a -F value as gh does: true, false, null and integers
// become JSON values, @file and @- the content of a file or standard input,
// {org} the profile's organization; anything else stays a string.
func typedValue(s string, files *fieldReader) (any, error) {
	if name, ok := strings.CutPrefix(s, "@"); ok {
		return files.read(name)
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if strings.Contains(s, "{org}") {
		return orgPlaceholder(s), nil
	}
	return s, nil
}

func (r *fieldReader) read(name string) (string, error) {
	if name == "-" {
		if r.stdinUsed {
			return "", fmt.Errorf("standard input is read once: only one value can be @-")
		}
		r.stdinUsed = true
		b, err := io.ReadAll(io.LimitReader(r.stdin, maxFieldFile+1))
		if err != nil {
			return "", fmt.Errorf("reading standard input: %v", err)
		}
		if len(b) > maxFieldFile {
			return "", fmt.Errorf("standard input is over 10 MiB")
		}
		return string(b), nil
	}
	if name == "" {
		return "", fmt.Errorf("@ needs a file name (@file) or - for standard input (@-)")
	}
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFieldFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFieldFile {
		return "", fmt.Errorf("%s is over 10 MiB", name)
	}
	return string(b), nil
}

// fillOrg replaces {org} in the -F values that hold it.
func fillOrg(v any, org string) any {
	switch x := v.(type) {
	case orgPlaceholder:
		return strings.ReplaceAll(string(x), "{org}", org)
	case map[string]any:
		for k, e := range x {
			x[k] = fillOrg(e, org)
		}
	case []any:
		for i, e := range x {
			x[i] = fillOrg(e, org)
		}
	}
	return v
}

// addQuery appends params to path as a query string, for GET: nested keys
// as key[sub]=v, arrays as key[]=v, null as an empty value.
func addQuery(path string, params map[string]any) string {
	if len(params) == 0 {
		return path
	}
	q := url.Values{}
	queryParams(q, "", params)
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + q.Encode()
}

func queryParams(q url.Values, key string, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			sub := k
			if key != "" {
				sub = key + "[" + k + "]"
			}
			queryParams(q, sub, x[k])
		}
	case []any:
		for _, e := range x {
			queryParams(q, key+"[]", e)
		}
	case nil:
		q.Add(key, "")
	default:
		q.Add(key, fmt.Sprint(x))
	}
}
