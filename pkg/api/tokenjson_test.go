package api

import (
	"bytes"
	"encoding/json"
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
