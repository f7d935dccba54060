package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/replexio/replex/pkg/grants"
)

// marshalLikeEncoder is what output.WriteJSON does for one value.
func marshalLikeEncoder(t *testing.T, v any, prefix, indent string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(prefix, indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func checkTokenJSON(t *testing.T, tok Token) {
	t.Helper()
	for _, pi := range [][2]string{{"", "  "}, {"  ", "  "}, {"\t", "    "}} {
		want := marshalLikeEncoder(t, tok, pi[0], pi[1])
		got, ok := tok.AppendIndentedJSON(nil, pi[0], pi[1])
		if want == nil {
			if ok {
				t.Errorf("encoding/json refuses %+v, AppendIndentedJSON did not", tok)
			}
			continue
		}
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("prefix %q indent %q: got (ok=%v)\n%s\nwant\n%s", pi[0], pi[1], ok, got, want)
		}
	}
}

func TestAppendIndentedJSON(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	exp := time.Date(2027, 2, 3, 4, 5, 6, 789000000, cet)
	used := time.Date(2026, 11, 27, 3, 4, 5, 0, time.UTC)
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tok := range []Token{
		{},
		{ID: "ak_1", Name: "ci", OrganizationID: "org_1", Permissions: grants.Set{"cluster": {"read"}, "apiKey": {"read", "create"}},
			CreatedAt: used, UpdatedAt: used.Add(time.Nanosecond), ExpiresAt: &exp, LastUsedAt: &used},
		{Name: "\x1b]52;c;AAAA\x07 <&> \"q\" \\ \u2028\u2029 \u202e é \xff\xfe\b\f\n\r\t\x00\x7f", Permissions: grants.Set{}},
		{Name: "empty actions", Permissions: grants.Set{"a": {}, "b": nil, "c\n": {"x\"y"}}},
		{Name: "far future", ExpiresAt: &far},
	} {
		checkTokenJSON(t, tok)
	}
}

// FuzzAppendIndentedJSON: for any strings, the hand-written encoding is
// byte for byte encoding/json's.
func FuzzAppendIndentedJSON(f *testing.F) {
	f.Add("ak_1", "ci", "cluster", "read", int64(1700000000), int32(0))
	f.Add("\xff", "\u2028<>&", "\x00", "\"\\", int64(-62135596800), int32(-3600))
	f.Fuzz(func(t *testing.T, id, name, cat, act string, sec int64, off int32) {
		tm := time.Unix(sec%(400*365*86400), int64(off)).In(time.FixedZone("", int(off%86400)))
		checkTokenJSON(t, Token{ID: id, Name: name, OrganizationID: act + cat, Permissions: grants.Set{cat: {act, name}, name: nil},
			CreatedAt: tm, UpdatedAt: tm, ExpiresAt: &tm})
	})
}

// fillNonZero sets every settable field reachable from v to a non-zero value
// distinct per field (seed), so that a field written from the wrong source
// or not written at all changes the output.
func fillNonZero(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	switch {
	case v.Type() == reflect.TypeOf(time.Time{}):
		v.Set(reflect.ValueOf(time.Date(2020, 1, 1, 0, 0, seed, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("value-%d", seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(seed + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(seed + 1))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(seed) + 0.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillNonZero(t, p.Elem(), seed)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillNonZero(t, s.Index(0), seed)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fillNonZero(t, k, seed)
		e := reflect.New(v.Type().Elem()).Elem()
		fillNonZero(t, e, seed+1000)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillNonZero(t, v.Field(i), seed*100+i+1)
			}
		}
	default:
		t.Fatalf("fillNonZero: no non-zero value for %s; teach this test the new kind", v.Type())
	}
}

// TestAppendIndentedJSONWritesEveryField fails when a field of Token is
// added without being written by the hand-written path: each field by its
// json tag must appear, with encoding/json's value, and the whole output
// must equal encoding/json's.
func TestAppendIndentedJSONWritesEveryField(t *testing.T) {
	var tok Token
	fillNonZero(t, reflect.ValueOf(&tok).Elem(), 1)

	want := marshalLikeEncoder(t, tok, "", "  ")
	got, ok := tok.AppendIndentedJSON(nil, "", "  ")
	if !ok {
		t.Fatalf("AppendIndentedJSON refused a token encoding/json accepts: %+v", tok)
	}
	var gotFields, wantFields map[string]json.RawMessage
	if err := json.Unmarshal(got, &gotFields); err != nil {
		t.Fatalf("AppendIndentedJSON wrote invalid JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &wantFields); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(tok)
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		g, present := gotFields[name]
		if !present {
			t.Errorf("field %s (json %q) is missing from AppendIndentedJSON's output", f.Name, name)
			continue
		}
		if w := wantFields[name]; !bytes.Equal(compactJSON(t, g), compactJSON(t, w)) {
			t.Errorf("field %s (json %q): AppendIndentedJSON wrote %s, encoding/json %s", f.Name, name, g, w)
		}
	}
	for name := range gotFields {
		if _, known := wantFields[name]; !known {
			t.Errorf("AppendIndentedJSON writes %q, which encoding/json does not", name)
		}
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func compactJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
